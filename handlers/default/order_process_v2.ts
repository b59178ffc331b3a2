/*
 * order_process 2.0.0: the Tasker order flow as a native module. Stock is reserved while the
 * card is charged (both need only the validated order), and the confirmation waits for both.
 * Version 1.0.0 (order_process.yaml) stays loaded beside it for tasks that ask for it.
 */
import { defineTask, PermanentError, type StepContext } from "../../src/index.ts";
import { charge, confirmation, orderContext, orderTotals, type Order, type Totals } from "./_order.ts";

type Deps<K extends string, V> = { [P in K]: V };

export default defineTask({
  name: "order_process",
  version: "2.0.0",
  description: "Validate an order, reserve stock and charge in parallel, then confirm",
  context: orderContext,
  steps: {
    validate_order: { handler: (ctx) => orderTotals(ctx.context) },
    reserve_inventory: {
      dependsOn: ["validate_order"],
      handler: (ctx) => {
        const over = ctx.context.items.find((i) => i.quantity > 100);
        if (over) throw new PermanentError(`not enough stock of ${over.sku}: ${over.quantity} requested, 100 available`);
        return { reservations: ctx.context.items.map((i) => ({ sku: i.sku, quantity: i.quantity, hold: `${ctx.taskId}:${i.sku}` })) };
      },
    },
    process_payment: {
      dependsOn: ["validate_order"],
      retry: { maxAttempts: 3, backoff: "exponential", baseMs: 500 },
      timeoutMs: 30_000,
      handler: (ctx: StepContext<Order, Deps<"validate_order", Totals>>) => charge(ctx.context, ctx.deps.validate_order, ctx.taskId),
    },
    send_confirmation: {
      dependsOn: ["reserve_inventory", "process_payment"],
      handler: (ctx: StepContext<Order, Deps<"process_payment", { payment_id: string }>>) =>
        confirmation(ctx.context, orderTotals(ctx.context), ctx.deps.process_payment.payment_id),
    },
  },
});
