import type { ApiKeyConfig } from "./auth-options.ts";
import type { Principal } from "./principal.ts";

async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

// Comparing fixed-length digests, every byte every time, keeps the comparison's duration
// independent of how much of a guessed key is right.
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Looks up the principal for a presented API key, or null when no configured key matches. */
export type ApiKeyVerifier = (presented: string) => Promise<Principal | null>;

/**
 * Builds a verifier over the configured keys. Digests of the configured keys are computed once;
 * every configured key is compared for every request, so timing does not reveal which matched.
 *
 * @example
 *   const verify = apiKeyVerifier([{ name: "ci", key: "s3cret", permissions: ["tasks:*"] }]);
 *   (await verify("s3cret"))?.subject // "ci"
 */
export function apiKeyVerifier(keys: readonly ApiKeyConfig[]): ApiKeyVerifier {
  const digests = Promise.all(keys.map((k) => sha256(k.key)));
  return async function verifyApiKey(presented) {
    const [known, digest] = await Promise.all([digests, sha256(presented)]);
    let match: ApiKeyConfig | null = null;
    known.forEach((d, i) => {
      if (constantTimeEqual(d, digest)) match ??= keys[i]!;
    });
    if (!match) return null;
    const key: ApiKeyConfig = match;
    return Object.freeze({
      subject: key.name,
      via: "api_key" as const,
      grants: Object.freeze([...key.permissions]),
      namespaces: key.namespaces ? Object.freeze([...key.namespaces]) : null,
    });
  };
}
