/**
 * The one database interface the rest of tasker-edge sees. Two adapters implement it:
 * postgres.js (a pool, production) and PGlite (one embedded connection, the default and tests).
 * All SQL is Postgres dialect, parameterised with `$1…$n`, and shared by both.
 *
 * Type parity: both adapters return int8 as a JS number, jsonb parsed, timestamptz as Date,
 * arrays as JS arrays, so store code never branches on the backend.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * Runs one parameterised statement and returns its rows.
   *
   * @example
   *   const [task] = await db.query<{ id: string }>("select id from tasks where id = $1", [id]);
   */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(script: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * A statement that fails inside never poisons the next use of the connection.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`. Resolves once listening; the returned function stops it.
   * On PGlite notifications stay inside the process (one instance is one database).
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Sends a notification (outside any transaction: use `select pg_notify()` inside one). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Channel names are identifiers in LISTEN; keep them to a safe pattern. */
export function assertChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel "${channel}"`);
}
