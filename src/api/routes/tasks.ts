import { createRoute, z } from "@hono/zod-openapi";
import { TASK_STATES } from "../../engine/types.ts";
import { ApiError } from "../api-error.ts";
import { assertNamespace, assertUnrestricted } from "../auth/require-permission.ts";
import { errorResponse } from "../schemas/error.ts";
import { TaskIdParams, text } from "../schemas/common.ts";
import {
  CancelTaskBodySchema,
  CreateTaskBodySchema,
  ListChildrenQuerySchema,
  ListTasksQuerySchema,
  TaskDetailSchema,
  TaskPageSchema,
  TaskSchema,
  TaskSummarySchema,
} from "../schemas/task.ts";
import { taskDetailJson, taskJson } from "../serialize.ts";
import { AUTH_ERRORS, auditActor, guard, SECURITY, VALIDATION_ERROR, type ApiApp, type RouteDeps, json } from "./route-kit.ts";
import { checkTaskVisible, visibleTask } from "./task-access.ts";

/**
 * Tasks: create, list, summary, get, cancel.
 *
 * @example
 *   registerTaskRoutes(app, deps)
 */
export function registerTaskRoutes(app: ApiApp, { engine, options }: RouteDeps): void {
  const maxBytes = options.maxBodyBytes;

  const create = createRoute({
    method: "post",
    path: "/v1/tasks",
    tags: ["tasks"],
    summary: "Create a task",
    description:
      "Validates the context against the template and creates the task with all its steps. A create whose idempotency key (body `idempotency_key` or header `Idempotency-Key`) matches an existing task answers 200 with that task and the header `Idempotent-Replayed: true` instead of creating a second one.",
    security: SECURITY,
    middleware: guard("tasks:create", { body: "required", maxBytes }),
    request: {
      headers: z.object({ "idempotency-key": text(255).min(1).optional() }),
      body: { required: true, content: { "application/json": { schema: CreateTaskBodySchema } } },
    },
    responses: {
      201: json(TaskSchema, "Created"),
      200: json(TaskSchema, "An existing task with the same idempotency key (Idempotent-Replayed: true)"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such namespace, task or version is loaded (template_not_found, namespace_not_found)"),
      413: errorResponse("The body is larger than the configured limit (payload_too_large)"),
      415: errorResponse("The body is not sent as application/json (unsupported_media_type)"),
      422: errorResponse("The context does not match the template's schema (context_invalid)"),
      503: errorResponse("The namespace's queue is deeper than the configured limit; retry after Retry-After seconds (queue_full)"),
    },
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const headerKey = c.req.valid("header")["idempotency-key"];
    if (headerKey !== undefined && body.idempotency_key !== undefined && headerKey !== body.idempotency_key) {
      throw new ApiError("validation_failed", "the Idempotency-Key header and body.idempotency_key differ; send one of them", {
        issues: [{ location: "header", path: "idempotency-key", message: "differs from body.idempotency_key" }],
      });
    }
    assertNamespace(c.get("principal"), body.namespace);
    const idempotencyKey = body.idempotency_key ?? headerKey;
    const { task, created } = await engine.submit({
      namespace: body.namespace,
      name: body.name,
      ...(body.version !== undefined ? { version: body.version } : {}),
      context: body.context ?? {},
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      ...(body.priority !== undefined ? { priority: body.priority } : {}),
      ...(body.tags !== undefined ? { tags: body.tags } : {}),
      initiator: body.initiator ?? c.get("principal").subject,
      ...(body.source_system !== undefined ? { sourceSystem: body.source_system } : {}),
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    });
    c.header("Location", `/v1/tasks/${task.id}`);
    if (created) return c.json(taskJson(task), 201);
    c.header("Idempotent-Replayed", "true");
    return c.json(taskJson(task), 200);
  });

  const list = createRoute({
    method: "get",
    path: "/v1/tasks",
    tags: ["tasks"],
    summary: "List tasks, newest first",
    description:
      "Filters combine with AND. Pages are cursor-based: pass `next_cursor` as `cursor` until it is null. A credential limited to several namespaces must name one with `namespace`.",
    security: SECURITY,
    middleware: guard("tasks:list"),
    request: { query: ListTasksQuerySchema },
    responses: { 200: json(TaskPageSchema, "One page of tasks"), ...VALIDATION_ERROR, ...AUTH_ERRORS },
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const principal = c.get("principal");
    let namespace = q.namespace;
    if (principal.namespaces !== null) {
      if (namespace !== undefined) assertNamespace(principal, namespace);
      else if (principal.namespaces.length === 1) namespace = principal.namespaces[0];
      else {
        throw new ApiError(
          "namespace_forbidden",
          `credential "${principal.subject}" is limited to the namespaces ${principal.namespaces.join(", ")}; pass ?namespace= with one of them`,
          { allowed: principal.namespaces },
        );
      }
    }
    const page = await engine.listTasks({
      ...(namespace !== undefined ? { namespace } : {}),
      ...(q.name !== undefined ? { name: q.name } : {}),
      ...(q.version !== undefined ? { version: q.version } : {}),
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.tag !== undefined ? { tag: q.tag } : {}),
      ...(q.created_after !== undefined ? { createdAfter: q.created_after } : {}),
      ...(q.created_before !== undefined ? { createdBefore: q.created_before } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      limit: q.limit ?? 50,
    });
    return c.json({ tasks: page.tasks.map(taskJson), next_cursor: page.nextCursor }, 200);
  });

  // Registered before /v1/tasks/{id}: "summary" would otherwise be read as an id.
  const summary = createRoute({
    method: "get",
    path: "/v1/tasks/summary",
    tags: ["tasks"],
    summary: "Count tasks by state",
    description: "Counts over every namespace, so a namespace-limited credential is refused.",
    security: SECURITY,
    middleware: guard("tasks:list"),
    responses: { 200: json(TaskSummarySchema, "Counts by state (every state listed, zeros included)"), ...AUTH_ERRORS },
  });
  app.openapi(summary, async (c) => {
    assertUnrestricted(c.get("principal"), "the summary counts every namespace", "use GET /v1/tasks?namespace= instead");
    const status = await engine.status();
    const byState: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [s, status.tasksByState[s] ?? 0]));
    const total = Object.values(byState).reduce((a, b) => a + b, 0);
    return c.json({ total, by_state: byState }, 200);
  });

  const get = createRoute({
    method: "get",
    path: "/v1/tasks/{id}",
    tags: ["tasks"],
    summary: "Get a task with its steps",
    security: SECURITY,
    middleware: guard("tasks:read"),
    request: { params: TaskIdParams },
    responses: { 200: json(TaskDetailSchema, "The task, its steps, states, attempts, results and errors"), ...VALIDATION_ERROR, ...AUTH_ERRORS, 404: errorResponse("No such task (task_not_found)") },
  });
  app.openapi(get, async (c) => {
    const task = await visibleTask(engine, c.get("principal"), c.req.valid("param").id);
    return c.json(taskDetailJson(task), 200);
  });

  const children = createRoute({
    method: "get",
    path: "/v1/tasks/{id}/children",
    tags: ["tasks"],
    summary: "List a task's child tasks",
    description:
      "The tasks its steps spawned, in key order (the index in the spawn source), optionally in one state. Pages are cursor-based: pass `next_cursor` as `cursor` until it is null. A child's parent is its `parent_task_id`.",
    security: SECURITY,
    middleware: guard("tasks:read"),
    request: { params: TaskIdParams, query: ListChildrenQuerySchema },
    responses: { 200: json(TaskPageSchema, "One page of child tasks"), ...VALIDATION_ERROR, ...AUTH_ERRORS, 404: errorResponse("No such task (task_not_found)") },
  });
  app.openapi(children, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    await checkTaskVisible(engine, c.get("principal"), id);
    const page = await engine.listChildren(id, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      limit: q.limit ?? 50,
    });
    return c.json({ tasks: page.tasks.map(taskJson), next_cursor: page.nextCursor }, 200);
  });

  const cancel = createRoute({
    method: "delete",
    path: "/v1/tasks/{id}",
    tags: ["tasks"],
    summary: "Cancel a task",
    description: "Cancels the task and its unfinished steps, and transitively its unfinished child tasks (their running handlers are aborted). The optional body gives the reason and actor for the audit trail; the actor defaults to the credential's subject.",
    security: SECURITY,
    middleware: guard("tasks:cancel", { body: "optional", maxBytes }),
    request: { params: TaskIdParams, body: { required: false, content: { "application/json": { schema: CancelTaskBodySchema } } } },
    responses: {
      200: json(TaskSchema, "The cancelled task"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      404: errorResponse("No such task (task_not_found)"),
      409: errorResponse("The task is already finished (invalid_transition)"),
    },
  });
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    if (principal.namespaces !== null) await visibleTask(engine, principal, id);
    const task = await engine.cancelTask(id, { actor: auditActor(principal, body.actor), reason: body.reason ?? "cancelled through the API" });
    return c.json(taskJson(task), 200);
  });
}
