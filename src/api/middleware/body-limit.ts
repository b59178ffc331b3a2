import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../api-error.ts";

/**
 * Refuses request bodies over `maxBytes` with `payload_too_large` before anything reads them
 * whole: a Content-Length over the limit is refused at once, a chunked body as soon as the
 * running count passes it.
 *
 * @example
 *   app.use("/v1/*", limitBody(1024 * 1024))
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("payload_too_large", `the request body is larger than ${maxBytes} bytes; send a smaller body`, { maxBytes });
    },
  });
}
