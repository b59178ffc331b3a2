import { PGlite } from "@electric-sql/pglite";
import { assertChannel, type Db, type Queryable, type Row } from "../db.ts";

export interface PgliteOptions {
  /** Directory for a persistent database; omit for an in-memory one. */
  dataDir?: string | null;
  /** A tarball from `dumpDataDir` to start from (tests start every file from a migrated copy). */
  loadDataDir?: Blob | File;
}

/**
 * A `Db` over one embedded PGlite instance. PGlite is a single connection: it runs one statement
 * or transaction at a time and queues the rest (its own mutex), so a transaction here is never
 * interleaved with another caller's statements. A failed statement inside `transaction` rolls
 * the whole transaction back, so the connection is clean for the next caller.
 *
 * @example
 *   const db = await createPgliteDb({ dataDir: "./.tasker/pgdata" });
 */
export async function createPgliteDb(options: PgliteOptions = {}): Promise<Db & { pglite: PGlite }> {
  const pg = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    // int8 as number, and json/jsonb parameters always JSON-encoded (a JS string becomes a JSON
    // string), for parity with the postgres.js adapter.
    parsers: { 20: (x: string) => Number(x) },
    serializers: { 114: (x: unknown) => JSON.stringify(x), 3802: (x: unknown) => JSON.stringify(x) },
  });
  await pg.waitReady;

  const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    query: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
      (await q.query<T>(text, params as unknown[])).rows,
    exec: async (script: string) => {
      await q.exec(script);
    },
  });
  const root = wrap(pg);

  return {
    kind: "pglite",
    pglite: pg,
    query: root.query,
    exec: root.exec,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => pg.transaction((tx) => fn(wrap(tx))),
    listen: async (channel, onMessage) => {
      assertChannel(channel);
      const unsubscribe = await pg.listen(channel, onMessage);
      return () => unsubscribe();
    },
    notify: async (channel, payload) => {
      assertChannel(channel);
      await pg.query("select pg_notify($1, $2)", [channel, payload]);
    },
    close: () => pg.close(),
  };
}
