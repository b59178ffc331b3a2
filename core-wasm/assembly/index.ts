// The DAG core's WebAssembly surface. Every export takes counts and byte addresses into this
// module's memory, which the TypeScript facade (src/core/dag/wasm-core.ts) lays out and fills;
// nothing here allocates, so the module keeps no state between calls.
export { analyze } from "./topo";
export { queueWords } from "./min-queue";
export { readySet, blockedSet, outcome } from "./readiness";
export { reach } from "./reach";
export { skipClosure } from "./skip-closure";
export { criticalPath } from "./critical-path";

/** First free byte after the static data: the facade lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}
