import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../api-error.ts";
import type { ReadinessChecks } from "../options.ts";
import { errorResponse } from "../schemas/error.ts";
import { LiveSchema, ReadySchema, SystemStatusSchema } from "../schemas/health.ts";
import { AUTH_ERRORS, guard, SECURITY, type ApiApp, type RouteDeps, json } from "./route-kit.ts";

/**
 * /health/live, /health/ready (503 until the database, migrations and handlers are fine) and
 * /health/status (details; needs system:read when auth is on).
 *
 * @example
 *   registerHealthRoutes(app, deps)
 */
export function registerHealthRoutes(app: ApiApp, { engine, registry, options }: RouteDeps): void {
  const live = createRoute({
    method: "get",
    path: "/health/live",
    tags: ["health"],
    summary: "The process is up",
    responses: { 200: json(LiveSchema, "Alive") },
  });
  app.openapi(live, (c) => c.json({ status: "ok" as const }, 200));

  // Without a probe from the composition root: the database answers through the engine, and at
  // least one namespace loaded. Migrations ran before the engine could be built.
  const probe =
    options.ready ??
    (async (): Promise<ReadinessChecks> => ({
      database: await engine.status().then(
        () => true,
        () => false,
      ),
      migrations: true,
      handlers: registry.namespaces().length > 0,
    }));

  const ready = createRoute({
    method: "get",
    path: "/health/ready",
    tags: ["health"],
    summary: "Ready to serve: database reachable, migrations current, handlers loaded",
    responses: { 200: json(ReadySchema, "Ready"), 503: errorResponse("Not ready; details.checks says which check failed (not_ready)") },
  });
  app.openapi(ready, async (c) => {
    let checks: ReadinessChecks;
    try {
      checks = await probe();
    } catch (e) {
      options.logger.warn("readiness probe failed", { error: (e as Error).message });
      checks = { database: false, migrations: false, handlers: false };
    }
    const failing = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
    if (failing.length > 0) throw new ApiError("not_ready", `not ready: ${failing.join(", ")} check failed`, { checks });
    return c.json({ status: "ready" as const, checks }, 200);
  });

  const status = createRoute({
    method: "get",
    path: "/health/status",
    tags: ["health"],
    summary: "Queue depths, workers, counts by state, recent failures and handler load problems",
    security: SECURITY,
    middleware: guard("system:read"),
    responses: { 200: json(SystemStatusSchema, "Status"), ...AUTH_ERRORS },
  });
  app.openapi(status, async (c) => {
    const s = await engine.status();
    return c.json(
      {
        queues: s.queues.map((q) => ({ namespace: q.namespace, depth: q.depth, oldest_age_ms: q.oldestAgeMs })),
        workers: s.workers.map((w) => ({
          id: w.id,
          hostname: w.hostname,
          pid: w.pid,
          namespaces: w.namespaces,
          concurrency: w.concurrency,
          started_at: w.startedAt.toISOString(),
          heartbeat_at: w.heartbeatAt.toISOString(),
        })),
        tasks_by_state: s.tasksByState,
        steps_by_state: s.stepsByState,
        recent_failures: s.recentFailures.map((f) => ({
          task_id: f.taskId,
          step_id: f.stepId,
          step: f.step,
          namespace: f.namespace,
          error: f.error ? { message: f.error.message, name: f.error.name, kind: f.error.kind, attempt: f.error.attempt } : null,
          at: f.at.toISOString(),
        })),
        handler_problems: registry.problems(),
      },
      200,
    );
  });
}
