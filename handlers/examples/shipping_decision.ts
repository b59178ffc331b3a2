/*
 * A decision point: `choose_carrier` picks one of three declared branches from the order; the
 * other two are skipped (with the reason), and `notify` — which depends on all three — runs once
 * the chosen one is complete.
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Order = z.object({
  order_id: z.string().min(1).max(100),
  weight_kg: z.number().positive().max(100_000),
  express: z.boolean().default(false),
});
type Order = z.output<typeof Order>;

const quote = (carrier: string, perKg: number) => (ctx: StepContext<Order>) => ({ carrier, cost: Math.round(ctx.context.weight_kg * perKg * 100) / 100 });

export default defineTask({
  name: "shipping_decision",
  version: "1.0.0",
  description: "Choose a carrier (air, ground or freight), ship with it, notify",
  context: Order,
  steps: {
    choose_carrier: {
      branches: ["air", "ground", "freight"],
      handler: (ctx: StepContext<Order>) => {
        const carrier = ctx.context.express ? "air" : ctx.context.weight_kg > 30 ? "freight" : "ground";
        ctx.choose(carrier);
        return { carrier };
      },
    },
    air: { dependsOn: ["choose_carrier"], handler: quote("air", 9.5) },
    ground: { dependsOn: ["choose_carrier"], handler: quote("ground", 1.2) },
    freight: { dependsOn: ["choose_carrier"], handler: quote("freight", 0.4) },
    notify: {
      dependsOn: ["air", "ground", "freight"],
      // Skipped branches appear in ctx.deps as null: the one non-null entry is the chosen carrier's quote.
      handler: (ctx: StepContext<Order>) => ({ order_id: ctx.context.order_id, shipped: Object.values(ctx.deps).find((d) => d !== null) }),
    },
  },
});
