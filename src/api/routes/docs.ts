import { createRoute, z } from "@hono/zod-openapi";
import { openApiDocument, type OpenApiDocument } from "../openapi/document.ts";
import { renderDocsPage } from "../openapi/docs-page.ts";
import type { ApiApp, RouteDeps } from "./route-kit.ts";

/**
 * /openapi.json and /docs. The document is generated on first request — after every route is
 * registered — and kept, since routes never change afterwards.
 *
 * @example
 *   registerDocsRoutes(app, deps) // register last
 */
export function registerDocsRoutes(app: ApiApp, { options }: RouteDeps): void {
  let doc: OpenApiDocument | null = null;
  const document = () => (doc ??= openApiDocument(app, options.version));

  const json = createRoute({
    method: "get",
    path: "/openapi.json",
    tags: ["docs"],
    summary: "This API as an OpenAPI 3.1 document",
    responses: { 200: { description: "OpenAPI 3.1", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } } },
  });
  app.openapi(json, (c) => c.json(document() as unknown as Record<string, unknown>, 200));

  const page = createRoute({
    method: "get",
    path: "/docs",
    tags: ["docs"],
    summary: "Human-readable API reference rendered from the OpenAPI document",
    responses: { 200: { description: "HTML", content: { "text/html": { schema: z.string() } } } },
  });
  app.openapi(page, async (c) => c.html(await renderDocsPage(document()), 200));
}
