import { afterAll, beforeAll, expect, test } from "bun:test";
import { z } from "zod";
import { defineTask, TemplateValidationError } from "../../src/index.ts";
import { createScheduleService } from "../../src/engine/scheduler.ts";
import { createRegistry } from "../../src/registry/index.ts";
import type { ScheduleRow } from "../../src/store/schedules.ts";
import { describeEachBackend } from "../support/backends.ts";
import { testCore, testEngine } from "../support/engine.ts";
import { fixtureDir, taskModule, type FixtureDir } from "../registry/fixtures.ts";
import { sleep } from "./schedule-fixture.ts";

const declaring = (schedules: string) => taskModule("report", "1.0.0", `\n  schedules: ${schedules},`);
const HOURLY = `{ name: "hourly", cron: "0 * * * *", context: { n: 1 } }`;
const DAILY = `{ name: "daily", cron: "0 3 * * *", timezone: "Europe/Berlin", context: { n: 2 }, catchUp: "all" }`;

test("a module's schedules are validated at load: expression, time zone, duplicate names and context", () => {
  const spec = (schedules: unknown): Record<string, unknown> => ({ name: "t", version: "1.0.0", steps: { a: { handler: () => 1 } }, schedules });
  const problems = (schedules: unknown) => {
    try {
      defineTask(spec(schedules) as never);
      return "";
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateValidationError);
      return (e as Error).message;
    }
  };
  expect(problems([{ name: "x", cron: "61 * * * *" }])).toContain("schedules.0.cron: invalid cron expression");
  expect(problems([{ name: "x", cron: "* * * * *", timezone: "Europe/Nowhere" }])).toContain('schedules.0.timezone: unknown time zone "Europe/Nowhere"');
  expect(problems([{ name: "x", cron: "@daily" }, { name: "x", cron: "@hourly" }])).toContain('duplicate schedule name "x"');
  expect(problems([{ name: "x", cron: "@daily", catch_up: "all" }])).toContain("catch_up");
  expect(() => defineTask({ ...spec([{ name: "x", cron: "@daily", context: { n: "one" } }]), context: z.object({ n: z.number() }) } as never)).toThrow(
    'schedules.0.context.n: schedule "x"',
  );
  expect(defineTask(spec([{ name: "x", cron: " @daily " }]) as never).schedules).toEqual([{ name: "x", cron: "@daily", timezone: "UTC", context: {}, catchUp: "skip" }]);
});

describeEachBackend("schedules declared in handler modules", (t) => {
  let fx: FixtureDir;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    fx = await fixtureDir({ "jobs/report.ts": declaring(`[${HOURLY}, ${DAILY}]`) });
  });
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop();
    await fx.cleanup();
  });

  async function started() {
    const registry = createRegistry({ handlersDir: fx.handlersDir, core: await testCore() });
    await registry.load();
    const engine = await testEngine(t.db, registry, { runWorkers: false, schedulerPollMs: 50 });
    await engine.start();
    stops.push(() => engine.stop());
    return { registry, engine };
  }
  const rows = async () =>
    Object.fromEntries((await t.db.query<ScheduleRow>("select * from schedules where namespace = 'jobs' order by name")).map((r) => [r.name, r]));

  test("are upserted at start; a restart keeps their next tick and an operator's pause; a change or removal takes effect on rescan", async () => {
    const first = await started();
    let now = await rows();
    expect(Object.keys(now)).toEqual(["daily", "hourly"]);
    expect(now.hourly!).toMatchObject({ task_name: "report", version: "1.0.0", cron: "0 * * * *", timezone: "UTC", source: "module", catch_up: "skip", paused: false, context: { n: 1 } });
    expect(now.hourly!.next_run_at!.getTime() % 3_600_000).toBe(0);
    expect(now.hourly!.next_run_at!.getTime()).toBeGreaterThan(Date.now());
    expect(now.daily!).toMatchObject({ timezone: "Europe/Berlin", catch_up: "all" });

    // An operator pauses one; the other's next tick is moved to recognise it after a restart.
    const service = createScheduleService({ db: t.db, engine: first.engine, templates: first.registry });
    await service.pause(now.daily!.id);
    await t.db.query("update schedules set next_run_at = '2031-01-01T00:00:00Z' where id = $1", [now.hourly!.id]);
    // Module schedules come back at the next start, so they cannot be deleted over the API.
    await expect(service.delete(now.daily!.id)).rejects.toMatchObject({ code: "schedule_conflict" });
    const own = await service.create({ namespace: "jobs", task: "report", name: "adhoc", cron: "@weekly", context: { n: 3 } });
    await first.engine.stop();

    const second = await started();
    now = await rows();
    expect(now.hourly!.next_run_at!.toISOString()).toBe("2031-01-01T00:00:00.000Z");
    expect(now.daily!.paused).toBe(true);

    await fx.write("jobs/report.ts", declaring(`[{ name: "hourly", cron: "30 * * * *", context: { n: 1 } }]`));
    await second.registry.rescan();
    for (let i = 0; i < 100 && (await rows()).daily; i++) await sleep(20);
    now = await rows();
    expect(Object.keys(now)).toEqual(["adhoc", "hourly"]);
    expect(now.adhoc!.id).toBe(own.id);
    expect(now.hourly!.cron).toBe("30 * * * *");
    expect(now.hourly!.next_run_at!.toISOString()).not.toBe("2031-01-01T00:00:00.000Z");
    expect(now.hourly!.next_run_at!.getTime() % 3_600_000).toBe(1_800_000);
  });
});
