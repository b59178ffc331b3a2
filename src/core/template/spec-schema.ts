import { z } from "zod";
import { isValidName, nameSchema } from "./names.ts";
import { retryPolicyInputSchema } from "./retry-policy.ts";
import { joinSpecSchema } from "./join.ts";
import { batchSpecSchema } from "./batch.ts";
import { isSemver } from "./semver.ts";
import { schedulesSchema } from "../schedule/schedule-spec.ts";

/** A day: longer than any sane single attempt, short enough to catch a seconds/ms mix-up. */
export const MAX_STEP_TIMEOUT_MS = 24 * 3600 * 1000;
/** Applied when a step gives no timeoutMs. */
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60 * 1000;

const EVENT_TYPE = /^(task|step)\.[a-z_]{1,40}$/;

/**
 * Structural check instead of instanceof: the module may use its own copy of zod.
 *
 * @example
 *   isZodSchema(z.object({})) // true
 *   isZodSchema({ type: "object" }) // false: a JSON Schema is not a zod schema
 */
export function isZodSchema(value: unknown): value is z.ZodType {
  return (
    typeof value === "object" &&
    value !== null &&
    "_zod" in value &&
    typeof (value as { safeParse?: unknown }).safeParse === "function"
  );
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `${what} must be a function`);

export const stepSpecSchema = z.strictObject({
  dependsOn: z.array(nameSchema).optional(),
  retry: retryPolicyInputSchema.optional(),
  timeoutMs: z.number().int().min(1).max(MAX_STEP_TIMEOUT_MS).optional(),
  skippable: z.boolean().optional(),
  description: z.string().max(2000).optional(),
  handler: fn("handler"),
  handlerClass: z.string().max(300).optional(),
  join: joinSpecSchema.optional(),
  skipIf: fn("skipIf").optional(),
  branches: z.array(nameSchema).min(1).optional(),
  batch: batchSpecSchema.optional(),
});

export const namedStepSpecSchema = stepSpecSchema.extend({ name: nameSchema });

const stepRecordSchema = z.record(z.string(), stepSpecSchema).superRefine((steps, ctx) => {
  for (const key of Object.keys(steps)) {
    if (!isValidName(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: "step name must be lower-case letters, digits and underscores, start with a letter, at most 63 characters" });
    }
  }
});

/*
 * Steps as an object keyed by name, or as an array of named steps. Picking the branch by shape
 * (instead of z.union) keeps the branch's own issues, so "steps.a.handler" is reported rather
 * than a bare "Invalid input".
 */
const stepsSchema = z.unknown().transform((value, ctx) => {
  const parsed = Array.isArray(value) ? z.array(namedStepSpecSchema).safeParse(value) : stepRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  return z.NEVER;
});

export const taskSpecSchema = z.strictObject({
  name: nameSchema,
  version: z.string().refine(isSemver, "must be a semantic version such as 1.0.0"),
  description: z.string().max(2000).optional(),
  namespace: nameSchema.optional(),
  context: z.custom<z.ZodType>(isZodSchema, "context must be a zod schema").optional(),
  identity: z.enum(["strict", "caller", "unique"]).optional(),
  steps: stepsSchema,
  subscribers: z
    .record(z.string().regex(EVENT_TYPE, "must be an event type such as task.completed"), fn("subscriber"))
    .optional(),
  schedules: schedulesSchema.optional(),
});

export type ParsedTaskSpec = z.output<typeof taskSpecSchema>;
export type ParsedStepSpec = z.output<typeof namedStepSpecSchema>;
