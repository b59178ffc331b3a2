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

  test("dependency results arrive in the join step", async () => {
    const { task } = await engine.submit({ namespace: "examples", name: "diamond_workflow", context: { numbers: [5, 1, 4, 2, 3] } });
    const done = await waitForTask(engine, task.id);
    const report = done.steps.find((s) => s.name === "report")!;
    expect(report.results).toEqual({ count: 5, mean: 3, median: 3, min: 1, max: 5, stddev: Math.sqrt(2) });
  });
});

