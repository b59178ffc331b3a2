import { TaskerError } from "../core/errors.ts";

/**
 * An error raised by the HTTP layer itself (bad credentials, a malformed body, an unknown route).
 * Its `code` is one of the stable codes in error-status.ts, so `app.onError` maps it like any
 * other TaskerError; `headers` carries what the status needs (WWW-Authenticate, Retry-After).
 *
 * @example
 *   throw new ApiError("forbidden", "this credential lacks the permission tasks:create");
 */
export class ApiError extends TaskerError {
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(code, message, details);
    this.headers = headers;
  }
}
