import { beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeEachBackend, openTestDatabase, TEST_DATABASE_URL } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import { FIXTURE_HANDLERS, schemaUrl, spawnWorker, waitForOutput } from "../support/processes.ts";
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import { loadMigrations, migrate } from "../../src/store/migrator.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
  expect(registry.problems()).toEqual([]);
});

const sumOfSquares = (n: number, except: number[] = []) =>
  Array.from({ length: n }, (_, i) => i).filter((i) => !except.includes(i)).reduce((a, i) => a + i * i, 0);

async function childCounts(db: Db, parentTaskId: string) {
  const rows = await db.query<{ state: string; n: number }>(
    "select state, count(*)::int as n from tasks where parent_task_id = $1 group by state",
    [parentTaskId],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

describeEachBackend("child tasks", (t) => {
  test("a step spawns 250 children in chunks; the join reduces their results once and dependents get it", async () => {
    const engine = await testEngine(t.db, registry, { concurrency: 16 });
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "fanout", name: "parent_park", context: { count: 250, chunk: 100 } });
      const done = await waitForTask(engine, task.id, ["complete"], 60_000);
      const dispatch = done.steps.find((s) => s.name === "dispatch")!;
      expect(dispatch.results).toEqual({ sum: sumOfSquares(250), failed: [] });
      expect(done.steps.find((s) => s.name === "after")!.results).toEqual({ joined: dispatch.results });
      expect(await childCounts(t.db, task.id)).toEqual({ complete: 250 });
      // The dispatch is audited once per chunk, on the spawning step, naming the chunk's keys.
      const audit = await engine.stepAudit(task.id, dispatch.id);
      expect(audit.map((a) => a.toState)).toEqual(["enqueued", "in_progress", "in_progress", "in_progress", "in_progress", "waiting", "complete"]);
      expect(audit.slice(2, 5).map((a) => (a.metadata as { spawned: unknown }).spawned)).toEqual([
        { first: 0, last: 99, count: 100, namespace: "fanout", name: "child", version: "1.0.0" },
        { first: 100, last: 199, count: 100, namespace: "fanout", name: "child", version: "1.0.0" },
        { first: 200, last: 249, count: 50, namespace: "fanout", name: "child", version: "1.0.0" },
      ]);
      expect(audit[2]!.reason).toBe("spawned 100 child tasks (fanout/child 1.0.0, keys 0–99)");
      const [keys] = await t.db.query<{ n: number; distinct_keys: number }>(
        "select count(*)::int as n, count(distinct child_key)::int as distinct_keys from tasks where parent_task_id = $1",
        [task.id],
      );
      expect(keys).toEqual({ n: 250, distinct_keys: 250 });
      const events = await t.db.query<{ name: string; n: number }>(
        `select name, count(*)::int as n from events
          where task_id = $1 or task_id in (select id from tasks where parent_task_id = $1) group by name order by name`,
        [task.id],
      );
      expect(events).toEqual([
        { name: "step.children_spawned", n: 3 },
        { name: "step.completed", n: 252 },
        { name: "step.waiting", n: 1 },
        { name: "task.completed", n: 251 },
        { name: "task.started", n: 1 },
      ]);
      // A child's own audit still starts where it was made: by the dispatching worker, from the
      // parent step, in the state its next transition leaves.
      const [child] = await t.db.query<{ id: string; step_id: string }>(
        "select c.id, s.id as step_id from tasks c join steps s on s.task_id = c.id where c.parent_task_id = $1 and c.child_key = '7'",
        [task.id],
      );
      const childAudit = await engine.taskAudit(child!.id);
      expect(childAudit.map((a) => [a.fromState, a.toState])).toEqual([[null, "in_progress"], ["in_progress", "complete"]]);
      expect(childAudit[0]!.metadata).toMatchObject({ spawnedBy: { taskId: task.id, stepId: dispatch.id, key: "7" } });
      expect(childAudit[0]!.actor).toBe(audit[2]!.actor);
      const childStepAudit = await engine.stepAudit(child!.id, child!.step_id);
      expect(childStepAudit.map((a) => [a.fromState, a.toState])).toEqual([[null, "enqueued"], ["enqueued", "in_progress"], ["in_progress", "complete"]]);
    } finally {
      await engine.stop({ drainMs: 1_000 });
    }
  }, 90_000);

  test("park: a failed child parks the parent until the child is fixed; then the parent completes", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "fanout", name: "parent_park", context: { count: 5, fail_on: [3] } });
      await waitUntil(async () => (await childCounts(t.db, task.id)).blocked_by_failures === 1, 30_000);
      await Bun.sleep(300);
      const parked = await engine.getTask(task.id);
      expect(parked.state).toBe("in_progress");
      expect(parked.steps.find((s) => s.name === "dispatch")!.state).toBe("waiting");
      // A person completes the failed child's step by hand: the child completes, the join follows.
      const [child] = await t.db.query<{ id: string }>("select id from tasks where parent_task_id = $1 and state = 'blocked_by_failures'", [task.id]);
      const childTask = await engine.getTask(child!.id);
      await engine.completeStep(child!.id, childTask.steps[0]!.id, { actor: "ops", reason: "computed by hand", results: { square: 9 } });
      const done = await waitForTask(engine, task.id, ["complete"]);
      expect(done.steps.find((s) => s.name === "dispatch")!.results).toEqual({ sum: sumOfSquares(5), failed: [] });
    } finally {
      await engine.stop({ drainMs: 1_000 });
    }
  });

  test("fail: the first failed child fails the spawning step, and the parent task is blocked", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "fanout", name: "parent_fail", context: { count: 5, fail_on: [1] } });
      const done = await waitForTask(engine, task.id, ["blocked_by_failures"]);
      const dispatch = done.steps.find((s) => s.name === "dispatch")!;
      expect(dispatch.state).toBe("error");
      expect(dispatch.error).toMatchObject({ name: "ChildTaskFailed", kind: "permanent" });
      expect(done.steps.find((s) => s.name === "after")!.state).toBe("pending");
    } finally {
      await engine.stop({ drainMs: 1_000 });
    }
  });

  test("ignore: failed children count as failed and the parent carries on", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "fanout", name: "parent_ignore", context: { count: 6, fail_on: [0, 4] } });
      const done = await waitForTask(engine, task.id, ["complete"]);
      expect(done.steps.find((s) => s.name === "dispatch")!.results).toEqual({ sum: sumOfSquares(6, [0, 4]), failed: [0, 4] });
    } finally {
      await engine.stop({ drainMs: 1_000 });
    }
  });

  test("cancelling a parent with three levels of descendants cancels every unfinished one and aborts their handlers", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "fanout", name: "tree", context: { level: 1 } });
      // 1 root, 2 children, 4 grandchildren (sleeping until aborted).
      await waitUntil(async () => {
        const [r] = await t.db.query<{ n: number }>(
          "select count(*)::int as n from steps s join tasks k on k.id = s.task_id where k.name = 'tree' and s.state = 'in_progress' and k.context->>'level' = '3'",
        );
        return r!.n === 4;
      }, 30_000);
      await engine.cancelTask(task.id, { actor: "ops", reason: "stop the whole tree" });
      const tree = await t.db.query<{ state: string; n: number }>(
        `with recursive d as (select id, state from tasks where id = $1
                              union all select t.id, t.state from tasks t join d on t.parent_task_id = d.id)
         select state, count(*)::int as n from d group by state`,
        [task.id],
      );
      expect(Object.fromEntries(tree.map((r) => [r.state, r.n]))).toEqual({ cancelled: 7 });
      await waitUntil(() => engine.status().then((s) => s.stepsByState.in_progress === undefined), 30_000);
      const [running] = await t.db.query<{ n: number }>("select count(*)::int as n from steps where state in ('in_progress', 'waiting', 'enqueued')");
      expect(running!.n).toBe(0);
    } finally {
      await engine.stop({ drainMs: 1_000 });
    }
  });
});

