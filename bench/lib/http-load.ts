/** The outcome of a load run: what was sent, what came back, how long each request took. */
export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  /** Status code (or "network") → count, for the failures. */
  errorKinds: Record<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
}

/**
 * Keeps `clients` requests in flight against `url` until `maxRequests` were sent or `seconds`
 * passed (whichever first); loopback only. Each request is a POST of `body(i)` as JSON and
 * counts as ok when the status is `okStatus`.
 *
 * @example
 *   const r = await postLoad({ url, clients: 32, seconds: 10, maxRequests: 50_000, body: () => ({ … }) });
 */
export async function postLoad(opts: {
  url: string;
  clients: number;
  seconds: number;
  maxRequests: number;
  body: (i: number) => unknown;
  okStatus?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<LoadResult> {
  const host = new URL(opts.url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`load is generated against loopback only (got ${host})`);
  const okStatus = opts.okStatus ?? 201;
  const result: LoadResult = { sent: 0, ok: 0, errors: 0, errorKinds: {}, latenciesMs: [], elapsedMs: 0 };
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  let next = 0;
  async function client(): Promise<void> {
    while (next < opts.maxRequests && performance.now() < deadline) {
      const i = next++;
      result.sent++;
      const t = performance.now();
      let kind: string | null = null;
      try {
        const res = await fetch(opts.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(opts.body(i)) });
        await res.arrayBuffer();
        if (res.status !== okStatus) kind = String(res.status);
      } catch {
        kind = "network";
      }
      if (kind === null) {
        result.ok++;
        result.latenciesMs.push(performance.now() - t);
      } else {
        result.errors++;
        result.errorKinds[kind] = (result.errorKinds[kind] ?? 0) + 1;
      }
      opts.onProgress?.(result.sent, opts.maxRequests);
    }
  }
  await Promise.all(Array.from({ length: opts.clients }, client));
  result.elapsedMs = performance.now() - started;
  return result;
}
