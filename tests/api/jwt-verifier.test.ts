import { describe, expect, test } from "bun:test";
import { sign } from "hono/utils/jwt/jwt";
import { ApiError } from "../../src/api/api-error.ts";
import { apiKeyVerifier } from "../../src/api/auth/api-keys.ts";
import { jwtVerifier } from "../../src/api/auth/jwt.ts";
import { allows, unknownGrants } from "../../src/api/auth/permissions.ts";
import { HS_SECRET, hsToken, rsaKeys, rsToken } from "./auth-tokens.ts";

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("expected a rejection");
}

describe("permissions", () => {
  test("exact, resource wildcard and global wildcard grants", () => {
    expect(allows(["tasks:create"], "tasks:create")).toBe(true);
    expect(allows(["tasks:*"], "tasks:cancel")).toBe(true);
    expect(allows(["*"], "system:read")).toBe(true);
    expect(allows(["tasks:*"], "steps:read")).toBe(false);
    expect(allows(["tasks:read"], "tasks:list")).toBe(false);
    expect(allows([], "tasks:read")).toBe(false);
  });

  test("grants that can match nothing are reported", () => {
    expect(unknownGrants(["tasks:*", "*", "steps:resolve", "task:create", "tasks:nuke", "bogus:*"])).toEqual(["task:create", "tasks:nuke", "bogus:*"]);
  });
});

describe("JWT verification", () => {
  test("HS256: subject, grants and namespaces come from the claims", async () => {
    const verify = jwtVerifier({ hs256Secret: HS_SECRET });
    const p = await verify(await hsToken("alice", ["tasks:*"], { namespaces: ["ci"] }));
    expect(p).toEqual({ subject: "alice", via: "jwt", grants: ["tasks:*"], namespaces: ["ci"] });
  });

  test("a space-separated scope claim is read when there is no permissions claim", async () => {
    const verify = jwtVerifier({ hs256Secret: HS_SECRET });
    const token = await sign({ sub: "svc", scope: "tasks:read steps:read" }, HS_SECRET, "HS256");
    expect((await verify(token)).grants).toEqual(["tasks:read", "steps:read"]);
  });

  test("wrong secret, expiry, missing sub and a bad namespaces claim are refused with a reason", async () => {
    const verify = jwtVerifier({ hs256Secret: HS_SECRET });
    const forged = await sign({ sub: "mallory", permissions: ["*"] }, "another-secret-of-enough-length-000", "HS256");
    expect((await rejection(verify(forged))).message).toContain("signature");
    const expired = await sign({ sub: "a", exp: Math.floor(Date.now() / 1000) - 10 }, HS_SECRET, "HS256");
    expect((await rejection(verify(expired))).message).toContain("expired");
    expect((await rejection(verify(await sign({ permissions: ["*"] }, HS_SECRET, "HS256")))).message).toContain("sub");
    expect((await rejection(verify(await hsToken("a", [], { namespaces: "ci" })))).message).toContain("namespaces");
    expect((await rejection(verify("not.a.jwt"))).code).toBe("unauthorized");
    const garbage = await rejection(verify("garbage"));
    expect(garbage.message).toContain("well-formed");
    expect(garbage.message).not.toContain("garbage");
  });

  test("an algorithm without a configured key, including none, is refused", async () => {
    const verify = jwtVerifier({ hs256Secret: HS_SECRET });
    const header = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
    const payload = btoa(JSON.stringify({ sub: "x", permissions: ["*"] })).replace(/=+$/, "");
    expect((await rejection(verify(`${header}.${payload}.`))).message).toContain("not accepted");
    const { privateJwk } = await rsaKeys();
    expect((await rejection(verify(await rsToken(privateJwk, { sub: "x" })))).message).toContain("RS256");
  });

  test("issuer and audience are enforced when configured", async () => {
    const verify = jwtVerifier({ hs256Secret: HS_SECRET, issuer: "https://idp", audience: "tasker" });
    expect((await rejection(verify(await hsToken("a", [], { iss: "https://evil", aud: "tasker" })))).message).toContain("issuer");
    expect((await rejection(verify(await hsToken("a", [], { iss: "https://idp", aud: "other" })))).message).toContain("audience");
    expect((await verify(await hsToken("a", [], { iss: "https://idp", aud: "tasker" }))).subject).toBe("a");
  });

  test("RS256 with a PEM public key, a JWK, and a JWKS matched by kid", async () => {
    const { pem, jwk, privateJwk } = await rsaKeys();
    const token = await rsToken(privateJwk, { sub: "bob", permissions: ["steps:*"] });
    expect((await jwtVerifier({ rs256PublicKey: pem })(token)).subject).toBe("bob");
    expect((await jwtVerifier({ rs256PublicKey: jwk })(token)).subject).toBe("bob");
    const withKid = await rsToken(privateJwk, { sub: "carol" }, "k1");
    expect((await jwtVerifier({ jwks: { keys: [{ ...jwk, kid: "k1" } as JsonWebKey] } })(withKid)).subject).toBe("carol");
    const other = await rsaKeys();
    expect((await rejection(jwtVerifier({ rs256PublicKey: other.pem })(token))).message).toContain("signature");
  });

  test("a JWKS URL is fetched once and cached", async () => {
    const { jwk, privateJwk } = await rsaKeys();
    let fetches = 0;
    const fakeFetch = (async () => {
      fetches++;
      return new Response(JSON.stringify({ keys: [{ ...jwk, kid: "k9" }] }), { headers: { "content-type": "application/json" } });
    }) as unknown as typeof fetch;
    const verify = jwtVerifier({ jwksUrl: "https://idp.example/jwks.json" }, fakeFetch);
    const token = await rsToken(privateJwk, { sub: "dave" }, "k9");
    expect((await verify(token)).subject).toBe("dave");
    expect((await verify(token)).subject).toBe("dave");
    expect(fetches).toBe(1);
  });
});

describe("API keys", () => {
  test("the matching key's name, grants and namespaces become the principal", async () => {
    const verify = apiKeyVerifier([
      { name: "ci-bot", key: "k-ci", permissions: ["tasks:create"], namespaces: ["ci"] },
      { name: "ops", key: "k-ops", permissions: ["*"] },
    ]);
    expect(await verify("k-ci")).toEqual({ subject: "ci-bot", via: "api_key", grants: ["tasks:create"], namespaces: ["ci"] });
    expect((await verify("k-ops"))?.namespaces).toBeNull();
    expect(await verify("k-c")).toBeNull();
    expect(await verify("")).toBeNull();
  });
});
