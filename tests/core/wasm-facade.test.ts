import { describe, expect, test } from "bun:test";
import {
  compileDag,
  defaultCore,
  DagInputError,
  emptyStepVector,
  instantiateDagModule,
  invertCsr,
  loadWasmCore,
  referenceCore,
  WasmAbortError,
} from "../../src/core/dag/index.ts";
import { createCompiledDag } from "../../src/core/dag/compiled-dag.ts";
import { dagWasmBytes } from "../../src/core/dag/wasm-bytes.ts";
import { WASM_SHA256, WASM_SIZE } from "../../src/core/dag/wasm-bytes.generated.ts";
import { queueWords, wasmCore } from "../../src/core/dag/wasm-core.ts";
import { TaskerError } from "../../src/core/errors.ts";
import { diamond } from "./fixtures.ts";

/** A layered random DAG of n nodes with about 4n edges, as raw child CSR. */
function bigCsr(n: number) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const lists: number[][] = Array.from({ length: n }, () => []);
  for (let c = 1; c < n; c++) for (let k = 0; k < 4; k++) lists[Math.floor(rand() * c)]!.push(c);
  const offsets = new Int32Array(n + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  return { offsets, targets: Int32Array.from(lists.flat()) };
}

describe("WASM facade", () => {
  test("the embedded bytes are the build's: size and SHA-256 match", async () => {
    const bytes = dagWasmBytes();
    expect(bytes.length).toBe(WASM_SIZE);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    expect(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(WASM_SHA256);
  });

  test("the committed module is in step with core-wasm/assembly (build --check)", () => {
    const r = Bun.spawnSync(["bun", "core-wasm/build.ts", "--check"], { stderr: "pipe", stdout: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });

  test("memory grows for a 200k-node graph, views are rebuilt, small calls still work", async () => {
    const inst = await instantiateDagModule();
    const core = wasmCore(inst);
    const dag = compileDag(diamond, { core });
    const before = inst.exports.memory.buffer.byteLength;
    const { offsets, targets } = bigCsr(200_000);
    const order = core.topoOrder(offsets, targets, 200_000);
    expect(inst.exports.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(order).toEqual(referenceCore().topoOrder(offsets, targets, 200_000));
    expect(Array.from(core.readySet(dag, emptyStepVector(4)))).toEqual([0]);
  });

  test("an AssemblyScript abort becomes a WasmAbortError and the instance stays usable", async () => {
    const inst = await instantiateDagModule();
    const base = inst.memory.base;
    let caught: unknown;
    try {
      inst.exports.reach(3, base, base, 7, base, base, base);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WasmAbortError);
    expect(caught).toBeInstanceOf(TaskerError);
    const abort = caught as WasmAbortError;
    expect(abort.code).toBe("wasm_abort");
    expect(abort.message).toContain("start step outside 0..n-1");
    expect(abort.file).toBe("core-wasm/assembly/reach.ts");
    const core = wasmCore(inst);
    expect(Array.from(core.descendants(compileDag(diamond), 0))).toEqual([1, 2, 3]);
  });

  test("skipClosure on a 100k-step DAG: memory grows, one call, same answer as the reference", async () => {
    const inst = await instantiateDagModule();
    const core = wasmCore(inst);
    const n = 100_000;
    const { offsets, targets } = bigCsr(n);
    const topo = referenceCore().analyze(offsets, targets, n);
    if (!topo.ok) throw new Error("bigCsr is acyclic");
    const { childOffsets: parentOffsets, childTargets: parentTargets } = invertCsr(offsets, targets, n);
    const names = Array.from({ length: n }, (_, i) => `s${i}`);
    const dag = createCompiledDag({ names, parentOffsets, parentTargets, childOffsets: offsets, childTargets: targets, ...topo });
    const skipped = new Uint8Array(n);
    for (let i = 3; i < n; i += 7) skipped[i] = 1;
    const seeds = Int32Array.of(1, 2, 5, 5, 40_000);
    const before = inst.exports.memory.buffer.byteLength;
    const got = core.skipClosure(dag, skipped, seeds);
    expect(inst.exports.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(got.length).toBeGreaterThan(4);
    expect(got).toEqual(referenceCore().skipClosure(dag, skipped, seeds));
  });

  test("skipClosure: the facade refuses a seed outside the graph; a raw call with one aborts", async () => {
    const inst = await instantiateDagModule();
    const dag = compileDag(diamond);
    expect(() => wasmCore(inst).skipClosure(dag, new Uint8Array(4), Int32Array.of(4))).toThrow(DagInputError);
    const base = inst.memory.base;
    inst.memory.reserve(base + 64);
    inst.memory.i32[(base >> 2) + 8] = 9; // the one seed, at base + 32
    expect(() => inst.exports.skipClosure(3, base, base, base, base, base + 32, 1, base, base)).toThrow(
      "seed step outside 0..n-1",
    );
  });

  test("a trap on a hand-built inconsistent DAG is typed too", async () => {
    const core = await loadWasmCore();
    const corrupt = createCompiledDag({
      names: ["a", "b"],
      parentOffsets: Int32Array.of(0, 0, 1),
      parentTargets: Int32Array.of(1 << 30),
      childOffsets: Int32Array.of(0, 0, 0),
      childTargets: new Int32Array(0),
      order: Int32Array.of(0, 1),
      levels: Int32Array.of(0, 1),
    });
    expect(() => core.readySet(corrupt, emptyStepVector(2))).toThrow(WasmAbortError);
  });

  test("bad bytes: loadWasmCore rejects, defaultCore falls back to the reference and says why", async () => {
    const junk = Uint8Array.of(0, 97, 115, 109, 9, 9, 9, 9);
    expect(loadWasmCore(junk)).rejects.toBeInstanceOf(WebAssembly.CompileError);
    const reasons: unknown[] = [];
    const core = await defaultCore({ bytes: junk, onFallback: (e) => reasons.push(e) });
    expect(core.kind).toBe("reference");
    expect(reasons.length).toBe(1);
    expect((await defaultCore()).kind).toBe("wasm");
  });

  test("the facade sizes the module's min-queue as the module does", async () => {
    const { exports } = await instantiateDagModule();
    for (const n of [1, 2, 63, 64, 65, 4095, 4096, 4097, 262_144, 262_145, 1_000_000, 20_000_000]) {
      expect(queueWords(n)).toBe(exports.queueWords(n));
    }
  });

  test("each core has its own memory", async () => {
    const a = await instantiateDagModule();
    const b = await instantiateDagModule();
    expect(a.exports.memory).not.toBe(b.exports.memory);
  });
});
