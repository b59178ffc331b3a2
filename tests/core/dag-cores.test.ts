import { describe, expect, test } from "bun:test";
import {
  compileDag,
  DagInputError,
  emptyStepVector,
  loadWasmCore,
  referenceCore,
  StepStateCode,
  STEP_STATES,
  type CompiledDag,
  type StepState,
  type StepVector,
} from "../../src/core/dag/index.ts";
import { ciPipeline, diamond, graph, linear, parallelMerge, tree } from "./fixtures.ts";

/** A decision step with three branches that converge; below b1 a chain, and a step on b1 and b2. */
const branches = graph({
  decide: [],
  b1: ["decide"],
  b2: ["decide"],
  b3: ["decide"],
  join: ["b1", "b2", "b3"],
  b1x: ["b1"],
  b1y: ["b1x"],
  mixed: ["b1", "b2"],
  tail: ["join"],
});

const cores = [referenceCore(), await loadWasmCore()];

/** A vector where the named steps have the given states and everything else is pending. */
function vector(dag: CompiledDag, states: Record<string, StepState>, maxAttempts = 3): StepVector {
  const v = emptyStepVector(dag.size, maxAttempts);
  for (const [name, s] of Object.entries(states)) v.states[dag.indexOf.get(name)!] = StepStateCode[s];
  return v;
}
const named = (dag: CompiledDag, idx: Int32Array) => Array.from(idx, (i) => dag.names[i]);

