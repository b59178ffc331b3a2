// Crash and race tests with real processes: `tasker work` workers killed with SIGKILL, and
// several workers completing the parents of one join step at the same moment.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/backends.ts";
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

pgTest("[postgres] I1: 200 diamonds whose B and C finish in two worker processes at once: every D runs exactly once", async () => {
  const t = await openTestDatabase("postgres", "diamond_race");
  const env = { DATABASE_URL: schemaUrl(t.url!, t.schema!), TASKER_CONCURRENCY: "4" };
  const workers = [spawnWorker(env), spawnWorker(env)];
  try {
    await Promise.all(workers.map((w) => waitForOutput(w, "worker started")));
    const submitter = await testEngine(t.db, registry, { runWorkers: false });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await submitter.submit({ namespace: "testing", name: "diamond", context: { i } })).task.id);
    await waitUntil(async () => {
      const [r] = await t.db.query<{ n: number }>("select count(*)::int as n from tasks where name = 'diamond' and state = 'complete'");
      return r!.n === 200;
    }, 60_000);
    const runsOfD = await t.db.query<{ task_id: string; claims: number; completions: number }>(
      `select s.task_id,
              count(*) filter (where tr.to_state = 'in_progress')::int as claims,
              count(*) filter (where tr.to_state = 'complete')::int as completions
         from steps s join step_transitions tr on tr.step_id = s.id
        where s.name = 'd' group by s.task_id`,
    );
    expect(runsOfD.length).toBe(200);
    for (const r of runsOfD) expect([r.claims, r.completions]).toEqual([1, 1]);
    const [enq] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from queue_archive a join steps s on s.id = a.step_id where s.name = 'd'",
    );
    expect(enq!.n).toBe(200);
    // The race really happened: in many diamonds B and C were completed by different processes.
    const [split] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from (
         select s.task_id from steps s join step_transitions tr on tr.step_id = s.id
          where s.name in ('b', 'c') and tr.to_state = 'complete'
          group by s.task_id having count(distinct tr.actor) = 2) x`,
    );
    expect(split!.n).toBeGreaterThan(0);
    const [events] = await t.db.query<{ n: number }>("select count(*)::int as n from events where name = 'task.completed'");
    expect(events!.n).toBe(200);
  } finally {
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    await t.close();
  }
}, 120_000);

pgTest("[postgres] I4: a worker killed with SIGKILL mid-step loses nothing: the step runs again after its lease expires", async () => {
  const t = await openTestDatabase("postgres", "kill_worker");
  const env = { DATABASE_URL: schemaUrl(t.url!, t.schema!), TASKER_LEASE_GRACE_MS: "300" };
  const first = spawnWorker(env);
  let second: ReturnType<typeof spawnWorker> | null = null;
  try {
    await waitForOutput(first, "worker started");
    const submitter = await testEngine(t.db, registry, { runWorkers: false });
    const { task } = await submitter.submit({ namespace: "testing", name: "crashy", context: { ms: 60_000 } });
    await waitUntil(async () => (await submitter.getTask(task.id)).steps[0]!.state === "in_progress");
    first.kill("SIGKILL");
    await first.exited;
    second = spawnWorker(env);
    const done = await waitForTask(submitter, task.id, ["complete"], 30_000);
    const work = done.steps.find((s) => s.name === "work")!;
    expect(work.attempts).toBe(2);
    expect((work.results as { attempt: number }).attempt).toBe(2);
    expect(done.steps.find((s) => s.name === "after")!.results).toEqual({ work: work.results });
  } finally {
    first.kill("SIGKILL");
    second?.kill("SIGTERM");
    await second?.exited;
    await t.close();
  }
}, 60_000);

test("[pglite] I4: a worker process killed with SIGKILL mid-step; on restart the step runs again and the task completes", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tasker-kill-"));
  const dataDir = join(dir, "pgdata");
  try {
    const db = await createPgliteDb({ dataDir });
    await migrate(db, await loadMigrations());
    const submitter = await testEngine(db, registry, { runWorkers: false });
    const { task } = await submitter.submit({ namespace: "testing", name: "crashy", context: { ms: 60_000 } });
    await db.close();
    // The claim is committed well within 0.8 s; then lease 1.5 s + 0.3 s grace, and a re-run of ~10 ms.
    expect(await killAndRestartPgliteWorker(dataDir, { TASKER_LEASE_GRACE_MS: "300" }, 800, 4_000)).toBe(0);
    const reopened = await createPgliteDb({ dataDir });
    const steps = await reopened.query<{ name: string; state: string; attempts: number }>(
      "select name, state, attempts from steps where task_id = $1 order by idx",
      [task.id],
    );
    expect(steps).toEqual([
      { name: "work", state: "complete", attempts: 2 },
      { name: "after", state: "complete", attempts: 1 },
    ]);
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

export type { TestDatabase };
