#!/usr/bin/env bun
/**
 * `bun run server`: the composition root. Starts the HTTP API and an in-process worker on the
 * configured database (PGlite in ./.tasker/pgdata by default), and drains on SIGTERM/SIGINT.
 * Bun-specific APIs (Bun.serve) are confined to this file and the CLI.
 */
import { parseArgs } from "node:util";
import { createApp } from "./api/app.ts";
import { describeDatabase, type ConfigOverrides } from "./config/index.ts";
import { TaskerError } from "./core/errors.ts";
import { buildRuntime } from "./runtime.ts";
import { createScheduleService } from "./engine/scheduler.ts";
import { schemaStatus, loadMigrations } from "./store/migrator.ts";
import { boundGarbage } from "./heap-bound.ts";

export async function serve(overrides: ConfigOverrides, runWorkers = true): Promise<void> {
  const rt = await buildRuntime(overrides, { runWorkers, applicationName: "tasker-edge-server" });
  const { config, log, engine, registry, db } = rt;
  const shutdown = new AbortController();
  const migrations = await loadMigrations();
  const app = createApp(engine, registry, {
    logger: log,
    signal: shutdown.signal,
    schedules: createScheduleService({ db, engine, templates: registry }),
    auth: {
      disabled: config.auth.disabled,
      apiKeys: [...config.auth.apiKeys],
      ...(config.auth.jwtSecret || config.auth.jwtPublicKey
        ? { jwt: { ...(config.auth.jwtSecret ? { hs256Secret: config.auth.jwtSecret } : {}), ...(config.auth.jwtPublicKey ? { rs256PublicKey: config.auth.jwtPublicKey } : {}) } }
        : {}),
    },
    ready: async () => {
      const database = await db.query("select 1").then(() => true, () => false);
      const status = database ? await schemaStatus(db, migrations).catch(() => null) : null;
      return { database, migrations: status?.pending === 0, handlers: registry.templates().length > 0 };
    },
  });
  await engine.start();
  const server = Bun.serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host, idleTimeout: 0 });
  const stopBounding = boundGarbage(config.heapHeadroomMb, { heapUsed: () => process.memoryUsage().heapUsed, collect: () => Bun.gc(true) });
  const namespaces = registry.namespaces().map((n) => `${n.name}(${n.handlerCount})`).join(",") || "none";
  log.info(`tasker-edge listening on http://${config.http.host}:${server.port}`, {
    database: describeDatabase(config),
    namespaces,
    workers: runWorkers ? config.engine.concurrency : 0,
  });
  for (const p of registry.problems()) log.warn("handler module not loaded", { file: p.file, problem: p.message });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    shutdown.abort();
    stopBounding();
    await server.stop();
    await engine.stop({ drainMs: 10_000 });
    await rt.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** Prints a configuration or start-up error as one line and exits non-zero; never a stack trace. */
export function fail(error: unknown): never {
  const message = error instanceof TaskerError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`tasker-edge: ${message}`);
  process.exit(error instanceof TaskerError && error.code === "config_invalid" ? 2 : 1);
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: "string" },
        host: { type: "string" },
        memory: { type: "boolean" },
        "data-dir": { type: "string" },
        handlers: { type: "string" },
        "no-auth": { type: "boolean" },
        "no-workers": { type: "boolean" },
      },
      strict: true,
    });
    await serve(serverOverrides(values), !values["no-workers"]);
  } catch (error) {
    fail(error);
  }
}

/** The server flags shared by `bun run server` and `tasker serve|work|…`, as configuration overrides. */
export function serverOverrides(values: {
  port?: string;
  host?: string;
  memory?: boolean;
  "data-dir"?: string;
  handlers?: string;
  "no-auth"?: boolean;
}): ConfigOverrides {
  const overrides: ConfigOverrides = {};
  if (values.port !== undefined) overrides.port = parsePort(values.port);
  if (values.host !== undefined) overrides.host = values.host;
  if (values.memory) overrides.memory = true;
  if (values["data-dir"] !== undefined) overrides.dataDir = values["data-dir"];
  if (values.handlers !== undefined) overrides.handlersDir = values.handlers;
  if (values["no-auth"]) overrides.noAuth = true;
  return overrides;
}

export function parsePort(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TaskerError("config_invalid", `--port must be 0–65535 (got "${raw}")`);
  return n;
}
