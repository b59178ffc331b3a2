import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./api-error.ts";

type Target = "json" | "query" | "param" | "header" | "form" | "cookie";
const LOCATION: Record<Target, "body" | "query" | "path" | "header"> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "header",
};

/** One zod issue as the API reports it. */
export interface ApiIssue {
  location: "body" | "query" | "path" | "header";
  path: string;
  message: string;
}

/**
 * Turns zod issues into the API's issue list; unknown keys become one issue per key, so the
 * message names the field to remove.
 *
 * @example
 *   toApiIssues("json", error.issues) // [{ location: "body", path: "priority", message: "expected number, received string" }]
 */
export function toApiIssues(target: Target, issues: readonly z.core.$ZodIssue[]): ApiIssue[] {
  const location = LOCATION[target];
  const out: ApiIssue[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ location, path: base ? `${base}.${key}` : key, message: "unknown field; remove it (field names are snake_case)" });
      }
      continue;
    }
    out.push({ location, path: base, message: issue.message.replace(/^Invalid input: /, "") });
  }
  return out;
}

/**
 * One line listing every issue with its location and path.
 *
 * @example
 *   describeIssues(issues) // "body.tags.0: expected string, received number; query.limit: …"
 */
export function describeIssues(issues: readonly ApiIssue[]): string {
  return issues.map((i) => `${i.location}${i.path ? `.${i.path}` : ""}: ${i.message}`).join("; ");
}

/**
 * The default hook of every OpenAPI route: a failed zod validation becomes a `validation_failed`
 * error thrown to `app.onError`, so all errors leave through one place in one shape.
 *
 * @example
 *   new OpenAPIHono({ defaultHook: validationHook })
 */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: Target },
  _c: Context,
): void {
  if (result.success) return;
  const issues = toApiIssues(result.target, result.error.issues);
  throw new ApiError("validation_failed", `invalid request: ${describeIssues(issues)}`, { issues });
}
