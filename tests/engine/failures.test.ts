import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { describeEachBackend, type TestDatabase } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { LifecycleEvent } from "../../src/engine/types.ts";
import type { StepState } from "../../src/core/dag/index.ts";
import { isStepTransition, isTaskTransition, type TaskStateName } from "../../src/core/state-machine.ts";

export const FIXTURES = join(import.meta.dir, "../fixtures/engine-handlers");
let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURES);
  expect(registry.problems()).toEqual([]);
});

describeEachBackend("engine failures, retries and manual operations", (t) => {
  let engine: Awaited<ReturnType<typeof testEngine>>;
  const events: LifecycleEvent[] = [];
  beforeAll(async () => {
    engine = await testEngine(t.db, registry, { random: () => 0.5 });
    engine.onEvent((e) => events.push(e));
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop({ drainMs: 500 });
  });

  test("retries follow the policy: linear 100 ms, 200 ms between attempts, then success", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: 2 } });
    const done = await waitForTask(engine, task.id);
    expect(done.state).toBe("complete");
    const first = done.steps.find((s) => s.name === "first")!;
    expect(first.attempts).toBe(3);
    const audit = await engine.stepAudit(task.id, first.id);
    const retries = audit.filter((a) => a.toState === "waiting_for_retry");
    const claims = audit.filter((a) => a.toState === "in_progress");
    expect(retries.length).toBe(2);
    expect(claims.length).toBe(3);
    // Attempt n+1 starts no earlier than the backoff after attempt n failed (jitter 0).
    for (const [i, backoff] of [[0, 100], [1, 200]] as const) {
      const waited = claims[i + 1]!.createdAt.getTime() - retries[i]!.createdAt.getTime();
      expect(waited).toBeGreaterThanOrEqual(backoff - 5);
      expect(waited).toBeLessThan(backoff + 2_000);
    }
    expect(done.steps.find((s) => s.name === "second")!.results).toEqual({ got: { attempt: 3 } });
  });

  test("exhausted attempts end in error and block the task", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: 10 } });
    const done = await waitForTask(engine, task.id);
    expect(done.state).toBe("blocked_by_failures");
    const first = done.steps.find((s) => s.name === "first")!;
    expect(first.state).toBe("error");
    expect(first.attempts).toBe(4);
    expect(first.error?.message).toBe("failure 4");
    expect(done.steps.find((s) => s.name === "second")!.state).toBe("pending");
  });

  test("a permanent error stops at once; independent steps still finish; the task is blocked and task.failed fires", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "permanent", context: {} });
    const done = await waitForTask(engine, task.id);
    expect(done.state).toBe("blocked_by_failures");
    const charge = done.steps.find((s) => s.name === "charge")!;
    expect(charge.attempts).toBe(1);
    expect(charge.error).toMatchObject({ message: "card declined", kind: "permanent" });
    expect(done.steps.find((s) => s.name === "side")!.state).toBe("complete");
    await waitUntil(() => events.some((e) => e.taskId === task.id && e.name === "task.failed"), 10_000);
    expect(events.filter((e) => e.taskId === task.id && e.name === "task.failed").length).toBe(1);
  });

  test("a branch failing for good while another branch still runs: the task is blocked once that branch finishes", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "permanent", context: { side_ms: 300 } });
    const done = await waitForTask(engine, task.id, ["blocked_by_failures"], 10_000);
    expect(done.steps.find((s) => s.name === "charge")!.state).toBe("error");
    expect(done.steps.find((s) => s.name === "side")!.state).toBe("complete");
    expect(done.steps.find((s) => s.name === "notify")!.state).toBe("pending");
  });

  test("complete_manually supplies results, dependents run with them, the task completes; all audited", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "permanent", context: {} });
    const blocked = await waitForTask(engine, task.id);
    const charge = blocked.steps.find((s) => s.name === "charge")!;
    await engine.completeStep(task.id, charge.id, { actor: "ops@example.com", reason: "charged by phone", results: { charged: "by hand" } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(done.steps.find((s) => s.name === "notify")!.results).toEqual({ charge: { charged: "by hand" } });
    const audit = await engine.stepAudit(task.id, charge.id);
    expect(audit.at(-1)).toMatchObject({ fromState: "error", toState: "complete", actor: "ops@example.com", reason: "charged by phone" });
    const taskAudit = await engine.taskAudit(task.id);
    expect(taskAudit.map((a) => a.toState)).toEqual(["in_progress", "blocked_by_failures", "in_progress", "complete"]);
  });

  test("resolve_manually satisfies dependents without results", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "permanent", context: {} });
    const blocked = await waitForTask(engine, task.id);
    const charge = blocked.steps.find((s) => s.name === "charge")!;
    const resolved = await engine.resolveStep(task.id, charge.id, { actor: "ops", reason: "refunded elsewhere" });
    expect(resolved.state).toBe("resolved_manually");
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(done.steps.find((s) => s.name === "notify")!.state).toBe("complete");
  });

  test("reset_for_retry runs a failed step again with a fresh attempt budget", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: 4 } });
    const blocked = await waitForTask(engine, task.id);
    expect(blocked.state).toBe("blocked_by_failures");
    const first = blocked.steps.find((s) => s.name === "first")!;
    await engine.resetStep(task.id, first.id, { actor: "ops", reason: "upstream fixed" });
    // Attempts restart at 1 and the handler fails on attempts 1–4 again: four more runs, blocked again.
    await waitUntil(async () => (await engine.taskAudit(task.id)).length === 4, 10_000);
    const audit = await engine.stepAudit(task.id, first.id);
    expect(audit.filter((a) => a.toState === "in_progress").length).toBe(8);
    expect(audit.some((a) => a.fromState === "error" && a.toState === "enqueued" && a.actor === "ops" && a.reason === "upstream fixed")).toBe(true);
    expect((await engine.taskAudit(task.id)).map((a) => a.toState)).toEqual(["in_progress", "blocked_by_failures", "in_progress", "blocked_by_failures"]);
  });

  test("manual operations refuse steps in the wrong state", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: 0 } });
    const done = await waitForTask(engine, task.id);
    const first = done.steps[0]!;
    await expect(engine.resetStep(task.id, first.id, { actor: "x", reason: "y" })).rejects.toMatchObject({ code: "invalid_transition" });
    await expect(engine.cancelTask(task.id, { actor: "x", reason: "y" })).rejects.toMatchObject({ code: "invalid_transition" });
    await expect(engine.getTask("00000000-0000-7000-8000-000000000000")).rejects.toMatchObject({ code: "task_not_found" });
    await expect(engine.getStep(task.id, "../../etc/passwd")).rejects.toMatchObject({ code: "step_not_found" });
  });

  test("a timeout aborts the handler and counts as a retryable failure", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "slow", context: { ms: 5_000 } });
    const done = await waitForTask(engine, task.id);
    expect(done.state).toBe("blocked_by_failures");
    const wait = done.steps.find((s) => s.name === "wait")!;
    expect(wait.attempts).toBe(2);
    expect(wait.error).toMatchObject({ kind: "timeout", message: "step timed out after 300 ms" });
  });

  test("cancel aborts the running handler, cancels pending steps and fires task.cancelled once", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "slow", context: { ms: 250 } });
    await waitUntil(async () => (await engine.getTask(task.id)).steps[0]!.state === "in_progress", 10_000);
    const cancelled = await engine.cancelTask(task.id, { actor: "ops", reason: "no longer needed" });
    expect(cancelled.state).toBe("cancelled");
    await Bun.sleep(400);
    const after = await engine.getTask(task.id);
    expect(after.state).toBe("cancelled");
    expect(after.steps.map((s) => s.state)).toEqual(["cancelled", "cancelled"]);
    await waitUntil(() => events.some((e) => e.taskId === task.id && e.name === "task.cancelled"), 10_000);
    expect(events.filter((e) => e.taskId === task.id && e.name === "task.cancelled").length).toBe(1);
  });

  test("a context that fails the schema is refused with each bad field", async () => {
    const err = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: "two" } }).catch((e) => e);
    expect(err.code).toBe("context_invalid");
    expect(err.issues[0].path).toBe("fail_times");
  });

  test("I5: 50 concurrent submissions with one idempotency key make one task", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        engine.submit({ namespace: "testing", name: "diamond", context: { n: Math.random() }, idempotencyKey: "order-42" }),
      ),
    );
    const ids = new Set(results.map((r) => r.task.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created).length).toBe(1);
    const [row] = await t.db.query<{ n: number }>("select count(*)::int as n from tasks where name = 'diamond' and identity_hash is not null");
    expect(row!.n).toBe(1);
  });

  test("every state change recorded above is an edge of the task and step state machines", transitionCheck(t));
});

