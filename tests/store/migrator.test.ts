import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, migrate, schemaStatus } from "../../src/store/migrator.ts";
import { MigrationError, SchemaTooNewError } from "../../src/core/errors.ts";
import { describeEachBackend, TEST_DATABASE_URL } from "../support/backends.ts";
import { createPostgresDb } from "../../src/store/adapters/postgres.ts";
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import postgres from "postgres";

// The shipped migrations come first in every scratch folder; the test's own are numbered after them.
const SHIPPED = (await loadMigrations()).length;
const nth = (k: number) => String(SHIPPED + k).padStart(4, "0");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tasker-migrations-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A migrations folder: the shipped ones plus `extra` files. */
async function migrationsDir(name: string, extra: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await Bun.write(join(dir, ".keep"), "");
  for (const f of await readdir(DEFAULT_MIGRATIONS_DIR)) await copyFile(join(DEFAULT_MIGRATIONS_DIR, f), join(dir, f));
  for (const [f, sql] of Object.entries(extra)) await writeFile(join(dir, f), sql);
  return dir;
}

test("migration files must be densely numbered and well named", async () => {
  const gap = await migrationsDir("gap", { [`${nth(2)}_skipped.sql`]: "select 1;" });
  await expect(loadMigrations(gap)).rejects.toThrow(`${nth(2)}_skipped.sql: expected migration number ${SHIPPED + 1}, found ${SHIPPED + 2}`);
  const badName = await migrationsDir("bad-name", { [`${nth(1)}-Bad Name.sql`]: "select 1;" });
  await expect(loadMigrations(badName)).rejects.toBeInstanceOf(MigrationError);
});

describeEachBackend("migrator", (t) => {
  test("the shipped schema is applied and recorded", async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(await schemaStatus(t.db, migrations)).toEqual({ current: migrations.length, latest: migrations.length, pending: 0 });
    const tables = await t.db.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = current_schema() order by 1",
    );
    for (const required of ["tasks", "steps", "task_transitions", "step_transitions", "queue_messages", "queue_archive", "events", "workers", "template_versions"]) {
      expect(tables.map((r) => r.name)).toContain(required);
    }
  });

  test("migrating again applies nothing", async () => {
    const result = await migrate(t.db, await loadMigrations());
    expect(result.applied).toEqual([]);
  });

  test("a new migration is applied once, in its own transaction", async () => {
    const dir = await migrationsDir(`add-${t.backend}`, { [`${nth(1)}_add_thing.sql`]: "create table extra_thing (id int primary key);" });
    const first = await migrate(t.db, await loadMigrations(dir));
    expect(first.applied).toEqual([SHIPPED + 1]);
    const second = await migrate(t.db, await loadMigrations(dir));
    expect(second.applied).toEqual([]);
    expect(second.current).toBe(SHIPPED + 1);
  });

  test("a failing migration leaves the database before it", async () => {
    const dir = await migrationsDir(`fail-${t.backend}`, {
      [`${nth(1)}_add_thing.sql`]: "create table extra_thing (id int primary key);",
      [`${nth(2)}_broken.sql`]: "create table half_done (id int); select no_such_function();",
    });
    await expect(migrate(t.db, await loadMigrations(dir))).rejects.toThrow(/no_such_function/);
    const [row] = await t.db.query<{ t: string | null }>("select to_regclass('half_done')::text as t");
    expect(row!.t).toBeNull();
    expect((await schemaStatus(t.db, await loadMigrations(dir))).current).toBe(SHIPPED + 1);
  });

  test("refuses a database at a newer schema version than the code knows", async () => {
    await t.db.query("insert into tasker_migrations (version, name, checksum) values (99, 'from_the_future', 'x')");
    const err = await migrate(t.db, await loadMigrations()).catch((e) => e);
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect(err.message).toContain("schema version 99");
    await t.db.query("delete from tasker_migrations where version = 99");
  });

  test("refuses when an applied migration's file was edited", async () => {
    const dir = await migrationsDir(`edited-${t.backend}`, { [`${nth(1)}_add_thing.sql`]: "create table extra_thing (id int primary key, edited text);" });
    await expect(migrate(t.db, await loadMigrations(dir))).rejects.toThrow(`${nth(1)}_add_thing.sql: this migration was changed after it was applied`);
  });
});

const pgOnly = TEST_DATABASE_URL ? test : test.skip;

