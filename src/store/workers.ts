import type { Queryable, Row } from "./db.ts";

export interface WorkerRow extends Row {
  id: string;
  hostname: string;
  pid: number;
  namespaces: string[];
  concurrency: number;
  started_at: Date;
  heartbeat_at: Date;
}

export async function registerWorker(q: Queryable, w: { id: string; hostname: string; pid: number; namespaces: string[]; concurrency: number }): Promise<void> {
  await q.query(
    `insert into workers (id, hostname, pid, namespaces, concurrency) values ($1, $2, $3, $4::text[], $5)
     on conflict (id) do update set heartbeat_at = now(), stopped_at = null, namespaces = excluded.namespaces`,
    [w.id, w.hostname, w.pid, w.namespaces, w.concurrency],
  );
}

export async function heartbeatWorker(q: Queryable, id: string): Promise<void> {
  await q.query("update workers set heartbeat_at = now() where id = $1", [id]);
}

export async function stopWorker(q: Queryable, id: string): Promise<void> {
  await q.query("update workers set stopped_at = now() where id = $1", [id]);
}

/** Workers that have not stopped and sent a heartbeat within `staleMs`. */
export async function liveWorkers(q: Queryable, staleMs: number): Promise<WorkerRow[]> {
  return q.query<WorkerRow>(
    `select id, hostname, pid, namespaces, concurrency, started_at, heartbeat_at from workers
      where stopped_at is null and heartbeat_at > now() - $1 * interval '1 millisecond' order by started_at`,
    [staleMs],
  );
}
