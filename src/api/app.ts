import { OpenAPIHono } from "@hono/zod-openapi";
import type { Engine } from "../engine/types.ts";
import type { ApiEnv } from "./api-env.ts";
import { authEnabled } from "./auth/auth-options.ts";
import { authenticate } from "./auth/authenticate.ts";
import { unknownGrants } from "./auth/permissions.ts";
import { errorHandler, notFoundHandler } from "./error-handler.ts";
import { createApiMetrics } from "./metrics/api-metrics.ts";
import { httpMetrics } from "./middleware/http-metrics.ts";
import { registerSecuritySchemes } from "./openapi/document.ts";
import { resolveApiOptions, type ApiOptions, type ApiRegistry } from "./options.ts";
import { registerDocsRoutes } from "./routes/docs.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerMetricsRoute } from "./routes/metrics.ts";
import { registerScheduleRoutes } from "./routes/schedules.ts";
import type { ApiApp, RouteDeps } from "./routes/route-kit.ts";
import { registerStepRoutes } from "./routes/steps.ts";
import { registerSignalRoutes } from "./routes/signals.ts";
import { registerTaskRoutes } from "./routes/tasks.ts";
import { registerTemplateRoutes } from "./routes/templates.ts";
import { validationHook } from "./validation-hook.ts";

/**
 * Builds the HTTP API over an engine and a registry: a Hono app with no server attached, so it
 * runs under Bun.serve, Deno.serve, a Node adapter or `app.request()` in tests.
 *
 * Request pipeline: HTTP metrics → authentication (headers only) → the route's permission →
 * body size limit → JSON parse → zod validation → handler; anything thrown ends in `onError`,
 * which answers `{ error: { code, message, details? } }`.
 *
 * @example
 *   const app = createApp(engine, registry, { auth: { apiKeys: [{ name: "ops", key: secret, permissions: ["*"] }] } });
 *   Bun.serve({ port: 3000, fetch: app.fetch });
 */
export function createApp(engine: Engine, registry: ApiRegistry, options: ApiOptions = {}): ApiApp {
  const resolved = resolveApiOptions(options);
  const { logger } = resolved;
  for (const key of resolved.auth?.apiKeys ?? []) {
    const unknown = unknownGrants(key.permissions);
    if (unknown.length > 0) logger.warn("API key has permissions that match nothing", { key: key.name, unknown });
  }
  if (!authEnabled(resolved.auth)) logger.warn("HTTP API auth is off: every route is open to anyone who can reach it");

  const metrics = createApiMetrics(engine);
  const unsubscribe = engine.onEvent((e) => metrics.observeEvent(e));
  resolved.signal?.addEventListener("abort", unsubscribe, { once: true });

  const app: ApiApp = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler());
  registerSecuritySchemes(app);

  app.use("*", httpMetrics(metrics));
  const auth = authenticate(resolved.auth);
  app.use("/v1/*", auth);
  app.use("/health/status", auth);
  if (!resolved.publicMetrics) app.use("/metrics", auth);

  const deps: RouteDeps = { engine, registry, options: resolved, metrics };
  registerTaskRoutes(app, deps);
  registerStepRoutes(app, deps);
  registerSignalRoutes(app, deps);
  registerTemplateRoutes(app, deps);
  registerEventRoutes(app, deps);
  if (resolved.schedules) registerScheduleRoutes(app, resolved.schedules, resolved);
  registerHealthRoutes(app, deps);
  registerMetricsRoute(app, deps);
  registerDocsRoutes(app, deps);
  return app;
}
