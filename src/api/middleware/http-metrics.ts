import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { ApiMetrics } from "../metrics/api-metrics.ts";

/**
 * Times every request and records it under its matched route pattern ("/v1/tasks/:id"), so that
 * label cardinality stays bounded by the route table, not by the ids in URLs. Unmatched paths
 * are recorded as "unmatched".
 *
 * @example
 *   app.use("*", httpMetrics(metrics))
 */
export function httpMetrics(metrics: ApiMetrics): MiddlewareHandler {
  return async function timeRequest(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c, -1);
      metrics.observeHttp(c.req.method, route === "*" || route === "/*" ? "unmatched" : route, c.res.status, (performance.now() - started) / 1000);
    }
  };
}
