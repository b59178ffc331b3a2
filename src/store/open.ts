import type { Config } from "../config/index.ts";
import type { Db } from "./db.ts";
import { createPgliteDb } from "./adapters/pglite.ts";
import { createPostgresDb } from "./adapters/postgres.ts";
import { mkdir } from "node:fs/promises";

/**
 * Opens the database the configuration names: a postgres.js pool for `DATABASE_URL`, otherwise
 * PGlite in its data directory (created on first use) or in memory.
 *
 * @example
 *   const db = await openDb(loadConfig());
 */
export async function openDb(config: Config, applicationName = "tasker-edge"): Promise<Db> {
  const database = config.database;
  if (database.kind === "postgres") {
    return createPostgresDb({ url: database.url, max: database.poolSize, applicationName });
  }
  if (database.dataDir) await mkdir(database.dataDir, { recursive: true });
  return createPgliteDb({ dataDir: database.dataDir });
}
