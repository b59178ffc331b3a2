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

// One statement may write a step's event and its task's terminal event; identity values are not
// ordered between the parts of one statement, so within a transaction terminal events go last.
const TERMINAL_LAST = "(name in ('task.completed', 'task.failed', 'task.cancelled'))";

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
      order by tx, ${TERMINAL_LAST}, id`,
    [fromTx, toTx],
  );
}

export async function taskEvents(q: Queryable, taskId: string): Promise<EventRow[]> {
  return q.query<EventRow>(
    `select id, event_id, name, namespace, task_id, step_id, payload, created_at from events where task_id = $1 order by tx, ${TERMINAL_LAST}, id`,
    [taskId],
  );
}

/**
 * Claims up to `limit` events no subscriber has been given yet, oldest first, and marks them
 * published — in one statement, skipping rows another engine is claiming, so each event goes to
 * the template subscribers of exactly one engine.
 */
export async function claimUnpublishedEvents(q: Queryable, limit: number): Promise<Array<EventRow & { task_name: string | null; version: string | null }>> {
  return q.query(
    `with c as (
       select tx, id from events where published_at is null order by id limit $1 for update skip locked
     ), p as (
       update events e set published_at = now() from c where e.tx = c.tx and e.id = c.id
       returning e.id, e.event_id, e.name, e.namespace, e.task_id, e.step_id, e.payload, e.created_at
     )
     select p.*, t.name as task_name, t.version from p left join tasks t on t.id = p.task_id order by p.id`,
    [limit],
  );
}