for (const core of cores) {
  describe(`${core.kind} core on hand-made graphs`, () => {
    test("linear: one step at a time", () => {
      const dag = compileDag(linear);
      expect(named(dag, core.readySet(dag, vector(dag, {})))).toEqual(["a"]);
      expect(named(dag, core.readySet(dag, vector(dag, { a: "complete", b: "complete" })))).toEqual(["c"]);
      expect(core.outcome(dag, vector(dag, { a: "complete", b: "complete", c: "complete", d: "skipped" }))).toBe("complete");
    });

    test("diamond: the join waits for both branches", () => {
      const dag = compileDag(diamond);
      expect(named(dag, core.readySet(dag, vector(dag, { a: "complete" })))).toEqual(["b", "c"]);
      expect(named(dag, core.readySet(dag, vector(dag, { a: "complete", b: "complete", c: "in_progress" })))).toEqual([]);
      expect(named(dag, core.readySet(dag, vector(dag, { a: "complete", b: "complete", c: "resolved_manually" })))).toEqual(["d"]);
    });

    test("tree: a failed branch blocks only its own subtree", () => {
      const dag = compileDag(tree);
      const v = vector(dag, { root: "complete", l: "error", r: "complete" });
      expect(named(dag, core.readySet(dag, v))).toEqual(["rl", "rr"]);
      expect(named(dag, core.blockedSet(dag, v))).toEqual(["ll", "lr"]);
      expect(core.outcome(dag, v)).toBe("in_progress");
      const done = vector(dag, { root: "complete", l: "error", r: "complete", rl: "complete", rr: "complete" });
      expect(core.outcome(dag, done)).toBe("blocked");
    });

    test("parallel merge: descendants, ancestors and the critical path", () => {
      const dag = compileDag(parallelMerge);
      const idx = (n: string) => dag.indexOf.get(n)!;
      expect(named(dag, core.descendants(dag, idx("b1")))).toEqual(["b2", "b3", "merge"]);
      expect(named(dag, core.ancestors(dag, idx("merge")))).toEqual(["a1", "a2", "b1", "b2", "b3"]);
      expect(core.descendants(dag, idx("merge")).length).toBe(0);
      const short = core.criticalPath(dag, Float64Array.of(1, 1, 1, 1, 1, 1));
      expect(named(dag, short.path)).toEqual(["b1", "b2", "b3", "merge"]);
      expect(short.length).toBe(4);
      const slowA = core.criticalPath(dag, Float64Array.of(10, 1, 1, 1, 1, 1));
      expect(named(dag, slowA.path)).toEqual(["a1", "a2", "merge"]);
      expect(slowA.length).toBe(12);
    });

    test("CI pipeline: retries, exhaustion and manual resolution", () => {
      const dag = compileDag(ciPipeline);
      const upToWorkers = { build_postgres: "complete", code_quality: "complete", workspace_compile: "complete", unit_tests: "complete", build_workers: "complete" } as const;
      const v = vector(dag, { ...upToWorkers, worker_tests: "waiting_for_retry", integration_tests_1: "complete", integration_tests_2: "complete" });
      const wt = dag.indexOf.get("worker_tests")!;
      v.attempts[wt] = 1;
      expect(core.outcome(dag, v)).toBe("waiting");
      expect(core.readySet(dag, v).length).toBe(0);
      v.retryDue[wt] = 1;
      expect(named(dag, core.readySet(dag, v))).toEqual(["worker_tests"]);
      v.attempts[wt] = 3; // no attempts left: counts as failed
      expect(core.readySet(dag, v).length).toBe(0);
      expect(named(dag, core.blockedSet(dag, v))).toEqual(["performance_analysis", "ci_success"]);
      expect(core.outcome(dag, v)).toBe("blocked");
      v.states[wt] = StepStateCode.resolved_manually;
      expect(named(dag, core.readySet(dag, v))).toEqual(["performance_analysis"]);
      expect(core.blockedSet(dag, v).length).toBe(0);
    });

    test("cancelled blocks; a manually resolved step between unblocks", () => {
      const dag = compileDag(linear);
      expect(named(dag, core.blockedSet(dag, vector(dag, { a: "cancelled" })))).toEqual(["b", "c", "d"]);
      expect(named(dag, core.blockedSet(dag, vector(dag, { a: "error", b: "resolved_manually" })))).toEqual([]);
      expect(named(dag, core.readySet(dag, vector(dag, { a: "error", b: "resolved_manually" })))).toEqual(["c"]);
    });

    test("skipClosure: unchosen branches and what hangs only from them are skipped, convergence runs", () => {
      const dag = compileDag(branches);
      const idx = (...names: string[]) => Int32Array.from(names, (n) => dag.indexOf.get(n)!);
      const none = new Uint8Array(dag.size);
      const skip = (skipped: Uint8Array, ...seeds: string[]) => named(dag, core.skipClosure(dag, skipped, idx(...seeds)));
      // Choosing b1 of three: b2 and b3 go, join still has b1 and mixed still has b1.
      expect(skip(none, "b2", "b3")).toEqual(["b2", "b3"]);
      // Choosing b3: the chain below b1 goes entirely, and mixed (b1 and b2 both unchosen) with it.
      expect(skip(none, "b1", "b2")).toEqual(["b1", "b2", "b1x", "b1y", "mixed"]);
      // Duplicates, in any order, change nothing; no seeds skip nothing.
      expect(skip(none, "b2", "b1", "b2", "b1")).toEqual(["b1", "b2", "b1x", "b1y", "mixed"]);
      expect(skip(none)).toEqual([]);
      // A later decision: b1 and its chain were skipped before, so skipping b2 and b3 now takes join
      // and its tail; the earlier skipped steps are not returned again, not even as a seed.
      const earlier = new Uint8Array(dag.size);
      for (const i of idx("b1", "b1x", "b1y")) earlier[i] = 1;
      const before = earlier.slice();
      expect(skip(earlier, "b2", "b3", "b1")).toEqual(["b2", "b3", "join", "mixed", "tail"]);
      expect(earlier).toEqual(before);
      // A root is skipped only as a seed; then everything below it goes.
      expect(skip(none, "decide")).toEqual([...dag.names]);
    });

    test("skipClosure: a root never becomes skipped through others", () => {
      const dag = compileDag(parallelMerge);
      const seeds = Int32Array.of(dag.indexOf.get("a1")!);
      expect(named(dag, core.skipClosure(dag, new Uint8Array(dag.size), seeds))).toEqual(["a1", "a2"]);
    });

    test("topoOrder on a raw CSR; null for a cycle", () => {
      expect(core.topoOrder(Int32Array.of(0, 0, 1, 2), Int32Array.of(0, 1), 3)).toEqual(Int32Array.of(2, 1, 0));
      expect(core.topoOrder(Int32Array.of(0, 1, 2, 2), Int32Array.of(2, 0), 3)).toEqual(Int32Array.of(1, 0, 2));
      expect(core.topoOrder(Int32Array.of(0, 1, 2), Int32Array.of(1, 0), 2)).toBeNull();
      expect(core.topoOrder(new Int32Array(1), new Int32Array(0), 0)).toEqual(new Int32Array(0));
    });

    test("inputs that do not fit the DAG are refused with DagInputError", () => {
      const dag = compileDag(diamond);
      const bad = (fn: () => unknown) => expect(fn).toThrow(DagInputError);
      bad(() => core.readySet(dag, emptyStepVector(3)));
      const v = emptyStepVector(4);
      v.states[2] = STEP_STATES.length;
      bad(() => core.readySet(dag, v));
      bad(() => core.blockedSet(dag, v));
      bad(() => core.outcome(dag, v));
      expect(() => core.readySet(dag, v)).toThrow("step 2 has unknown state code 10");
      bad(() => core.descendants(dag, 4));
      bad(() => core.ancestors(dag, -1));
      bad(() => core.criticalPath(dag, new Float64Array(3)));
      bad(() => core.criticalPath(dag, Float64Array.of(1, NaN, 1, 1)));
      bad(() => core.criticalPath(dag, Float64Array.of(1, 1, -1, 1)));
      bad(() => core.skipClosure(dag, new Uint8Array(3), Int32Array.of(1)));
      bad(() => core.skipClosure(dag, new Uint8Array(4), Int32Array.of(1, 4)));
      bad(() => core.skipClosure(dag, new Uint8Array(4), Int32Array.of(-1)));
      expect(() => core.skipClosure(dag, Uint8Array.of(0, 0, 2, 0), new Int32Array(0))).toThrow("skipped[2] is 2");
      bad(() => core.topoOrder(Int32Array.of(0, 1), Int32Array.of(0), 2));
      bad(() => core.topoOrder(Int32Array.of(0, 1, 1), Int32Array.of(2), 2));
      bad(() => core.topoOrder(Int32Array.of(0, 2, 1), Int32Array.of(1, 1), 2));
    });
  });
}
