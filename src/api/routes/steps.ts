import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error.ts";
import { StepIdParams, TaskIdParams, UuidSchema } from "../schemas/common.ts";
import { PatchStepBodySchema, StepAuditSchema, StepSchema } from "../schemas/step.ts";
import { stepJson, transitionJson } from "../serialize.ts";
import { AUTH_ERRORS, auditActor, guard, SECURITY, VALIDATION_ERROR, type ApiApp, type RouteDeps, json } from "./route-kit.ts";
import { checkTaskVisible } from "./task-access.ts";

const NOT_FOUND = { 404: errorResponse("No such task, or the task has no such step (task_not_found, step_not_found)") } as const;

const StepListSchema = z.object({ task_id: UuidSchema, steps: z.array(StepSchema) }).openapi("StepList");

/**
 * Steps of a task: list, get, manual operations (PATCH), audit trail.
 *
 * @example
 *   registerStepRoutes(app, deps)
 */
export function registerStepRoutes(app: ApiApp, { engine, options }: RouteDeps): void {
  const list = createRoute({
    method: "get",
    path: "/v1/tasks/{id}/steps",
    tags: ["steps"],
    summary: "List a task's steps in declaration order",
    security: SECURITY,
    middleware: guard("steps:read"),
    request: { params: TaskIdParams },
    responses: { 200: json(StepListSchema, "The steps"), ...VALIDATION_ERROR, ...AUTH_ERRORS, ...NOT_FOUND },
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    await checkTaskVisible(engine, c.get("principal"), id);
    const steps = await engine.listSteps(id);
    return c.json({ task_id: id, steps: steps.map(stepJson) }, 200);
  });

  const get = createRoute({
    method: "get",
    path: "/v1/tasks/{id}/steps/{stepId}",
    tags: ["steps"],
    summary: "Get one step",
    security: SECURITY,
    middleware: guard("steps:read"),
    request: { params: StepIdParams },
    responses: { 200: json(StepSchema, "The step"), ...VALIDATION_ERROR, ...AUTH_ERRORS, ...NOT_FOUND },
  });
  app.openapi(get, async (c) => {
    const { id, stepId } = c.req.valid("param");
    await checkTaskVisible(engine, c.get("principal"), id);
    return c.json(stepJson(await engine.getStep(id, stepId)), 200);
  });

  const patch = createRoute({
    method: "patch",
    path: "/v1/tasks/{id}/steps/{stepId}",
    tags: ["steps"],
    summary: "Retry, resolve or complete a step by hand",
    description:
      "`reset_for_retry` puts a failed step back in the queue with fresh attempts; `resolve_manually` marks it resolved so dependents run without its results; `complete_manually` marks it complete with the `results` given; `skip` skips a step its template marks `skippable` (409 `step_not_skippable` otherwise). `reason` and `actor` are required and recorded in the audit trail; with auth on, the credential's subject is recorded as the actor.",
    security: SECURITY,
    middleware: guard("steps:resolve", { body: "required", maxBytes: options.maxBodyBytes }),
    request: { params: StepIdParams, body: { required: true, content: { "application/json": { schema: PatchStepBodySchema } } } },
    responses: {
      200: json(StepSchema, "The step after the change"),
      ...VALIDATION_ERROR,
      ...AUTH_ERRORS,
      ...NOT_FOUND,
      409: errorResponse("The step's state does not allow this action (invalid_transition)"),
      413: errorResponse("The body is larger than the configured limit (payload_too_large)"),
      415: errorResponse("The body is not sent as application/json (unsupported_media_type)"),
    },
  });
  app.openapi(patch, async (c) => {
    const { id, stepId } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    await checkTaskVisible(engine, principal, id);
    const audit = { actor: auditActor(principal, body.actor), reason: body.reason };
    const step =
      body.action === "reset_for_retry"
        ? await engine.resetStep(id, stepId, audit)
        : body.action === "resolve_manually"
          ? await engine.resolveStep(id, stepId, audit)
          : body.action === "skip"
            ? await engine.skipStep(id, stepId, audit)
            : await engine.completeStep(id, stepId, { ...audit, results: body.results });
    return c.json(stepJson(step), 200);
  });

  const audit = createRoute({
    method: "get",
    path: "/v1/tasks/{id}/steps/{stepId}/audit",
    tags: ["steps"],
    summary: "A step's audit trail: every state change with reason, actor and time",
    security: SECURITY,
    middleware: guard("steps:read"),
    request: { params: StepIdParams },
    responses: { 200: json(StepAuditSchema, "Transitions, oldest first"), ...VALIDATION_ERROR, ...AUTH_ERRORS, ...NOT_FOUND },
  });
  app.openapi(audit, async (c) => {
    const { id, stepId } = c.req.valid("param");
    await checkTaskVisible(engine, c.get("principal"), id);
    const transitions = await engine.stepAudit(id, stepId);
    return c.json({ task_id: id, step_id: stepId, transitions: transitions.map(transitionJson) }, 200);
  });
}
