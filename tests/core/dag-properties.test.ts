import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  compileDag,
  DagValidationError,
  loadWasmCore,
  referenceCore,
  StepStateCode,
  type CompiledDag,
  type DagCore,
  type StepDecl,
  type StepVector,
} from "../../src/core/dag/index.ts";
import { anySteps, cyclicSteps, dagSteps, durations, skipInputs, stepVector } from "./dag-arbitraries.ts";

// Differential property tests: the WASM core and the TypeScript reference must agree exactly on
// random DAGs and random (also inconsistent) state vectors, and both must satisfy the invariants
// below, each checked by brute force independent of either implementation.

const wasm = await loadWasmCore();
const ref = referenceCore();
const RUNS = 1000;

const caseArb = dagSteps.chain((steps) =>
  fc.record({
    steps: fc.constant(steps),
    v: stepVector(steps.length),
    d: durations(steps.length),
    step: fc.nat(steps.length - 1),
  }),
);

const skipArb = dagSteps.chain((steps) => fc.record({ steps: fc.constant(steps), s: skipInputs(steps.length) }));

const SAT = new Set([StepStateCode.complete, StepStateCode.resolved_manually, StepStateCode.skipped]);
const satisfied = (v: StepVector, i: number) => SAT.has(v.states[i]!);
const dead = (v: StepVector, i: number) => {
  const s = v.states[i]!;
  return s === StepStateCode.error || s === StepStateCode.cancelled || (s === StepStateCode.waiting_for_retry && v.attempts[i]! >= v.maxAttempts[i]!);
};
const runnable = (v: StepVector, i: number) =>
  v.states[i] === StepStateCode.pending ||
  (v.states[i] === StepStateCode.waiting_for_retry && v.retryDue[i] === 1 && v.attempts[i]! < v.maxAttempts[i]!);

function captureError(fn: () => unknown): DagValidationError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof DagValidationError)) throw e;
    return e;
  }
}

function checkInvariants(core: DagCore, dag: CompiledDag, steps: StepDecl[], v: StepVector, d: Float64Array, step: number) {
  const n = dag.size;
  const parents = (i: number) => steps[i]!.dependsOn.map((p) => dag.indexOf.get(p)!);
  // Order: a permutation that respects every edge and always takes the earliest declared free step.
  const pos = new Int32Array(n).fill(-1);
  dag.order.forEach((u, k) => (pos[u] = k));
  expect(pos.includes(-1)).toBe(false);
  const placed = new Set<number>();
  for (const u of dag.order) {
    for (const p of parents(u)) expect(pos[p]!).toBeLessThan(pos[u]!);
    const free = [...Array(n).keys()].filter((i) => !placed.has(i) && parents(i).every((p) => placed.has(p)));
    expect(u).toBe(Math.min(...free));
    placed.add(u);
  }
  for (let i = 0; i < n; i++) {
    const ps = parents(i);
    expect(dag.levels[i]).toBe(ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => dag.levels[p]!)));
  }
  // Ready: exactly the runnable steps whose parents are all satisfied.
  const ready = new Set(core.readySet(dag, v));
  for (let i = 0; i < n; i++) expect(ready.has(i)).toBe(runnable(v, i) && parents(i).every((p) => satisfied(v, p)));
  // Blocked: the fixpoint of "unfinished, not failed, and a parent failed or blocked".
  const blocked = new Set<number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (blocked.has(i) || satisfied(v, i) || dead(v, i)) continue;
      if (parents(i).some((p) => dead(v, p) || blocked.has(p))) {
        blocked.add(i);
        changed = true;
      }
    }
  }
  expect([...core.blockedSet(dag, v)]).toEqual([...blocked].sort((a, b) => a - b));
  // Outcome, from its definition.
  const all = [...Array(n).keys()];
  const active = (i: number) =>
    v.states[i] === StepStateCode.enqueued || v.states[i] === StepStateCode.in_progress || v.states[i] === StepStateCode.waiting;
  const waits = (i: number) => v.states[i] === StepStateCode.waiting_for_retry && !dead(v, i) && !blocked.has(i);
  const expected = all.every((i) => satisfied(v, i))
    ? "complete"
    : ready.size > 0 || all.some(active)
      ? "in_progress"
      : all.some(waits)
        ? "waiting"
        : "blocked";
  expect(core.outcome(dag, v)).toBe(expected);
  if (expected === "blocked") for (const i of all) expect(satisfied(v, i) || dead(v, i) || blocked.has(i)).toBe(true);
  // Reachability: descendants by fixpoint, ancestors as its mirror.
  const desc = new Set<number>(dag.childrenOf(step));
  for (let changed = true; changed; ) {
    changed = false;
    for (const u of [...desc]) for (const c of dag.childrenOf(u)) if (!desc.has(c)) desc.add(c), (changed = true);
  }
  expect([...core.descendants(dag, step)]).toEqual([...desc].sort((a, b) => a - b));
  for (const a of core.ancestors(dag, step)) expect(core.descendants(dag, a).includes(step)).toBe(true);
  // Critical path: a chain from a root whose length is its summed durations and the maximum.
  const { path, length } = core.criticalPath(dag, d);
  expect(parents(path[0]!)).toEqual([]);
  for (let k = 1; k < path.length; k++) expect(parents(path[k]!)).toContain(path[k - 1]!);
  expect(length).toBeCloseTo([...path].reduce((s, i) => s + d[i]!, 0), 6);
  const memo = new Map<number, number>();
  const longest = (i: number): number =>
    memo.get(i) ?? (memo.set(i, d[i]! + Math.max(0, ...parents(i).map(longest))), memo.get(i)!);
  expect(length).toBeCloseTo(Math.max(...all.map(longest)), 6);
}

