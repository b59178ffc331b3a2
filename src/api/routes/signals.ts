import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error.ts";
import { ApiError } from "../api-error.ts";
import { TaskIdParams, text } from "../schemas/common.ts";
import { AUTH_ERRORS, guard, SECURITY, VALIDATION_ERROR, type ApiApp, type RouteDeps, json } from "./route-kit.ts";
import { checkTaskVisible } from "./task-access.ts";

const EventName = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,62}$/, "event names are lower-case letters, digits, '_', '.', '-', starting with a letter, at most 63 characters")
  .openapi({ example: "approved" });

const SendEventBody = z.strictObject({ payload: z.unknown().optional().openapi({ description: "Becomes the value waitForEvent resolves with" }) });
const SendKeyedEventBody = z.strictObject({
  key: text(255).min(1).openapi({ description: "Wakes every step waiting on this event name with this key" }),
  payload: z.unknown().optional(),
});
const Delivered = z.object({ delivered: z.int().openapi({ description: "Waiting steps woken by this event" }) }).openapi("EventDelivery");

/**
 * External events for durable waits: to one task, or by key across tasks.
 *
 * @example
 *   registerSignalRoutes(app, deps)
 */
export function registerSignalRoutes(app: ApiApp, { engine, options }: RouteDeps): void {
  const maxBytes = options.maxBodyBytes;

  const toTask = createRoute({
    method: "post",
    path: "/v1/tasks/{id}/events/{name}",
    tags: ["events"],
    summary: "Send an external event to a task",
    description:
      "Wakes the task's steps that wait for this event (`ctx.waitForEvent(name)`); the payload becomes what the call returns. 202 with the number of steps woken; 409 `no_waiting_step` when none waits for it (an event is not stored for later).",
    security: SECURITY,
    middleware: guard("tasks:signal", { body: "optional", maxBytes }),
    request: {
      params: TaskIdParams.extend({ name: EventName }),
      body: { required: false, content: { "application/json": { schema: SendEventBody } } },
    },
    responses: {
      202: json(Delivered, "Delivered"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such task (task_not_found)"),
      409: errorResponse("No step of the task waits for this event (no_waiting_step)"),
    },
  });
  app.openapi(toTask, async (c) => {
    const { id, name } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    await checkTaskVisible(engine, c.get("principal"), id);
    const result = await engine.sendEvent({ taskId: id }, name, body.payload ?? null);
    if (result.delivered === 0) throw new ApiError("no_waiting_step", `no step of task ${id} is waiting for event "${name}"`);
    return c.json(result, 202);
  });

  const byKey = createRoute({
    method: "post",
    path: "/v1/events/{name}",
    tags: ["events"],
    summary: "Send an external event by key",
    description: "Wakes every step, in any task, that waits for this event name with this key (`ctx.waitForEvent(name, { key })`).",
    security: SECURITY,
    middleware: guard("tasks:signal", { body: "required", maxBytes }),
    request: {
      params: z.object({ name: EventName }),
      body: { required: true, content: { "application/json": { schema: SendKeyedEventBody } } },
    },
    responses: { 202: json(Delivered, "Delivered (possibly to no step)"), ...VALIDATION_ERROR, ...AUTH_ERRORS },
  });
  app.openapi(byKey, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    if (principal.namespaces !== null) {
      // A key may match steps of any namespace: only unrestricted credentials may send by key.
      throw new ApiError("namespace_forbidden", `credential "${principal.subject}" is limited to namespaces; send the event to a task instead`);
    }
    return c.json(await engine.sendEvent({ key: body.key }, name, body.payload ?? null), 202);
  });
}
