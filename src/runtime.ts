import { hostname } from "node:os";
import { loadConfig, describeDatabase, type Config, type ConfigOverrides } from "./config/index.ts";
import { defaultCore } from "./core/dag/index.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { createEngine } from "./engine/index.ts";
import { createRegistry, type Registry } from "./registry/index.ts";
import type { Db } from "./store/db.ts";
import { loadMigrations, migrate } from "./store/migrator.ts";
import { openDb } from "./store/open.ts";

export interface Runtime {
  config: Config;
  log: Logger;
  db: Db;
  registry: Registry;
  engine: ReturnType<typeof createEngine>;
  close(): Promise<void>;
}

/**
 * The composition: config → db → migrate → registry → engine. Every command that needs the
 * engine builds it here, so the server, a worker process and the CLI agree on how.
 *
 * @example
 *   const rt = await buildRuntime({ memory: true }, { runWorkers: false });
 */
export async function buildRuntime(overrides: ConfigOverrides, opts: { runWorkers: boolean; applicationName: string }): Promise<Runtime> {
  const config = loadConfig(process.env, overrides);
  const log = createLogger(config.logLevel);
  const db = await openDb(config, opts.applicationName);
  try {
    const result = await migrate(db, await loadMigrations(), { onApplied: (m) => log.info("migration applied", { version: m.version, name: m.name }) });
    log.debug("schema current", { version: result.current, database: describeDatabase(config) });
    const core = await defaultCore();
    const registry = createRegistry({ handlersDir: config.handlersDir, core, log });
    await registry.load();
    const engine = createEngine({
      db,
      registry,
      core,
      logger: log,
      host: { hostname: hostname(), pid: process.pid },
      options: {
        runWorkers: opts.runWorkers,
        concurrency: config.engine.concurrency,
        maxQueueDepth: config.engine.maxQueueDepth,
        leaseGraceMs: config.engine.leaseGraceMs,
        pollMs: config.engine.pollMs,
        ...(config.engine.namespaces ? { namespaces: config.engine.namespaces } : {}),
      },
    });
    return { config, log, db, registry, engine, close: () => db.close() };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
