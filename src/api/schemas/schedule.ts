import { z } from "@hono/zod-openapi";
import { CATCH_UP_POLICIES, cronProblem } from "../../core/schedule/index.ts";
import { JsonObjectSchema, NameSchema, text, TimestampSchema, UuidSchema, VersionSchema } from "./common.ts";

export const CatchUpSchema = z.enum(CATCH_UP_POLICIES).openapi("CatchUpPolicy", {
  description: "Ticks missed while no engine ran: `skip` drops them, `latest` runs the most recent one, `all` runs each (up to the engine's maximum)",
});

/** POST /v1/schedules. Unknown fields are refused; the expression and time zone are checked here. */
export const CreateScheduleBodySchema = z
  .strictObject({
    namespace: NameSchema,
    task: NameSchema.openapi({ description: "The task the schedule submits", example: "ci_pipeline" }),
    name: NameSchema.openapi({ description: "Unique per task", example: "nightly" }),
    version: VersionSchema.optional().openapi({ description: "Exact version; omitted means the latest loaded version at each tick" }),
    cron: text(200).min(1, "must not be empty").openapi({
      description: "5 fields (minute precision), 6 (a leading seconds field) or 7 (a trailing year), or @hourly, @daily, @weekly, @monthly, @yearly",
      example: "0 2 * * *",
    }),
    timezone: text(64).min(1, "must not be empty").optional().openapi({ description: "IANA time zone the expression is read in; default UTC", example: "Europe/Berlin" }),
    context: JsonObjectSchema.optional().openapi({ description: "Context of every task it submits; validated against the template's schema" }),
    catch_up: CatchUpSchema.optional().openapi({ description: "Default `skip`" }),
  })
  .superRefine((body, ctx) => {
    const problem = cronProblem(body.cron, body.timezone ?? "UTC");
    if (problem) ctx.addIssue({ code: "custom", path: [problem.startsWith("unknown time zone") ? "timezone" : "cron"], message: problem });
  })
  .openapi("CreateScheduleRequest");

export const ScheduleSchema = z
  .object({
    id: UuidSchema,
    namespace: z.string(),
    task: z.string(),
    name: z.string(),
    version: z.string().nullable(),
    cron: z.string(),
    timezone: z.string(),
    context: z.record(z.string(), z.unknown()),
    catch_up: CatchUpSchema,
    paused: z.boolean(),
    source: z.enum(["module", "api"]).openapi({ description: "`module`: declared by a handler module (pause it, or change the module); `api`: created over HTTP" }),
    next_run_at: TimestampSchema.nullable().openapi({ description: "The oldest tick not yet run; null when the expression has no future tick" }),
    last_run_at: TimestampSchema.nullable().openapi({ description: "The most recent tick a task was submitted for" }),
    last_task_id: UuidSchema.nullable(),
    last_error: z.string().nullable().openapi({ description: "Why the last attempt to submit a tick failed; cleared by the next success" }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Schedule");

export const ScheduleListSchema = z.object({ schedules: z.array(ScheduleSchema) }).openapi("ScheduleList");

/** GET /v1/schedules query. */
export const ListSchedulesQuerySchema = z.strictObject({
  namespace: NameSchema.optional().openapi({ param: { name: "namespace", in: "query" } }),
  task: NameSchema.optional().openapi({ param: { name: "task", in: "query" } }),
});

/** `{ id }` path parameter of a schedule. */
export const ScheduleIdParams = z.object({
  id: UuidSchema.openapi({ param: { name: "id", in: "path" } }),
});
