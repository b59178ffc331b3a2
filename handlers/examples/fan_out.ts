/*
 * Fan-out and join: `measure_all` spawns one measure_word child task per word and waits,
 * holding no worker, until they are all done; its result folds the children's results (a
 * reducer), so even 100,000 children make one small row. `report` then runs on that result.
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Input = z.object({ words: z.array(z.string().min(1).max(200)).min(1).max(100_000) });
type Input = z.output<typeof Input>;
type Totals = { words: number; letters: number; longest: string };

export default defineTask({
  name: "fan_out",
  version: "1.0.0",
  description: "One child task per word, joined into totals",
  context: Input,
  steps: {
    measure_all: {
      timeoutMs: 60_000,
      join: {
        onChildFailure: "park",
        initial: { words: 0, letters: 0, longest: "" } satisfies Totals,
        reduce: (acc, child) => {
          const totals = acc as Totals;
          const r = child.result as { word: string; length: number };
          totals.words += 1;
          totals.letters += r.length;
          if (r.length > totals.longest.length) totals.longest = r.word;
          return totals;
        },
      },
      handler: async (ctx: StepContext<Input>) => {
        await ctx.spawn({ name: "measure_word", items: ctx.context.words, context: (word) => ({ word }) });
      },
    },
    report: {
      dependsOn: ["measure_all"],
      handler: (ctx: StepContext<Input, { measure_all: Totals }>) => {
        const t = ctx.deps.measure_all;
        return { ...t, average_length: Math.round((t.letters / t.words) * 100) / 100 };
      },
    },
  },
});
