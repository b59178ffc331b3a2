import type { Queryable, Row } from "./db.ts";

export interface EventRow extends Row {
  id: number;
  event_id: string;
  name: string;
  namespace: string | null;
  task_id: string | null;
  step_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * The transaction horizon: every transaction with an id below it has committed or aborted.
 * Reading events in [previous horizon, current horizon) therefore never skips one whose
 * transaction commits late (identity values are assigned at insert, not in commit order).
 */
export async function eventHorizon(q: Queryable): Promise<string> {
  const [row] = await q.query<{ x: string }>("select pg_snapshot_xmin(pg_current_snapshot())::text as x");
  return row!.x;
}

export async function readEvents(q: Queryable, fromTx: string, toTx: string): Promise<EventRow[]> {
  return q.query<EventRow>(
    `select id, event_id, name, namespace, task_id, step_id, payload, created_at
       from events where tx >= $1::xid8 and tx < $2::xid8
      order by tx, id`,
    [fromTx, toTx],
  );
}

export async function taskEvents(q: Queryable, taskId: string): Promise<EventRow[]> {
  return q.query<EventRow>(
    "select id, event_id, name, namespace, task_id, step_id, payload, created_at from events where task_id = $1 order by id",
    [taskId],
  );
}
