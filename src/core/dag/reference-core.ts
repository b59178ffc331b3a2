import {
  badDurationError,
  badSkipMaskError,
  badStateError,
  checkCsr,
  checkDurations,
  checkSkipInputs,
  checkStep,
  checkStepVector,
} from "./check-inputs.ts";
import type { CompiledDag } from "./compiled-dag.ts";
import type { DagCore } from "./dag-core.ts";
import { analyzeReference } from "./reference-topo.ts";
import { ACTIVE_MASK, SATISFIED_MASK, STATE_COUNT, StepStateCode, type StepVector, type TaskOutcome } from "./step-state.ts";

/*
 * The plain TypeScript core: the reference the WASM module is tested against, and the fallback
 * where WebAssembly cannot be instantiated. Every loop here has a twin in core-wasm/assembly/;
 * keep the two in step (the differential property tests in tests/core fail otherwise).
 */

const PENDING = StepStateCode.pending;
const WAITING = StepStateCode.waiting_for_retry;
const ERROR = StepStateCode.error;
const CANCELLED = StepStateCode.cancelled;

function assertKnownStates(states: Uint8Array): void {
  for (let i = 0; i < states.length; i++) if (states[i]! >= STATE_COUNT) throw badStateError(i, states[i]!);
}

const isSatisfied = (s: number) => ((SATISFIED_MASK >> s) & 1) === 1;

/** Failed for good: a permanent error, cancelled, or a retry with no attempts left. */
function isDead(v: StepVector, i: number): boolean {
  const s = v.states[i]!;
  return s === ERROR || s === CANCELLED || (s === WAITING && v.attempts[i]! >= v.maxAttempts[i]!);
}

function isReady(dag: CompiledDag, v: StepVector, i: number): boolean {
  const s = v.states[i]!;
  const runnable = s === PENDING || (s === WAITING && v.retryDue[i] !== 0 && v.attempts[i]! < v.maxAttempts[i]!);
  if (!runnable) return false;
  for (let e = dag.parentOffsets[i]!, end = dag.parentOffsets[i + 1]!; e < end; e++) {
    if (!isSatisfied(v.states[dag.parentTargets[e]!]!)) return false;
  }
  return true;
}

/** blocked[i] = 1 when i is unfinished, not itself failed, and some parent is failed or blocked. */
function blockedFlags(dag: CompiledDag, v: StepVector): Uint8Array {
  const flags = new Uint8Array(dag.size);
  for (let k = 0; k < dag.size; k++) {
    const i = dag.order[k]!;
    if (isSatisfied(v.states[i]!) || isDead(v, i)) continue;
    for (let e = dag.parentOffsets[i]!, end = dag.parentOffsets[i + 1]!; e < end; e++) {
      const p = dag.parentTargets[e]!;
      if (flags[p] === 1 || isDead(v, p)) {
        flags[i] = 1;
        break;
      }
    }
  }
  return flags;
}

function collect(flags: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < flags.length; i++) count += flags[i]!;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < flags.length; i++) if (flags[i] === 1) out[k++] = i;
  return out;
}

function reach(offsets: Int32Array, targets: Int32Array, n: number, start: number): Int32Array {
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  stack[top++] = start;
  while (top > 0) {
    const u = stack[--top]!;
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const c = targets[e]!;
      if (seen[c] === 0) {
        seen[c] = 1;
        stack[top++] = c;
      }
    }
  }
  seen[start] = 0;
  return collect(seen);
}

function outcomeOf(dag: CompiledDag, v: StepVector): TaskOutcome {
  let allSatisfied = true;
  for (let i = 0; i < dag.size; i++) {
    const s = v.states[i]!;
    if (!isSatisfied(s)) allSatisfied = false;
    if (((ACTIVE_MASK >> s) & 1) === 1 || isReady(dag, v, i)) return "in_progress";
  }
  if (allSatisfied) return "complete";
  const blocked = blockedFlags(dag, v);
  for (let i = 0; i < dag.size; i++) {
    if (v.states[i] === WAITING && v.attempts[i]! < v.maxAttempts[i]! && blocked[i] === 0) return "waiting";
  }
  return "blocked";
}

