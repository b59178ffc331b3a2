import { beforeAll, describe, expect, test } from "bun:test";
import { PermanentError } from "../../src/index.ts";
import { createRegistry, type Registry } from "../../src/registry/index.ts";
import { SHIPPED_HANDLERS } from "./fixtures.ts";
import { runTemplate } from "./run-template.ts";

let registry: Registry;
beforeAll(async () => {
  registry = createRegistry({ handlersDir: SHIPPED_HANDLERS });
  await registry.load();
});

const CI_CONTEXT = { commit_sha: "9f2c4e1a7b", branch: "main" };

describe("the shipped handlers directory", () => {
  test("loads without problems", () => {
    expect(registry.problems()).toEqual([]);
    expect(registry.namespaces()).toEqual([
      { name: "ci", handlerCount: 2 },
      { name: "default", handlerCount: 1 },
      { name: "examples", handlerCount: 10 },
    ]);
  });

  test("the three Tasker YAML examples import with their handler classes and retry limits", () => {
    const order = registry.resolve("default", "order_process", "1.0.0");
    expect(order.source).toBe("yaml");
    expect(order.steps.map((s) => [s.name, s.dependsOn, s.retry.maxAttempts])).toEqual([
      ["validate_order", [], 3],
      ["process_payment", ["validate_order"], 3],
      ["send_confirmation", ["process_payment"], 3],
    ]);
    expect(order.steps[0]!.handlerClass).toBe("OrderProcess::StepHandler::ValidateOrderHandler");

    const ci = registry.resolve("ci", "ci_pipeline", "1.0.0");
    expect(ci.steps).toHaveLength(10);
    expect(ci.steps.find((s) => s.name === "performance_analysis")!.dependsOn).toEqual(["worker_tests", "integration_tests_1", "integration_tests_2"]);
    expect(ci.steps.find((s) => s.name === "worker_tests")!.retry.maxAttempts).toBe(2);

    const emb = registry.resolve("ci", "embeddenator_ci");
    expect(emb.steps.map((s) => s.skippable)).toEqual([false, false, true]);
    expect(emb.steps[1]!.retry.maxAttempts).toBe(1);
  });

  test("the CI pipeline's execution order respects every edge, in both versions", () => {
    for (const version of ["1.0.0", "2.0.0"]) {
      const { dependency_graph: g } = registry.describe("ci", "ci_pipeline", version);
      expect(g.nodes).toHaveLength(10);
      expect(g.edges).toHaveLength(13);
      const position = new Map(g.execution_order.map((name, i) => [name, i]));
      expect(position.size).toBe(10);
      for (const { from, to } of g.edges) expect(position.get(from)!).toBeLessThan(position.get(to)!);
      expect(g.levels).toEqual([
        ["build_postgres"],
        ["code_quality", "workspace_compile"],
        ["unit_tests", "build_workers"],
        ["worker_tests", "integration_tests_1", "integration_tests_2"],
        ["performance_analysis"],
        ["ci_success"],
      ]);
    }
    expect(registry.resolve("ci", "ci_pipeline", "1.0.0").fingerprint).toBe(registry.resolve("ci", "ci_pipeline", "2.0.0").fingerprint);
  });

  test("discovery includes the context as JSON Schema", () => {
    const d = registry.describe("default", "order_process");
    expect(d.version).toBe("2.0.0");
    expect(d.context_schema).toMatchObject({ type: "object", required: ["order_id", "customer_email", "items", "payment_token"] });
  });
});

