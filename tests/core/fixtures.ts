import type { StepDecl } from "../../src/core/dag/index.ts";

/** Shorthand: `graph({ b: ["a"], a: [] })` keeps key order as declaration order. */
export function graph(spec: Record<string, string[]>): StepDecl[] {
  return Object.entries(spec).map(([name, dependsOn]) => ({ name, dependsOn }));
}

export const linear = graph({ a: [], b: ["a"], c: ["b"], d: ["c"] });

export const diamond = graph({ a: [], b: ["a"], c: ["a"], d: ["b", "c"] });

export const tree = graph({ root: [], l: ["root"], r: ["root"], ll: ["l"], lr: ["l"], rl: ["r"], rr: ["r"] });

/** Two independent chains that merge into one final step. */
export const parallelMerge = graph({ a1: [], a2: ["a1"], b1: [], b2: ["b1"], b3: ["b2"], merge: ["a2", "b3"] });

/** The CI pipeline of shared/examples/ci_pipeline.yaml, edges copied by hand. */
export const ciPipeline = graph({
  build_postgres: [],
  code_quality: ["build_postgres"],
  workspace_compile: ["build_postgres"],
  unit_tests: ["workspace_compile"],
  build_workers: ["workspace_compile"],
  worker_tests: ["build_workers"],
  integration_tests_1: ["build_workers"],
  integration_tests_2: ["build_workers"],
  performance_analysis: ["worker_tests", "integration_tests_1", "integration_tests_2"],
  ci_success: ["code_quality", "unit_tests", "performance_analysis"],
});
