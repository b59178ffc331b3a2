/*
 * Parallel roots merging into one step: three carriers are quoted independently (all three start
 * at once), the merge picks the cheapest that meets the deadline, then the shipment is booked.
 */
import { z } from "zod";
import { defineTask, PermanentError, type StepContext } from "../../src/index.ts";

const Input = z.object({
  weight_kg: z.number().positive().max(30_000),
  distance_km: z.number().positive().max(40_000),
  deadline_days: z.number().int().min(1).max(120),
});
type Input = z.output<typeof Input>;
type Quote = { carrier: string; price: number; days: number };

/** A carrier's tariff: base fee, price per kg·km, speed in km per day. */
function quote(carrier: string, base: number, perKgKm: number, kmPerDay: number) {
  return (ctx: StepContext<Input>): Quote => ({
    carrier,
    price: Math.round((base + perKgKm * ctx.context.weight_kg * ctx.context.distance_km) * 100) / 100,
    days: Math.max(1, Math.ceil(ctx.context.distance_km / kmPerDay)),
  });
}

export default defineTask({
  name: "parallel_merge",
  version: "1.0.0",
  description: "Quote three carriers in parallel, pick the cheapest in time, book it",
  context: Input,
  steps: {
    quote_ground: { handler: quote("ground", 15, 0.0004, 600) },
    quote_air: { handler: quote("air", 60, 0.0021, 8000) },
    quote_sea: { handler: quote("sea", 120, 0.0001, 500) },
    choose_carrier: {
      dependsOn: ["quote_ground", "quote_air", "quote_sea"],
      handler: (ctx: StepContext<Input, Record<string, Quote>>) => {
        const inTime = Object.values(ctx.deps).filter((q) => q.days <= ctx.context.deadline_days);
        if (inTime.length === 0) throw new PermanentError(`no carrier delivers within ${ctx.context.deadline_days} days`);
        return inTime.reduce((best, q) => (q.price < best.price ? q : best));
      },
    },
    book_shipment: {
      dependsOn: ["choose_carrier"],
      handler: (ctx: StepContext<Input, { choose_carrier: Quote }>) => ({
        booking_id: `shp_${ctx.taskId}`,
        ...ctx.deps.choose_carrier,
      }),
    },
  },
});
