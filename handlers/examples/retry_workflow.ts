/*
 * Retries made visible: `call_flaky_service` fails with a RetryableError on its first
 * `fail_times` attempts (default 2) and succeeds on the next, so a default run shows two retries
 * with linear backoff. The outcome depends only on ctx.attempt: runs are reproducible.
 * Set fail_times to 3 or more to watch the attempts run out, or `permanent: true` to see a
 * PermanentError stop retries at once.
 */
import { z } from "zod";
import { defineTask, PermanentError, RetryableError, type StepContext } from "../../src/index.ts";

const Input = z.object({
  request: z.string().min(1).max(200),
  fail_times: z.number().int().min(0).max(10).optional(),
  permanent: z.boolean().optional(),
});
type Input = z.output<typeof Input>;

export default defineTask({
  name: "retry_workflow",
  version: "1.0.0",
  description: "A step that fails twice, then succeeds",
  context: Input,
  steps: {
    prepare: { handler: (ctx) => ({ payload: ctx.context.request.trim().toUpperCase() }) },
    call_flaky_service: {
      dependsOn: ["prepare"],
      retry: { maxAttempts: 3, backoff: "linear", baseMs: 200, capMs: 2000, jitter: 0 },
      timeoutMs: 5000,
      handler: (ctx: StepContext<Input, { prepare: { payload: string } }>) => {
        if (ctx.context.permanent) throw new PermanentError("the service rejected the request");
        const failTimes = ctx.context.fail_times ?? 2;
        if (ctx.attempt <= failTimes) {
          ctx.log.warn("service unavailable, will retry", { attempt: ctx.attempt, of: ctx.maxAttempts });
          throw new RetryableError(`service unavailable (attempt ${ctx.attempt} of ${ctx.maxAttempts})`);
        }
        return { echoed: ctx.deps.prepare.payload, succeeded_on_attempt: ctx.attempt };
      },
    },
    record_result: {
      dependsOn: ["call_flaky_service"],
      handler: (ctx: StepContext<Input, { call_flaky_service: { succeeded_on_attempt: number } }>) => ({
        retries_needed: ctx.deps.call_flaky_service.succeeded_on_attempt - 1,
      }),
    },
  },
});
