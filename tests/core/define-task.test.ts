import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { defineTask, isTaskDefinition, type StepContext, TemplateValidationError } from "../../src/index.ts";
import { describeTemplate, structureFingerprint, toLoadedTemplate } from "../../src/core/template/index.ts";

const noop = () => null;
const ctxFor = <C, D>(context: C, deps: D): StepContext<C, D> => ({
  context,
  deps,
  attempt: 1,
  maxAttempts: 3,
  signal: new AbortController().signal,
  log: { debug: noop, info: noop, warn: noop, error: noop },
  taskId: "t1",
  stepId: "s1",
  stepName: "x",
  namespace: "ns",
  taskName: "task",
  version: "1.0.0",
  spawn: () => Promise.reject(new Error("no child tasks in this test")),
  sleep: async () => {},
  sleepUntil: async () => {},
  waitForEvent: () => Promise.reject(new Error("no events in this test")),
  choose: () => {},
  batch: null,
});

/** Captures the TemplateValidationError a spec provokes. */
function refusal(spec: unknown): TemplateValidationError {
  try {
    defineTask(spec as never);
  } catch (e) {
    if (e instanceof TemplateValidationError) return e;
    throw e;
  }
  throw new Error("defineTask accepted an invalid spec");
}

describe("defineTask", () => {
  const Order = z.object({ amount: z.number().positive(), email: z.string() });
  type Validated = { cents: number };

  const task = defineTask({
    name: "checkout",
    version: "1.2.0",
    description: "Charge and confirm",
    context: Order,
    steps: {
      validate: { handler: (ctx) => ({ cents: Math.round(ctx.context.amount * 100) }) },
      charge: {
        dependsOn: ["validate"],
        retry: { maxAttempts: 5, backoff: "linear", baseMs: 10 },
        timeoutMs: 2000,
        handler: (ctx: StepContext<z.output<typeof Order>, { validate: Validated }>) => ({ charged: ctx.deps.validate.cents }),
      },
      confirm: { dependsOn: ["charge"], skippable: true, handler: (ctx) => ({ to: ctx.context.email }) },
    },
  });

  test("keeps declaration order and applies defaults", () => {
    expect(isTaskDefinition(task)).toBe(true);
    expect(task.steps.map((s) => s.name)).toEqual(["validate", "charge", "confirm"]);
    expect(task.identity).toBe("strict");
    expect(task.steps[0]!.retry).toEqual({ maxAttempts: 3, backoff: "exponential", baseMs: 1000, capMs: 60_000, jitter: 0.1 });
    expect(task.steps[1]!.retry.maxAttempts).toBe(5);
    expect(task.steps[1]!.timeoutMs).toBe(2000);
    expect(task.steps[0]!.timeoutMs).toBe(300_000);
    expect(task.steps[2]!.skippable).toBe(true);
    expect(Array.from(task.dag.order)).toEqual([0, 1, 2]);
  });

  test("is frozen", () => {
    expect(Object.isFrozen(task)).toBe(true);
    expect(Object.isFrozen(task.steps)).toBe(true);
    expect(Object.isFrozen(task.steps[1])).toBe(true);
  });

  test("handlers run with a hand-built ctx", async () => {
    const [validate, charge] = task.steps;
    expect(await validate!.handler(ctxFor({ amount: 12.5, email: "a@b.c" }, {}))).toEqual({ cents: 1250 });
    expect(await charge!.handler(ctxFor({ amount: 1, email: "" }, { validate: { cents: 99 } }))).toEqual({ charged: 99 });
  });

  test("accepts the array form and returns a definition unchanged", () => {
    const t = defineTask({ name: "arr", version: "0.1.0", steps: [{ name: "b", handler: noop }, { name: "a", dependsOn: ["b"], handler: noop }] });
    expect(t.steps.map((s) => s.name)).toEqual(["b", "a"]);
    expect(defineTask(t as never)).toBe(t);
  });

  test("context defaults to any JSON object", () => {
    const t = defineTask({ name: "free", version: "1.0.0", steps: { only: { handler: noop } } });
    expect(t.contextSchema.safeParse({ anything: [1, 2] }).success).toBe(true);
    expect(t.contextSchema.safeParse("a string").success).toBe(false);
  });

  test("context typing reaches the handler", () => {
    defineTask({
      name: "typed",
      version: "1.0.0",
      context: z.object({ n: z.number() }),
      // @ts-expect-error ctx.context.n is a number, not a string
      steps: { a: { handler: (ctx) => ctx.context.n.toUpperCase() } },
    });
  });
});

