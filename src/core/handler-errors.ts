import { TaskerError } from "./errors.ts";

/*
 * Handlers steer retries by what they throw. The classes carry a brand under a global Symbol
 * (Symbol.for) because a user's handler module may import `tasker-edge` from its own copy of the
 * package: `instanceof` would then fail across the two copies, while the brand check still holds.
 */
const PERMANENT = Symbol.for("tasker-edge.PermanentError");
const RETRYABLE = Symbol.for("tasker-edge.RetryableError");

/** Options shared by both handler error classes. */
export interface HandlerErrorOptions {
  /** The underlying error, kept for the step's error record. */
  cause?: unknown;
  /** JSON-serialisable facts to store with the failure (e.g. an upstream status code). */
  details?: Record<string, unknown>;
}

/**
 * Thrown by a step handler when retrying cannot help (bad input, a declined card, a 4xx from an
 * upstream). The step goes to `error` at once, whatever attempts remain.
 *
 * @example
 *   if (!ctx.context.email.includes("@")) throw new PermanentError("email is malformed");
 */
export class PermanentError extends TaskerError {
  readonly [PERMANENT] = true;

  constructor(message: string, options: HandlerErrorOptions = {}) {
    super("step_permanent_failure", message, options.details);
    if (options.cause !== undefined) this.cause = options.cause;
  }

  /** True for any PermanentError, including one created by another copy of this package. */
  static is(err: unknown): err is PermanentError {
    return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[PERMANENT] === true;
  }
}

/** Options of a RetryableError. */
export interface RetryableErrorOptions extends HandlerErrorOptions {
  /**
   * Wait at least this long before the next attempt (e.g. from a 429's Retry-After header).
   * It replaces the policy's backoff for this attempt but never exceeds the policy's cap.
   */
  retryAfterMs?: number;
}

/**
 * Thrown by a step handler for a transient failure: the step is retried while attempts remain,
 * even when the policy's `retryOn` would refuse the error.
 *
 * @example
 *   if (res.status === 429) throw new RetryableError("rate limited", { retryAfterMs: 30_000 });
 */
export class RetryableError extends TaskerError {
  readonly [RETRYABLE] = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super("step_retryable_failure", message, options.details);
    if (options.cause !== undefined) this.cause = options.cause;
    const after = options.retryAfterMs;
    this.retryAfterMs = after !== undefined && Number.isFinite(after) && after >= 0 ? after : undefined;
  }

  /** True for any RetryableError, including one created by another copy of this package. */
  static is(err: unknown): err is RetryableError {
    return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[RETRYABLE] === true;
  }
}
