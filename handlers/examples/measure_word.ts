/*
 * A child task of fan_out: measures one word. Small on purpose: the point is the fan-out.
 */
import { z } from "zod";
import { defineTask } from "../../src/index.ts";

export default defineTask({
  name: "measure_word",
  version: "1.0.0",
  description: "Length and vowels of one word (spawned by fan_out)",
  context: z.object({ word: z.string().min(1).max(200) }),
  steps: {
    measure: {
      handler: (ctx) => ({
        word: ctx.context.word,
        length: ctx.context.word.length,
        vowels: (ctx.context.word.match(/[aeiou]/gi) ?? []).length,
      }),
    },
  },
});
