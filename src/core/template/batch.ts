import { z } from "zod";

/**
 * What happens when a batch worker fails for good (its retries spent):
 * `isolate` (the default) lets the other batches finish and holds the batch step until a person
 * resets or resolves the failed one (the task is `blocked_by_failures` meanwhile); `continue`
 * records the failure as that batch's entry and carries on, so the convergence step sees it;
 * `fail_fast` cancels the batches not yet finished and the task fails.
 */
export type BatchFailureStrategy = "isolate" | "continue" | "fail_fast";

/** A cursor position: a number (an offset, an id) or a string (a key, an opaque token). */
export type Cursor = number | string;

/** One batch worker's slice of the work: from `start` (inclusive) to `end` (exclusive). */
export interface CursorRange {
  readonly start: Cursor;
  readonly end: Cursor;
}

/** The options of a batch step, as an author writes them. */
export interface BatchSpec {
  onFailure?: BatchFailureStrategy;
  /** Refuse a plan with more ranges than this (default 1,000; at most 10,000). */
  maxWorkers?: number;
}

export interface BatchDefinition {
  readonly onFailure: BatchFailureStrategy;
  readonly maxWorkers: number;
}

export const DEFAULT_MAX_BATCH_WORKERS = 1000;
export const MAX_BATCH_WORKERS = 10_000;
/** Worker steps are named `<batch step>__<n>`; the step name pattern allows 63 characters. */
export const MAX_BATCH_STEP_NAME = 63 - "__10000".length;

export const batchSpecSchema = z.strictObject({
  onFailure: z.enum(["isolate", "continue", "fail_fast"]).optional(),
  maxWorkers: z.number().int().min(1).max(MAX_BATCH_WORKERS).optional(),
});

export function normaliseBatch(spec: BatchSpec | undefined): BatchDefinition | null {
  if (!spec) return null;
  return Object.freeze({ onFailure: spec.onFailure ?? "isolate", maxWorkers: spec.maxWorkers ?? DEFAULT_MAX_BATCH_WORKERS });
}

/** The name of a batch step's n-th worker (n from 1). */
export function batchWorkerName(batchStep: string, index: number): string {
  return `${batchStep}__${index + 1}`;
}

/**
 * Splits `[0, total)` into ranges of at most `size`: what a planner typically returns.
 *
 * @example
 *   cursorRanges(10_000, 1_000) // [{ start: 0, end: 1000 }, …, { start: 9000, end: 10000 }]
 */
export function cursorRanges(total: number, size: number): CursorRange[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`cursorRanges: total must be a non-negative integer, got ${total}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`cursorRanges: size must be a positive integer, got ${size}`);
  const ranges: CursorRange[] = [];
  for (let start = 0; start < total; start += size) ranges.push({ start, end: Math.min(start + size, total) });
  return ranges;
}

const cursorSchema = z.union([z.number().finite(), z.string().max(1000)]);
const planSchema = z.object({ batches: z.array(z.strictObject({ start: cursorSchema, end: cursorSchema })) });

/**
 * Reads the cursor ranges out of a planner step's result (`{ batches: [{ start, end }, …] }`).
 * Returns the ranges, or a message saying what is wrong with the result.
 *
 * @example
 *   readPlan({ batches: cursorRanges(100, 50) }, 10) // { ok: true, ranges: [...2 ranges] }
 */
export function readPlan(result: unknown, maxWorkers: number): { ok: true; ranges: CursorRange[] } | { ok: false; message: string } {
  const parsed = planSchema.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? ` (at ${issue.path.join(".")})` : "";
    return { ok: false, message: `its result must be an object with \`batches\`: an array of { start, end } cursors${where}: ${issue.message}` };
  }
  const ranges = parsed.data.batches;
  if (ranges.length > maxWorkers) {
    return { ok: false, message: `its plan has ${ranges.length} batches, more than the batch step's maxWorkers (${maxWorkers})` };
  }
  return { ok: true, ranges };
}

/** One batch's entry in the batch step's result, which its dependents receive. */
export interface BatchOutcome {
  readonly index: number;
  readonly start: Cursor;
  readonly end: Cursor;
  /** False only under `onFailure: "continue"`, for a batch that failed for good. */
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: unknown;
}

/** The progress a batch worker saved with `ctx.batch.checkpoint`, as a retry sees it. */
export interface BatchCheckpoint {
  readonly cursor: Cursor;
  readonly state: unknown;
}

/** What a batch worker's handler gets as `ctx.batch`. */
export interface BatchContext {
  /** 0-based position of this batch in the plan. */
  readonly index: number;
  /** Batches in the plan. */
  readonly count: number;
  readonly start: Cursor;
  readonly end: Cursor;
  /** The last checkpoint an earlier attempt saved, or null: resume from `checkpoint.cursor`. */
  readonly checkpoint: BatchCheckpoint | null;
  /**
   * Saves progress durably (one statement, fenced on this attempt's lease): a retry of this
   * batch starts with it as `ctx.batch.checkpoint`. Keep in `state` whatever the final result
   * needs from the items already done (a running total, the ids handled), so nothing is
   * processed twice.
   */
  save(cursor: Cursor, state?: unknown): Promise<void>;
}