function transitionCheck(t: TestDatabase) {
  return async () => {
    const steps = await t.db.query<{ from_state: string | null; to_state: string }>("select distinct from_state, to_state from step_transitions");
    const tasks = await t.db.query<{ from_state: string | null; to_state: string }>("select distinct from_state, to_state from task_transitions");
    expect(steps.length).toBeGreaterThan(5);
    expect(steps.filter((r) => !isStepTransition(r.from_state as StepState | null, r.to_state as StepState))).toEqual([]);
    expect(tasks.filter((r) => !isTaskTransition(r.from_state as TaskStateName | null, r.to_state as TaskStateName))).toEqual([]);
  };
}

describeEachBackend("engine scheduling and the sweeper", (t) => {
  test("higher priority steps are claimed first", async () => {
    const engine = await testEngine(t.db, registry, { concurrency: 1, claimBatch: 1 });
    const low = await engine.submitMany(Array.from({ length: 5 }, () => ({ namespace: "testing", name: "diamond", context: {}, priority: 0 })));
    const high = await engine.submitMany(Array.from({ length: 5 }, () => ({ namespace: "testing", name: "diamond", context: {}, priority: 10 })));
    await engine.start();
    for (const r of [...low, ...high]) await waitForTask(engine, r.task.id, ["complete"]);
    await engine.stop();
    const order = await t.db.query<{ task_id: string }>(
      `select x.task_id from step_transitions x join steps s on s.id = x.step_id
        where s.name = 'a' and x.to_state = 'in_progress' and x.task_id = any($1::uuid[]) order by x.id`,
      [[...low, ...high].map((r) => r.task.id)],
    );
    const highIds = new Set(high.map((r) => r.task.id));
    expect(order.slice(0, 5).every((r) => highIds.has(r.task_id))).toBe(true);
  });

  test("the sweeper fails a task that outlives the maximum lifetime, with its reason audited", async () => {
    const engine = await testEngine(t.db, registry, { maxTaskLifetimeMs: 300, sweepMs: 100 });
    await engine.start();
    // Fails on every attempt: retrying (or blocked) for longer than the 300 ms lifetime.
    const { task } = await engine.submit({ namespace: "testing", name: "flaky", context: { fail_times: 10 } });
    const done = await waitForTask(engine, task.id, ["error"], 10_000);
    await engine.stop({ drainMs: 500 });
    expect(done.steps.find((s) => s.name === "second")!.state).toBe("cancelled");
    const audit = await engine.taskAudit(task.id);
    expect(audit.at(-1)).toMatchObject({ toState: "error" });
    expect(audit.at(-1)!.reason).toContain("maximum task lifetime");
  });
});

