import { WasmAbortError } from "./errors.ts";
import { dagWasmBytes } from "./wasm-bytes.ts";
import { WasmMemory } from "./wasm-memory.ts";

/** The module's exports: counts and byte addresses in, counts or codes out (core-wasm/assembly/index.ts). */
export interface DagExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  analyze(n: number, off: number, tgt: number, order: number, levels: number, scratch: number, bits: number): number;
  queueWords(n: number): number;
  readySet(n: number, pOff: number, pTgt: number, states: number, attempts: number, maxAttempts: number, retryDue: number, out: number): number;
  blockedSet(n: number, pOff: number, pTgt: number, order: number, states: number, attempts: number, maxAttempts: number, out: number, flags: number): number;
  outcome(n: number, pOff: number, pTgt: number, order: number, states: number, attempts: number, maxAttempts: number, retryDue: number, flags: number): number;
  reach(n: number, off: number, tgt: number, start: number, out: number, seen: number, stack: number): number;
  skipClosure(n: number, pOff: number, pTgt: number, order: number, skipped: number, seeds: number, seedCount: number, out: number, flags: number): number;
  criticalPath(n: number, pOff: number, pTgt: number, order: number, durations: number, out: number, lengthOut: number, dist: number, pred: number): number;
}

export interface DagInstance {
  exports: DagExports;
  memory: WasmMemory;
}

// The compiled module is immutable and shareable, so compiling the embedded bytes once per
// process is safe; every instance (and so every DagCore) still gets its own memory.
let embedded: Promise<WebAssembly.Module> | undefined;

function embeddedModule(): Promise<WebAssembly.Module> {
  embedded ??= WebAssembly.compile(dagWasmBytes()).catch((e) => {
    embedded = undefined;
    throw e;
  });
  return embedded;
}

/**
 * Instantiates the DAG core module from bytes (default: the bytes embedded at build time) with an
 * `env.abort` that throws WasmAbortError, and wraps its memory.
 *
 * @example
 *   const { exports, memory } = await instantiateDagModule();
 */
export async function instantiateDagModule(bytes?: Uint8Array): Promise<DagInstance> {
  const module = bytes ? await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>) : await embeddedModule();
  let memory: WasmMemory | undefined;
  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const text = (p: number) => (memory ? memory.readString(p) : `<string at ${p}>`);
        throw new WasmAbortError(text(message), text(file), line, column);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as DagExports;
  memory = new WasmMemory(exports.memory, exports.heapBase());
  return { exports, memory };
}
