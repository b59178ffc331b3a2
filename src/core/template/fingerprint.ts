import type { StepDefinition } from "./task-spec.ts";

/*
 * FNV-1a, 64 bit, over UTF-8: pure arithmetic, synchronous and identical on every runtime (WebCrypto
 * digests are async). It identifies a structure, it does not defend against an adversary, and a
 * template version has tens of steps, not billions, so 64 bits leave collisions out of reach.
 */
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * A stable hash of a template's shape: step names in declaration order (that order is the index
 * the engine stores) and each step's dependencies. Retry policies, timeouts and handlers are left
 * out: changing them does not change how stored steps map onto the DAG.
 *
 * @example
 *   structureFingerprint([{ name: "a", dependsOn: [] }, { name: "b", dependsOn: ["a"] }]) // "3f2a…" (16 hex digits)
 */
export function structureFingerprint(steps: readonly Pick<StepDefinition, "name" | "dependsOn">[]): string {
  const canonical = steps.map((s) => `${s.name}<${[...new Set(s.dependsOn)].sort().join(",")}`).join(";");
  return fnv1a64(canonical);
}