/**
 * Newly skipped steps: seeds, plus every step with parents that are all skipped (earlier or now).
 * flags: 0 runs, 1 skipped before this call, 2 skipped by it. In topological order each parent is
 * final before its child is looked at, so one pass reaches the fixpoint.
 */
function skipClosureOf(dag: CompiledDag, skipped: Uint8Array, seeds: Int32Array): Int32Array {
  const flags = new Uint8Array(dag.size);
  for (let i = 0; i < dag.size; i++) {
    if (skipped[i]! > 1) throw badSkipMaskError(i, skipped[i]!);
    flags[i] = skipped[i]!;
  }
  for (const s of seeds) if (flags[s] === 0) flags[s] = 2;
  for (let k = 0; k < dag.size; k++) {
    const i = dag.order[k]!;
    const start = dag.parentOffsets[i]!;
    const end = dag.parentOffsets[i + 1]!;
    if (flags[i] !== 0 || start === end) continue;
    let all = true;
    for (let e = start; e < end && all; e++) all = flags[dag.parentTargets[e]!] !== 0;
    if (all) flags[i] = 2;
  }
  const added: number[] = [];
  for (let i = 0; i < dag.size; i++) if (flags[i] === 2) added.push(i);
  return Int32Array.from(added);
}

function criticalPathOf(dag: CompiledDag, durations: Float64Array): { path: Int32Array; length: number } {
  const n = dag.size;
  for (let i = 0; i < n; i++) {
    const d = durations[i]!;
    if (!(d >= 0 && d < Infinity)) throw badDurationError(i, d);
  }
  const dist = new Float64Array(n);
  const pred = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = dag.order[k]!;
    let best = 0;
    let from = -1;
    for (let e = dag.parentOffsets[i]!, end = dag.parentOffsets[i + 1]!; e < end; e++) {
      const p = dag.parentTargets[e]!;
      if (from < 0 || dist[p]! > best) {
        best = dist[p]!;
        from = p;
      }
    }
    dist[i] = durations[i]! + best;
    pred[i] = from;
  }
  let last = 0;
  for (let i = 1; i < n; i++) if (dist[i]! > dist[last]!) last = i;
  let len = 0;
  for (let u = last; u >= 0; u = pred[u]!) len++;
  const path = new Int32Array(len);
  for (let u = last, k = len - 1; u >= 0; u = pred[u]!) path[k--] = u;
  return { path, length: n === 0 ? 0 : dist[last]! };
}

/**
 * The TypeScript DAG core. Stateless; cheap to create.
 *
 * @example
 *   const core = referenceCore();
 *   const ready = core.readySet(dag, vector); // Int32Array of step indices
 */
export function referenceCore(): DagCore {
  return {
    kind: "reference",
    readySet(dag, v) {
      checkStepVector(dag, v);
      assertKnownStates(v.states);
      const flags = new Uint8Array(dag.size);
      for (let i = 0; i < dag.size; i++) if (isReady(dag, v, i)) flags[i] = 1;
      return collect(flags);
    },
    blockedSet(dag, v) {
      checkStepVector(dag, v);
      assertKnownStates(v.states);
      return collect(blockedFlags(dag, v));
    },
    outcome(dag, v) {
      checkStepVector(dag, v);
      assertKnownStates(v.states);
      return outcomeOf(dag, v);
    },
    descendants(dag, step) {
      checkStep(dag, step);
      return reach(dag.childOffsets, dag.childTargets, dag.size, step);
    },
    ancestors(dag, step) {
      checkStep(dag, step);
      return reach(dag.parentOffsets, dag.parentTargets, dag.size, step);
    },
    skipClosure(dag, skipped, seeds) {
      checkSkipInputs(dag, skipped, seeds);
      return skipClosureOf(dag, skipped, seeds);
    },
    criticalPath(dag, durations) {
      checkDurations(dag, durations);
      return criticalPathOf(dag, durations);
    },
    topoOrder(offsets, targets, n) {
      const r = analyzeReference(offsets, targets, n);
      return r.ok ? r.order : null;
    },
    analyze(offsets, targets, n) {
      checkCsr(offsets, targets, n);
      return analyzeReference(offsets, targets, n);
    },
  };
}