describe("defineTask refuses", () => {
  const base = { name: "t", version: "1.0.0", steps: { a: { handler: noop } } };

  test.each([
    ["a bad task name", { ...base, name: "Bad-Name" }, "name: must be lower-case"],
    ["a path in the task name", { ...base, name: "../etc" }, "name: must be lower-case"],
    ["a bad step name", { ...base, steps: { "Step A": { handler: noop } } }, "steps.Step A: step name must be lower-case"],
    ["a non-semver version", { ...base, version: "1.0" }, "version: must be a semantic version"],
    ["a loose semver", { ...base, version: "v1.0.0" }, "version: must be a semantic version"],
    ["an unknown option", { ...base, retries: 3 }, "Unrecognized key"],
    ["a misspelt step option", { ...base, steps: { a: { handler: noop, depends_on: ["x"] } } }, "Unrecognized key"],
    ["a bad retry policy", { ...base, steps: { a: { handler: noop, retry: { maxAttempts: 0 } } } }, "steps.a.retry.maxAttempts"],
    ["a missing handler", { ...base, steps: { a: {} } }, "steps.a.handler: handler must be a function"],
    ["a context that is not zod", { ...base, context: { type: "object" } }, "context: context must be a zod schema"],
    ["no steps", { ...base, steps: {} }, "at least one step"],
    [
      "a branch that does not depend on its decision step",
      { ...base, steps: { d: { branches: ["x"], handler: noop }, x: { handler: noop } } },
      'steps.d.branches: branch "x" must depend on "d" (add it to x.dependsOn)',
    ],
    ["a branch that is no step", { ...base, steps: { d: { branches: ["ghost"], handler: noop } } }, 'branch "ghost" is not a step of this task'],
    [
      "a branch listed twice",
      { ...base, steps: { d: { branches: ["x", "x"], handler: noop }, x: { dependsOn: ["d"], handler: noop } } },
      'branch "x" is listed twice',
    ],
    ["empty branches", { ...base, steps: { d: { branches: [], handler: noop } } }, "steps.d.branches"],
    [
      "a batch step with two dependencies",
      { ...base, steps: { p: { handler: noop }, q: { handler: noop }, w: { dependsOn: ["p", "q"], batch: {}, handler: noop } } },
      "a batch step depends on exactly one step, its planner (it depends on 2)",
    ],
    [
      "a step named like a batch worker",
      { ...base, steps: { p: { handler: noop }, w: { dependsOn: ["p"], batch: {}, handler: noop }, w__1: { handler: noop } } },
      'steps.w__1: the name is reserved for the workers of batch step "w"',
    ],
    [
      "an unknown batch failure strategy",
      { ...base, steps: { p: { handler: noop }, w: { dependsOn: ["p"], batch: { onFailure: "retry" }, handler: noop } } },
      "steps.w.batch.onFailure",
    ],
  ])("%s", (_label, spec, fragment) => {
    const err = refusal(spec);
    expect(err.code).toBe("template_invalid");
    expect(err.message).toContain(fragment);
  });

  test("a cycle, naming its path", () => {
    const err = refusal({
      ...base,
      steps: { a: { dependsOn: ["c"], handler: noop }, b: { dependsOn: ["a"], handler: noop }, c: { dependsOn: ["b"], handler: noop } },
    });
    expect(err.message).toContain("cycle: a → b → c → a");
  });

  test("a missing dependency, naming the step and the dependency", () => {
    const err = refusal({ ...base, steps: { a: { dependsOn: ["ghost"], handler: noop } } });
    expect(err.message).toContain('step "a" depends on missing step "ghost"');
  });

  test("a duplicate step (array form)", () => {
    const err = refusal({ ...base, steps: [{ name: "a", handler: noop }, { name: "a", handler: noop }] });
    expect(err.message).toContain('duplicate step name "a"');
  });

  test("a self-loop", () => {
    expect(refusal({ ...base, steps: { a: { dependsOn: ["a"], handler: noop } } }).message).toContain('step "a" depends on itself');
  });
});

describe("structure fingerprint and discovery", () => {
  const diamond = (retries: number) =>
    defineTask({
      name: "diamond",
      version: "1.0.0",
      steps: {
        start: { handler: noop },
        left: { dependsOn: ["start"], retry: { maxAttempts: retries }, handler: noop },
        right: { dependsOn: ["start"], handler: noop },
        end: { dependsOn: ["right", "left"], handler: noop },
      },
    });

  test("depends on steps and edges only", () => {
    expect(structureFingerprint(diamond(2).steps)).toBe(structureFingerprint(diamond(7).steps));
    expect(structureFingerprint(diamond(2).steps)).toMatch(/^[0-9a-f]{16}$/);
    const other = structureFingerprint([{ name: "start", dependsOn: [] }, { name: "left", dependsOn: ["start"] }]);
    expect(other).not.toBe(structureFingerprint(diamond(2).steps));
  });

  test("describes nodes, edges, execution order and levels", () => {
    const t = toLoadedTemplate(diamond(3), { namespace: "examples", file: "/x/diamond.ts", source: "module" });
    expect(t.key).toBe("examples/diamond@1.0.0");
    expect(t.steps.map((s) => s.idx)).toEqual([0, 1, 2, 3]);
    const d = describeTemplate(t);
    expect(d.dependency_graph).toEqual({
      nodes: ["start", "left", "right", "end"],
      edges: [
        { from: "start", to: "left" },
        { from: "start", to: "right" },
        { from: "right", to: "end" },
        { from: "left", to: "end" },
      ],
      execution_order: ["start", "left", "right", "end"],
      levels: [["start"], ["left", "right"], ["end"]],
    });
    expect(d.steps[1]!.retry.max_attempts).toBe(3);
    expect(d.context_schema.type).toBe("object");
  });
});