/**
 * skipClosure's invariants, from its definition and without relying on a topological order.
 * Returns whether the closure added a step that is not a seed, so the caller can check coverage.
 */
function checkSkipClosure(core: DagCore, dag: CompiledDag, steps: StepDecl[], skipped: Uint8Array, seeds: Int32Array): boolean {
  const n = dag.size;
  const parents = (i: number) => steps[i]!.dependsOn.map((p) => dag.indexOf.get(p)!);
  const mask = skipped.slice();
  const seedsBefore = seeds.slice();
  const got = core.skipClosure(dag, skipped, seeds);
  expect(skipped).toEqual(mask);
  expect(seeds).toEqual(seedsBefore);
  // Brute-force fixpoint over steps in declaration order (often not topological).
  const s = new Set<number>([...seeds]);
  for (let i = 0; i < n; i++) if (skipped[i] === 1) s.add(i);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < n; i++) {
      const ps = parents(i);
      if (!s.has(i) && ps.length > 0 && ps.every((p) => s.has(p))) s.add(i), (changed = true);
    }
  }
  expect([...got]).toEqual([...s].filter((i) => skipped[i] === 0).sort((a, b) => a - b));
  for (let k = 1; k < got.length; k++) expect(got[k]!).toBeGreaterThan(got[k - 1]!);
  const returned = new Set(got);
  const seedSet = new Set(seeds);
  for (const i of got) {
    expect(skipped[i]).toBe(0);
    if (!seedSet.has(i)) expect(parents(i).length > 0 && parents(i).every((p) => s.has(p))).toBe(true);
  }
  for (let i = 0; i < n; i++) {
    if (returned.has(i) || skipped[i] === 1) continue;
    expect(seedSet.has(i)).toBe(false);
    expect(parents(i).length === 0 || parents(i).some((p) => !s.has(p))).toBe(true);
  }
  return got.some((i) => !seedSet.has(i));
}

