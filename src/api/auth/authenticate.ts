import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error.ts";
import type { ApiEnv } from "../api-env.ts";
import { apiKeyVerifier } from "./api-keys.ts";
import { authEnabled, type AuthOptions } from "./auth-options.ts";
import { jwtVerifier } from "./jwt.ts";
import { ANONYMOUS } from "./principal.ts";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="tasker"' };

/**
 * Establishes the request's principal from `Authorization: Bearer <jwt>` or `X-API-Key: <key>`
 * and stores it as `c.var.principal`. It reads headers only, so it runs before anything parses
 * the body. With auth off every request is the anonymous principal with every permission.
 *
 * @example
 *   app.use("/v1/*", authenticate({ apiKeys: [{ name: "ci", key: "s3cret", permissions: ["*"] }] }))
 */
export function authenticate(options: AuthOptions | undefined): MiddlewareHandler<ApiEnv> {
  const enabled = authEnabled(options);
  const verifyKey = options?.apiKeys?.length ? apiKeyVerifier(options.apiKeys) : null;
  const jwt = options?.jwt;
  const verifyJwt = jwt && (jwt.hs256Secret || jwt.rs256PublicKey || jwt.jwks || jwt.jwksUrl) ? jwtVerifier(jwt) : null;

  return async function authenticateRequest(c, next) {
    if (!enabled) {
      c.set("principal", ANONYMOUS);
      return next();
    }
    const apiKey = c.req.header("x-api-key");
    const authorization = c.req.header("authorization");
    if (apiKey !== undefined) {
      const principal = verifyKey ? await verifyKey(apiKey) : null;
      if (!principal) throw new ApiError("unauthorized", "the X-API-Key header does not match any configured API key", undefined, CHALLENGE);
      c.set("principal", principal);
      return next();
    }
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) throw new ApiError("unauthorized", 'the Authorization header must be "Bearer <token>"', undefined, CHALLENGE);
      if (!verifyJwt) throw new ApiError("unauthorized", "this server accepts API keys only: send X-API-Key", undefined, CHALLENGE);
      c.set("principal", await verifyJwt(match[1]!));
      return next();
    }
    const accepted = [verifyJwt ? "Authorization: Bearer <jwt>" : null, verifyKey ? "X-API-Key: <key>" : null].filter(Boolean).join(" or ");
    throw new ApiError("unauthorized", `authentication required: send ${accepted}`, undefined, CHALLENGE);
  };
}
