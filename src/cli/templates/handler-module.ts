/** What the generated files need to know: names, and where they import tasker-edge from. */
export interface HandlerTemplateInput {
  namespace: string;
  name: string;
  /** Import specifier of tasker-edge as seen from the handler module. */
  taskerFromModule: string;
  /** Import specifier of tasker-edge as seen from the test. */
  taskerFromTest: string;
  /** Import specifier of the handler module as seen from the test. */
  moduleFromTest: string;
}

/**
 * Source of a new handler module: three steps in a chain, typed context and deps, a retry policy
 * and a PermanentError, so the generated file shows the whole contract and works as it stands.
 *
 * @example
 *   renderHandlerModule({ namespace: "billing", name: "invoice", taskerFromModule: "tasker-edge", … })
 */
export function renderHandlerModule(t: HandlerTemplateInput): string {
  return `import { z } from "zod";
import { defineTask, PermanentError, type StepContext } from ${JSON.stringify(t.taskerFromModule)};

/** The task context: every submitted task is validated against it. */
export const Context = z.object({
  id: z.string().min(1),
  amount: z.number().nonnegative(),
});
export type Context = z.output<typeof Context>;

/* Step results pass through JSON storage; these types say what each step returns. */
type Validated = { id: string; amount: number };
type Computed = { id: string; amount: number; fee: number; total: number };

/** A fee of 2.5 %, rounded to cents. */
const FEE_RATE = 0.025;
const LIMIT = 1_000_000;

export default defineTask({
  name: ${JSON.stringify(t.name)},
  version: "0.1.0",
  description: "Validates an amount, adds a fee and reports the total",
  context: Context,
  steps: {
    validate: {
      handler: (ctx) => {
        // A PermanentError fails the step at once: retrying cannot fix bad input.
        if (ctx.context.amount > LIMIT) throw new PermanentError(\`amount \${ctx.context.amount} is over the limit of \${LIMIT}\`);
        return { id: ctx.context.id, amount: ctx.context.amount };
      },
    },
    compute: {
      dependsOn: ["validate"],
      // Any other error is retried: 3 attempts in all, 1 s then 2 s apart (with a little jitter).
      retry: { maxAttempts: 3, backoff: "exponential", baseMs: 1000 },
      timeoutMs: 10_000,
      handler: (ctx: StepContext<Context, { validate: Validated }>) => {
        const { id, amount } = ctx.deps.validate;
        const fee = Math.round(amount * FEE_RATE * 100) / 100;
        return { id, amount, fee, total: Math.round((amount + fee) * 100) / 100 };
      },
    },
    report: {
      dependsOn: ["compute"],
      handler: (ctx: StepContext<Context, { compute: Computed }>) => {
        ctx.log.info("computed total", { id: ctx.deps.compute.id, total: ctx.deps.compute.total });
        return { id: ctx.deps.compute.id, total: ctx.deps.compute.total };
      },
    },
  },
});
`;
}
