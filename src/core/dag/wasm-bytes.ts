import { WASM_BASE64 } from "./wasm-bytes.generated.ts";

/**
 * The DAG core module's bytes, decoded from the base64 the build embeds. `atob` exists in Bun,
 * Deno, Node ≥ 16 and edge workers; Buffer would tie the core to Node.
 *
 * @example
 *   const module = await WebAssembly.compile(dagWasmBytes());
 */
export function dagWasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
