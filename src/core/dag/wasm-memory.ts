/**
 * Owns the typed-array views over a WASM instance's memory. A `memory.grow` detaches the old
 * ArrayBuffer, so the views are rebuilt whenever the buffer they were made from is no longer the
 * memory's. Buffers are laid out by bumping an address from the module's heap base; each
 * operation starts again from the base, because the module keeps nothing between calls.
 */
export class WasmMemory {
  readonly base: number;
  private readonly memory: WebAssembly.Memory;
  private buffer: ArrayBuffer;
  u8: Uint8Array;
  i32: Int32Array;
  f64: Float64Array;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = align8(base);
    this.buffer = memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  /**
   * Makes sure addresses below `end` exist, growing the memory if needed, and refreshes the views.
   *
   * @example
   *   mem.reserve(end); mem.i32.set(offsets, ptr >> 2);
   */
  reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.u8 = new Uint8Array(this.buffer);
      this.i32 = new Int32Array(this.buffer);
      this.f64 = new Float64Array(this.buffer);
    }
  }

  /** Copies `count` i32 out of the module at byte address `ptr` into a fresh array. */
  readI32(ptr: number, count: number): Int32Array {
    return this.i32.slice(ptr >> 2, (ptr >> 2) + count);
  }

  /** Decodes an AssemblyScript string (UTF-16, byte length in the 4 bytes before it). */
  readString(ptr: number): string {
    if (ptr === 0) return "";
    const bytes = new DataView(this.memory.buffer).getUint32(ptr - 4, true);
    const units = new Uint16Array(this.memory.buffer, ptr, bytes >>> 1);
    let s = "";
    for (let i = 0; i < units.length; i++) s += String.fromCharCode(units[i]!);
    return s;
  }
}

const PAGE = 65536;

/** Rounds a byte address up to a multiple of 8, so any typed array can start there. */
export function align8(x: number): number {
  return (x + 7) & ~7;
}
