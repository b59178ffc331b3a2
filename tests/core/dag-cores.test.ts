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
import { ciPipeline, diamond, linear, parallelMerge, tree } from "./fixtures.ts";

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
      bad(() => core.topoOrder(Int32Array.of(0, 1), Int32Array.of(0), 2));
      bad(() => core.topoOrder(Int32Array.of(0, 1, 1), Int32Array.of(2), 2));
      bad(() => core.topoOrder(Int32Array.of(0, 2, 1), Int32Array.of(1, 1), 2));
    });
  });
}
