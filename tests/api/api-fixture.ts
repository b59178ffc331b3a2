import { createApp } from "../../src/api/app.ts";
import type { ApiOptions } from "../../src/api/options.ts";
import type { EngineOptions } from "../../src/engine/index.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";

export type TestEngine = Awaited<ReturnType<typeof testEngine>>;
export type TestApp = ReturnType<typeof createApp>;

let shared: Promise<Registry> | null = null;
/** The shipped handlers, loaded once per test file. */
export const sharedRegistry = () => (shared ??= loadRegistry());

/** A running engine over `db` and an app over it; `close` stops both. */
export async function startApi(db: Db, options: ApiOptions = {}, engineOptions: EngineOptions = {}) {
  const registry = await sharedRegistry();
  const engine = await testEngine(db, registry, engineOptions);
  await engine.start();
  const shutdown = new AbortController();
  const app = createApp(engine, registry, { signal: shutdown.signal, ...options });
  // The app subscribes to events at once, but the engine's event relay fixes its starting point
  // on its first poll, which runs after this tick: events committed before it are not delivered.
  // Give it that first poll before a test submits anything.
  await new Promise((r) => setTimeout(r, 100));
  return {
    app,
    engine,
    registry,
    /** Builds another app over the same engine (other auth settings). */
    appWith: (more: ApiOptions) => createApp(engine, registry, { signal: shutdown.signal, ...more }),
    close: async () => {
      shutdown.abort();
      await engine.stop({ drainMs: 1000 });
    },
  };
}

/** JSON request helpers for app.request(). */
export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** The shape every error response must have; returns the body for further checks. */
export async function errorBody(res: Response): Promise<{ error: { code: string; message: string; details?: Record<string, unknown> } }> {
  const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  if (typeof body?.error?.code !== "string" || typeof body.error.message !== "string") {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body;
}

/**
 * A fresh context for ci/ci_pipeline. The template deduplicates identical contexts (identity
 * strategy "strict"), so every call gets its own commit sha.
 */
export function ciContext(extra: Record<string, unknown> = {}) {
  const sha = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  return { commit_sha: sha, branch: "main", ...extra };
}

export { waitForTask };