const pgTest = TEST_DATABASE_URL ? test : test.skip;

pgTest("[postgres] the dispatching worker killed mid-dispatch: after restart exactly 1,000 children exist and the join completes once", async () => {
  const t = await openTestDatabase("postgres", "fanout_kill");
  const env = { DATABASE_URL: schemaUrl(t.url!, t.schema!), TASKER_LEASE_GRACE_MS: "300" };
  await killMidDispatch(t.db, env, async () => {}, 1_000);
  await t.close();
}, 120_000);

test("[pglite] the dispatching worker killed mid-dispatch: after restart exactly 1,000 children exist and the join completes once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tasker-fanout-"));
  try {
    const db = await createPgliteDb({ dataDir: join(dir, "pgdata") });
    await migrate(db, await loadMigrations());
    await killMidDispatch(db, { TASKER_DATA_DIR: join(dir, "pgdata"), TASKER_LEASE_GRACE_MS: "300", DATABASE_URL: "" }, () => db.close(), 1_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 180_000);

/**
 * Submits a parent of `count` children dispatched 100 at a time with pauses, lets a `tasker work`
 * process dispatch some chunks, SIGKILLs it, runs a second worker to the end, and checks the tree.
 * On PGlite the test's own connection must be closed while a worker process owns the directory.
 */
async function killMidDispatch(db: Db, env: Record<string, string>, release: () => Promise<void>, count: number) {
  const submitter = await testEngine(db, registry, { runWorkers: false });
  const { task } = await submitter.submit({ namespace: "fanout", name: "parent_quick", context: { count, chunk: 100, pause_ms: 400 } });
  const shared = env.DATABASE_URL !== "";
  await release();
  const first = spawnWorker(env);
  await waitForOutput(first, "worker started");
  if (shared) {
    await waitUntil(async () => {
      const [r] = await db.query<{ n: number }>("select count(*)::int as n from tasks where parent_task_id = $1", [task.id]);
      return r!.n >= 300;
    }, 30_000);
  } else {
    await Bun.sleep(2_500);
  }
  first.kill("SIGKILL");
  await first.exited;
  let check: Db = db;
  if (!shared) check = await createPgliteDb({ dataDir: env.TASKER_DATA_DIR! });
  const [mid] = await check.query<{ n: number }>("select count(*)::int as n from tasks where parent_task_id = $1", [task.id]);
  expect(mid!.n).toBeGreaterThan(0);
  expect(mid!.n).toBeLessThan(count);
  if (!shared) await check.close();
  const second = spawnWorker(env);
  await waitForOutput(second, "worker started");
  if (shared) {
    await waitForTask(submitter, task.id, ["complete"], 90_000);
  } else {
    // The lease (8 s timeout + 0.3 s grace) expires, the step is claimed again and resumes.
    await Bun.sleep(18_000);
  }
  second.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  if (!shared) check = await createPgliteDb({ dataDir: env.TASKER_DATA_DIR! });
  const [children] = await check.query<{ n: number; keys: number }>(
    "select count(*)::int as n, count(distinct child_key)::int as keys from tasks where parent_task_id = $1",
    [task.id],
  );
  expect(children).toEqual({ n: count, keys: count });
  const [parent] = await check.query<{ state: string }>("select state from tasks where id = $1", [task.id]);
  expect(parent!.state).toBe("complete");
  const joins = await check.query<{ n: number }>(
    `select count(*)::int as n from step_transitions x join steps s on s.id = x.step_id
      where s.task_id = $1 and s.name = 'dispatch' and x.to_state = 'complete'`,
    [task.id],
  );
  expect(joins[0]!.n).toBe(1);
  const [result] = await check.query<{ results: { sum: number } }>("select results from steps where task_id = $1 and name = 'dispatch'", [task.id]);
  expect(result!.results.sum).toBe(sumOfSquares(count));
  if (!shared) await check.close();
}
