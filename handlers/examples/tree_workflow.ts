/*
 * A tree that folds back: a root splits into two branches, each splits into two leaves, and one
 * final step gathers all four leaves. Splits numbers into evens and odds and summarizes each.
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Input = z.object({ numbers: z.array(z.number().int()).min(1).max(100_000) });
type Input = z.output<typeof Input>;
type Part = { values: number[] };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);

export default defineTask({
  name: "tree_workflow",
  version: "1.0.0",
  description: "Root → two branches → four leaves → one gathering step",
  context: Input,
  steps: {
    root: { handler: (ctx) => ({ values: [...new Set(ctx.context.numbers)] }) },
    evens: { dependsOn: ["root"], handler: (ctx: StepContext<Input, { root: Part }>) => ({ values: ctx.deps.root.values.filter((n) => n % 2 === 0) }) },
    odds: { dependsOn: ["root"], handler: (ctx: StepContext<Input, { root: Part }>) => ({ values: ctx.deps.root.values.filter((n) => n % 2 !== 0) }) },
    evens_sum: { dependsOn: ["evens"], handler: (ctx: StepContext<Input, { evens: Part }>) => ({ sum: sum(ctx.deps.evens.values) }) },
    evens_max: { dependsOn: ["evens"], handler: (ctx: StepContext<Input, { evens: Part }>) => ({ max: max(ctx.deps.evens.values) }) },
    odds_sum: { dependsOn: ["odds"], handler: (ctx: StepContext<Input, { odds: Part }>) => ({ sum: sum(ctx.deps.odds.values) }) },
    odds_max: { dependsOn: ["odds"], handler: (ctx: StepContext<Input, { odds: Part }>) => ({ max: max(ctx.deps.odds.values) }) },
    gather: {
      dependsOn: ["evens_sum", "evens_max", "odds_sum", "odds_max"],
      handler: (ctx) => ({ distinct: ctx.context.numbers.length, leaves: ctx.deps }),
    },
  },
});
