/** One API key: a secret sent as `X-API-Key`, a name recorded as the actor, and its grants. */
export interface ApiKeyConfig {
  /** Recorded as the subject (the actor of cancels and manual step changes). */
  name: string;
  /** The secret itself; compared in constant time through SHA-256 digests. */
  key: string;
  /** e.g. ["tasks:*", "steps:read"]; see auth/permissions.ts. */
  permissions: string[];
  /** Limits the key to these namespaces; omitted means all. */
  namespaces?: string[];
}

/** How bearer JWTs are verified. Configure a secret, a public key, a JWKS, or several. */
export interface JwtConfig {
  /** Shared secret for HS256 tokens. */
  hs256Secret?: string;
  /** Public key for RS256 tokens: a PEM (`-----BEGIN PUBLIC KEY-----`) or a JWK. */
  rs256PublicKey?: string | JsonWebKey;
  /** A JWKS document for RS256 tokens, matched by the token's `kid`. */
  jwks?: { keys: JsonWebKey[] };
  /** A JWKS URL, fetched on first use and cached for `jwksCacheSeconds` (default 600). */
  jwksUrl?: string;
  jwksCacheSeconds?: number;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud` (one of), when set. */
  audience?: string | string[];
  /** Claim holding the grants (default "permissions"); a space-separated `scope` is read as a fallback. */
  permissionsClaim?: string;
  /** Claim holding the namespace restriction (default "namespaces"); absent means all. */
  namespacesClaim?: string;
}

/**
 * Authentication settings. Auth is on whenever a credential source is configured (`jwt` or
 * `apiKeys`) unless `disabled` is true; with neither configured it is off. Deciding whether it
 * may be off (loopback only, or an explicit flag) is the composition root's job.
 */
export interface AuthOptions {
  disabled?: boolean;
  jwt?: JwtConfig;
  apiKeys?: ApiKeyConfig[];
}

/**
 * True when requests must carry credentials.
 *
 * @example
 *   authEnabled({ apiKeys: [{ name: "ci", key: "s3cret", permissions: ["*"] }] }) // true
 *   authEnabled({})                                                             // false
 */
export function authEnabled(options: AuthOptions | undefined): boolean {
  if (!options || options.disabled) return false;
  const jwt = options.jwt;
  const hasJwt = !!jwt && !!(jwt.hs256Secret || jwt.rs256PublicKey || jwt.jwks || jwt.jwksUrl);
  return hasJwt || (options.apiKeys?.length ?? 0) > 0;
}
