/*
 * Handlers for order_process.yaml (Tasker's order flow), keyed by the template's handler_class.
 * `context` validates the task context on submit.
 */
import type { StepContext } from "../../src/index.ts";
import { charge, confirmation, orderContext, orderTotals, type Order, type Totals } from "./_order.ts";

export const context = orderContext;

type Paid = { payment_id: string };

export const handlers = {
  "OrderProcess::StepHandler::ValidateOrderHandler": (ctx: StepContext<Order>) => orderTotals(ctx.context),
  "OrderProcess::StepHandler::ProcessPaymentHandler": (ctx: StepContext<Order, { validate_order: Totals }>) =>
    charge(ctx.context, ctx.deps.validate_order, ctx.taskId),
  // send_confirmation depends on process_payment only; the totals are recomputed, not threaded through.
  "OrderProcess::StepHandler::SendConfirmationHandler": (ctx: StepContext<Order, { process_payment: Paid }>) =>
    confirmation(ctx.context, orderTotals(ctx.context), ctx.deps.process_payment.payment_id),
};
