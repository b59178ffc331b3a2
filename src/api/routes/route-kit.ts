import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Engine } from "../../engine/types.ts";
import type { ApiEnv } from "../api-env.ts";
import type { Permission } from "../auth/permissions.ts";
import { requirePermission } from "../auth/require-permission.ts";
import type { ApiMetrics } from "../metrics/api-metrics.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { ApiRegistry, ResolvedApiOptions } from "../options.ts";
import { errorResponse } from "../schemas/error.ts";

/** The app every route file registers on. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** What route files need; handed down by createApp, never imported as singletons. */
export interface RouteDeps {
  engine: Engine;
  registry: ApiRegistry;
  options: ResolvedApiOptions;
  metrics: ApiMetrics;
}

/** Either credential works on every protected route. */
/** A JSON response entry of a route's OpenAPI `responses`. */
export const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

export const SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }];

/** 401 and 403, which every protected route can answer. */
export const AUTH_ERRORS = {
  401: errorResponse("No credentials, or credentials that do not verify (unauthorized)"),
  403: errorResponse("The credential lacks the permission, or the namespace (forbidden, namespace_forbidden)"),
} as const;

export const VALIDATION_ERROR = { 400: errorResponse("The request is malformed (validation_failed, malformed_json, name_invalid)") } as const;

/**
 * Route middleware of a protected route, in the order that keeps unauthenticated callers from
 * costing anything: permission, then (for routes with a body) the size limit and JSON parsing.
 *
 * @example
 *   createRoute({ …, middleware: guard("tasks:create", { body: "required", maxBytes }) })
 */
export function guard(permission: Permission, body?: { body: "required" | "optional"; maxBytes: number }): MiddlewareHandler<ApiEnv>[] {
  const chain: MiddlewareHandler<ApiEnv>[] = [requirePermission(permission)];
  if (body) chain.push(limitBody(body.maxBytes), jsonBody({ required: body.body === "required" }));
  return chain;
}

/**
 * The actor recorded for a manual operation. With auth on, the credential's subject is the
 * actor; a different `actor` in the body is kept beside it instead of replacing it, so the
 * audit trail cannot be forged by a body field.
 *
 * @example
 *   auditActor({ subject: "ci-bot", via: "api_key", … }, "alice") // "ci-bot (for alice)"
 */
export function auditActor(principal: { subject: string; via: string }, claimed: string | undefined): string {
  if (principal.via === "none") return claimed ?? principal.subject;
  if (claimed === undefined || claimed === principal.subject) return principal.subject;
  return `${principal.subject} (for ${claimed})`;
}
