/**
 * Step states as they cross the WASM boundary: one byte per step, the index in STEP_STATES.
 * The order is part of the contract with the AssemblyScript module (core-wasm/assembly/states.ts)
 * and with stored rows, so append new states at the end, never reorder.
 */
export const STEP_STATES = [
  "pending",
  "enqueued",
  "in_progress",
  "waiting_for_retry",
  "complete",
  "error",
  "cancelled",
  "resolved_manually",
  "skipped",
  // Parked without a worker until its child tasks are done; counts as active (still working).
  "waiting",
] as const;

export type StepState = (typeof STEP_STATES)[number];

/**
 * The byte code of each state.
 *
 * @example
 *   states[idx] = StepStateCode.complete; // 4
 */
export const StepStateCode: Readonly<Record<StepState, number>> = Object.freeze(
  Object.fromEntries(STEP_STATES.map((s, i) => [s, i])) as Record<StepState, number>,
);

/** Number of known state codes; a byte ≥ this is refused as input. */
export const STATE_COUNT = STEP_STATES.length;

/** States that satisfy a dependency: complete, resolved_manually, skipped. */
export const SATISFIED_MASK =
  (1 << StepStateCode.complete) | (1 << StepStateCode.resolved_manually) | (1 << StepStateCode.skipped);

/** States of a step that is being worked on right now. */
export const ACTIVE_MASK = (1 << StepStateCode.enqueued) | (1 << StepStateCode.in_progress) | (1 << StepStateCode.waiting);

/**
 * Per-step state of one task, indexed by step idx. All four arrays have the DAG's size.
 * `retryDue[i] = 1` means the backoff of a waiting_for_retry step has elapsed.
 */
export interface StepVector {
  states: Uint8Array;
  attempts: Int32Array;
  maxAttempts: Int32Array;
  retryDue: Uint8Array;
}

/**
 * What a task can do next, from its step states alone:
 * complete — every step satisfied; in_progress — some step is ready, enqueued or running;
 * waiting — only retries whose time has not come remain; blocked — nothing can progress.
 */
export type TaskOutcome = "complete" | "in_progress" | "waiting" | "blocked";

/** Outcome codes returned by the WASM module, in this order. */
export const TASK_OUTCOMES: readonly TaskOutcome[] = ["complete", "in_progress", "waiting", "blocked"];

/**
 * Builds a StepVector of `n` pending steps with `maxAttempts` attempts each — handy in tests and benches.
 *
 * @example
 *   const v = emptyStepVector(dag.size, 3);
 *   v.states[0] = StepStateCode.complete;
 */
export function emptyStepVector(n: number, maxAttempts = 1): StepVector {
  return {
    states: new Uint8Array(n),
    attempts: new Int32Array(n),
    maxAttempts: new Int32Array(n).fill(maxAttempts),
    retryDue: new Uint8Array(n),
  };
}
