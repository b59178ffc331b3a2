import type { IdentityStrategy } from "../core/template/task-spec.ts";
import { TaskerError } from "../core/errors.ts";

/**
 * The identity hash that deduplicates submissions (unique per namespace + task name):
 * a caller's idempotency key always wins; otherwise `strict` hashes the version and the
 * canonical JSON of the context, `unique` yields none (every submission is new), and `caller`
 * refuses a submission without a key.
 *
 * @example
 *   await identityHash("strict", { version: "1.0.0", context: { a: 1 } }) // "9f…"
 */
export async function identityHash(
  strategy: IdentityStrategy,
  input: { version: string; context: unknown; idempotencyKey?: string },
): Promise<string | null> {
  if (input.idempotencyKey !== undefined) return sha256(`key:${input.idempotencyKey}`);
  if (strategy === "unique") return null;
  if (strategy === "caller") {
    throw new TaskerError("idempotency_key_required", "this task's identity strategy is \"caller\": send an idempotency_key");
  }
  return sha256(`strict:${input.version}:${canonicalJson(input.context)}`);
}

/** JSON with object keys sorted at every depth, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
