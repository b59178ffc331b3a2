// Proves the DAG core loads and agrees with its reference under Node, without Bun:
//   node --test tests/runtime/dag-core.node.mjs
// Node 20 cannot import TypeScript, so the facade is first compiled to JavaScript with the
// project's own TypeScript compiler (which runs on Node), into a temporary directory.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runSmoke } from "./dag-core-smoke.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "dag-core-node-"));
after(() => rmSync(out, { recursive: true, force: true }));

test("DAG core under Node: WASM loads from embedded bytes and agrees with the reference", async () => {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [
    tsc, join(root, "src/core/dag/index.ts"),
    "--outDir", out, "--rootDir", join(root, "src"),
    "--module", "esnext", "--target", "es2022", "--moduleResolution", "bundler",
    "--rewriteRelativeImportExtensions", "--lib", "es2023,dom", "--skipLibCheck", "--strict",
  ], { stdio: "inherit" });
  const dag = await import(pathToFileURL(join(out, "core/dag/index.js")).href);
  const cases = await runSmoke(dag, assert);
  assert.ok(cases >= 300);
});
