import { z } from "@hono/zod-openapi";
import { STEP_STATES } from "../../core/dag/step-state.ts";
import { JsonValueSchema, text, TimestampSchema, UuidSchema } from "./common.ts";

export const StepStateSchema = z.enum(STEP_STATES).openapi("StepState");

export const StepErrorSchema = z
  .object({
    message: z.string(),
    name: z.string(),
    kind: z.enum(["retryable", "permanent", "timeout", "lease_expired"]),
    attempt: z.int(),
  })
  .openapi("StepError");

export const StepSchema = z
  .object({
    id: UuidSchema,
    task_id: UuidSchema,
    idx: z.int().openapi({ description: "Position of the step in the template's declaration order" }),
    name: z.string(),
    state: StepStateSchema,
    attempts: z.int(),
    max_attempts: z.int(),
    depends_on: z.array(z.string()),
    run_at: TimestampSchema.nullable().openapi({ description: "Not before this time (retry backoff)" }),
    results: z.unknown().openapi({ description: "What the handler returned; null until complete" }),
    error: StepErrorSchema.nullable(),
    skipped_by: z.string().nullable().openapi({ description: "For a step skipped by a decision: the decision step's name" }),
    skip_reason: z.string().nullable().openapi({ description: "Why a decision skipped the step" }),
    batch: z
      .object({ index: z.int(), start: z.union([z.number(), z.string()]), end: z.union([z.number(), z.string()]) })
      .nullable()
      .openapi({ description: "For a batch worker: its position in the plan and its cursor range" }),
    checkpoint: z
      .object({ cursor: z.union([z.number(), z.string()]), state: z.unknown() })
      .nullable()
      .openapi({ description: "For a batch worker: the progress it last saved (a retry resumes there)" }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    started_at: TimestampSchema.nullable(),
    completed_at: TimestampSchema.nullable(),
  })
  .openapi("Step");

const reason = text(1000).min(1, "must not be empty; say why").openapi({ example: "upstream outage fixed" });
const actor = text(255).min(1, "must not be empty; say who").openapi({ example: "alice@example.com" });

/** PATCH /v1/tasks/{id}/steps/{stepId}: one manual operation, audited. */
export const PatchStepBodySchema = z
  .discriminatedUnion(
    "action",
    [
      z.strictObject({ action: z.literal("reset_for_retry"), reason, actor }),
      z.strictObject({ action: z.literal("resolve_manually"), reason, actor }),
      z.strictObject({ action: z.literal("skip"), reason, actor }),
      z.strictObject({
        action: z.literal("complete_manually"),
        reason,
        actor,
        results: JsonValueSchema.refine((v) => v !== undefined, "is required for complete_manually: the results dependents will see"),
      }),
    ],
    {
      error: (issue) =>
        issue.input !== null && typeof issue.input === "object" && !Array.isArray(issue.input)
          ? "action must be one of reset_for_retry, resolve_manually, complete_manually, skip"
          : "expected object: send a JSON object with action, reason and actor",
    },
  )
  .openapi("StepAction");

export type PatchStepBody = z.infer<typeof PatchStepBodySchema>;

export const TransitionSchema = z
  .object({
    from_state: z.string().nullable(),
    to_state: z.string(),
    attempt: z.int().nullable(),
    reason: z.string().nullable(),
    actor: z.string(),
    metadata: z.unknown(),
    created_at: TimestampSchema,
  })
  .openapi("Transition");

export const StepAuditSchema = z
  .object({
    task_id: UuidSchema,
    step_id: UuidSchema,
    transitions: z.array(TransitionSchema),
  })
  .openapi("StepAudit");
