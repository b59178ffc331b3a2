import type { BatchContext } from "./batch.ts";

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
  /**
   * Dispatches child tasks, in bulk and idempotently (each child is keyed by its index), from
   * where an earlier, interrupted attempt stopped. Once the handler returns, the step waits —
   * holding no worker — until every child is done, then completes with the joined result
   * (see the step's `join` option). Call it at most once per attempt.
   */
  spawn<I>(spec: SpawnSpec<I>): Promise<SpawnReceipt>;
  /**
   * Durable sleep: the step parks without holding a worker and runs again when the time has
   * come; on that run the same call returns at once. Survives restarts. Code before the call
   * runs again on the re-run, so keep side effects after it (or idempotent).
   */
  sleep(ms: number): Promise<void>;
  sleepUntil(at: Date): Promise<void>;
  /**
   * Waits durably for an external event sent to this task (`POST /v1/tasks/{id}/events/{name}`)
   * or, with `key`, to every step waiting on that name and key (`POST /v1/events/{name}`).
   * Resolves with the event's payload on the run after it arrives; past `timeoutMs` the step
   * fails permanently with EventTimeoutError.
   */
  waitForEvent(event: string, options?: { key?: string; timeoutMs?: number }): Promise<unknown>;
  /**
   * In a decision step (one declaring `branches`): the branches that run. Call it before
   * returning, with none, one or several names; repeated calls add up. The branches not chosen
   * are skipped, and so is every step all of whose dependencies are skipped. A decision step
   * that returns without choosing fails permanently.
   */
  choose(...branches: string[]): void;
  /** In a batch step's worker: its cursor range and the last checkpoint; null in other steps. */
  readonly batch: BatchContext | null;
}

/** What a step hands to `ctx.spawn`: the child template and the items to make children of. */
export interface SpawnSpec<I = unknown> {
  /** The child template's namespace; defaults to the spawning task's. */
  namespace?: string;
  name: string;
  /** Exact version; defaults to the latest loaded. */
  version?: string;
  /**
   * The children, one per item: an array, or a function returning an (async) iterable that
   * starts at `cursor` — after a crash the dispatch resumes there instead of re-reading the source.
   */
  items: readonly I[] | ((cursor: number) => Iterable<I> | AsyncIterable<I>);
  /** Each child's context from its item and index; defaults to the item itself (an object). */
  context?: (item: I, index: number) => Record<string, unknown>;
  /** Children written per statement (default 1000). */
  chunkSize?: number;
}

export interface SpawnReceipt {
  /** Children written by this attempt (a resumed dispatch skips those written before). */
  readonly dispatched: number;
  /** All children of the step. */
  readonly total: number;
}

/** A step handler: returns the step's result (anything JSON-serialisable), or throws. */
export type StepHandler<C = unknown, D = Readonly<Record<string, unknown>>> = (ctx: StepContext<C, D>) => unknown;
