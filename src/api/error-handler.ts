import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { TaskerError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { ApiError } from "./api-error.ts";
import { statusForCode } from "./error-status.ts";
import type { ErrorBody } from "./schemas/error.ts";

/** What a response for an error consists of, before it becomes a Response. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

// Hono raises HTTPException for what it rejects before our code runs (e.g. a content type the
// OpenAPI body gate does not accept); the status says which code it is.
const CODE_BY_HTTP_STATUS: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  404: "route_not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * Maps anything thrown while handling a request to the one error shape. TaskerErrors keep their
 * code, message and details when the status is a 4xx or 503; every other failure becomes an
 * opaque `internal_error` whose message carries a reference to the log line, never a stack.
 *
 * @example
 *   toErrorReply(new TaskNotFoundError(id)).status // 404
 *   toErrorReply(new Error("boom")).body.error.code // "internal_error"
 */
export function toErrorReply(err: unknown, reference: string = crypto.randomUUID()): ErrorReply {
  if (err instanceof TaskerError) {
    const status = statusForCode(err.code);
    if (status < 500 || status === 503) {
      const headers = err instanceof ApiError ? { ...err.headers } : {};
      const retryAfter = err.details?.retryAfterSeconds;
      if (status === 503 && typeof retryAfter === "number") headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfter)));
      const error: ErrorBody["error"] = { code: err.code, message: err.message };
      if (err.details !== undefined) error.details = err.details;
      return { status, body: { error }, headers };
    }
  } else if (err instanceof HTTPException && err.status < 500) {
    const code = CODE_BY_HTTP_STATUS[err.status] ?? "bad_request";
    return { status: err.status, body: { error: { code, message: err.message || code.replaceAll("_", " ") } }, headers: {} };
  }
  return {
    status: 500,
    body: { error: { code: "internal_error", message: `internal error; the server log has the details under reference ${reference}` } },
    headers: {},
  };
}

/**
 * `app.onError`: logs server faults with their stack (the response never has one) and answers in
 * the one error shape.
 *
 * @example
 *   app.onError(errorHandler(logger))
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return function onError(err: Error, c: Context) {
    const reference = crypto.randomUUID();
    const reply = toErrorReply(err, reference);
    if (reply.status >= 500 && reply.status !== 503) {
      logger.error("request failed", { reference, method: c.req.method, path: c.req.path, error: err.message, stack: err.stack });
    }
    return c.json(reply.body, reply.status as 400, reply.headers);
  };
}

/**
 * `app.notFound`: an unknown path is a 404 in the error shape, naming the path.
 *
 * @example
 *   app.notFound(notFoundHandler())
 */
export function notFoundHandler(): NotFoundHandler {
  return function notFound(c: Context) {
    const reply = toErrorReply(new ApiError("route_not_found", `no route ${c.req.method} ${c.req.path}; see /openapi.json for the routes`));
    return c.json(reply.body, 404);
  };
}
