import { createRoute } from "@hono/zod-openapi";
import { ScheduleNotFoundError } from "../../core/schedule/errors.ts";
import type { ScheduleService, ScheduleView } from "../../engine/scheduler.ts";
import { assertNamespace, mayAccessNamespace } from "../auth/require-permission.ts";
import type { Principal } from "../auth/principal.ts";
import { errorResponse } from "../schemas/error.ts";
import { CreateScheduleBodySchema, ListSchedulesQuerySchema, ScheduleIdParams, ScheduleListSchema, ScheduleSchema } from "../schemas/schedule.ts";
import { TaskSchema } from "../schemas/task.ts";
import { taskJson } from "../serialize.ts";
import { AUTH_ERRORS, guard, SECURITY, VALIDATION_ERROR, type ApiApp, json } from "./route-kit.ts";

const NOT_FOUND = { 404: errorResponse("No such schedule (schedule_not_found)") } as const;

/**
 * A schedule as the API returns it.
 *
 * @example
 *   scheduleJson(await schedules.get(id)).next_run_at // "2025-01-31T02:00:00.000Z"
 */
export function scheduleJson(s: ScheduleView) {
  return {
    id: s.id,
    namespace: s.namespace,
    task: s.task,
    name: s.name,
    version: s.version,
    cron: s.cron,
    timezone: s.timezone,
    context: s.context,
    catch_up: s.catchUp,
    paused: s.paused,
    source: s.source,
    next_run_at: s.nextRunAt?.toISOString() ?? null,
    last_run_at: s.lastRunAt?.toISOString() ?? null,
    last_task_id: s.lastTaskId,
    last_error: s.lastError,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/** Loads a schedule, hiding those of other namespaces from a limited credential (404, as for a missing id). */
async function visibleSchedule(schedules: ScheduleService, principal: Principal, id: string): Promise<ScheduleView> {
  const s = await schedules.get(id);
  if (!mayAccessNamespace(principal, s.namespace)) throw new ScheduleNotFoundError(id);
  return s;
}

/**
 * Recurring schedules: list, create, get, delete, pause, resume, trigger now. Registered only
 * when the app is given a schedule service (`createApp(…, { schedules })`).
 *
 * @example
 *   registerScheduleRoutes(app, createScheduleService({ db, engine, templates: registry }), { maxBodyBytes: 1 << 20 })
 */
export function registerScheduleRoutes(app: ApiApp, schedules: ScheduleService, options: { maxBodyBytes: number }): void {
  const list = createRoute({
    method: "get",
    path: "/v1/schedules",
    tags: ["schedules"],
    summary: "List schedules by namespace, task and name",
    description: "A credential limited to namespaces sees only theirs.",
    security: SECURITY,
    middleware: guard("schedules:read"),
    request: { query: ListSchedulesQuerySchema },
    responses: { 200: json(ScheduleListSchema, "The schedules"), ...VALIDATION_ERROR, ...AUTH_ERRORS },
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const principal = c.get("principal");
    if (q.namespace !== undefined) assertNamespace(principal, q.namespace);
    const found = await schedules.list({
      namespaces: principal.namespaces,
      ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
      ...(q.task !== undefined ? { task: q.task } : {}),
    });
    return c.json({ schedules: found.map(scheduleJson) }, 200);
  });

  const create = createRoute({
    method: "post",
    path: "/v1/schedules",
    tags: ["schedules"],
    summary: "Create a schedule",
    description:
      "From the next tick on, every engine on the database runs it, each tick exactly once. The expression, time zone, template and context are checked now, not at the first tick.",
    security: SECURITY,
    middleware: guard("schedules:write", { body: "required", maxBytes: options.maxBodyBytes }),
    request: { body: { required: true, content: { "application/json": { schema: CreateScheduleBodySchema } } } },
    responses: {
      201: json(ScheduleSchema, "Created"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such namespace, task or version is loaded (template_not_found, namespace_not_found)"),
      409: errorResponse("The task already has a schedule of that name (schedule_conflict)"),
      413: errorResponse("The body is larger than the configured limit (payload_too_large)"),
      415: errorResponse("The body is not sent as application/json (unsupported_media_type)"),
      422: errorResponse("The context does not match the template's schema (context_invalid)"),
    },
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    assertNamespace(c.get("principal"), body.namespace);
    const created = await schedules.create({
      namespace: body.namespace,
      task: body.task,
      name: body.name,
      cron: body.cron,
      ...(body.version !== undefined ? { version: body.version } : {}),
      ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
      ...(body.context !== undefined ? { context: body.context } : {}),
      ...(body.catch_up !== undefined ? { catchUp: body.catch_up } : {}),
    });
    c.header("Location", `/v1/schedules/${created.id}`);
    return c.json(scheduleJson(created), 201);
  });

  const get = createRoute({
    method: "get",
    path: "/v1/schedules/{id}",
    tags: ["schedules"],
    summary: "Get a schedule: its next and last tick, and the last error",
    security: SECURITY,
    middleware: guard("schedules:read"),
    request: { params: ScheduleIdParams },
    responses: { 200: json(ScheduleSchema, "The schedule"), ...VALIDATION_ERROR, ...AUTH_ERRORS, ...NOT_FOUND },
  });
  app.openapi(get, async (c) => {
    return c.json(scheduleJson(await visibleSchedule(schedules, c.get("principal"), c.req.valid("param").id)), 200);
  });

  const remove = createRoute({
    method: "delete",
    path: "/v1/schedules/{id}",
    tags: ["schedules"],
    summary: "Delete a schedule created over the API",
    description: "A schedule declared in a handler module would come back at the next start: pause it, or remove it from the module.",
    security: SECURITY,
    middleware: guard("schedules:write"),
    request: { params: ScheduleIdParams },
    responses: {
      200: json(ScheduleSchema, "The deleted schedule"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      ...NOT_FOUND,
      409: errorResponse("The schedule is declared in a handler module (schedule_conflict)"),
    },
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await visibleSchedule(schedules, c.get("principal"), id);
    return c.json(scheduleJson(await schedules.delete(id)), 200);
  });

  for (const action of ["pause", "resume"] as const) {
    const route = createRoute({
      method: "post",
      path: `/v1/schedules/{id}/${action}`,
      tags: ["schedules"],
      summary: action === "pause" ? "Pause a schedule" : "Resume a paused schedule",
      description:
        action === "pause"
          ? "No tick runs while it is paused, also across restarts. Idempotent."
          : "It goes on with the first tick after now: ticks that fell while it was paused are not caught up. Idempotent.",
      security: SECURITY,
      middleware: guard("schedules:write"),
      request: { params: ScheduleIdParams },
      responses: { 200: json(ScheduleSchema, "The schedule after the change"), ...VALIDATION_ERROR, ...AUTH_ERRORS, ...NOT_FOUND },
    });
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      await visibleSchedule(schedules, c.get("principal"), id);
      return c.json(scheduleJson(await schedules[action](id)), 200);
    });
  }

  const trigger = createRoute({
    method: "post",
    path: "/v1/schedules/{id}/trigger",
    tags: ["schedules"],
    summary: "Submit the schedule's task now",
    description: "One task with the schedule's template and context, also when the schedule is paused; its own ticks are unaffected. The task's reason names the credential's subject.",
    security: SECURITY,
    middleware: guard("schedules:write"),
    request: { params: ScheduleIdParams },
    responses: {
      201: json(TaskSchema, "The task submitted"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such schedule, or its template is no longer loaded (schedule_not_found, template_not_found)"),
      422: errorResponse("The schedule's context no longer matches the template's schema (context_invalid)"),
      503: errorResponse("The namespace's queue is deeper than the configured limit; retry after Retry-After seconds (queue_full)"),
    },
  });
  app.openapi(trigger, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    await visibleSchedule(schedules, principal, id);
    const { task } = await schedules.triggerNow(id, { actor: principal.subject });
    c.header("Location", `/v1/tasks/${task.id}`);
    return c.json(taskJson(task), 201);
  });
}
