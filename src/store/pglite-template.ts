import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPgliteDb } from "./adapters/pglite.ts";
import { loadMigrations, migrate } from "./migrator.ts";

/**
 * A tarball of a freshly migrated PGlite database, cached in `cacheDir` and keyed by the
 * migrations' checksums (a schema change makes a new one). A cold PGlite spends ~3–4 s in
 * initdb (WASM); starting one from this dump (`createPgliteDb({ loadDataDir })`) takes ~0.3 s,
 * which is what tests and benchmarks that open many databases want.
 *
 * @example
 *   const db = await createPgliteDb({ loadDataDir: await migratedPgliteDump(".tasker/test-cache") });
 */
export async function migratedPgliteDump(cacheDir: string): Promise<Blob> {
  const migrations = await loadMigrations();
  const key = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(migrations.map((m) => m.checksum).join("-")));
  const name = Array.from(new Uint8Array(key).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  const file = join(cacheDir, `pglite-${name}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const db = await createPgliteDb();
    await migrate(db, migrations);
    const dump = await db.pglite.dumpDataDir("none");
    await db.close();
    await mkdir(cacheDir, { recursive: true });
    // Written aside and renamed, so a concurrent reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
    await rename(tmp, file);
    return dump;
  }
}
