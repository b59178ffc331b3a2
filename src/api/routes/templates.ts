import { createRoute } from "@hono/zod-openapi";
import { assertNamespace, assertUnrestricted, mayAccessNamespace } from "../auth/require-permission.ts";
import { errorResponse } from "../schemas/error.ts";
import {
  HandlerListSchema,
  NamespaceListSchema,
  NamespaceParams,
  RescanReportSchema,
  TemplateDescriptionSchema,
  TemplateParams,
  TemplateQuery,
} from "../schemas/template.ts";
import { AUTH_ERRORS, guard, SECURITY, VALIDATION_ERROR, type ApiApp, type RouteDeps, json } from "./route-kit.ts";

/**
 * Handler discovery: namespaces, handlers in a namespace, one template with its dependency
 * graph and context schema, and a rescan of handlers/ without restart.
 *
 * @example
 *   registerTemplateRoutes(app, deps)
 */
export function registerTemplateRoutes(app: ApiApp, { registry }: RouteDeps): void {
  const namespaces = createRoute({
    method: "get",
    path: "/v1/templates",
    tags: ["templates"],
    summary: "Namespaces with their handler counts, and files that failed to load",
    security: SECURITY,
    middleware: guard("templates:read"),
    responses: { 200: json(NamespaceListSchema, "Namespaces"), ...AUTH_ERRORS },
  });
  app.openapi(namespaces, (c) => {
    const principal = c.get("principal");
    const visible = registry.namespaces().filter((n) => mayAccessNamespace(principal, n.name));
    return c.json(
      {
        namespaces: visible.map((n) => ({ name: n.name, handler_count: n.handlerCount })),
        // Load problems name files of every namespace; only unrestricted credentials see them.
        problems: principal.namespaces === null ? registry.problems() : [],
      },
      200,
    );
  });

  const handlers = createRoute({
    method: "get",
    path: "/v1/templates/{namespace}",
    tags: ["templates"],
    summary: "Handlers (task templates) in a namespace",
    security: SECURITY,
    middleware: guard("templates:read"),
    request: { params: NamespaceParams },
    responses: {
      200: json(HandlerListSchema, "Handlers, each with its default and loaded versions"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such namespace is loaded (namespace_not_found)"),
    },
  });
  app.openapi(handlers, (c) => {
    const { namespace } = c.req.valid("param");
    assertNamespace(c.get("principal"), namespace);
    const list = registry.handlers(namespace).map((h) => ({
      namespace: h.namespace,
      name: h.name,
      version: h.version,
      versions: h.versions,
      description: h.description,
      step_count: h.stepCount,
      source: h.source,
    }));
    return c.json({ namespace, handlers: list }, 200);
  });

  const describe = createRoute({
    method: "get",
    path: "/v1/templates/{namespace}/{name}",
    tags: ["templates"],
    summary: "One template: steps, dependency graph (nodes, edges, execution order, levels) and context JSON Schema",
    security: SECURITY,
    middleware: guard("templates:read"),
    request: { params: TemplateParams, query: TemplateQuery },
    responses: {
      200: json(TemplateDescriptionSchema, "The template version asked for (latest by default)"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such template or version is loaded; the message lists loaded versions (template_not_found)"),
    },
  });
  app.openapi(describe, (c) => {
    const { namespace, name } = c.req.valid("param");
    const { version } = c.req.valid("query");
    assertNamespace(c.get("principal"), namespace);
    return c.json(registry.describe(namespace, name, version), 200);
  });

  const rescan = createRoute({
    method: "post",
    path: "/v1/templates/rescan",
    tags: ["templates"],
    summary: "Reload handlers/ without restart",
    description: "New and changed files load, deleted ones drop; running tasks keep the version they started with. Needs templates:write and a credential not limited to namespaces.",
    security: SECURITY,
    middleware: guard("templates:write"),
    responses: { 200: json(RescanReportSchema, "What changed"), ...AUTH_ERRORS },
  });
  app.openapi(rescan, async (c) => {
    // A rescan reloads every namespace; a credential limited to some must not trigger that.
    assertUnrestricted(c.get("principal"), "a rescan reloads every namespace");
    const report = await registry.rescan();
    return c.json(report, 200);
  });
}
