import type { CompiledDag } from "./compiled-dag.ts";
import type { StepVector, TaskOutcome } from "./step-state.ts";

/** Result of analysing a raw CSR graph: its order and levels, or one cycle in it. */
export type TopoAnalysis =
  | { ok: true; order: Int32Array; levels: Int32Array }
  /** The cycle in edge direction, starting at its lowest index, first index NOT repeated at the end. */
  | { ok: false; cycle: Int32Array };

/**
 * The DAG operations, implemented twice: in AssemblyScript/WASM (`loadWasmCore`) and in plain
 * TypeScript (`referenceCore`). Both give identical answers on every input; the property tests in
 * tests/core prove it on random graphs. All results are step indices in fresh arrays the caller owns.
 */
export interface DagCore {
  readonly kind: "wasm" | "reference";
  /** Steps that may run now: every parent satisfied, and pending, or waiting_for_retry, due, with attempts left. */
  readySet(dag: CompiledDag, v: StepVector): Int32Array;
  /** Unfinished steps that can never run because a chain of unfinished ancestors ends in a failed step. */
  blockedSet(dag: CompiledDag, v: StepVector): Int32Array;
  outcome(dag: CompiledDag, v: StepVector): TaskOutcome;
  /** Every step reachable from `step` through dependents, ascending index, `step` excluded. */
  descendants(dag: CompiledDag, step: number): Int32Array;
  /** Every step `step` transitively depends on, ascending index, `step` excluded. */
  ancestors(dag: CompiledDag, step: number): Int32Array;
  /**
   * Steps a decision skips. `skipped` marks (1) the steps already skipped by earlier decisions;
   * `seeds` are the branches not chosen now (duplicates and already skipped ones allowed). With
   * S = seeds ∪ skipped, a step with at least one parent joins S when all its parents are in S, so
   * a convergence step still runs if any of its dependencies does. Returns S minus the earlier
   * skipped steps, ascending index.
   *
   * @example
   *   // a → {b, c, d} → e (e depends on all three): choosing d skips b and c; e still runs.
   *   core.skipClosure(dag, new Uint8Array(5), Int32Array.of(1, 2)); // Int32Array [1, 2]
   */
  skipClosure(dag: CompiledDag, skipped: Uint8Array, seeds: Int32Array): Int32Array;
  /** Heaviest root-to-sink chain by summed step durations (finite, ≥ 0). */
  criticalPath(dag: CompiledDag, durations: Float64Array): { path: Int32Array; length: number };
  /** Stable topological order of a raw CSR graph (edges parent → child), or null if it has a cycle. */
  topoOrder(offsets: Int32Array, targets: Int32Array, n: number): Int32Array | null;
  /** topoOrder plus levels, or the cycle: what compileDag needs, in one pass. */
  analyze(offsets: Int32Array, targets: Int32Array, n: number): TopoAnalysis;
}
