// Types for dag-core-smoke.mjs, so the Deno test type-checks with the rest of the project.
export function runSmoke(
  dag: typeof import("../../src/core/dag/index.ts"),
  assert: typeof import("node:assert/strict"),
): Promise<number>;
