import { beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../../src/core/logger.ts";
import { createScheduler, createScheduleService, type SchedulerFaults } from "../../src/engine/scheduler.ts";
import type { Registry } from "../../src/registry/index.ts";
import { insertSchedule, type ScheduleRow } from "../../src/store/schedules.ts";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import { gaps, scheduledRuns, sleep } from "./schedule-fixture.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

describeEachBackend("schedules: claims and takeover", (t) => {
  /** A scheduler run by hand (runDue), as the engine's loop would run it, with a short claim. */
  async function scheduler(owner: string, faults?: SchedulerFaults) {
    const engine = await testEngine(t.db, registry, { runWorkers: false, runScheduler: false });
    return createScheduler({
      db: t.db, templates: registry, submitMany: (r) => engine.submitMany(r), log: silentLogger, faults,
      options: { owner, pollMs: 1000, graceMs: 60_000, maxCatchUp: 100, claimMs: 400 },
    });
  }
  const service = () => createScheduleService({ db: t.db, engine: { submit: () => Promise.reject(new Error("unused")) }, templates: registry });
  const row = async (id: string) => (await t.db.query<ScheduleRow>("select * from schedules where id = $1", [id]))[0]!;
  /** Makes a per-second schedule whose last 4 ticks (3 s ago to now) are due. */
  async function dueSchedule(name: string, catchUp: "skip" | "latest" | "all" = "all") {
    const s = await service().create({ namespace: "testing", task: "scheduled", name, cron: "* * * * * *", context: { report: name }, catchUp });
    await t.db.query("update schedules set next_run_at = date_trunc('second', now()) - interval '3 seconds' where id = $1", [s.id]);
    return s;
  }

  test("an engine that dies after submitting and before advancing is taken over when its claim expires: still one task per tick", async () => {
    const s = await dueSchedule("takeover");
    const due = (await row(s.id)).next_run_at!;
    const dying = await scheduler("dying", { afterSubmit: () => { throw new Error("killed after submitting"); } });
    expect((await dying.runDue()).claimed).toBe(1);
    const submitted = await scheduledRuns(t.db, "takeover");
    expect(submitted.length).toBeGreaterThanOrEqual(4);
    expect((await row(s.id))).toMatchObject({ next_run_at: due, claimed_by: "dying", last_error: "Error: killed after submitting" });

    const heir = await scheduler("heir");
    expect((await heir.runDue()).claimed).toBe(0); // the claim still holds
    await sleep(450);
    const second = await heir.runDue();
    expect(second.claimed).toBe(1);
    expect(second.ticks).toBeGreaterThanOrEqual(submitted.length);

    const runs = await scheduledRuns(t.db, "takeover");
    expect(new Set(runs.map((r) => r.tick)).size).toBe(runs.length);
    expect(gaps(runs).every((g) => g === 1)).toBe(true);
    expect(runs.slice(0, submitted.length)).toEqual(submitted);
    const after = await row(s.id);
    expect(after).toMatchObject({ claimed_by: null, last_error: null, last_run_at: new Date(runs.at(-1)!.tick) });
    expect(after.next_run_at!.getTime()).toBe(runs.at(-1)!.tick + 1000);
  });

  test("ticks that fall while a schedule is paused are not caught up when it resumes", async () => {
    // The per-second schedules of the tests above come due again every second: keep them out.
    await t.db.query("update schedules set paused = true");
    const s = await dueSchedule("paused_then_resumed");
    await service().pause(s.id);
    const engine = await scheduler("pauser");
    expect((await engine.runDue()).claimed).toBe(0);
    const resumed = await service().resume(s.id);
    expect(resumed.paused).toBe(false);
    expect(resumed.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    expect((await engine.runDue()).claimed).toBe(0);
    expect(await scheduledRuns(t.db, "paused_then_resumed")).toEqual([]);
  });

  test("a schedule of a task this engine has not loaded waits for an engine that has", async () => {
    await insertSchedule(t.db, {
      id: crypto.randomUUID(), namespace: "elsewhere", taskName: "other", name: "orphan", version: null, cron: "* * * * * *",
      timezone: "UTC", context: {}, catchUp: "skip", source: "api", nextRunAt: new Date(Date.now() - 5000),
    });
    expect((await (await scheduler("here")).runDue()).claimed).toBe(0);
    const [r] = await t.db.query<ScheduleRow>("select * from schedules where name = 'orphan'");
    expect(r!.claimed_by).toBeNull();
    expect(r!.last_error).toBeNull();
  });
});
