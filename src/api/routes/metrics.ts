import { createRoute, z } from "@hono/zod-openapi";
import { AUTH_ERRORS, guard, SECURITY, type ApiApp, type RouteDeps } from "./route-kit.ts";

/**
 * /metrics in the Prometheus text format. Protected by system:read when auth is on, unless the
 * app was built with `publicMetrics`.
 *
 * @example
 *   registerMetricsRoute(app, deps)
 */
export function registerMetricsRoute(app: ApiApp, { metrics, options }: RouteDeps): void {
  const route = createRoute({
    method: "get",
    path: "/metrics",
    tags: ["health"],
    summary: "Prometheus metrics: tasks and steps by state, queue depth and age, step durations, events, HTTP latency",
    ...(options.publicMetrics ? {} : { security: SECURITY, middleware: guard("system:read") }),
    responses: {
      200: { description: "Prometheus text format 0.0.4", content: { "text/plain": { schema: z.string() } } },
      ...(options.publicMetrics ? {} : AUTH_ERRORS),
    },
  });
  app.openapi(route, async (c) => {
    const body = await metrics.render();
    return c.body(body, 200, { "Content-Type": metrics.contentType });
  });
}
