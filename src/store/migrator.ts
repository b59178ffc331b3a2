import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { MigrationError, SchemaTooNewError } from "../core/errors.ts";
import type { Db, Queryable } from "./db.ts";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrateResult {
  /** Versions this call applied, in order (empty when another process got there first). */
  readonly applied: number[];
  /** The schema version the database is at afterwards. */
  readonly current: number;
}

/** The shipped migrations folder, found relative to this file (no cwd assumption). */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

// One fixed key for every tasker-edge process: pg_advisory_xact_lock serialises migrators across
// processes and machines, and is released with the transaction even when the process dies.
const MIGRATION_LOCK_KEY = 7_351_905_288;

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads `NNNN_name.sql` files, in order. Numbers must be dense from 1 so that "newer than this
 * build" is a plain comparison.
 *
 * @example
 *   const migrations = await loadMigrations();
 */
export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(file, "migration files are named NNNN_lower_snake.sql");
    const version = Number(match[1]);
    if (version !== migrations.length + 1) {
      throw new MigrationError(file, `expected migration number ${migrations.length + 1}, found ${version}`);
    }
    const sql = await readFile(join(dir, file), "utf8");
    migrations.push({ version, name: match[2]!, file, sql, checksum: await sha256(sql) });
  }
  return migrations;
}

/**
 * Brings the database up to the newest migration. Each migration runs in its own transaction
 * holding a transaction-scoped advisory lock, so any number of processes may call this at once:
 * one applies each migration, the others wait and then find nothing to do. A process killed
 * mid-migration rolls back with its transaction, leaving the database before that migration.
 *
 * Throws `SchemaTooNewError` when the database has migrations this build does not know, and
 * `MigrationError` when an applied migration's file was edited since.
 *
 * @example
 *   await migrate(db, await loadMigrations());
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[],
  hooks: { onApplying?: (m: Migration) => void; onApplied?: (m: Migration) => void } = {},
): Promise<MigrateResult> {
  const applied: number[] = [];
  for (;;) {
    const step = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      const done = await appliedVersions(tx, migrations, true);
      const next = migrations.find((m) => !done.has(m.version));
      if (!next) return { current: done.size, applied: null };
      hooks.onApplying?.(next);
      await tx.exec(next.sql);
      await tx.query("insert into tasker_migrations (version, name, checksum) values ($1, $2, $3)", [
        next.version,
        next.name,
        next.checksum,
      ]);
      return { current: next.version, applied: next };
    });
    if (!step.applied) return { applied, current: step.current };
    applied.push(step.applied.version);
    hooks.onApplied?.(step.applied);
  }
}

/** Where the database stands relative to this build, without changing anything. */
export async function schemaStatus(
  db: Db,
  migrations: readonly Migration[],
): Promise<{ current: number; latest: number; pending: number }> {
  const exists = await db.query<{ t: string | null }>("select to_regclass('tasker_migrations')::text as t");
  const done = exists[0]?.t ? await appliedVersions(db, migrations, false) : new Set<number>();
  return { current: done.size, latest: migrations.length, pending: migrations.length - done.size };
}

async function appliedVersions(q: Queryable, migrations: readonly Migration[], create: boolean): Promise<Set<number>> {
  if (create) {
    await q.query(
      `create table if not exists tasker_migrations (
         version integer primary key,
         name text not null,
         checksum text not null,
         applied_at timestamptz not null default now())`,
    );
  }
  const rows = await q.query<{ version: number; name: string; checksum: string }>(
    "select version, name, checksum from tasker_migrations order by version",
  );
  const newest = rows.at(-1)?.version ?? 0;
  if (newest > migrations.length) throw new SchemaTooNewError(newest, migrations.length);
  for (const row of rows) {
    const known = migrations[row.version - 1]!;
    if (known.checksum !== row.checksum) {
      throw new MigrationError(known.file, "this migration was changed after it was applied to this database; add a new migration instead");
    }
  }
  return new Set(rows.map((r) => r.version));
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
