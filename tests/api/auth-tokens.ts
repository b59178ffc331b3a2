import { sign } from "hono/utils/jwt/jwt";

export const HS_SECRET = "test-secret-at-least-32-characters-long!";

/** An HS256 token for `sub` with `permissions` (and `namespaces` when given), valid for an hour. */
export function hsToken(sub: string, permissions: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub, permissions, iat: now, exp: now + 3600, ...extra }, HS_SECRET, "HS256");
}

/** A fresh RS256 key pair with its public key as PEM and as JWK. */
export async function rsaKeys() {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki)).replace(/.{64}/g, "$&\n")}\n-----END PUBLIC KEY-----`;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { pair, pem, jwk, privateJwk };
}

/** An RS256 token signed with `privateJwk`, with `kid` in the header when given. */
export function rsToken(privateJwk: JsonWebKey, claims: Record<string, unknown>, kid?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = kid ? { ...privateJwk, kid, alg: "RS256" } : { ...privateJwk, alg: "RS256" };
  return sign({ iat: now, exp: now + 3600, ...claims }, key, "RS256");
}
