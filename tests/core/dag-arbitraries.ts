import fc from "fast-check";
import { STEP_STATES, type StepDecl, type StepVector } from "../../src/core/dag/index.ts";

const name = (i: number) => `s${i}`;

/**
 * Random DAGs of 1–40 steps, declared in a random order (so declaration order is often not
 * topological), with up to 3 edges per step on average, some repeated.
 */
export const dagSteps: fc.Arbitrary<StepDecl[]> = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc
    .record({
      rank: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3, size: "max" }),
    })
    .map(({ rank, edges }) => {
      const deps: string[][] = Array.from({ length: n }, () => []);
      for (const [a, b] of edges) {
        if (a === b) continue;
        const [from, to] = rank[a]! < rank[b]! ? [a, b] : [b, a];
        deps[to]!.push(name(from));
      }
      return deps.map((dependsOn, i) => ({ name: name(i), dependsOn }));
    }),
);

/** Any directed graph without self-loops: sometimes a DAG, often not. */
export const anySteps: fc.Arbitrary<StepDecl[]> = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2, size: "max" }).map((edges) => {
    const deps: string[][] = Array.from({ length: n }, () => []);
    for (const [a, b] of edges) if (a !== b) deps[b]!.push(name(a));
    return deps.map((dependsOn, i) => ({ name: name(i), dependsOn }));
  }),
);

/** A directed graph that certainly has a cycle: a random closed walk of ≥ 2 distinct steps plus noise. */
export const cyclicSteps: fc.Arbitrary<StepDecl[]> = fc.integer({ min: 2, max: 30 }).chain((n) =>
  fc
    .record({
      cycle: fc.shuffledSubarray([...Array(n).keys()], { minLength: 2 }),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2, size: "max" }),
    })
    .map(({ cycle, edges }) => {
      const deps: string[][] = Array.from({ length: n }, () => []);
      cycle.forEach((to, k) => deps[to]!.push(name(cycle[(k + cycle.length - 1) % cycle.length]!)));
      for (const [a, b] of edges) if (a !== b) deps[b]!.push(name(a));
      return deps.map((dependsOn, i) => ({ name: name(i), dependsOn }));
    }),
);

// Weighted toward "complete" so that deep steps become ready often enough to be interesting.
const anyState = fc.oneof(
  { weight: 5, arbitrary: fc.constant(STEP_STATES.indexOf("complete")) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: STEP_STATES.length - 1 }) },
);
// Without enqueued/in_progress nothing is "in progress" for free, so the waiting, blocked and
// complete outcomes come up often too.
const quietState = fc.constantFrom(
  ...(["complete", "complete", "complete", "pending", "waiting_for_retry", "error", "resolved_manually", "skipped", "cancelled"] as const).map(
    (s) => STEP_STATES.indexOf(s),
  ),
);

/** A random state vector for a DAG of `n` steps, including inconsistent ones. */
export function stepVector(n: number): fc.Arbitrary<StepVector> {
  return fc.constantFrom(anyState, quietState).chain((stateCode) =>
    fc
      .record({
        states: fc.array(stateCode, { minLength: n, maxLength: n }),
        attempts: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
        maxAttempts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: n, maxLength: n }),
        retryDue: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      })
      .map((r) => ({
        states: Uint8Array.from(r.states),
        attempts: Int32Array.from(r.attempts),
        maxAttempts: Int32Array.from(r.maxAttempts),
        retryDue: Uint8Array.from(r.retryDue),
      })),
  );
}

/** Durations with many ties (small integers) and some fractions, to exercise tie-breaking and float sums. */
export function durations(n: number): fc.Arbitrary<Float64Array> {
  const one = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 1000, noNaN: true }));
  return fc.array(one, { minLength: n, maxLength: n }).map((d) => Float64Array.from(d));
}

/**
 * Inputs for skipClosure on a DAG of `n` steps: a skip mask (about one step in four skipped by
 * earlier decisions, or none) and up to 8 seeds, duplicates and already skipped steps included.
 */
export function skipInputs(n: number): fc.Arbitrary<{ skipped: Uint8Array; seeds: Int32Array }> {
  const mask = fc.oneof(
    fc.constant(new Array<number>(n).fill(0)),
    fc.array(fc.constantFrom(0, 0, 0, 1), { minLength: n, maxLength: n }),
  );
  return fc
    .record({ mask, seeds: fc.array(fc.nat(n - 1), { maxLength: Math.min(n, 8) }) })
    .map(({ mask, seeds }) => ({ skipped: Uint8Array.from(mask), seeds: Int32Array.from(seeds) }));
}
