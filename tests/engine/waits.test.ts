import { beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import type { Registry } from "../../src/registry/index.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

describeEachBackend("durable sleep and external events", (t) => {
  test("a 2 s sleep holds no worker slot and survives a restart of the engine in the middle", async () => {
    const first = await testEngine(await t.connect(), registry);
    await first.start();
    const started = Date.now();
    const { task } = await first.submit({ namespace: "examples", name: "approval_workflow", context: { request: "r1", cool_off_ms: 2_000, timeout_ms: 60_000 } });
    const stepOf = async (engine: typeof first, name: string) => (await engine.getTask(task.id)).steps.find((s) => s.name === name)!;
    await waitUntil(async () => (await stepOf(first, "cool_off")).state === "waiting", 10_000);
    expect(first.inFlight()).toBe(0);
    await first.stop({ drainMs: 200 });
    const second = await testEngine(await t.connect(), registry);
    await second.start();
    await waitUntil(async () => (await stepOf(second, "await_approval")).state === "waiting", 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    const cool = await stepOf(second, "cool_off");
    expect(cool).toMatchObject({ state: "complete", attempts: 1, results: { rested_ms: 2_000 } });
    expect(second.inFlight()).toBe(0);
    // The event arrives over the engine API (the HTTP route calls the same method).
    expect(await second.sendEvent({ taskId: task.id }, "approved", { by: "alice" })).toEqual({ delivered: 1 });
    const done = await waitForTask(second, task.id, ["complete"]);
    await second.stop({ drainMs: 200 });
    expect(done.steps.find((s) => s.name === "await_approval")!.results).toEqual({ by: "alice" });
    expect(done.steps.find((s) => s.name === "record")!.results).toEqual({ request: "r1", approval: { by: "alice" } });
    // A second delivery finds nobody waiting.
    expect(await second.sendEvent({ taskId: task.id }, "approved", {})).toEqual({ delivered: 0 });
  }, 30_000);

  test("a wait whose deadline passes fails its step with EventTimeoutError and blocks the task", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "examples", name: "approval_workflow", context: { request: "r2", cool_off_ms: 0, timeout_ms: 300 } });
      const done = await waitForTask(engine, task.id, ["blocked_by_failures"], 10_000);
      const step = done.steps.find((s) => s.name === "await_approval")!;
      expect(step.state).toBe("error");
      expect(step.error).toMatchObject({ name: "EventTimeoutError", kind: "permanent" });
      expect(step.error!.message).toContain('no "approved" event arrived before');
    } finally {
      await engine.stop({ drainMs: 200 });
    }
  });

  test("an event sent by key wakes every task waiting on that key, and only those", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const ctx = (request: string, key: string) => ({ request, cool_off_ms: 0, timeout_ms: 60_000, key });
      const [a, b, other] = await engine.submitMany([
        { namespace: "examples", name: "approval_workflow", context: ctx("a", "batch-7") },
        { namespace: "examples", name: "approval_workflow", context: ctx("b", "batch-7") },
        { namespace: "examples", name: "approval_workflow", context: ctx("c", "batch-8") },
      ]);
      const waiting = async (id: string) => (await engine.getTask(id)).steps.find((s) => s.name === "await_approval")!.state === "waiting";
      await waitUntil(async () => (await waiting(a!.task.id)) && (await waiting(b!.task.id)) && (await waiting(other!.task.id)), 10_000);
      expect(await engine.sendEvent({ key: "batch-7" }, "approved", { batch: 7 })).toEqual({ delivered: 2 });
      await waitForTask(engine, a!.task.id, ["complete"]);
      await waitForTask(engine, b!.task.id, ["complete"]);
      expect(await waiting(other!.task.id)).toBe(true);
      await engine.cancelTask(other!.task.id, { actor: "test", reason: "not approved" });
      const cancelled = await engine.getTask(other!.task.id);
      expect(cancelled.steps.find((s) => s.name === "await_approval")!.state).toBe("cancelled");
    } finally {
      await engine.stop({ drainMs: 200 });
    }
  });
});
