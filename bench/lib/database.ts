import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import { createPostgresDb } from "../../src/store/adapters/postgres.ts";
import type { Db } from "../../src/store/db.ts";
import { loadMigrations, migrate } from "../../src/store/migrator.ts";
import { migratedPgliteDump } from "../../src/store/pglite-template.ts";
import type { Backend } from "./args.ts";
import { startThrowawayPostgres } from "./postgres-server.ts";

/** A fresh, migrated database for one run. */
export interface BenchDatabase {
  backend: Backend;
  db: Db;
  /** For a server child process: DATABASE_URL of this run's database (Postgres only). */
  url: string | null;
  close(): Promise<void>;
}

let baseUrl: string | null = null;

/**
 * The Postgres the benches use: BENCH_DATABASE_URL, else DATABASE_URL, else a throwaway cluster
 * started now and stopped when this process exits. Each run then gets its own database in it.
 */
export function postgresBaseUrl(): string {
  baseUrl ??= process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || startThrowawayPostgres().url;
  return baseUrl;
}

const CACHE_DIR = join(import.meta.dir, "../../.tasker/bench-cache");
let migratedDump: Promise<Blob> | null = null;

function pgliteTemplate(): Promise<Blob> {
  migratedDump ??= migratedPgliteDump(CACHE_DIR);
  return migratedDump;
}

/**
 * Writes a migrated PGlite data directory at `dataDir` (from the cached dump), so that a server
 * child started on it reopens an existing database instead of running initdb — as a server
 * does on every start but its first.
 */
export async function writeMigratedPgliteDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const db = await createPgliteDb({ dataDir, loadDataDir: await pgliteTemplate() });
  await db.close();
}

/**
 * Opens a fresh database for one run: an in-memory PGlite loaded from a migrated dump, or a new
 * Postgres database (dropped again by `close`). `poolSize` is the postgres.js pool, as
 * DATABASE_POOL_SIZE sets it for the server (default 10).
 *
 * @example
 *   const bdb = await openBenchDatabase("postgres", "throughput");
 *   try { … } finally { await bdb.close(); }
 */
export async function openBenchDatabase(backend: Backend, label: string, poolSize = 10): Promise<BenchDatabase> {
  if (backend === "pglite") {
    const db = await createPgliteDb({ loadDataDir: await pgliteTemplate() });
    return { backend, db, url: null, close: () => db.close() };
  }
  const { url, drop } = await createRunDatabase(label);
  const db = createPostgresDb({ url, max: poolSize, applicationName: `bench-${label}` });
  try {
    await migrate(db, await loadMigrations());
  } catch (error) {
    await db.close();
    await drop();
    throw error;
  }
  return {
    backend,
    db,
    url,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}

/** An empty database for one run (the server child migrates it itself); `drop` removes it. */
export async function createRunDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = postgresBaseUrl();
  const name = `bench_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase().slice(0, 30)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
