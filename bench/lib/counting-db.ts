import type { Db, Queryable } from "../../src/store/db.ts";

export interface Counts {
  /** Statements sent through query() (inside transactions too). */
  statements: number;
  /** transaction() calls; each adds a BEGIN and a COMMIT round trip on Postgres. */
  transactions: number;
}

/**
 * Wraps a Db to count what the engine sends. It changes nothing else, so statements per step
 * can be read off any bench run without pg_stat_statements.
 *
 * @example
 *   const { db, counts } = countingDb(raw);
 *   … run …
 *   console.log(counts.statements / steps);
 */
export function countingDb(inner: Db): { db: Db; counts: Counts; reset(): Counts } {
  const counts: Counts = { statements: 0, transactions: 0 };
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      counts.statements++;
      return q.query(sql, params);
    },
    exec: (script) => q.exec(script),
  });
  const root = wrap(inner);
  const db: Db = {
    kind: inner.kind,
    query: root.query,
    exec: root.exec,
    transaction: (fn) => {
      counts.transactions++;
      return inner.transaction((tx) => fn(wrap(tx)));
    },
    listen: (channel, onMessage) => inner.listen(channel, onMessage),
    notify: (channel, payload) => {
      counts.statements++;
      return inner.notify(channel, payload);
    },
    close: () => inner.close(),
  };
  return {
    db,
    counts,
    reset() {
      const before = { ...counts };
      counts.statements = 0;
      counts.transactions = 0;
      return before;
    },
  };
}

/** Round trips a count stands for: each statement, plus BEGIN and COMMIT per transaction. */
export function roundTrips(c: Counts): number {
  return c.statements + 2 * c.transactions;
}
