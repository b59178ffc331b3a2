import { z } from "@hono/zod-openapi";
import { TimestampSchema, UuidSchema } from "./common.ts";
import { StepErrorSchema } from "./step.ts";
import { LoadProblemSchema } from "./template.ts";

export const LiveSchema = z.object({ status: z.literal("ok") }).openapi("Live");

export const ChecksSchema = z
  .object({ database: z.boolean(), migrations: z.boolean(), handlers: z.boolean() })
  .openapi("ReadinessChecks");

export const ReadySchema = z.object({ status: z.literal("ready"), checks: ChecksSchema }).openapi("Ready");

export const SystemStatusSchema = z
  .object({
    queues: z.array(z.object({ namespace: z.string(), depth: z.int(), oldest_age_ms: z.number() })),
    workers: z.array(
      z.object({
        id: z.string(),
        hostname: z.string(),
        pid: z.int(),
        namespaces: z.array(z.string()),
        concurrency: z.int(),
        started_at: TimestampSchema,
        heartbeat_at: TimestampSchema,
      }),
    ),
    tasks_by_state: z.record(z.string(), z.int()),
    steps_by_state: z.record(z.string(), z.int()),
    recent_failures: z.array(
      z.object({
        task_id: UuidSchema,
        step_id: UuidSchema,
        step: z.string(),
        namespace: z.string(),
        error: StepErrorSchema.nullable(),
        at: TimestampSchema,
      }),
    ),
    handler_problems: z.array(LoadProblemSchema),
  })
  .openapi("SystemStatus");
