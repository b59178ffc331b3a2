import { afterAll, beforeAll, expect, test } from "bun:test";
import { createScheduleService } from "../../src/engine/scheduler.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import { gaps, scheduledRuns, sleep, type ScheduledRun } from "./schedule-fixture.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

const GRACE_MS = 1500;
const POLICIES = ["skip", "latest", "all"] as const;

describeEachBackend("schedules: three engines on one database", (t) => {
  const running: Array<{ stop: (options?: { drainMs?: number }) => Promise<void> }> = [];
  let pools: Db[];

  beforeAll(async () => {
    // On Postgres each engine has its own pool; on PGlite the three share the one instance.
    pools = [t.db, await t.connect(), await t.connect()];
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
  });

  async function startEngines() {
    const engines = await Promise.all(pools.map((db) => testEngine(db, registry, { schedulerPollMs: 200, scheduleGraceMs: GRACE_MS })));
    await Promise.all(engines.map((e) => e.start()));
    running.push(...engines);
    return engines;
  }

  async function stopEngines() {
    await Promise.all(running.splice(0).map((e) => e.stop({ drainMs: 1000 })));
  }

  test("a per-second schedule makes exactly one task per tick over 10 s; after 5 s of downtime each catch-up policy is honoured", async () => {
    const service = createScheduleService({ db: t.db, engine: { submit: () => Promise.reject(new Error("unused")) }, templates: registry });
    for (const policy of POLICIES) {
      await service.create({ namespace: "testing", task: "scheduled", name: `every_second_${policy}`, cron: "* * * * * *", context: { report: policy }, catchUp: policy });
    }

    await startEngines();
    await sleep(10_000);
    await stopEngines();

    const before = new Map<string, ScheduledRun[]>();
    for (const policy of POLICIES) {
      const runs = await scheduledRuns(t.db, `every_second_${policy}`);
      before.set(policy, runs);
      // One task per tick, no tick left out, none late enough to count as a catch-up.
      expect(runs.length).toBeGreaterThanOrEqual(9);
      expect(gaps(runs).every((g) => g === 1)).toBe(true);
      expect(runs.some((r) => r.catchUp)).toBe(false);
    }

    await sleep(5_000);
    await startEngines();
    await sleep(2_500);
    await stopEngines();

    for (const policy of POLICIES) {
      const runs = await scheduledRuns(t.db, `every_second_${policy}`);
      const lastBefore = before.get(policy)!.at(-1)!.tick;
      const after = runs.filter((r) => r.tick > lastBefore);
      // Never two tasks for one tick, across both phases.
      expect(new Set(runs.map((r) => r.tick)).size).toBe(runs.length);
      expect(after.length).toBeGreaterThanOrEqual(2);
      const catchUps = after.filter((r) => r.catchUp);
      // Ticks more than the grace period old when the engines came back: at least 5 − 1.5 s worth.
      const firstGap = (after[0]!.tick - lastBefore) / 1000;
      if (policy === "all") {
        expect(gaps(runs).every((g) => g === 1)).toBe(true);
        expect(catchUps.length).toBeGreaterThanOrEqual(3);
      } else if (policy === "latest") {
        expect(catchUps.length).toBe(1);
        expect(after[0]!.catchUp).toBe(true);
        expect(firstGap).toBeGreaterThanOrEqual(3);
        expect(gaps(after).every((g) => g === 1)).toBe(true);
      } else {
        expect(catchUps.length).toBe(0);
        expect(firstGap).toBeGreaterThanOrEqual(4);
        expect(gaps(after).every((g) => g === 1)).toBe(true);
      }
    }
  }, 45_000);
});
