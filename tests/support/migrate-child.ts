// A separate process that migrates one database and reports what it did as one JSON line.
//   bun tests/support/migrate-child.ts <migrations-dir> postgres <url> <schema>
//   bun tests/support/migrate-child.ts <migrations-dir> pglite <data-dir>
import { createPgliteDb } from "../../src/store/adapters/pglite.ts";
import { createPostgresDb } from "../../src/store/adapters/postgres.ts";
import { loadMigrations, migrate } from "../../src/store/migrator.ts";

const [dir, backend, target, schema] = process.argv.slice(2);
const db =
  backend === "postgres"
    ? createPostgresDb({ url: target!, schema: schema!, max: 2, applicationName: "migrate-child" })
    : await createPgliteDb({ dataDir: target! });
try {
  const result = await migrate(db, await loadMigrations(dir!), {
    onApplying: (m) => console.log(JSON.stringify({ event: "applying", version: m.version })),
    onApplied: (m) => console.log(JSON.stringify({ event: "applied", version: m.version })),
  });
  console.log(JSON.stringify({ event: "done", ...result }));
} catch (error) {
  console.log(JSON.stringify({ event: "error", message: String(error) }));
  process.exitCode = 1;
} finally {
  await db.close();
}
