/**
 * The one table from stable error codes to HTTP statuses. Codes come from the engine
 * (src/engine/errors.ts), the registry (src/registry/errors.ts) and the API itself (ApiError).
 * A code not listed here is not an input error, so it answers 500 — except `*_not_found`, which
 * every layer uses for "no such thing" and which is always the caller's to fix.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // The request itself is wrong.
  validation_failed: 400,
  malformed_json: 400,
  name_invalid: 400,
  bad_request: 400,
  invalid_cursor: 400,
  idempotency_key_required: 400,
  unauthorized: 401,
  forbidden: 403,
  namespace_forbidden: 403,
  task_not_found: 404,
  step_not_found: 404,
  template_not_found: 404,
  namespace_not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  invalid_transition: 409,
  idempotency_conflict: 409,
  schedule_conflict: 409,
  no_waiting_step: 409,
  step_not_skippable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  context_invalid: 422,
  // The request is fine but the server cannot take it now.
  queue_full: 503,
  not_ready: 503,
};

/**
 * The HTTP status for an error code; 500 for codes that do not describe bad input.
 *
 * @example
 *   statusForCode("task_not_found") // 404
 *   statusForCode("lease_lost")     // 500
 */
export function statusForCode(code: string): number {
  const known = STATUS_BY_CODE[code];
  if (known !== undefined) return known;
  if (code.endsWith("_not_found")) return 404;
  return 500;
}

/** The codes this API documents, for the OpenAPI error schema's description. */
export const DOCUMENTED_ERROR_CODES: readonly string[] = [...Object.keys(STATUS_BY_CODE), "internal_error"];
