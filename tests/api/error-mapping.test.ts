import { describe, expect, test } from "bun:test";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { ApiError } from "../../src/api/api-error.ts";
import { toErrorReply } from "../../src/api/error-handler.ts";
import { statusForCode } from "../../src/api/error-status.ts";
import { ErrorSchema } from "../../src/api/schemas/error.ts";
import { toApiIssues } from "../../src/api/validation-hook.ts";
import { TaskerError } from "../../src/core/errors.ts";
import { BackpressureError, ContextInvalidError, InvalidTransitionError, LeaseLostError, StepNotFoundError, TaskNotFoundError } from "../../src/engine/errors.ts";
import { InvalidNameError, TemplateLoadError, TemplateNotFoundError } from "../../src/registry/errors.ts";

describe("error mapping", () => {
  test.each([
    ["TaskNotFoundError", new TaskNotFoundError("x"), 404, "task_not_found"],
    ["StepNotFoundError", new StepNotFoundError("x", "y"), 404, "step_not_found"],
    ["TemplateNotFoundError", new TemplateNotFoundError("ci", "nope"), 404, "template_not_found"],
    ["TemplateNotFoundError", new TemplateNotFoundError("nope"), 404, "namespace_not_found"],
    ["InvalidNameError", new InvalidNameError("namespace", "../etc"), 400, "name_invalid"],
    ["ContextInvalidError", new ContextInvalidError([{ path: "a", message: "required" }]), 422, "context_invalid"],
    ["InvalidTransitionError", new InvalidTransitionError("step", "complete", "reset_for_retry"), 409, "invalid_transition"],
    ["ApiError", new ApiError("forbidden", "no"), 403, "forbidden"],
    ["TaskerError", new TaskerError("widget_not_found", "no widget"), 404, "widget_not_found"],
  ])("%s answers %d with its own code, message and details", (_name, err, status, code) => {
    const reply = toErrorReply(err);
    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(code);
    expect(reply.body.error.message).toBe(err.message);
    expect(ErrorSchema.safeParse(reply.body).success).toBe(true);
  });

  test("queue_full answers 503 with Retry-After in whole seconds", () => {
    const reply = toErrorReply(new BackpressureError("ci", 5000, 2.2));
    expect(reply.status).toBe(503);
    expect(reply.headers["Retry-After"]).toBe("3");
    expect(reply.body.error.code).toBe("queue_full");
  });

  test.each([
    ["a plain Error", new Error("db exploded at /srv/app/x.ts:12")],
    ["an unlisted TaskerError", new LeaseLostError("s", 1)],
    ["a load error", new TemplateLoadError("handlers/ci/x.ts", "syntax error")],
    ["a thrown string", "oops"],
  ])("%s becomes an opaque internal_error with a log reference and no stack", (_label, err) => {
    const reply = toErrorReply(err, "ref-123");
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ error: { code: "internal_error", message: expect.stringContaining("ref-123") } });
    expect(JSON.stringify(reply.body)).not.toContain("/srv/app");
  });

  test("Hono's own 4xx exceptions keep their status under a stable code", () => {
    const reply = toErrorReply(new HTTPException(415, { message: "Unsupported Media Type" }));
    expect(reply.status).toBe(415);
    expect(reply.body.error.code).toBe("unsupported_media_type");
  });

  test("statusForCode is 500 for unknown codes that are not *_not_found", () => {
    expect(statusForCode("config_invalid")).toBe(500);
    expect(statusForCode("anything_not_found")).toBe(404);
  });
});

describe("zod issues", () => {
  test("unknown keys become one issue per key naming the field", () => {
    const result = z.strictObject({ a: z.string() }).safeParse({ a: "x", b: 1, c: 2 });
    const issues = toApiIssues("json", result.error!.issues);
    expect(issues).toEqual([
      { location: "body", path: "b", message: expect.stringContaining("unknown field") },
      { location: "body", path: "c", message: expect.stringContaining("unknown field") },
    ]);
  });

  test("nested paths are dotted and the location follows the target", () => {
    const result = z.object({ tags: z.array(z.string()) }).safeParse({ tags: ["a", 1] });
    expect(toApiIssues("query", result.error!.issues)).toEqual([
      { location: "query", path: "tags.1", message: "expected string, received number" },
    ]);
  });
});
