import { TaskerError } from "../errors.ts";

export type DagValidationKind = "cycle" | "missing_dependency" | "duplicate_step" | "self_loop" | "empty";

/**
 * A task template's steps do not form a valid DAG. `steps` names the offending steps; for a cycle,
 * `cycle` is the path in execution order with its first name repeated at the end.
 *
 * @example
 *   try { compileDag(steps) } catch (e) {
 *     if (e instanceof DagValidationError && e.kind === "cycle") console.log(e.cycle); // ["a","b","a"]
 *   }
 */
export class DagValidationError extends TaskerError {
  readonly kind: DagValidationKind;
  readonly steps: string[];
  readonly cycle: string[] | undefined;

  constructor(kind: DagValidationKind, message: string, steps: string[], cycle?: string[]) {
    super("dag_invalid", message, cycle ? { kind, steps, cycle } : { kind, steps });
    this.kind = kind;
    this.steps = steps;
    this.cycle = cycle;
  }
}

/**
 * Arguments handed to a DagCore operation do not fit the DAG: wrong array lengths, an unknown state
 * code, a step index out of range, a malformed CSR. Raised before anything crosses into WASM.
 */
export class DagInputError extends TaskerError {
  constructor(message: string) {
    super("dag_input_invalid", message);
  }
}

/**
 * The AssemblyScript module called `abort` (an assertion inside the core failed). The instance
 * holds no state between calls, so it stays usable; the input that caused it is the bug.
 */
export class WasmAbortError extends TaskerError {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(message: string, file: string, line: number, column: number) {
    super("wasm_abort", `DAG core aborted: ${message} (${file}:${line}:${column})`, { file, line, column });
    this.file = file;
    this.line = line;
    this.column = column;
  }
}
