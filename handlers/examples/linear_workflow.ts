/*
 * A linear chain: each step needs the one before. Word statistics of a text:
 * tokenize → count → rank → summarize.
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Input = z.object({ text: z.string().min(1).max(100_000), top: z.number().int().min(1).max(50).optional() });
type Input = z.output<typeof Input>;

export default defineTask({
  name: "linear_workflow",
  version: "1.0.0",
  description: "Word statistics of a text, one step after another",
  context: Input,
  steps: {
    tokenize: {
      handler: (ctx) => ({ words: ctx.context.text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [] }),
    },
    count: {
      dependsOn: ["tokenize"],
      handler: (ctx: StepContext<Input, { tokenize: { words: string[] } }>) => {
        const counts: Record<string, number> = {};
        for (const w of ctx.deps.tokenize.words) counts[w] = (counts[w] ?? 0) + 1;
        return { total: ctx.deps.tokenize.words.length, counts };
      },
    },
    rank: {
      dependsOn: ["count"],
      handler: (ctx: StepContext<Input, { count: { counts: Record<string, number> } }>) => ({
        top: Object.entries(ctx.deps.count.counts)
          .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
          .slice(0, ctx.context.top ?? 5)
          .map(([word, count]) => ({ word, count })),
      }),
    },
    summarize: {
      dependsOn: ["rank"],
      handler: (ctx: StepContext<Input, { rank: { top: { word: string; count: number }[] } }>) => ({
        summary: ctx.deps.rank.top.map((t) => `${t.word}×${t.count}`).join(", "),
      }),
    },
  },
});
