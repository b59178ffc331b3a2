import type { Queryable, Row } from "./db.ts";
import type { WaitRecord } from "../core/wait.ts";

/** A claimed step, with everything its handler needs: task context and dependency results. */
export interface ClaimedStep extends Row {
  msg_id: number;
  step_id: string;
  task_id: string;
  idx: number;
  name: string;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
  namespace: string;
  task_name: string;
  version: string;
  context: Record<string, unknown>;
  deps: Record<string, unknown>;
  /** The durable wait an earlier run of this attempt parked on, if any. */
  wait: WaitRecord | null;
  /**
   * A batch worker's range ({ of, index, start, end }), or a batch step's workers ({ first,
   * count }) once its planner made them; null otherwise.
   */
  batch: BatchRecord | null;
  /** A batch worker's last saved progress. */
  checkpoint: { cursor: number | string; state: unknown } | null;
}

export type BatchRecord =
  | { of: number; index: number; count: number; start: number | string; end: number | string }
  | { first: number; count: number };

/**
 * Claims up to `limit` visible messages of `queues` for `owner`, highest priority first, in one
 * statement: pick with FOR UPDATE SKIP LOCKED (concurrent claimers never wait on or double-claim
 * a row), push each message's visibility past the step's timeout plus `graceMs` (the lease: if
 * the worker dies, the message becomes visible again), move the step to in_progress with its
 * attempt counted, audit it, and return the task context and the parents' results.
 *
 * A step whose lease expired on its last attempt is not re-claimed (its message's visibility is
 * pushed back like any other); the sweeper fails it and removes the message.
 */
export async function claimSteps(
  q: Queryable,
  queues: readonly string[],
  limit: number,
  owner: string,
  defaultTimeoutMs: number,
  graceMs: number,
): Promise<ClaimedStep[]> {
  return q.query<ClaimedStep>(
    `with candidates as (
       -- Per queue, walk the claim index in order and stop at the limit: the cost does not grow
       -- with the queue's depth. Rows another claimer holds are skipped, never waited for.
       select c.msg_id, c.step_id, c.priority
         from queue_names($1::text[]) as q(name)
         cross join lateral (
           select m.msg_id, m.step_id, m.priority from queue_messages m
            where m.queue = q.name and m.visible_at <= now()
            order by m.priority desc, m.msg_id
            limit $2
            for update skip locked
         ) c
        order by c.priority desc, c.msg_id
        limit $2
     ), picked as (
       select c.msg_id, s.id as step_id, s.state as from_state, coalesce(s.timeout_ms, $4) + $5 as lease_ms
         from candidates c join steps s on s.id = c.step_id
        where s.state in ('enqueued', 'waiting_for_retry') or (s.state = 'in_progress' and s.attempts < s.max_attempts)
           or (s.state = 'waiting' and s.wait is not null)
        for update of s skip locked
     ), msgs as (
       update queue_messages m
          set visible_at = now() + p.lease_ms * interval '1 millisecond', read_count = m.read_count + 1, last_read_at = now()
         -- "= any(array)" keeps this an index lookup: joined to the CTE alone, the planner may
         -- prefer a sequential scan of the whole queue once it has statistics.
         from picked p where m.msg_id = p.msg_id and m.msg_id = any(array(select msg_id from picked))
     ), claimed as (
       update steps s
          -- A durable wait that ended resumes the same attempt: waiting is not a failure.
          set state = 'in_progress', attempts = s.attempts + case when p.from_state = 'waiting' then 0 else 1 end, lease_owner = $3,
              lease_expires_at = now() + p.lease_ms * interval '1 millisecond',
              started_at = now(), run_at = null, updated_at = now()
         from picked p where s.id = p.step_id
       -- The message id and old state come back with the row: joining CTE scans to find them again
       -- is a nested loop (the planner expects one row from each), quadratic in the batch.
       returning p.msg_id, p.from_state, s.id, s.task_id, s.idx, s.name, s.attempts, s.max_attempts, s.timeout_ms, s.parents, s.wait, s.batch, s.checkpoint
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select c.task_id, c.id, c.from_state, 'in_progress', c.attempts, 'claimed', $3 from claimed c
     )
     select c.msg_id, c.id as step_id, c.task_id, c.idx, c.name, c.attempts, c.max_attempts, c.timeout_ms, c.wait, c.batch, c.checkpoint,
            t.namespace, t.name as task_name, t.version, t.context,
            coalesce((select jsonb_object_agg(d.name, d.results) from steps d
                       where d.task_id = c.task_id and d.idx = any(c.parents)), '{}'::jsonb) as deps
       from claimed c join tasks t on t.id = c.task_id
      order by c.msg_id`,
    [queues, limit, owner, defaultTimeoutMs, graceMs],
  );
}

/**
 * Gives claimed steps back (graceful shutdown): visible again at once, attempt not counted.
 * Fenced on owner and attempt, so a step that was meanwhile re-claimed is left alone.
 */
export async function releaseSteps(q: Queryable, owner: string, stepIds: readonly string[], attempts: readonly number[]): Promise<number> {
  const rows = await q.query<{ id: string }>(
    `with r as (
       update steps s set state = 'enqueued', attempts = s.attempts - 1, lease_owner = null, lease_expires_at = null, updated_at = now()
         from unnest($2::uuid[], $3::int[]) as x(id, attempt)
        where s.id = x.id and s.attempts = x.attempt and s.lease_owner = $1 and s.state = 'in_progress'
       returning s.id, s.task_id, s.attempts
     ), m as (
       update queue_messages q set visible_at = now() from r where q.step_id = r.id
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select r.task_id, r.id, 'in_progress', 'enqueued', r.attempts, 'released at shutdown', $1 from r
     )
     select id from r`,
    [owner, stepIds, attempts],
  );
  return rows.length;
}

/** Puts one step (already moved to `enqueued`) on its namespace's queue. */
export async function enqueueStep(q: Queryable, stepId: string): Promise<void> {
  await q.query(
    `insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
     select t.namespace, s.task_id, s.id, s.idx, s.attempts + 1, t.priority
       from steps s join tasks t on t.id = s.task_id where s.id = $1
     on conflict (step_id) do update set visible_at = now()`,
    [stepId],
  );
}

/** Removes a task's queue messages (cancel), archiving them with `outcome`. */
export async function dropTaskMessages(q: Queryable, taskId: string, outcome: string): Promise<void> {
  await q.query(
    `with d as (delete from queue_messages where task_id = $1 returning *)
     insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
     select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, $2 from d`,
    [taskId, outcome],
  );
}

/** Removes one step's message (manual resolve/complete of a waiting step). */
export async function dropStepMessage(q: Queryable, stepId: string, outcome: string): Promise<void> {
  await q.query(
    `with d as (delete from queue_messages where step_id = $1 returning *)
     insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
     select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, $2 from d`,
    [stepId, outcome],
  );
}

export async function queueDepths(q: Queryable): Promise<Array<{ namespace: string; depth: number; oldest_age_ms: number }>> {
  return q.query(
    `select queue as namespace, count(*)::int as depth,
            coalesce(extract(epoch from now() - min(enqueued_at) filter (where visible_at <= now())) * 1000, 0)::float8 as oldest_age_ms
       from queue_messages group by queue order by queue`,
  );
}

/** Messages visible now in one namespace (backpressure check on submit). */
export async function queueDepth(q: Queryable, namespace: string): Promise<number> {
  const rows = await q.query<{ n: number }>("select count(*)::int as n from queue_messages where queue = $1", [namespace]);
  return rows[0]?.n ?? 0;
}