describe("DAG core properties", () => {
  test(`WASM and reference agree on every operation (${RUNS} random DAGs and state vectors)`, () => {
    let graphs = 0;
    fc.assert(
      fc.property(caseArb, ({ steps, v, d, step }) => {
        graphs++;
        const a = compileDag(steps);
        const b = compileDag(steps, { core: wasm });
        expect(b.order).toEqual(a.order);
        expect(b.levels).toEqual(a.levels);
        expect(wasm.topoOrder(a.childOffsets, a.childTargets, a.size)).toEqual(ref.topoOrder(a.childOffsets, a.childTargets, a.size));
        expect(wasm.readySet(a, v)).toEqual(ref.readySet(a, v));
        expect(wasm.blockedSet(a, v)).toEqual(ref.blockedSet(a, v));
        expect(wasm.outcome(a, v)).toBe(ref.outcome(a, v));
        expect(wasm.descendants(a, step)).toEqual(ref.descendants(a, step));
        expect(wasm.ancestors(a, step)).toEqual(ref.ancestors(a, step));
        expect(wasm.criticalPath(a, d)).toEqual(ref.criticalPath(a, d));
      }),
      { numRuns: RUNS },
    );
    expect(graphs).toBeGreaterThanOrEqual(500);
  });

  for (const core of [ref, wasm]) {
    test(`${core.kind}: order, levels, ready, blocked, outcome, reach and critical path meet their definitions`, () => {
      fc.assert(
        fc.property(caseArb, ({ steps, v, d, step }) => {
          checkInvariants(core, compileDag(steps, { core }), steps, v, d, step);
        }),
        { numRuns: 500 },
      );
    });
  }

  test(`skipClosure: WASM and reference agree on ${RUNS} random DAGs, skip masks and seeds`, () => {
    fc.assert(
      fc.property(skipArb, ({ steps, s }) => {
        const dag = compileDag(steps);
        expect(wasm.skipClosure(dag, s.skipped, s.seeds)).toEqual(ref.skipClosure(dag, s.skipped, s.seeds));
      }),
      { numRuns: RUNS },
    );
  });

  for (const core of [ref, wasm]) {
    test(`${core.kind}: skipClosure meets its definition and leaves its inputs alone`, () => {
      let derived = 0;
      fc.assert(
        fc.property(skipArb, ({ steps, s }) => {
          if (checkSkipClosure(core, compileDag(steps, { core }), steps, s.skipped, s.seeds)) derived++;
        }),
        { numRuns: 500 },
      );
      // Guards against a generator that never makes a step skip through its parents.
      expect(derived).toBeGreaterThanOrEqual(50);
    });
  }

  test("on any directed graph both cores accept the same DAGs and report the same, real cycle", () => {
    fc.assert(
      fc.property(anySteps, (steps) => {
        const ea = captureError(() => compileDag(steps));
        const eb = captureError(() => compileDag(steps, { core: wasm }));
        expect(eb?.cycle).toEqual(ea?.cycle);
        expect(eb?.message).toBe(ea?.message);
        if (ea) assertRealCycle(steps, ea);
      }),
      { numRuns: 500 },
    );
  });

  test("a graph with a cycle is never accepted", () => {
    fc.assert(
      fc.property(cyclicSteps, (steps) => {
        for (const core of [ref, wasm]) {
          const e = captureError(() => compileDag(steps, { core }));
          expect(e?.kind).toBe("cycle");
          assertRealCycle(steps, e!);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("large raw graphs (up to 20,000 nodes, several queue levels): both cores agree, cycles included", () => {
    const big = fc.record({ n: fc.integer({ min: 1, max: 20_000 }), seed: fc.integer(), backEdges: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(big, ({ n, seed, backEdges }) => {
        let s = seed >>> 0;
        const rand = (m: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % m);
        const lists: number[][] = Array.from({ length: n }, () => []);
        for (let c = 1; c < n; c++) for (let k = 0; k < 3; k++) lists[rand(c)]!.push(c);
        for (let k = 0; k < backEdges && n > 1; k++) lists[n - 1 - rand(Math.ceil(n / 2))]!.push(rand(Math.ceil(n / 2)));
        const offsets = new Int32Array(n + 1);
        lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
        const targets = Int32Array.from(lists.flat());
        expect(wasm.analyze(offsets, targets, n)).toEqual(ref.analyze(offsets, targets, n));
      }),
      { numRuns: 40 },
    );
  });

  test("raw CSR with self-loops and repeated edges: both cores agree on topoOrder", () => {
    const raw = fc.integer({ min: 0, max: 25 }).chain((n) =>
      fc.record({ n: fc.constant(n), edges: fc.array(fc.tuple(fc.nat(Math.max(0, n - 1)), fc.nat(Math.max(0, n - 1))), { maxLength: n === 0 ? 0 : n * 3 }) }),
    );
    fc.assert(
      fc.property(raw, ({ n, edges }) => {
        const offsets = new Int32Array(n + 1);
        const sorted = [...edges].sort((x, y) => x[0] - y[0]);
        for (const [a] of sorted) offsets[a + 1]!++;
        for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
        const targets = Int32Array.from(sorted, ([, b]) => b);
        expect(wasm.analyze(offsets, targets, n)).toEqual(ref.analyze(offsets, targets, n));
      }),
      { numRuns: 300 },
    );
  });
});

function assertRealCycle(steps: StepDecl[], e: DagValidationError) {
  const cycle = e.cycle!;
  expect(cycle.length).toBeGreaterThanOrEqual(3);
  expect(cycle[0]).toBe(cycle[cycle.length - 1]);
  expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
  const byName = new Map(steps.map((s) => [s.name, s]));
  for (let k = 1; k < cycle.length; k++) expect(byName.get(cycle[k]!)!.dependsOn).toContain(cycle[k - 1]!);
}
