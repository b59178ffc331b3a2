import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { TaskDetail } from "../../src/engine/types.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

const workers = (task: TaskDetail) => task.steps.filter((s) => s.name.startsWith("process__"));
const byName = (task: TaskDetail, name: string) => task.steps.find((s) => s.name === name)!;
/** a + (a+1) + … + (b-1) */
const sumOf = (a: number, b: number) => ((a + b - 1) * (b - a)) / 2;
const SUM = sumOf(0, 10_000);

describeEachBackend("batch workers", (t) => {
  let engine: Awaited<ReturnType<typeof testEngine>>;
  beforeAll(async () => {
    engine = await testEngine(t.db, registry, { concurrency: 16 });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop({ drainMs: 200 });
  });

  test("10 workers over 10,000 items; one fails once mid-way and resumes from its checkpoint; nothing is counted twice", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "batch_isolate", context: { items: 10_000, size: 1_000, fail_batch: 3 } });
    const done = await waitForTask(engine, task.id, ["complete"], 30_000);
    const w = workers(done);
    expect(w.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `process__${i + 1}`));
    expect(w.map((s) => s.batch)).toEqual(Array.from({ length: 10 }, (_, i) => ({ index: i, start: i * 1000, end: (i + 1) * 1000 })));
    expect(w.every((s) => s.state === "complete")).toBe(true);
    const failed = w[3]!;
    expect(failed.attempts).toBe(2);
    // It failed after item 550 of its range, past the checkpoint at 500: the retry started there.
    expect(failed.results).toMatchObject({ resumedFrom: 3500, count: 1000, attempt: 2 });
    expect(w.filter((s) => s !== failed).every((s) => s.attempts === 1 && (s.results as { resumedFrom: unknown }).resumedFrom === null)).toBe(true);
    expect(byName(done, "summarize").results).toEqual({ batches: 10, failed: [], sum: SUM, count: 10_000 });
    // The batch step's result lists every batch in plan order, which its dependents receive.
    const entries = byName(done, "process").results as Array<{ index: number; ok: boolean }>;
    expect(entries.map((e) => [e.index, e.ok])).toEqual(Array.from({ length: 10 }, (_, i) => [i, true]));
    expect(done.stepCount).toBe(13);
  });

  test("isolate: the other batches finish; the task waits, blocked, until a person deals with the failed one", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "batch_isolate", context: { items: 4_000, size: 1_000, fail_batch: 1, fail_mode: "always" } });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"], 30_000);
    const w = workers(blocked);
    expect(w.map((s) => s.state)).toEqual(["complete", "error", "complete", "complete"]);
    expect(byName(blocked, "process").state).toBe("pending");
    expect(byName(blocked, "summarize").state).toBe("pending");
    // Its checkpoint survives the failure: a reset would resume from there.
    expect(w[1]!.checkpoint).toMatchObject({ cursor: 1500, state: { count: 500 } });
    await engine.completeStep(task.id, w[1]!.id, { actor: "ops", reason: "counted by hand", results: { sum: sumOf(1000, 2000), count: 1000 } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(byName(done, "summarize").results).toEqual({ batches: 4, failed: [], sum: sumOf(0, 4000), count: 4000 });
  });

  test("continue: a batch that fails for good becomes a failed entry and the convergence step runs", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "batch_continue", context: { items: 4_000, size: 1_000, fail_batch: 2, fail_mode: "always" } });
    const done = await waitForTask(engine, task.id, ["complete"], 30_000);
    const w = workers(done);
    expect(w[2]!.state).toBe("complete");
    expect(w[2]!.error).toMatchObject({ message: "batch 2 failed mid-way at item 2549", kind: "retryable" });
    expect(w[2]!.attempts).toBe(2);
    const entries = byName(done, "process").results as Array<{ index: number; ok: boolean; error?: { message: string } }>;
    expect(entries[2]).toMatchObject({ index: 2, ok: false, error: { message: "batch 2 failed mid-way at item 2549" } });
    expect(byName(done, "summarize").results).toEqual({ batches: 4, failed: [2], sum: sumOf(0, 4000) - sumOf(2000, 3000), count: 3000 });
  });

  test("fail_fast: the first batch to fail for good cancels the unfinished others and the task fails", async () => {
    const { task } = await engine.submit({
      namespace: "testing",
      name: "batch_fail_fast",
      context: { items: 4_000, size: 500, fail_batch: 0, fail_mode: "at_once", delay_ms: 100 },
    });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"], 30_000);
    // Give the cancelled workers' handlers time to hit their next checkpoint and stop.
    await new Promise((r) => setTimeout(r, 400));
    const after = await engine.getTask(task.id);
    const w = workers(after);
    expect(w[0]!.state).toBe("error");
    const cancelled = w.filter((s) => s.state === "cancelled");
    expect(cancelled.length).toBeGreaterThan(0);
    expect(w.every((s) => ["error", "cancelled", "complete"].includes(s.state))).toBe(true);
    expect(byName(after, "summarize").state).toBe("pending");
    expect(blocked.state).toBe("blocked_by_failures");
    const audit = await engine.stepAudit(task.id, cancelled[0]!.id);
    expect(audit.at(-1)).toMatchObject({ toState: "cancelled", reason: "a sibling batch failed for good (onFailure: fail_fast)" });
  });

  test("a planner whose result is not a plan fails permanently, saying what a plan looks like", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "batch_isolate", context: { items: 10, size: 1, bad_plan: true } });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"]);
    const plan = byName(blocked, "plan");
    expect(plan.state).toBe("error");
    expect(plan.error!.message).toBe(
      'step "plan" plans the batch step "process": its result must be an object with `batches`: an array of { start, end } cursors (at batches): Invalid input: expected array, received string',
    );
    expect(workers(blocked)).toHaveLength(0);
  });

  test("an empty plan makes no workers and hands the convergence step an empty list", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "batch_isolate", context: { items: 0, size: 1 } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    // Zero ranges is a valid plan: no workers, an empty list for the convergence step.
    expect(workers(done)).toHaveLength(0);
    expect(byName(done, "summarize").results).toEqual({ batches: 0, failed: [], sum: 0, count: 0 });
  });
});
