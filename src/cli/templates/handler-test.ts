import type { HandlerTemplateInput } from "./handler-module.ts";

/**
 * Source of the test for a new handler module. It calls the step handlers directly with a
 * hand-built context, in the template's execution order, so it needs no engine or database.
 *
 * @example
 *   renderHandlerTest({ namespace: "billing", name: "invoice", moduleFromTest: "../../../handlers/billing/invoice.ts", … })
 */
export function renderHandlerTest(t: HandlerTemplateInput): string {
  return `import { describe, expect, test } from "bun:test";
import { PermanentError, type StepContext } from ${JSON.stringify(t.taskerFromTest)};
import task from ${JSON.stringify(t.moduleFromTest)};

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** What the engine would hand a step: build it by hand to test handlers in isolation. */
function ctxFor(stepName: string, context: unknown, deps: Record<string, unknown> = {}, attempt = 1): StepContext<any, any> {
  return {
    context,
    deps,
    attempt,
    maxAttempts: 3,
    signal: new AbortController().signal,
    log: quiet,
    taskId: "test-task",
    stepId: \`test-task:\${stepName}\`,
    stepName,
    namespace: ${JSON.stringify(t.namespace)},
    taskName: task.name,
    version: task.version,
    spawn: () => Promise.reject(new Error("child tasks need the engine; test the spawning step with a running engine")),
    // Durable waits return at once here: the test runs the steps straight through.
    sleep: async () => {},
    sleepUntil: async () => {},
    waitForEvent: () => Promise.reject(new Error("external events need the engine")),
    choose: () => {},
    batch: null,
  };
}

/** Runs every step in execution order; results go through JSON, as they would in storage. */
async function runAll(input: unknown) {
  const context = task.contextSchema.parse(input);
  const results: Record<string, unknown> = {};
  for (const i of task.dag.order) {
    const step = task.steps[i]!;
    const deps = Object.fromEntries(step.dependsOn.map((d) => [d, results[d]]));
    results[step.name] = JSON.parse(JSON.stringify((await step.handler(ctxFor(step.name, context, deps))) ?? null));
  }
  return results;
}

describe(${JSON.stringify(`${t.namespace}/${t.name}`)}, () => {
  test("declares its steps in order", () => {
    expect(task.name).toBe(${JSON.stringify(t.name)});
    expect(task.steps.map((s) => s.name)).toEqual(["validate", "compute", "report"]);
  });

  test("runs every step to a total", async () => {
    const results = await runAll({ id: "demo-1", amount: 200 });
    expect(results.compute).toEqual({ id: "demo-1", amount: 200, fee: 5, total: 205 });
    expect(results.report).toEqual({ id: "demo-1", total: 205 });
  });

  test("refuses an amount over the limit without retrying", async () => {
    const validate = task.steps.find((s) => s.name === "validate")!;
    expect(() => validate.handler(ctxFor("validate", { id: "big", amount: 2_000_000 }))).toThrow(PermanentError);
  });

  test("rejects a malformed context", () => {
    expect(task.contextSchema.safeParse({ id: "", amount: -1 }).success).toBe(false);
  });
});
`;
}
