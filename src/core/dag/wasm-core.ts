import {
  badCsrError,
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
import type { DagCore, TopoAnalysis } from "./dag-core.ts";
import { WasmAbortError } from "./errors.ts";
import { TASK_OUTCOMES, type StepVector } from "./step-state.ts";
import { instantiateDagModule, type DagInstance } from "./wasm-instance.ts";
import { align8 } from "./wasm-memory.ts";

/**
 * 64-bit words of the module's min-queue for n nodes: queueWords in core-wasm/assembly/min-queue.ts
 * (a facade test checks the two agree).
 *
 * @example
 *   queueWords(1_000_000); // 15,626 + 245 + 4 + 1
 */
export function queueWords(n: number): number {
  let words = 0;
  let width = n;
  do {
    width = (width + 63) >>> 6;
    words += width;
  } while (width > 1);
  return words;
}

/** analyze's return value for a malformed CSR (i32.MIN_VALUE in core-wasm/assembly/topo.ts). */
const BAD_CSR = -2147483648;

/**
 * Instantiates the AssemblyScript DAG core from bytes (default: the embedded build) and wraps it
 * as a DagCore. Each operation copies its inputs into the instance's memory, makes exactly one
 * call, and copies the result out; lengths are checked before anything crosses.
 *
 * @example
 *   const core = await loadWasmCore();
 *   core.readySet(dag, vector);
 */
export async function loadWasmCore(bytes?: Uint8Array): Promise<DagCore> {
  return wasmCore(await instantiateDagModule(bytes));
}

/**
 * Runs one call into the module. An abort already arrives as WasmAbortError (see wasm-instance.ts);
 * a trap (out-of-bounds access from a hand-built, inconsistent CompiledDag) is typed the same way.
 */
function guarded(call: () => number): number {
  try {
    return call();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw new WasmAbortError(e.message, "wasm trap", 0, 0);
    throw e;
  }
}

/**
 * Wraps an instantiated module as a DagCore; the core owns the instance's memory from then on.
 *
 * @example
 *   const core = wasmCore(await instantiateDagModule(bytes));
 */
export function wasmCore({ exports: x, memory: mem }: DagInstance): DagCore {
  /** Copies the parts every state operation needs; returns the next free address. */
  function putVector(dag: CompiledDag, v: StepVector, withOrder: boolean) {
    const n = dag.size;
    const pOff = mem.base;
    const pTgt = align8(pOff + 4 * (n + 1));
    const order = align8(pTgt + 4 * dag.parentTargets.length);
    const states = withOrder ? align8(order + 4 * n) : order;
    const attempts = align8(states + n);
    const maxAttempts = align8(attempts + 4 * n);
    const retryDue = align8(maxAttempts + 4 * n);
    const out = align8(retryDue + n);
    const flags = align8(out + 4 * n);
    mem.reserve(flags + n);
    mem.i32.set(dag.parentOffsets, pOff >> 2);
    mem.i32.set(dag.parentTargets, pTgt >> 2);
    if (withOrder) mem.i32.set(dag.order, order >> 2);
    mem.u8.set(v.states, states);
    mem.i32.set(v.attempts, attempts >> 2);
    mem.i32.set(v.maxAttempts, maxAttempts >> 2);
    mem.u8.set(v.retryDue, retryDue);
    return { n, pOff, pTgt, order, states, attempts, maxAttempts, retryDue, out, flags };
  }

  function reach(dag: CompiledDag, step: number, offsets: Int32Array, targets: Int32Array): Int32Array {
    checkStep(dag, step);
    const n = dag.size;
    const off = mem.base;
    const tgt = align8(off + 4 * (n + 1));
    const out = align8(tgt + 4 * targets.length);
    const stack = align8(out + 4 * n);
    const seen = align8(stack + 4 * n);
    mem.reserve(seen + n);
    mem.i32.set(offsets, off >> 2);
    mem.i32.set(targets, tgt >> 2);
    return mem.readI32(out, guarded(() => x.reach(n, off, tgt, step, out, seen, stack)));
  }

  function analyze(offsets: Int32Array, targets: Int32Array, n: number): TopoAnalysis {
    checkCsr(offsets, targets, n);
    const off = mem.base;
    const tgt = align8(off + 4 * (n + 1));
    const order = align8(tgt + 4 * targets.length);
    const levels = align8(order + 4 * n);
    const scratch = align8(levels + 4 * n);
    const bits = align8(scratch + 9 * n);
    mem.reserve(bits + 8 * queueWords(n));
    mem.i32.set(offsets, off >> 2);
    mem.i32.set(targets, tgt >> 2);
    const r = guarded(() => x.analyze(n, off, tgt, order, levels, scratch, bits));
    if (r === BAD_CSR) throw badCsrError();
    if (r < 0) return { ok: false, cycle: mem.readI32(order, -r) };
    return { ok: true, order: mem.readI32(order, n), levels: mem.readI32(levels, n) };
  }

  return {
    kind: "wasm",
    readySet(dag, v) {
      checkStepVector(dag, v);
      const p = putVector(dag, v, false);
      const r = guarded(() => x.readySet(p.n, p.pOff, p.pTgt, p.states, p.attempts, p.maxAttempts, p.retryDue, p.out));
      if (r < 0) throw badStateError(-r - 1, v.states[-r - 1]!);
      return mem.readI32(p.out, r);
    },
    blockedSet(dag, v) {
      checkStepVector(dag, v);
      const p = putVector(dag, v, true);
      const r = guarded(() => x.blockedSet(p.n, p.pOff, p.pTgt, p.order, p.states, p.attempts, p.maxAttempts, p.out, p.flags));
      if (r < 0) throw badStateError(-r - 1, v.states[-r - 1]!);
      return mem.readI32(p.out, r);
    },
    outcome(dag, v) {
      checkStepVector(dag, v);
      const p = putVector(dag, v, true);
      const r = guarded(() => x.outcome(p.n, p.pOff, p.pTgt, p.order, p.states, p.attempts, p.maxAttempts, p.retryDue, p.flags));
      if (r < 0) throw badStateError(-r - 1, v.states[-r - 1]!);
      return TASK_OUTCOMES[r]!;
    },
    descendants: (dag, step) => reach(dag, step, dag.childOffsets, dag.childTargets),
    ancestors: (dag, step) => reach(dag, step, dag.parentOffsets, dag.parentTargets),
    skipClosure(dag, skipped, seeds) {
      checkSkipInputs(dag, skipped, seeds);
      const n = dag.size;
      const pOff = mem.base;
      const pTgt = align8(pOff + 4 * (n + 1));
      const order = align8(pTgt + 4 * dag.parentTargets.length);
      const seedsAt = align8(order + 4 * n);
      const out = align8(seedsAt + 4 * seeds.length);
      const mask = align8(out + 4 * n);
      const flags = align8(mask + n);
      mem.reserve(flags + n);
      mem.i32.set(dag.parentOffsets, pOff >> 2);
      mem.i32.set(dag.parentTargets, pTgt >> 2);
      mem.i32.set(dag.order, order >> 2);
      mem.i32.set(seeds, seedsAt >> 2);
      mem.u8.set(skipped, mask);
      const r = guarded(() => x.skipClosure(n, pOff, pTgt, order, mask, seedsAt, seeds.length, out, flags));
      if (r < 0) throw badSkipMaskError(-r - 1, skipped[-r - 1]!);
      return mem.readI32(out, r);
    },
    criticalPath(dag, durations) {
      checkDurations(dag, durations);
      const n = dag.size;
      const pOff = mem.base;
      const pTgt = align8(pOff + 4 * (n + 1));
      const order = align8(pTgt + 4 * dag.parentTargets.length);
      const dur = align8(order + 4 * n);
      const dist = dur + 8 * n;
      const out = dist + 8 * n;
      const pred = out + 4 * n;
      const lengthOut = align8(pred + 4 * n);
      mem.reserve(lengthOut + 8);
      mem.i32.set(dag.parentOffsets, pOff >> 2);
      mem.i32.set(dag.parentTargets, pTgt >> 2);
      mem.i32.set(dag.order, order >> 2);
      mem.f64.set(durations, dur >> 3);
      const r = guarded(() => x.criticalPath(n, pOff, pTgt, order, dur, out, lengthOut, dist, pred));
      if (r < 0) throw badDurationError(-r - 1, durations[-r - 1]!);
      return { path: mem.readI32(out, r), length: mem.f64[lengthOut >> 3]! };
    },
    topoOrder(offsets, targets, n) {
      const r = analyze(offsets, targets, n);
      return r.ok ? r.order : null;
    },
    analyze,
  };
}
