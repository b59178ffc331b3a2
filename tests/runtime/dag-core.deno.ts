// Proves the DAG core loads and agrees with its reference under Deno, importing the TypeScript
// sources directly:  deno test --no-check --allow-read --allow-env tests/runtime/dag-core.deno.ts
import assert from "node:assert/strict";
import * as dag from "../../src/core/dag/index.ts";
import { runSmoke } from "./dag-core-smoke.mjs";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

Deno.test("DAG core under Deno: WASM loads from embedded bytes and agrees with the reference", async () => {
  const cases = await runSmoke(dag, assert);
  assert.ok(cases >= 300);
});
