import type { DagCore } from "./dag-core.ts";
import { referenceCore } from "./reference-core.ts";
import { loadWasmCore } from "./wasm-core.ts";

export interface DefaultCoreOptions {
  /** Module bytes to use instead of the embedded build. */
  bytes?: Uint8Array;
  /** Told why WASM could not be used, e.g. to log it once; the reference core is returned instead. */
  onFallback?: (error: unknown) => void;
}

/**
 * The WASM core, or the TypeScript reference where WebAssembly cannot be instantiated (a runtime
 * that forbids compiling it, a broken build). Each call returns a new core with its own memory;
 * callers keep the one they get (the engine builds one in its composition root).
 *
 * @example
 *   const core = await defaultCore({ onFallback: (e) => log.warn("DAG core in TypeScript", e) });
 *   core.kind; // "wasm"
 */
export async function defaultCore(options: DefaultCoreOptions = {}): Promise<DagCore> {
  try {
    return await loadWasmCore(options.bytes);
  } catch (e) {
    options.onFallback?.(e);
    return referenceCore();
  }
}
