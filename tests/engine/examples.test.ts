import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";
import type { Registry } from "../../src/registry/index.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

const EXAMPLES: Array<{ namespace: string; name: string; context: Record<string, unknown> }> = [
  { namespace: "examples", name: "linear_workflow", context: { text: "the quick brown fox jumps over the lazy dog the end" } },
  { namespace: "examples", name: "diamond_workflow", context: { numbers: [5, 1, 4, 2, 3] } },
  { namespace: "examples", name: "tree_workflow", context: { numbers: [3, 1, 4, 1, 5, 9, 2, 6] } },
  { namespace: "examples", name: "parallel_merge", context: { weight_kg: 12, distance_km: 800, deadline_days: 5 } },
  { namespace: "examples", name: "retry_workflow", context: { request: "hello", fail_times: 1 } },
  { namespace: "ci", name: "ci_pipeline", context: { commit_sha: "abc1234", branch: "main" } },
  {
    namespace: "default",
    name: "order_process",
    context: { order_id: "o-1", customer_email: "a@example.com", items: [{ sku: "x", quantity: 2, unit_price: 5 }], payment_token: "tok_ok" },
  },
];

describeEachBackend("engine runs the shipped examples", (t) => {
  let engine: Awaited<ReturnType<typeof testEngine>>;
  beforeAll(async () => {
    engine = await testEngine(t.db, registry);
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop({ drainMs: 1000 });
  });

  for (const ex of EXAMPLES) {
    test(`${ex.namespace}/${ex.name} completes, and every step starts after its dependencies completed`, async () => {
      const template = registry.resolve(ex.namespace, ex.name);
      const { task, created } = await engine.submit({ namespace: ex.namespace, name: ex.name, context: ex.context });
      expect(created).toBe(true);
      const done = await waitForTask(engine, task.id);
      if (done.state !== "complete") console.error(JSON.stringify(done.steps.map((s) => [s.name, s.state, s.error?.message])));
      expect(done.state).toBe("complete");
      expect(done.steps.length).toBe(template.steps.length);
      const byName = new Map(done.steps.map((s) => [s.name, s]));
      for (const step of done.steps) {
        expect(step.state).toBe("complete");
        for (const dep of step.dependsOn) {
          const parent = byName.get(dep)!;
          expect(parent.completedAt!.getTime()).toBeLessThanOrEqual(step.startedAt!.getTime());
        }
      }
    });
  }

  test("examples/shipping_decision runs the chosen carrier only and notifies with its quote", async () => {
    const { task } = await engine.submit({ namespace: "examples", name: "shipping_decision", context: { order_id: "o-7", weight_kg: 50 } });
    const done = await waitForTask(engine, task.id);
    const state = Object.fromEntries(done.steps.map((s) => [s.name, s.state]));
    expect(state).toEqual({ choose_carrier: "complete", air: "skipped", ground: "skipped", freight: "complete", notify: "complete" });
    expect(done.steps.find((s) => s.name === "notify")!.results).toEqual({ order_id: "o-7", shipped: { carrier: "freight", cost: 20 } });
  });

  test("examples/batch_import imports every row once, in one worker per range", async () => {
    const { task } = await engine.submit({ namespace: "examples", name: "batch_import", context: { rows: 2_500, batch_size: 1_000 } });
    const done = await waitForTask(engine, task.id);
    expect(done.state).toBe("complete");
    expect(done.steps.filter((s) => s.name.startsWith("import_rows__")).map((s) => s.batch)).toEqual([
      { index: 0, start: 0, end: 1000 },
      { index: 1, start: 1000, end: 2000 },
      { index: 2, start: 2000, end: 2500 },
    ]);
    expect(done.steps.find((s) => s.name === "report")!.results).toEqual({ batches: 3, imported: 2_500 });
  });

  test("dependency results arrive in the join step", async () => {
    const { task } = await engine.submit({ namespace: "examples", name: "diamond_workflow", context: { numbers: [5, 1, 4, 2, 3] } });
    const done = await waitForTask(engine, task.id);
    const report = done.steps.find((s) => s.name === "report")!;
    expect(report.results).toEqual({ count: 5, mean: 3, median: 3, min: 1, max: 5, stddev: Math.sqrt(2) });
  });
});

