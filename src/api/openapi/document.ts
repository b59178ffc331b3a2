import type { ApiApp } from "../routes/route-kit.ts";

/** The OpenAPI document object as the generator returns it. */
export type OpenApiDocument = ReturnType<ApiApp["getOpenAPI31Document"]>;

/**
 * Registers the two credential schemes the API accepts, so that routes can refer to them.
 *
 * @example
 *   registerSecuritySchemes(app)
 */
export function registerSecuritySchemes(app: ApiApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "HS256 or RS256 JWT; `sub` is the actor, `permissions` the grants, optional `namespaces` limits them",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "A configured API key with its own grants and optional namespace limit",
  });
}

/**
 * The OpenAPI 3.1 document of the app, generated from the same zod schemas that validate
 * requests. Built once per app: routes do not change after createApp.
 *
 * @example
 *   const doc = openApiDocument(app, "0.1.0");
 *   Object.keys(doc.paths ?? {}) // ["/v1/tasks", "/v1/tasks/summary", …]
 */
export function openApiDocument(app: ApiApp, version: string): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "tasker-edge",
      version,
      description:
        "DAG workflow orchestration. Bodies are JSON with snake_case fields; every error is `{ error: { code, message, details? } }` with a stable `code`. See docs/api.md for a tour.",
    },
    tags: [
      { name: "tasks", description: "Create, list, inspect and cancel tasks" },
      { name: "steps", description: "A task's steps, manual retry/resolve/complete, audit trail" },
      { name: "templates", description: "Handler discovery: namespaces, templates, dependency graphs" },
      { name: "events", description: "Lifecycle events as server-sent events" },
      { name: "health", description: "Liveness, readiness, status and metrics" },
      { name: "docs", description: "This document and its HTML rendering" },
    ],
  });
}
