import { afterAll, beforeAll, describe } from "bun:test";
import { join } from "node:path";
import postgres from "postgres";
import type { Db } from "../../src/store/db.ts";
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import { createPostgresDb } from "../../src/store/adapters/postgres.ts";
import { loadMigrations, migrate } from "../../src/store/migrator.ts";
import { migratedPgliteDump } from "../../src/store/pglite-template.ts";

export type BackendName = "pglite" | "postgres";

/** A migrated, isolated database for one test file: its own PGlite, or its own Postgres schema. */
export interface TestDatabase {
  readonly backend: BackendName;
  readonly db: Db;
  /** Opens another connection (pool) to the same database, e.g. for a second engine. */
  readonly connect: () => Promise<Db>;
  /** For child processes: a URL plus schema (Postgres), or null on PGlite. */
  readonly url: string | null;
  readonly schema: string | null;
  readonly close: () => Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;

/** The backends this run covers: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export function activeBackends(): BackendName[] {
  return TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

const CACHE_DIR = join(import.meta.dir, "../../.tasker/test-cache");
let migratedDump: Promise<Blob> | null = null;

function pgliteTemplate(): Promise<Blob> {
  migratedDump ??= migratedPgliteDump(CACHE_DIR);
  return migratedDump;
}

/** A fresh, migrated database on `backend`. */
export async function openTestDatabase(backend: BackendName, label = "t"): Promise<TestDatabase> {
  if (backend === "pglite") {
    const db = await createPgliteDb({ loadDataDir: await pgliteTemplate() });
    return {
      backend,
      db,
      connect: async () => db,
      url: null,
      schema: null,
      close: () => db.close(),
    };
  }
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `t_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase().slice(0, 30)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema "${schema}"`);
  const pools: Db[] = [];
  const connect = async () => {
    const db = createPostgresDb({ url: TEST_DATABASE_URL, schema, max: 8 });
    pools.push(db);
    return db;
  };
  const db = await connect();
  await migrate(db, await loadMigrations());
  return {
    backend,
    db,
    connect,
    url: TEST_DATABASE_URL,
    schema,
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
      if (!process.env.KEEP_TEST_SCHEMAS) await admin.unsafe(`drop schema "${schema}" cascade`);
      await admin.end();
    },
  };
}

/**
 * Declares the same suite once per active backend, titled `[pglite]` / `[postgres]`, each with its
 * own isolated, migrated database opened before the suite and dropped after it.
 *
 * @example
 *   describeEachBackend("tasks store", (t) => {
 *     test("inserts", async () => { await t.db.query("select 1") });
 *   });
 */
export function describeEachBackend(title: string, body: (t: TestDatabase) => void): void {
  for (const backend of activeBackends()) {
    describe(`${title} [${backend}]`, () => {
      let current: TestDatabase | null = null;
      const handle = new Proxy({} as TestDatabase, {
        get: (_target, key) => {
          if (!current) throw new Error("test database used outside a test");
          return current[key as keyof TestDatabase];
        },
      });
      beforeAll(async () => {
        current = await openTestDatabase(backend, title);
      });
      body(handle);
      // Registered after the suite's own hooks so that engines stop before their database closes.
      afterAll(async () => {
        await current?.close();
        current = null;
      });
    });
  }
}
