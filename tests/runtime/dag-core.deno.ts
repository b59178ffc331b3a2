// Proves the DAG core loads and agrees with its reference under Deno, importing the TypeScript
// sources directly:  deno test --no-check --allow-read --allow-env tests/runtime/dag-core.deno.ts
import assert from "node:assert/strict";
import * as dag from "../../src/core/dag/index.ts";
import { runSmoke } from "./dag-core-smoke.mjs";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

Deno.test("DAG core under Deno: WASM loads from embedded bytes and agrees with the reference", async () => {
  const cases = await runSmoke(dag, assert);
  assert.ok(cases >= 300);
  // skipClosure: of two branches that converge, choosing b skips a alone; the join still runs.
  const g = dag.compileDag([
    { name: "d", dependsOn: [] },
    { name: "a", dependsOn: ["d"] },
    { name: "b", dependsOn: ["d"] },
    { name: "join", dependsOn: ["a", "b"] },
  ]);
  const wasm = await dag.loadWasmCore();
  for (const core of [wasm, dag.referenceCore()]) assert.deepEqual([...core.skipClosure(g, new Uint8Array(4), Int32Array.of(1))], [1]);
});
