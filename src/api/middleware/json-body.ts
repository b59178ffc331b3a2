import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error.ts";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Reads and parses a JSON request body ahead of the zod validator, so that a syntax error comes
 * back as `malformed_json` with the parser's own message (position included) instead of a bare
 * "Malformed JSON". The parsed text stays cached on the request, where the validator reads it.
 * With `required: false` an absent body is allowed (DELETE with optional audit fields).
 *
 * @example
 *   createRoute({ …, middleware: [jsonBody({ required: true })] })
 */
export function jsonBody(options: { required: boolean }): MiddlewareHandler {
  return async function parseJsonBody(c, next) {
    const contentType = c.req.header("content-type");
    const mediaType = contentType?.split(";")[0]?.trim() ?? "";
    const text = c.req.raw.body ? await c.req.text() : "";
    if (text.length === 0 && !options.required) return next();
    if (!JSON_TYPE.test(mediaType)) {
      throw new ApiError(
        "unsupported_media_type",
        `send the body as JSON with the header Content-Type: application/json (got ${contentType ? `"${contentType}"` : "no Content-Type"})`,
      );
    }
    if (text.trim().length === 0) throw new ApiError("malformed_json", "the request body is empty; send a JSON object");
    try {
      JSON.parse(text);
    } catch (e) {
      throw new ApiError("malformed_json", `the request body is not valid JSON: ${(e as Error).message}`);
    }
    await next();
  };
}
