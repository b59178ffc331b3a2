import type { Queryable } from "./db.ts";
import type { StepFence } from "./decisions.ts";
import { UNFINISHED_STEP_STATES } from "../core/state-machine.ts";

export interface NewBatchWorkers {
  taskId: string;
  /** The planner step, whose lease fences the write. */
  planner: StepFence & { idx: number };
  /** The batch step (the template step whose handler the workers run). */
  batchIdx: number;
  /** Worker step ids and names, one per range, in plan order. */
  ids: string[];
  names: string[];
  /** JSON text of each worker's range: {"of", "index", "start", "end"}. */
  ranges: string[];
  maxAttempts: number;
  retryPolicy: string;
  timeoutMs: number;
  actor: string;
}

/**
 * Creates a batch step's workers, in one statement: one step row per range after the task's last
 * step index, enqueued at once (their only parent, the planner, is completing in this same
 * transaction) with the planner as parent and the batch step as child; the batch step's
 * unfinished-parent count grows by the number of workers, so it is enqueued — to gather their
 * results — when the last one is satisfied. Fenced on the planner's lease; run it in the
 * planner's completion transaction after the task row is locked (the indices are taken from it).
 */
export async function insertBatchWorkers(q: Queryable, w: NewBatchWorkers): Promise<Array<{ id: string; namespace: string }>> {
  return q.query(
    `with fence as (
       select 1 from steps where id = $2 and state = 'in_progress' and lease_owner = $3 and attempts = $4
     ), base as (
       select coalesce(max(idx), -1) + 1 as first from steps where task_id = $1
     ), join_row as (
       update steps s
          set unfinished_parents = s.unfinished_parents + cardinality($7::uuid[]),
              batch = jsonb_build_object('first', (select first from base), 'count', cardinality($7::uuid[])), updated_at = now()
        where s.task_id = $1 and s.idx = $6 and exists (select 1 from fence)
       returning s.id
     ), ins as (
       insert into steps (id, task_id, idx, name, state, max_attempts, retry_policy, timeout_ms, unfinished_parents, parents, children, batch)
       select x.id, $1, (select first from base) + (x.ord - 1)::int, x.name, 'enqueued', $10, $11::text::jsonb, $12, 0,
              array[$5::int], array[$6::int], x.range::jsonb
         from unnest($7::uuid[], $8::text[], $9::text[]) with ordinality as x(id, name, range, ord)
        where exists (select 1 from join_row)
       returning id, task_id, idx, attempts
     ), t as (
       update tasks set steps_unfinished = steps_unfinished + (select count(*)::int from ins),
                        step_count = step_count + (select count(*)::int from ins), updated_at = now()
        where id = $1 and exists (select 1 from ins)
       returning namespace, priority
     ), q as (
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
       select t.namespace, ins.task_id, ins.id, ins.idx, 1, t.priority from ins cross join t
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, null, 'enqueued', 0, 'batch worker created from the plan', $13 from ins
     )
     select ins.id, t.namespace from ins cross join t`,
    [w.taskId, w.planner.stepId, w.planner.owner, w.planner.attempt, w.planner.idx, w.batchIdx, w.ids, w.names, w.ranges,
      w.maxAttempts, w.retryPolicy, w.timeoutMs, w.actor],
  );
}

/**
 * Saves a batch worker's progress, fenced on its lease: a worker that lost it (timed out, the
 * batch cancelled by fail_fast) learns so here and stops. Returns whether it was saved.
 */
export async function saveCheckpoint(q: Queryable, fence: StepFence, checkpoint: string): Promise<boolean> {
  const rows = await q.query(
    `update steps set checkpoint = $4::text::jsonb, updated_at = now()
      where id = $1 and state = 'in_progress' and lease_owner = $2 and attempts = $3 returning id`,
    [fence.stepId, fence.owner, fence.attempt, checkpoint],
  );
  return rows.length > 0;
}

/** A batch step's workers in plan order: their range, state, result and error. */
export async function batchWorkerRows(
  q: Queryable,
  taskId: string,
  first: number,
  count: number,
): Promise<Array<{ idx: number; state: string; batch: { index: number; start: number | string; end: number | string }; results: unknown; error: unknown }>> {
  return q.query(
    "select idx, state, batch, results, error from steps where task_id = $1 and idx >= $2 and idx < $2 + $3 order by idx",
    [taskId, first, count],
  );
}

/**
 * fail_fast: cancels a failed batch worker's unfinished siblings (their queue messages archived,
 * running ones fenced out: their lease no longer matches). Returns how many were cancelled.
 */
export async function cancelBatchSiblings(q: Queryable, taskId: string, of: number, actor: string, reason: string): Promise<number> {
  const rows = await q.query(
    `with c as (
       update steps s set state = 'cancelled', lease_owner = null, lease_expires_at = null, completed_at = now(), updated_at = now()
        where s.task_id = $1 and (s.batch->>'of')::int = $2 and s.state = any($5::text[])
       returning s.id, s.task_id, s.attempts
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select c.task_id, c.id, o.state, 'cancelled', c.attempts, $4, $3 from c join steps o on o.id = c.id
     ), gone as (
       delete from queue_messages m using c where m.step_id = c.id returning m.*
     ), arch as (
       insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
       select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, 'cancelled' from gone
     )
     select id from c`,
    [taskId, of, actor, reason, UNFINISHED_STEP_STATES],
  );
  return rows.length;
}
