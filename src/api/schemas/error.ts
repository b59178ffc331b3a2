import { z } from "@hono/zod-openapi";

/** One field a request got wrong: where it is, the path inside it, and what to fix. */
export const IssueSchema = z
  .object({
    location: z.enum(["body", "query", "path", "header"]),
    path: z.string().openapi({ description: "Dotted path to the field, empty for the whole location", example: "tags.0" }),
    message: z.string().openapi({ example: "expected string, received number" }),
  })
  .openapi("ValidationIssue");

/** Every error response, whatever the status: `{ error: { code, message, details? } }`. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ description: "Stable machine-readable code; branch on this, never on the message", example: "validation_failed" }),
      message: z.string().openapi({ description: "What went wrong and what to fix", example: "body.namespace: must be lower-case letters, digits and underscores" }),
      details: z.record(z.string(), z.unknown()).optional().openapi({ description: "Typed fields of the error, e.g. `issues` for validation_failed" }),
    }),
  })
  .openapi("Error");

export type ErrorBody = z.infer<typeof ErrorSchema>;

/**
 * The error response entry for a route's `responses`, one per status it can answer.
 *
 * @example
 *   responses: { 404: errorResponse("No such task (task_not_found)") }
 */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorSchema } } } as const;
}
