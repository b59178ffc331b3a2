import type { Queryable, Row } from "./db.ts";
import type { TaskRow } from "./tasks.ts";

/**
 * Ends a step's dispatch: it now waits for its children, holding no worker and no lease.
 * Fenced on the lease like every worker outcome. Returns the join counters (children may have
 * finished while dispatch was still running), or null when the lease was lost.
 */
export async function finishDispatch(
  q: Queryable,
  fence: { stepId: string; attempt: number; owner: string },
  total: number,
  childFailure: string,
): Promise<JoinCount | null> {
  const rows = await q.query<JoinCount>(
    `with s as (
       update steps set state = 'waiting', children_total = $4, children_dispatched = $4, child_failure = $5,
              lease_owner = null, lease_expires_at = null, updated_at = now()
        where id = $1 and attempts = $2 and lease_owner = $3 and state = 'in_progress'
       returning id, task_id, idx, state, child_failure, children_total, attempts, children_complete, children_failed, name
     ), gone as (
       delete from queue_messages m using s where m.step_id = s.id returning m.*
     ), arch as (
       insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
       select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, 'waiting' from gone
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, 'in_progress', 'waiting', attempts, 'waiting for ' || $4 || ' child tasks', $3 from s
     ), ev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), 'step.waiting', t.namespace, s.task_id, s.id, jsonb_build_object('step', s.name, 'children', $4::int)
         from s join tasks t on t.id = s.task_id
     )
     select id, task_id, idx, state, child_failure, children_total, children_complete, children_failed from s`,
    [fence.stepId, fence.attempt, fence.owner, total, childFailure],
  );
  return rows[0] ?? null;
}

export interface JoinCount extends Row {
  id: string;
  task_id: string;
  idx: number;
  state: string;
  child_failure: string | null;
  children_total: number | null;
  children_complete: number;
  children_failed: number;
}

/**
 * Counts settled children towards their parents' joins, each child at most once (joined_at):
 * complete ones as complete; cancelled and failed ones as failed; blocked ones as failed unless
 * the parent parks on child failure (then it waits for a person to fix the child). Returns the
 * parents' counters after the update; row locks on the parent step serialise concurrent counts,
 * so exactly one caller sees the count reach the total.
 */
export async function countSettledChildren(q: Queryable, childTaskIds: readonly string[]): Promise<JoinCount[]> {
  return q.query<JoinCount>(
    `with j as (
       update tasks c set joined_at = now()
         from steps p
        where c.id = any($1::uuid[]) and c.parent_step_id = p.id and c.joined_at is null
          and (c.state in ('complete', 'cancelled', 'error')
               or (c.state = 'blocked_by_failures' and coalesce(p.child_failure, 'park') <> 'park'))
       returning c.parent_step_id, c.state
     ), agg as (
       select parent_step_id, (count(*) filter (where state = 'complete'))::int as ok,
              (count(*) filter (where state <> 'complete'))::int as bad
         from j group by parent_step_id
     )
     update steps s set children_complete = s.children_complete + a.ok, children_failed = s.children_failed + a.bad, updated_at = now()
       from agg a where s.id = a.parent_step_id
     returning s.id, s.task_id, s.idx, s.state, s.child_failure, s.children_total, s.children_complete, s.children_failed`,
    [childTaskIds],
  );
}

export interface ChildOutcomeRow extends Row {
  id: string;
  child_key: string;
  state: string;
  sinks: Record<string, unknown> | null;
}

/**
 * A page of a step's children in key order with their sink steps' results, for the join's
 * aggregate (keys are indices, so they order numerically).
 */
export async function childOutcomes(q: Queryable, parentStepId: string, afterIndex: number, limit: number): Promise<ChildOutcomeRow[]> {
  return q.query<ChildOutcomeRow>(
    `select c.id, c.child_key, c.state,
            (select jsonb_object_agg(s.name, s.results) from steps s where s.task_id = c.id and cardinality(s.children) = 0) as sinks
       from tasks c
      where c.parent_step_id = $1 and c.child_key::int > $2
      order by c.child_key::int limit $3`,
    [parentStepId, afterIndex, limit],
  );
}

/** A task's children, newest key last, optionally by state; keyset-paginated on the key. */
export async function listChildren(q: Queryable, taskId: string, state: string | null, afterIndex: number, limit: number): Promise<TaskRow[]> {
  return q.query<TaskRow>(
    `select * from tasks where parent_task_id = $1 and ($2::text is null or state = $2) and child_key::int > $3
      order by child_key::int limit $4`,
    [taskId, state, afterIndex, limit],
  );
}

/** The unfinished tasks below `taskId` (children, grandchildren, …), for a cascading cancel. */
export async function unfinishedDescendants(q: Queryable, taskId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `with recursive tree as (
       select id, state from tasks where parent_task_id = $1
       union all
       select t.id, t.state from tasks t join tree on t.parent_task_id = tree.id
     )
     select id from tree where state in ('pending', 'in_progress', 'waiting_for_retry', 'blocked_by_failures')`,
    [taskId],
  );
  return rows.map((r) => r.id);
}

/**
 * Settled children their parent's join has not counted yet. Counting follows a child's
 * finalisation in a separate statement, so a process that dies in between leaves such children;
 * the sweeper finds them here and counts them (counting is idempotent: joined_at).
 */
export async function uncountedChildren(q: Queryable, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `select c.id from tasks c join steps p on p.id = c.parent_step_id
      where c.parent_step_id is not null and c.joined_at is null and p.state = 'waiting'
        and (c.state in ('complete', 'cancelled', 'error')
             or (c.state = 'blocked_by_failures' and coalesce(p.child_failure, 'park') <> 'park'))
      limit $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Waiting steps whose counters already decide the join (the decision was interrupted). */
export async function decidedJoins(q: Queryable, limit: number): Promise<JoinCount[]> {
  return q.query<JoinCount>(
    `select id, task_id, idx, state, child_failure, children_total, children_complete, children_failed from steps
      where state = 'waiting'
        and ((children_total is not null and children_complete + children_failed >= children_total)
             or (child_failure = 'fail' and children_failed > 0))
      limit $1`,
    [limit],
  );
}
