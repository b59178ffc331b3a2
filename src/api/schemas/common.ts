import { z } from "@hono/zod-openapi";
import { NAME_PATTERN } from "../../core/template/names.ts";

// Postgres text and jsonb cannot hold U+0000, and a lone UTF-16 surrogate (which JSON.parse lets
// through) is not Unicode: Postgres refuses it inside jsonb and mangles it in text. Both are
// refused at the edge with a 400 instead of failing in SQL with a 500.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored, or null when it can. */
function textProblem(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain the character U+0000";
  if (LONE_SURROGATE.test(value)) return "must be valid Unicode (it contains a lone UTF-16 surrogate)";
  return null;
}

/**
 * The first reason a parsed JSON value cannot be stored (U+0000 or a lone surrogate in any string
 * or key), or null. Iterative, because a body within the size limit can still nest deeper than
 * the call stack.
 *
 * @example
 *   jsonTextProblem({ a: ["x\u0000"] }) // "must not contain the character U+0000"
 */
export function jsonTextProblem(value: unknown): string | null {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return problem;
    } else if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const [k, inner] of Object.entries(v)) {
        const problem = textProblem(k);
        if (problem) return `${problem} (in a key)`;
        pending.push(inner);
      }
    }
  }
  return null;
}

/**
 * A string that Postgres can store: no U+0000, no lone surrogates.
 *
 * @example
 *   storableString().min(1).max(64) // a tag
 */
export function storableString() {
  return z.string().superRefine((v, ctx) => {
    const problem = textProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/**
 * A storable free-text field of at most `max` characters.
 *
 * @example
 *   reason: text(1000).optional()
 */
export function text(max: number) {
  return storableString().max(max, `must be at most ${max} characters`);
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
 * Any JSON object; strings inside that Postgres cannot store are refused (see jsonTextProblem).
 *
 * @example
 *   JsonObjectSchema.parse({ repo: "acme/app" })
 */
export const JsonObjectSchema = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
    const problem = jsonTextProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}; every string inside must be storable` });
  })
  .openapi({ type: "object", additionalProperties: true });

/** Any JSON value (step results); unstorable strings refused as above. */
export const JsonValueSchema = z
  .unknown()
  .superRefine((v, ctx) => {
    const problem = jsonTextProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}; every string inside must be storable` });
  })
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