describe("the shipped templates run to completion", () => {
  const order = {
    order_id: "A-1001",
    customer_email: "ada@example.com",
    items: [
      { sku: "BOOK", quantity: 2, unit_price: 12.5 },
      { sku: "PEN", quantity: 3, unit_price: 1.2 },
    ],
    payment_token: "tok_visa",
  };

  test.each(["1.0.0", "2.0.0"])("order_process %s", async (version) => {
    const { results } = await runTemplate(registry.resolve("default", "order_process", version), order);
    expect(results.validate_order).toEqual({ item_count: 5, subtotal: 28.6, tax: 2.29, total: 30.89 });
    expect(results.send_confirmation).toMatchObject({ to: "ada@example.com", body: "5 item(s), total 30.89, payment pay_task-1" });
  });

  test("a declined card fails permanently, without retries", async () => {
    const run = runTemplate(registry.resolve("default", "order_process"), { ...order, payment_token: "tok_declined_1" });
    await expect(run).rejects.toBeInstanceOf(PermanentError);
    await run.catch((e) => expect(e).toMatchObject({ step: "process_payment", attempt: 1, reason: "permanent" }));
  });

  test.each(["1.0.0", "2.0.0"])("ci_pipeline %s", async (version) => {
    const { results } = await runTemplate(registry.resolve("ci", "ci_pipeline", version), CI_CONTEXT);
    expect(results.ci_success).toEqual({ status: "passed", required: ["code_quality", "performance_analysis", "unit_tests"] });
    expect(results.integration_tests_2).toMatchObject({ job: "integration_tests_2", partition: 2 });
  });

  test("embeddenator_ci reports the missing ARM64 runner", async () => {
    const { results } = await runTemplate(registry.resolve("ci", "embeddenator_ci"), CI_CONTEXT);
    expect(results.arm64_build_and_test).toEqual({ job: "arm64_build_and_test", status: "not_run", reason: "no ARM64 runner available" });
  });

  test("linear_workflow", async () => {
    const { results } = await runTemplate(registry.resolve("examples", "linear_workflow"), { text: "the cat and the hat and the bat", top: 2 });
    expect(results.summarize).toEqual({ summary: "the×3, and×2" });
  });

  test("diamond_workflow", async () => {
    const { results } = await runTemplate(registry.resolve("examples", "diamond_workflow"), { numbers: [4, 1, 3, 2] });
    expect(results.report).toEqual({ count: 4, mean: 2.5, median: 2.5, min: 1, max: 4, stddev: Math.sqrt(1.25) });
  });

  test("tree_workflow", async () => {
    const { results } = await runTemplate(registry.resolve("examples", "tree_workflow"), { numbers: [1, 2, 3, 4, 5, 6, 6] });
    expect(results.gather).toEqual({
      distinct: 7,
      leaves: { evens_sum: { sum: 12 }, evens_max: { max: 6 }, odds_sum: { sum: 9 }, odds_max: { max: 5 } },
    });
  });

  test("parallel_merge starts three roots and picks the cheapest carrier in time", async () => {
    const t = registry.resolve("examples", "parallel_merge");
    expect(registry.describe("examples", "parallel_merge").dependency_graph.levels[0]).toEqual(["quote_ground", "quote_air", "quote_sea"]);
    const { results } = await runTemplate(t, { weight_kg: 10, distance_km: 1200, deadline_days: 3 });
    expect(results.book_shipment).toEqual({ booking_id: "shp_task-1", carrier: "ground", price: 19.8, days: 2 });
    await expect(runTemplate(t, { weight_kg: 10, distance_km: 30_000, deadline_days: 1 })).rejects.toThrow("no carrier delivers within 1 days");
  });

  test("retry_workflow fails twice, then succeeds on the third attempt", async () => {
    const { results, attempts } = await runTemplate(registry.resolve("examples", "retry_workflow"), { request: " ping " });
    expect(attempts.call_flaky_service).toBe(3);
    expect(results.record_result).toEqual({ retries_needed: 2 });
    const exhausted = runTemplate(registry.resolve("examples", "retry_workflow"), { request: "x", fail_times: 3 });
    await exhausted.catch((e) => expect(e).toMatchObject({ reason: "exhausted", attempt: 3 }));
    await expect(exhausted).rejects.toThrow("service unavailable");
  });
});

describe("ordering with the WASM core", () => {
  test("gives the same templates as the reference core", async () => {
    const { defaultCore } = await import("../../src/core/dag/index.ts");
    const wasm = createRegistry({ handlersDir: SHIPPED_HANDLERS, core: await defaultCore() });
    await wasm.load();
    expect(wasm.problems()).toEqual([]);
    for (const t of registry.templates()) {
      const w = wasm.resolve(t.namespace, t.name, t.version);
      expect(w.fingerprint).toBe(t.fingerprint);
      expect(Array.from(w.dag.order)).toEqual(Array.from(t.dag.order));
      expect(Array.from(w.dag.levels)).toEqual(Array.from(t.dag.levels));
    }
  });
});
