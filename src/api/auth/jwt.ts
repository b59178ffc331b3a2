import { decodeHeader, verify } from "hono/utils/jwt/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { ApiError } from "../api-error.ts";
import type { JwtConfig } from "./auth-options.ts";
import type { Principal } from "./principal.ts";

/** Verifies a bearer token and returns its principal; throws `unauthorized` saying why not. */
export type JwtVerifier = (token: string) => Promise<Principal>;

// Hono's JWT errors carry the token in their messages; answer with a reason, never the token.
const REASONS: Readonly<Record<string, string>> = {
  JwtTokenExpired: "the bearer token has expired; obtain a new one",
  JwtTokenNotBefore: "the bearer token is not valid yet (nbf is in the future)",
  JwtTokenIssuedAt: "the bearer token's iat is in the future",
  JwtTokenIssuer: "the bearer token has the wrong issuer",
  JwtTokenAudience: "the bearer token is not meant for this audience",
  JwtPayloadRequiresAud: "the bearer token has no aud claim, and this server requires one",
  JwtTokenSignatureMismatched: "the bearer token's signature does not verify",
  JwtAlgorithmMismatch: "the bearer token's algorithm does not match its key",
};

function unauthorized(message: string): ApiError {
  return new ApiError("unauthorized", message, undefined, { "WWW-Authenticate": 'Bearer realm="tasker", error="invalid_token"' });
}

function stringList(value: unknown): string[] | null {
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return null;
}

interface CachedJwks {
  keys: JsonWebKey[];
  fetchedAt: number;
}

/**
 * Builds a verifier for HS256 (shared secret) and RS256 (PEM, JWK, JWKS or JWKS URL) tokens. The
 * token header's `alg` picks the key; an algorithm with no configured key (including `none`) is
 * refused, so a token cannot choose a weaker check than the server was set up for.
 *
 * @example
 *   const verifyJwt = jwtVerifier({ hs256Secret: "…" });
 *   (await verifyJwt(token)).grants // ["tasks:*"]
 */
export function jwtVerifier(config: JwtConfig, fetchImpl: typeof fetch = fetch): JwtVerifier {
  const permissionsClaim = config.permissionsClaim ?? "permissions";
  const namespacesClaim = config.namespacesClaim ?? "namespaces";
  const cacheMs = (config.jwksCacheSeconds ?? 600) * 1000;
  let remote: Promise<CachedJwks> | null = null;

  async function jwksKeys(): Promise<JsonWebKey[]> {
    const local = config.jwks?.keys ?? [];
    if (!config.jwksUrl) return local;
    const current = remote ? await remote.catch(() => null) : null;
    if (!current || Date.now() - current.fetchedAt > cacheMs) {
      remote = (async () => {
        const res = await fetchImpl(config.jwksUrl!);
        if (!res.ok) throw new Error(`JWKS fetch answered ${res.status}`);
        const body = (await res.json()) as { keys?: JsonWebKey[] };
        return { keys: Array.isArray(body.keys) ? body.keys : [], fetchedAt: Date.now() };
      })();
    }
    try {
      return [...local, ...(await remote!).keys];
    } catch {
      throw unauthorized("the server could not fetch its JWKS to verify the bearer token; try again later");
    }
  }

  async function keyFor(alg: string, kid: string | undefined): Promise<string | JsonWebKey> {
    if (alg === "HS256" && config.hs256Secret) return config.hs256Secret;
    if (alg === "RS256") {
      if (kid !== undefined && (config.jwks || config.jwksUrl)) {
        const key = (await jwksKeys()).find((k) => (k as { kid?: string }).kid === kid);
        if (key) return key;
      }
      if (config.rs256PublicKey) return config.rs256PublicKey;
    }
    throw unauthorized(`bearer tokens signed with ${JSON.stringify(alg)}${kid ? ` (kid ${JSON.stringify(kid)})` : ""} are not accepted here`);
  }

  return async function verifyJwt(token) {
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = decodeHeader(token);
    } catch {
      throw unauthorized("the bearer token is not a well-formed JWT");
    }
    const alg = typeof header.alg === "string" ? header.alg : "none";
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const key = await keyFor(alg, kid);
    let payload: JWTPayload;
    try {
      payload = await verify(token, key as never, {
        alg: alg as "HS256" | "RS256",
        ...(config.issuer ? { iss: config.issuer } : {}),
        ...(config.audience ? { aud: config.audience } : {}),
      });
    } catch (e) {
      throw unauthorized(REASONS[(e as Error).name] ?? "the bearer token is invalid");
    }
    if (typeof payload.sub !== "string" || payload.sub === "") throw unauthorized("the bearer token has no sub claim");
    const grants =
      stringList(payload[permissionsClaim]) ??
      (typeof payload.scope === "string" ? payload.scope.split(/\s+/).filter(Boolean) : []);
    const namespacesValue = payload[namespacesClaim];
    const namespaces = namespacesValue === undefined ? null : stringList(namespacesValue);
    if (namespacesValue !== undefined && namespaces === null) {
      throw unauthorized(`the bearer token's ${namespacesClaim} claim must be an array of namespace names`);
    }
    return Object.freeze({ subject: payload.sub, via: "jwt" as const, grants: Object.freeze(grants), namespaces });
  };
}