describeEachBackend("graceful shutdown", (t) => {
  test("stop() waits for running handlers up to the deadline, then releases the rest for another worker", async () => {
    const first = await testEngine(await t.connect(), registry);
    await first.start();
    const quick = await first.submit({ namespace: "testing", name: "crashy", context: { ms: 50 } });
    const slow = await first.submit({ namespace: "testing", name: "crashy", context: { ms: 60_000 } });
    const running = async (id: string) => (await first.getTask(id)).steps[0]!.state === "in_progress";
    for (let i = 0; i < 200 && !(await running(slow.task.id)); i++) await Bun.sleep(10);
    await first.stop({ drainMs: 300 });
    // The quick step finished within the drain; the slow one was handed back, its attempt uncounted.
    const released = await first.getTask(slow.task.id);
    expect(released.steps[0]!.state).toBe("enqueued");
    expect(released.steps[0]!.attempts).toBe(0);
    expect((await first.stepAudit(slow.task.id, released.steps[0]!.id)).at(-1)).toMatchObject({ fromState: "in_progress", toState: "enqueued", reason: "released at shutdown" });
    expect((await first.getTask(quick.task.id)).steps[0]!.state).toBe("complete");
    // Another worker takes it up as a first attempt.
    const second = await testEngine(await t.connect(), registry);
    await second.start();
    for (let i = 0; i < 500 && !(await running(slow.task.id)); i++) await Bun.sleep(10);
    const retaken = await second.getTask(slow.task.id);
    expect(retaken.steps[0]!).toMatchObject({ state: "in_progress", attempts: 1 });
    await second.cancelTask(slow.task.id, { actor: "test", reason: "done checking" });
    await second.stop({ drainMs: 500 });
  }, 30_000);
});