async function withSchema<T>(fn: (schema: string, admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(TEST_DATABASE_URL!, { max: 2, onnotice: () => {} });
  const schema = `t_migrate_${crypto.randomUUID().slice(0, 8)}`;
  await admin.unsafe(`create schema ${schema}`);
  try {
    return await fn(schema, admin);
  } finally {
    await admin.unsafe(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

function child(dir: string, ...args: string[]) {
  return Bun.spawn(["bun", join(import.meta.dir, "../support/migrate-child.ts"), dir, ...args], { stdout: "pipe", stderr: "pipe" });
}

pgOnly("[postgres] four processes migrating one empty database at once: one schema, no errors", async () => {
  await withSchema(async (schema, admin) => {
    const procs = Array.from({ length: 4 }, () => child(DEFAULT_MIGRATIONS_DIR, "postgres", TEST_DATABASE_URL!, schema));
    const outputs = await Promise.all(procs.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text() })));
    for (const o of outputs) expect(o.code).toBe(0);
    const applied = outputs.flatMap((o) => o.out.trim().split("\n").map((l) => JSON.parse(l))).filter((e) => e.event === "applied");
    const latest = (await loadMigrations()).length;
    // Each migration applied by exactly one of the four.
    expect(applied.map((e) => e.version).sort()).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    const [row] = await admin.unsafe(`select count(*)::int as n from ${schema}.tasker_migrations`);
    expect(row!.n).toBe(latest);
  });
}, 60_000);

pgOnly("[postgres] a process killed mid-migration leaves the database before that migration", async () => {
  await withSchema(async (schema, admin) => {
    const dir = await migrationsDir("slow-pg", {
      [`${nth(1)}_slow.sql`]: "create table slow_a (id int); select pg_sleep(1.5); create table slow_b (id int);",
    });
    const proc = child(dir, "postgres", TEST_DATABASE_URL!, schema);
    // Wait until the slow migration is running, then kill -9 the migrating process.
    for (let i = 0; i < 200; i++) {
      const running = await admin.unsafe("select 1 from pg_stat_activity where query like '%pg_sleep(1.5)%' and application_name = 'migrate-child'");
      if (running.length > 0) break;
      await Bun.sleep(25);
    }
    proc.kill(9);
    await proc.exited;
    // The orphaned backend finishes its statement, finds no client, and rolls back.
    for (let i = 0; i < 200; i++) {
      const alive = await admin.unsafe("select 1 from pg_stat_activity where application_name = 'migrate-child'");
      if (alive.length === 0) break;
      await Bun.sleep(50);
    }
    const tables = await admin.unsafe(`select table_name from information_schema.tables where table_schema = '${schema}' and table_name like 'slow_%'`);
    expect(tables.length).toBe(0);
    const versions = await admin.unsafe(`select max(version)::int as v from ${schema}.tasker_migrations`);
    expect(versions[0]!.v).toBe(SHIPPED);
    // And the next start applies it cleanly.
    const db = createPostgresDb({ url: TEST_DATABASE_URL!, schema, max: 1 });
    const fast = await migrationsDir("slow-pg-fast", { [`${nth(1)}_slow.sql`]: "create table slow_a (id int); create table slow_b (id int);" });
    expect((await migrate(db, await loadMigrations(fast))).applied).toEqual([SHIPPED + 1]);
    await db.close();
  });
}, 60_000);

test("[pglite] a process killed mid-migration leaves the data directory before that migration", async () => {
  const dataDir = join(scratch, "pglite-killed");
  const dir = await migrationsDir("slow-pglite", {
    [`${nth(1)}_slow.sql`]: "create table slow_a (id int); insert into slow_a select generate_series(1, 200000); select pg_sleep(30); create table slow_b (id int);",
  });
  // First bring the directory to the shipped version in the test process, then let a child start the slow one.
  const db = await createPgliteDb({ dataDir });
  await migrate(db, await loadMigrations(DEFAULT_MIGRATIONS_DIR));
  await db.close();
  const proc = child(dir, "pglite", dataDir);
  // Wait until the child reports it is applying the slow migration (inside its 30 s sleep), then kill -9 it.
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!seen.includes(`"applying","version":${SHIPPED + 1}`)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child exited before applying the slow migration: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  await Bun.sleep(1_000);
  proc.kill(9);
  await proc.exited;
  const reopened = await createPgliteDb({ dataDir });
  const [row] = await reopened.query<{ t: string | null }>("select to_regclass('slow_a')::text as t");
  expect(row!.t).toBeNull();
  expect((await schemaStatus(reopened, await loadMigrations(dir))).current).toBe(SHIPPED);
  await reopened.close();
}, 60_000);
