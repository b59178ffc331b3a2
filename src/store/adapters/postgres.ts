import postgres from "postgres";
import { assertChannel, type Db, type Queryable, type Row } from "../db.ts";

export interface PostgresOptions {
  url: string;
  /** Pool size; each engine needs a few connections (claims, completions, LISTEN). */
  max?: number;
  /** Schema to put first on the search_path (tests isolate each file in its own schema). */
  schema?: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * A `Db` over a postgres.js pool.
 *
 * @example
 *   const db = createPostgresDb({ url: "postgres://localhost/tasker" });
 */
export function createPostgresDb(options: PostgresOptions): Db {
  const connection: Record<string, string> = { application_name: options.applicationName ?? "tasker-edge" };
  if (options.schema) connection.search_path = `${options.schema},public`;
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection,
    // int8 as number for parity with the PGlite adapter; ids and counters stay far below 2^53.
    types: {
      bigint: { to: 20, from: [20], parse: (x: string) => Number(x), serialize: (x: number) => String(x) },
    },
  });

  const wrap = (s: postgres.Sql | postgres.TransactionSql): Queryable => ({
    query: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
      (await s.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as T[],
    exec: async (script: string) => {
      await s.unsafe(script);
    },
  });
  const root = wrap(sql);

  return {
    kind: "postgres",
    query: root.query,
    exec: root.exec,
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) =>
      (await sql.begin((tx) => fn(wrap(tx)))) as T,
    listen: async (channel, onMessage) => {
      assertChannel(channel);
      const sub = await sql.listen(channel, onMessage);
      return () => sub.unlisten();
    },
    notify: async (channel, payload) => {
      assertChannel(channel);
      await sql.notify(channel, payload);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
