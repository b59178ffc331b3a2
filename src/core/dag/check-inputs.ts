import type { CompiledDag } from "./compiled-dag.ts";
import { DagInputError } from "./errors.ts";
import type { StepVector } from "./step-state.ts";

/*
 * Shape checks shared by both cores, O(1) per call (O(seeds) for skipClosure, a handful of branch
 * steps) so they cost nothing next to the operation. Content checks (state codes, skip-mask bytes,
 * target ranges) happen inside each core's single pass over the data.
 */

/**
 * Throws unless every array of `v` has one entry per step of `dag`.
 *
 * @example
 *   checkStepVector(dag, emptyStepVector(dag.size)); // passes
 */
export function checkStepVector(dag: CompiledDag, v: StepVector): void {
  const n = dag.size;
  if (v.states.length !== n || v.attempts.length !== n || v.maxAttempts.length !== n || v.retryDue.length !== n) {
    throw new DagInputError(
      `step vector lengths (states ${v.states.length}, attempts ${v.attempts.length}, maxAttempts ${v.maxAttempts.length}, retryDue ${v.retryDue.length}) must all equal the DAG size ${n}`,
    );
  }
}

/**
 * Throws unless `step` is an integer index of `dag`.
 *
 * @example
 *   checkStep(dag, dag.size); // throws DagInputError
 */
export function checkStep(dag: CompiledDag, step: number): void {
  if (!Number.isInteger(step) || step < 0 || step >= dag.size) {
    throw new DagInputError(`step index ${step} is outside 0..${dag.size - 1}`);
  }
}

/**
 * Throws unless `skipped` has one byte per step and every seed is a step index of `dag`.
 *
 * @example
 *   checkSkipInputs(dag, new Uint8Array(dag.size), Int32Array.of(dag.size)); // throws DagInputError
 */
export function checkSkipInputs(dag: CompiledDag, skipped: Uint8Array, seeds: Int32Array): void {
  if (skipped.length !== dag.size) {
    throw new DagInputError(`skipped has ${skipped.length} entries, the DAG has ${dag.size} steps`);
  }
  for (let k = 0; k < seeds.length; k++) checkStep(dag, seeds[k]!);
}

/**
 * Throws unless `durations` has one entry per step. Values are checked in the core's pass.
 *
 * @example
 *   checkDurations(dag, new Float64Array(dag.size)); // passes
 */
export function checkDurations(dag: CompiledDag, durations: Float64Array): void {
  if (durations.length !== dag.size) {
    throw new DagInputError(`durations has ${durations.length} entries, the DAG has ${dag.size} steps`);
  }
}

/**
 * Throws unless (offsets, targets) is a CSR of n nodes: n+1 offsets from 0 to targets.length.
 *
 * @example
 *   checkCsr(Int32Array.of(0, 1, 1), Int32Array.of(1), 2); // passes: one edge 0 → 1
 */
export function checkCsr(offsets: Int32Array, targets: Int32Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new DagInputError(`node count ${n} is not a non-negative integer`);
  if (offsets.length !== n + 1) throw new DagInputError(`CSR offsets has ${offsets.length} entries, expected n + 1 = ${n + 1}`);
  if (offsets[0] !== 0 || offsets[n] !== targets.length) {
    throw new DagInputError(`CSR offsets must run from 0 to targets.length (${targets.length}), got ${offsets[0]}..${offsets[n]}`);
  }
}

/** The error both cores raise for a state byte outside STEP_STATES. */
export function badStateError(step: number, code: number): DagInputError {
  return new DagInputError(`step ${step} has unknown state code ${code}`);
}

/** The error both cores raise for a skip-mask byte other than 0 or 1. */
export function badSkipMaskError(step: number, value: number): DagInputError {
  return new DagInputError(`skipped[${step}] is ${value}; the skip mask holds 0 or 1 per step`);
}

/** The error both cores raise for a negative, NaN or infinite duration. */
export function badDurationError(step: number, value: number): DagInputError {
  return new DagInputError(`step ${step} has duration ${value}; durations must be finite and ≥ 0`);
}

/** The error both cores raise when CSR content (not just its shape) is malformed. */
export function badCsrError(): DagInputError {
  return new DagInputError("CSR offsets decrease or a target is outside 0..n-1");
}
