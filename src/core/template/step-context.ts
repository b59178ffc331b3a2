/** Structured logger handed to a step; the engine tags every line with task and step ids. */
export interface StepLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a step handler receives. The engine builds it for each attempt.
 *
 * `C` is the task context type (inferred from the template's zod schema). `D` types `deps`, the
 * results of the step's dependencies by step name. Results pass through JSON storage between
 * steps, so by default they are `unknown`; annotate the handler's parameter to declare the shape
 * you expect:
 *
 * @example
 *   type Deps = { validate_order: { total: number } };
 *   handler: (ctx: StepContext<Order, Deps>) => ({ charged: ctx.deps.validate_order.total })
 */
export interface StepContext<C = unknown, D = Readonly<Record<string, unknown>>> {
  /** The task's input, already validated against the template's context schema. */
  readonly context: C;
  /** Results of this step's direct dependencies, keyed by step name. */
  readonly deps: D;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /** The retry policy's maxAttempts: `attempt === maxAttempts` is the last chance. */
  readonly maxAttempts: number;
  /** Aborted on timeout, cancellation or shutdown; pass it to fetch and friends. */
  readonly signal: AbortSignal;
  readonly log: StepLogger;
  /** Stable across attempts: use taskId/stepId as idempotency keys for side effects. */
  readonly taskId: string;
  readonly stepId: string;
  readonly stepName: string;
  readonly namespace: string;
  readonly taskName: string;
  readonly version: string;
}

/** A step handler: returns the step's result (anything JSON-serialisable), or throws. */
export type StepHandler<C = unknown, D = Readonly<Record<string, unknown>>> = (ctx: StepContext<C, D>) => unknown;
