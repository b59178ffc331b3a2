import { z } from "@hono/zod-openapi";
import { TASK_STATES } from "../../engine/types.ts";
import { JsonObjectSchema, NameSchema, storableString, text, TimestampSchema, UuidSchema, VersionSchema } from "./common.ts";
import { StepSchema } from "./step.ts";

export const TaskStateSchema = z.enum(TASK_STATES).openapi("TaskState");

const TagSchema = storableString()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .openapi({ example: "nightly" });

/** POST /v1/tasks. Unknown fields are refused so that a misspelt option is never silently dropped. */
export const CreateTaskBodySchema = z
  .strictObject({
    namespace: NameSchema,
    name: NameSchema.openapi({ example: "ci_pipeline" }),
    version: VersionSchema.optional().openapi({ description: "Exact version; omitted means the latest loaded version" }),
    context: JsonObjectSchema.optional().openapi({ description: "Validated against the template's context schema", example: { repo: "acme/app", sha: "4f2a9c1" } }),
    idempotency_key: text(255).min(1, "must not be empty").optional().openapi({
      description: "A second create with the same key returns the existing task (200 with Idempotent-Replayed: true) instead of creating another",
    }),
    priority: z.int().min(-1_000_000).max(1_000_000).optional().openapi({ description: "Higher runs first; default 0" }),
    tags: z.array(TagSchema).max(32, "at most 32 tags").optional(),
    initiator: text(255).optional().openapi({ description: "Who asked for the task (a person or system)" }),
    source_system: text(255).optional(),
    reason: text(1000).optional(),
  })
  .openapi("CreateTaskRequest");

export type CreateTaskBody = z.infer<typeof CreateTaskBodySchema>;

export const TaskSchema = z
  .object({
    id: UuidSchema,
    namespace: z.string(),
    name: z.string(),
    version: z.string(),
    state: TaskStateSchema,
    priority: z.int(),
    context: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    initiator: z.string().nullable(),
    source_system: z.string().nullable(),
    reason: z.string().nullable(),
    parent_task_id: UuidSchema.nullable().openapi({ description: "Set for child tasks spawned by a step" }),
    parent_step_id: UuidSchema.nullable().openapi({ description: "The step that spawned this child task" }),
    child_key: z.string().nullable().openapi({ description: "The child's key within its spawning step (its index in the spawn source)" }),
    step_count: z.int(),
    steps_unfinished: z.int(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    started_at: TimestampSchema.nullable(),
    completed_at: TimestampSchema.nullable(),
  })
  .openapi("Task");

export const TaskDetailSchema = TaskSchema.extend({ steps: z.array(StepSchema) }).openapi("TaskDetail");

const isoDate = (field: string) =>
  z.iso
    .datetime({ offset: true, message: `${field} must be an RFC 3339 timestamp such as 2025-01-31T12:00:00Z` })
    .transform((s) => new Date(s));

/** GET /v1/tasks query. Unknown parameters are refused: a misspelt filter must not list everything. */
export const ListTasksQuerySchema = z.strictObject({
  namespace: NameSchema.optional().openapi({ param: { name: "namespace", in: "query" } }),
  name: NameSchema.optional().openapi({ param: { name: "name", in: "query" } }),
  version: VersionSchema.optional().openapi({ param: { name: "version", in: "query" } }),
  state: TaskStateSchema.optional().openapi({ param: { name: "state", in: "query" } }),
  tag: TagSchema.optional().openapi({ param: { name: "tag", in: "query" } }),
  created_after: isoDate("created_after").optional().openapi({ param: { name: "created_after", in: "query" }, type: "string", format: "date-time" }),
  created_before: isoDate("created_before").optional().openapi({ param: { name: "created_before", in: "query" }, type: "string", format: "date-time" }),
  cursor: text(512).optional().openapi({ param: { name: "cursor", in: "query" }, description: "next_cursor of the previous page" }),
  limit: z.coerce
    .number({ message: "limit must be an integer 1–500" })
    .int("limit must be an integer 1–500")
    .min(1, "limit must be an integer 1–500")
    .max(500, "limit must be an integer 1–500")
    .optional()
    .openapi({ param: { name: "limit", in: "query" }, type: "integer", description: "Page size, default 50" }),
});

export const ListChildrenQuerySchema = z.strictObject({
  state: TaskStateSchema.optional().openapi({ param: { name: "state", in: "query" } }),
  cursor: z
    .string()
    .regex(/^\d{1,10}$/, "cursor must be the next_cursor of the previous page")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "next_cursor of the previous page" }),
  limit: z.coerce
    .number({ message: "limit must be an integer 1–500" })
    .int("limit must be an integer 1–500")
    .min(1, "limit must be an integer 1–500")
    .max(500, "limit must be an integer 1–500")
    .optional()
    .openapi({ param: { name: "limit", in: "query" }, type: "integer" }),
});

export const TaskPageSchema = z
  .object({
    tasks: z.array(TaskSchema),
    next_cursor: z.string().nullable().openapi({ description: "Pass as cursor for the next page; null on the last page" }),
  })
  .openapi("TaskPage");

export const TaskSummarySchema = z
  .object({
    total: z.int(),
    by_state: z.record(z.string(), z.int()).openapi({ example: { pending: 0, in_progress: 2, complete: 40 } }),
  })
  .openapi("TaskSummary");

/** DELETE /v1/tasks/{id}: optional audit fields; the credential's subject is the default actor. */
export const CancelTaskBodySchema = z
  .strictObject({
    reason: text(1000).min(1, "must not be empty").optional(),
    actor: text(255).min(1, "must not be empty").optional(),
  })
  .openapi("CancelTaskRequest");
