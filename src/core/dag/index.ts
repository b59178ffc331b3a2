/**
 * The DAG core: compile a template's steps once, then answer "what runs next" from step states.
 *
 * @example
 *   import { compileDag, defaultCore, emptyStepVector, StepStateCode } from "./core/dag/index.ts";
 *   const dag = compileDag([{ name: "a", dependsOn: [] }, { name: "b", dependsOn: ["a"] }]);
 *   const core = await defaultCore();
 *   const v = emptyStepVector(dag.size, 3);
 *   v.states[0] = StepStateCode.complete;
 *   core.readySet(dag, v); // Int32Array [1]
 */
export {
  STEP_STATES,
  StepStateCode,
  TASK_OUTCOMES,
  emptyStepVector,
  type StepState,
  type StepVector,
  type TaskOutcome,
} from "./step-state.ts";
export { DagValidationError, DagInputError, WasmAbortError, type DagValidationKind } from "./errors.ts";
export type { CompiledDag } from "./compiled-dag.ts";
export type { DagCore, TopoAnalysis } from "./dag-core.ts";
export { compileDag, invertCsr, type StepDecl, type CompileOptions } from "./compile-dag.ts";
export { referenceCore } from "./reference-core.ts";
export { defaultCore, type DefaultCoreOptions } from "./default-core.ts";
export { loadWasmCore } from "./wasm-core.ts";
export { instantiateDagModule, type DagExports, type DagInstance } from "./wasm-instance.ts";
