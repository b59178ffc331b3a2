import { describe, expect, test } from "bun:test";
import { compileDag, DagValidationError } from "../../src/core/dag/index.ts";
import { TaskerError } from "../../src/core/errors.ts";
import { ciPipeline, diamond, graph, linear, parallelMerge, tree } from "./fixtures.ts";

const names = (dag: { names: readonly string[] }, idx: Int32Array) => Array.from(idx, (i) => dag.names[i]);

function validationError(fn: () => unknown): DagValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DagValidationError);
    expect(e).toBeInstanceOf(TaskerError);
    expect((e as DagValidationError).code).toBe("dag_invalid");
    return e as DagValidationError;
  }
  throw new Error("expected a DagValidationError");
}

describe("compileDag on hand-made graphs", () => {
  test("linear chain keeps declaration order and counts levels", () => {
    const dag = compileDag(linear);
    expect(dag.size).toBe(4);
    expect(Array.from(dag.order)).toEqual([0, 1, 2, 3]);
    expect(Array.from(dag.levels)).toEqual([0, 1, 2, 3]);
    expect(Array.from(dag.roots)).toEqual([0]);
    expect(dag.indexOf.get("c")).toBe(2);
  });

  test("diamond: parents in dependsOn order, children ascending", () => {
    const dag = compileDag(diamond);
    expect(Array.from(dag.parentsOf(3))).toEqual([1, 2]);
    expect(Array.from(dag.childrenOf(0))).toEqual([1, 2]);
    expect(Array.from(dag.levels)).toEqual([0, 1, 1, 2]);
  });

  test("tree levels", () => {
    const dag = compileDag(tree);
    expect(Array.from(dag.levels)).toEqual([0, 1, 1, 2, 2, 2, 2]);
  });

  test("parallel merge: two roots, merge waits for both chains", () => {
    const dag = compileDag(parallelMerge);
    expect(names(dag, dag.roots)).toEqual(["a1", "b1"]);
    expect(dag.levels[dag.indexOf.get("merge")!]).toBe(3);
    expect(names(dag, dag.order)).toEqual(["a1", "a2", "b1", "b2", "b3", "merge"]);
  });

  test("CI pipeline", () => {
    const dag = compileDag(ciPipeline);
    expect(names(dag, dag.order)).toEqual(ciPipeline.map((s) => s.name));
    const level = (n: string) => dag.levels[dag.indexOf.get(n)!];
    expect(level("build_postgres")).toBe(0);
    expect(level("integration_tests_2")).toBe(3);
    expect(level("performance_analysis")).toBe(4);
    expect(level("ci_success")).toBe(5);
    expect(names(dag, dag.parentsOf(dag.indexOf.get("ci_success")!))).toEqual(["code_quality", "unit_tests", "performance_analysis"]);
  });

  test("declared out of order: earliest declared free step goes first", () => {
    const dag = compileDag(graph({ deploy: ["test"], test: ["build"], lint: [], build: [] }));
    expect(names(dag, dag.order)).toEqual(["lint", "build", "test", "deploy"]);
  });

  test("a dependency listed twice counts once", () => {
    const dag = compileDag(graph({ a: [], b: ["a", "a"] }));
    expect(Array.from(dag.parentTargets)).toEqual([0]);
    expect(Array.from(dag.childTargets)).toEqual([1]);
  });
});

describe("compileDag refuses invalid templates and names the culprit", () => {
  test("empty", () => {
    expect(validationError(() => compileDag([])).kind).toBe("empty");
  });

  test("duplicate step", () => {
    const e = validationError(() => compileDag(graph({ build: [] }).concat(graph({ build: [] }))));
    expect(e.kind).toBe("duplicate_step");
    expect(e.message).toBe('duplicate step name "build"');
    expect(e.steps).toEqual(["build"]);
  });

  test("self loop", () => {
    const e = validationError(() => compileDag(graph({ a: ["a"] })));
    expect(e.kind).toBe("self_loop");
    expect(e.message).toBe('step "a" depends on itself');
  });

  test("missing dependency", () => {
    const e = validationError(() => compileDag(graph({ build: [], deploy: ["biuld"] })));
    expect(e.kind).toBe("missing_dependency");
    expect(e.message).toBe('step "deploy" depends on missing step "biuld"');
    expect(e.steps).toEqual(["deploy"]);
  });

  test("every missing dependency is named, each offending step once", () => {
    const e = validationError(() => compileDag(graph({ a: [], b: ["x", "y"], c: ["a", "z"] })));
    expect(e.message).toBe('step "b" depends on missing step "x"; step "b" depends on missing step "y"; step "c" depends on missing step "z"');
    expect(e.steps).toEqual(["b", "c"]);
  });

  test("a self-loop is reported before missing dependencies", () => {
    const e = validationError(() => compileDag(graph({ a: ["nope"], b: ["b"] })));
    expect(e.kind).toBe("self_loop");
    expect(e.steps).toEqual(["b"]);
  });

  test("cycle is reported as a path in execution order", () => {
    const e = validationError(() => compileDag(graph({ a: ["c"], b: ["a"], c: ["b"], d: [] })));
    expect(e.kind).toBe("cycle");
    expect(e.message).toBe("cycle: a → b → c → a");
    expect(e.cycle).toEqual(["a", "b", "c", "a"]);
    expect(e.steps).toEqual(["a", "b", "c"]);
  });

  test("cycle behind a valid prefix", () => {
    const e = validationError(() => compileDag(graph({ root: [], x: ["root", "y"], y: ["x"], tail: ["y"] })));
    expect(e.cycle).toEqual(["x", "y", "x"]);
  });
});
