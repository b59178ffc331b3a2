/*
 * Durable time and external events: `cool_off` sleeps without holding a worker, then
 * `await_approval` waits for an "approved" event sent over HTTP
 * (POST /v1/tasks/{id}/events/approved {"payload": {...}}), for at most `timeout_ms`.
 * Both waits survive restarts: the step is parked in the database, not in memory.
 */
import { z } from "zod";
import { defineTask, type StepContext } from "../../src/index.ts";

const Input = z.object({
  request: z.string().min(1).max(500),
  cool_off_ms: z.number().int().min(0).max(86_400_000).default(1_000),
  timeout_ms: z.number().int().min(1).max(7 * 86_400_000).default(3_600_000),
  /** Lets one event (POST /v1/events/approved {"key": …}) approve every task that shares it. */
  key: z.string().min(1).max(255).optional(),
});
type Input = z.output<typeof Input>;

export default defineTask({
  name: "approval_workflow",
  version: "1.0.0",
  description: "Sleep, then wait for a person's approval",
  context: Input,
  steps: {
    cool_off: {
      handler: async (ctx: StepContext<Input>) => {
        await ctx.sleep(ctx.context.cool_off_ms);
        return { rested_ms: ctx.context.cool_off_ms };
      },
    },
    await_approval: {
      dependsOn: ["cool_off"],
      handler: async (ctx: StepContext<Input>) =>
        ctx.waitForEvent("approved", { timeoutMs: ctx.context.timeout_ms, ...(ctx.context.key ? { key: ctx.context.key } : {}) }),
    },
    record: {
      dependsOn: ["await_approval"],
      handler: (ctx: StepContext<Input, { await_approval: unknown }>) => ({ request: ctx.context.request, approval: ctx.deps.await_approval }),
    },
  },
});
