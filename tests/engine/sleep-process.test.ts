// Durable sleep across a real process restart: the worker process that parked the step is killed
// with SIGKILL in the middle of the sleep, another one starts, and the step wakes on time — once.
import { beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTestDatabase, TEST_DATABASE_URL } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import { FIXTURE_HANDLERS, killAndRestartPgliteWorker, schemaUrl, spawnWorker, waitForOutput } from "../support/processes.ts";
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import { loadMigrations, migrate } from "../../src/store/migrator.ts";
import type { Registry } from "../../src/registry/index.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

const pgTest = TEST_DATABASE_URL ? test : test.skip;

pgTest("[postgres] a 2 s durable sleep survives its worker process being killed in the middle", async () => {
  const t = await openTestDatabase("postgres", "sleep_restart");
  const env = { DATABASE_URL: schemaUrl(t.url!, t.schema!) };
  const first = spawnWorker(env);
  let second: ReturnType<typeof spawnWorker> | null = null;
  try {
    await waitForOutput(first, "worker started");
    const submitter = await testEngine(t.db, registry, { runWorkers: false });
    const { task } = await submitter.submit({ namespace: "testing", name: "sleeper", context: { ms: 2_000 } });
    await waitUntil(async () => (await submitter.getTask(task.id)).steps.find((s) => s.name === "nap")!.state === "waiting", 10_000);
    first.kill("SIGKILL");
    await first.exited;
    second = spawnWorker(env);
    const done = await waitForTask(submitter, task.id, ["complete"], 20_000);
    const step = done.steps.find((s) => s.name === "nap")!;
    // Woken once, on the same attempt, no sooner than due.
    expect(step).toMatchObject({ state: "complete", attempts: 1, results: { slept: 2_000, attempt: 1 } });
    expect(step.completedAt!.getTime() - done.createdAt.getTime()).toBeGreaterThanOrEqual(2_000);
    const audit = await submitter.stepAudit(task.id, step.id);
    expect(audit.filter((a) => a.toState === "waiting")).toHaveLength(1);
  } finally {
    first.kill("SIGKILL");
    second?.kill("SIGTERM");
    await second?.exited;
    await t.close();
  }
}, 60_000);

test("[pglite] a 2 s durable sleep survives its worker process being killed in the middle", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tasker-sleep-"));
  const dataDir = join(dir, "pgdata");
  try {
    const db = await createPgliteDb({ dataDir });
    await migrate(db, await loadMigrations());
    const submitter = await testEngine(db, registry, { runWorkers: false });
    const { task } = await submitter.submit({ namespace: "testing", name: "sleeper", context: { ms: 2_000 } });
    await db.close();
    // The step is claimed and parked well within 0.8 s; the second worker wakes it when due.
    expect(await killAndRestartPgliteWorker(dataDir, {}, 800, 3_000)).toBe(0);
    const reopened = await createPgliteDb({ dataDir });
    const steps = await reopened.query<{ name: string; state: string; attempts: number; slept_ms: number }>(
      `select s.name, s.state, s.attempts, (extract(epoch from s.completed_at - t.created_at) * 1000)::float8 as slept_ms
         from steps s join tasks t on t.id = s.task_id where s.task_id = $1 order by s.idx`,
      [task.id],
    );
    expect(steps.map(({ name, state, attempts }) => ({ name, state, attempts }))).toEqual([
      { name: "nap", state: "complete", attempts: 1 },
      { name: "after", state: "complete", attempts: 1 },
    ]);
    expect(steps[0]!.slept_ms).toBeGreaterThanOrEqual(2_000);
    const parked = await reopened.query<{ n: number }>(
      "select count(*)::int as n from step_transitions where task_id = $1 and to_state = 'waiting'",
      [task.id],
    );
    expect(parked[0]!.n).toBe(1);
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
