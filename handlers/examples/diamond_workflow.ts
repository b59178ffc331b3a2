/*
 * A diamond: one start, two branches in parallel, one join. Descriptive statistics of numbers:
 * the join waits for both branches (the race the engine must enqueue exactly once).
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Input = z.object({ numbers: z.array(z.number()).min(1).max(100_000) });
type Input = z.output<typeof Input>;
type Sorted = { sorted: number[] };

export default defineTask({
  name: "diamond_workflow",
  version: "1.0.0",
  description: "Sort, then centre and spread in parallel, then a combined report",
  context: Input,
  steps: {
    sort_numbers: { handler: (ctx) => ({ sorted: [...ctx.context.numbers].sort((a, b) => a - b) }) },
    central_tendency: {
      dependsOn: ["sort_numbers"],
      handler: (ctx: StepContext<Input, { sort_numbers: Sorted }>) => {
        const s = ctx.deps.sort_numbers.sorted;
        const mid = Math.floor(s.length / 2);
        return { mean: s.reduce((a, b) => a + b, 0) / s.length, median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2 };
      },
    },
    spread: {
      dependsOn: ["sort_numbers"],
      handler: (ctx: StepContext<Input, { sort_numbers: Sorted }>) => {
        const s = ctx.deps.sort_numbers.sorted;
        const mean = s.reduce((a, b) => a + b, 0) / s.length;
        const variance = s.reduce((acc, x) => acc + (x - mean) ** 2, 0) / s.length;
        return { min: s[0]!, max: s[s.length - 1]!, stddev: Math.sqrt(variance) };
      },
    },
    report: {
      dependsOn: ["central_tendency", "spread"],
      handler: (ctx: StepContext<Input, { central_tendency: { mean: number; median: number }; spread: { min: number; max: number; stddev: number } }>) => ({
        count: ctx.context.numbers.length,
        ...ctx.deps.central_tendency,
        ...ctx.deps.spread,
      }),
    },
  },
});
