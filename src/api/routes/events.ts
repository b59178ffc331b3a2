import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { EventFilter, LifecycleEvent } from "../../engine/types.ts";
import { assertNamespace, mayAccessNamespace } from "../auth/require-permission.ts";
import { NameSchema, UuidSchema } from "../schemas/common.ts";
import { eventJson } from "../serialize.ts";
import { AUTH_ERRORS, guard, SECURITY, VALIDATION_ERROR, type ApiApp, type RouteDeps } from "./route-kit.ts";
import { checkTaskVisible } from "./task-access.ts";

const EventsQuery = z.strictObject({
  task_id: UuidSchema.optional().openapi({ param: { name: "task_id", in: "query" } }),
  namespace: NameSchema.optional().openapi({ param: { name: "namespace", in: "query" } }),
});

export const EventSchema = z
  .object({
    id: z.int(),
    event_id: z.string(),
    name: z.string().openapi({ example: "step.completed" }),
    namespace: z.string().nullable(),
    task_id: z.string().nullable(),
    step_id: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi("LifecycleEvent");

/**
 * GET /v1/events: lifecycle events as server-sent events (`event:` is the event name, `data:`
 * one JSON LifecycleEvent, `id:` its sequence number), filterable by task or namespace. A
 * comment line every `sseHeartbeatMs` keeps idle connections open through proxies.
 *
 * @example
 *   registerEventRoutes(app, deps)
 */
export function registerEventRoutes(app: ApiApp, { engine, options }: RouteDeps): void {
  const route = createRoute({
    method: "get",
    path: "/v1/events",
    tags: ["events"],
    summary: "Stream lifecycle events (text/event-stream)",
    description: "Events committed after the stream opened, in order. Each message: `event: <name>`, `id: <sequence>`, `data: <LifecycleEvent JSON>`.",
    security: SECURITY,
    middleware: guard("tasks:read"),
    request: { query: EventsQuery },
    responses: {
      200: { description: "An endless event stream", content: { "text/event-stream": { schema: EventSchema } } },
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const principal = c.get("principal");
    if (q.namespace !== undefined) assertNamespace(principal, q.namespace);
    if (q.task_id !== undefined) await checkTaskVisible(engine, principal, q.task_id);
    const filter: EventFilter = {
      ...(q.task_id !== undefined ? { taskId: q.task_id } : {}),
      ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
    };

    return streamSSE(c, async (stream) => {
      const pending: LifecycleEvent[] = [];
      let wake: (() => void) | null = null;
      const poke = () => {
        wake?.();
        wake = null;
      };
      const unsubscribe = engine.onEvent((e) => {
        if (!mayAccessNamespace(principal, e.namespace)) return;
        pending.push(e);
        poke();
      }, filter);
      const shutdown = options.signal;
      shutdown?.addEventListener("abort", poke);
      stream.onAbort(poke);
      try {
        await stream.write(": connected\n\n");
        while (!stream.aborted && !shutdown?.aborted) {
          if (pending.length === 0) {
            const timer = new Promise<"idle">((resolve) => {
              const t = setTimeout(() => resolve("idle"), options.sseHeartbeatMs);
              wake = () => {
                clearTimeout(t);
                resolve("idle");
              };
            });
            await timer;
            if (pending.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
            continue;
          }
          const e = pending.shift()!;
          await stream.writeSSE({ event: e.name, id: String(e.id), data: JSON.stringify(eventJson(e)) });
        }
      } finally {
        unsubscribe();
        shutdown?.removeEventListener("abort", poke);
      }
    });
  });
}
