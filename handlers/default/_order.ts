/*
 * Order arithmetic shared by order_process 1.0.0 (Tasker YAML) and 2.0.0 (TypeScript). The leading
 * underscore keeps the registry from treating this helper as a template.
 */
import { z } from "zod";
import { PermanentError } from "../../src/index.ts";

export const orderContext = z.object({
  order_id: z.string().min(1),
  customer_email: z.email(),
  items: z
    .array(z.object({ sku: z.string().min(1), quantity: z.number().int().min(1).max(1000), unit_price: z.number().min(0) }))
    .min(1),
  /** A payment token; one starting with "tok_declined" is refused by the (simulated) gateway. */
  payment_token: z.string().min(1),
  /** Defaults to 8 %. */
  tax_rate: z.number().min(0).max(1).optional(),
});
export type Order = z.output<typeof orderContext>;

export type Totals = { item_count: number; subtotal: number; tax: number; total: number };

const cents = (amount: number) => Math.round(amount * 100) / 100;

/** Line totals, tax and grand total, rounded to cents. */
export function orderTotals(order: Order): Totals {
  const subtotal = cents(order.items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0));
  const tax = cents(subtotal * (order.tax_rate ?? 0.08));
  return { item_count: order.items.reduce((n, i) => n + i.quantity, 0), subtotal, tax, total: cents(subtotal + tax) };
}

/** A simulated gateway charge; the payment id derives from the task id so a retry charges once. */
export function charge(order: Order, totals: Totals, taskId: string) {
  if (order.payment_token.startsWith("tok_declined")) throw new PermanentError(`payment declined for order ${order.order_id}`);
  if (totals.total <= 0) throw new PermanentError(`order ${order.order_id} has nothing to charge`);
  return { payment_id: `pay_${taskId}`, amount: totals.total, status: "captured" };
}

/** The confirmation message, rendered (sending it is left to a real mailer). */
export function confirmation(order: Order, totals: Totals, paymentId: string) {
  return {
    to: order.customer_email,
    subject: `Order ${order.order_id} confirmed`,
    body: `${totals.item_count} item(s), total ${totals.total.toFixed(2)}, payment ${paymentId}`,
  };
}
