import { z } from "@hono/zod-openapi";
import { NAME_PATTERN } from "../../core/template/names.ts";

/** Postgres text and jsonb cannot hold U+0000, so it is refused at the edge instead of failing in SQL. */
export const NO_NUL = /^[^\u0000]*$/;

/**
 * True when U+0000 occurs in any string or key of a parsed JSON value. Iterative, because a body
 * within the size limit can still nest deeper than the call stack.
 *
 * @example
 *   containsNul({ a: ["x\u0000"] }) // true
 */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "string") {
      if (v.includes("\u0000")) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes("\u0000")) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

/** A free-text field of at most `max` characters. */
export function text(max: number) {
  return z.string().max(max, `must be at most ${max} characters`).regex(NO_NUL, "must not contain the character U+0000");
}

/** A namespace, task or step name: the one strict pattern of src/core/template/names.ts (I7). */
export const NameSchema = z
  .string()
  .regex(NAME_PATTERN, "must be lower-case letters, digits and underscores, start with a letter, at most 63 characters")
  .openapi({ example: "ci" });

/** Exact semantic version. */
export const VersionSchema = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, "must be a semantic version such as 1.0.0")
  .max(64)
  .openapi({ example: "1.0.0" });

export const UuidSchema = z.uuid("must be a UUID such as 0190d7a4-8c2e-7b3a-9f10-2a4c6e8b0d12").openapi({ example: "0190d7a4-8c2e-7b3a-9f10-2a4c6e8b0d12" });

/** RFC 3339 timestamps, always UTC with milliseconds in responses. */
export const TimestampSchema = z.string().openapi({ format: "date-time", example: "2025-01-31T12:00:00.000Z" });

/**
 * Any JSON object; U+0000 anywhere inside is refused (see NO_NUL).
 *
 * @example
 *   JsonObjectSchema.parse({ repo: "acme/app" })
 */
export const JsonObjectSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => !containsNul(v), "must not contain the character U+0000 in any key or string")
  .openapi({ type: "object", additionalProperties: true });

/** Any JSON value (step results); U+0000 refused as above. */
export const JsonValueSchema = z
  .unknown()
  .refine((v) => !containsNul(v), "must not contain the character U+0000 in any key or string")
  .openapi({ description: "Any JSON value" });

/** `{ id }` path parameter of a task. */
export const TaskIdParams = z.object({
  id: UuidSchema.openapi({ param: { name: "id", in: "path" } }),
});

/** `{ id, stepId }` path parameters of a step. */
export const StepIdParams = z.object({
  id: UuidSchema.openapi({ param: { name: "id", in: "path" } }),
  stepId: UuidSchema.openapi({ param: { name: "stepId", in: "path" } }),
});
