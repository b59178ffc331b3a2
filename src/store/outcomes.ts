import type { Queryable, Row } from "./db.ts";
import type { ClaimedStep } from "./queue.ts";

/** What a batch of satisfied steps changed: accepted steps, newly enqueued children, finished tasks. */
export interface SatisfyResult {
  done: Array<{ id: string; task_id: string }>;
  /** Children enqueued on their namespace's queue (not those leased to the caller). */
  ready: Array<{ id: string; task_id: string; namespace: string }>;
  /** Children leased to `lease.owner` in the same statement, with what their handlers need. */
  leased: ClaimedStep[];
  finished: Array<{ id: string; namespace: string; parent_step_id: string | null }>;
  /** Unfinished tasks that have failed steps: whether they can still progress needs a re-check. */
  stalled: string[];
}

/**
 * Local handoff: children this completion makes ready are leased to the completing worker (up to
 * `limit`, only in `queues`) instead of waiting on the queue for a claim.
 */
export interface LocalLease {
  owner: string;
  queues: readonly string[];
  limit: number;
  defaultTimeoutMs: number;
  graceMs: number;
}

export interface SatisfyInput {
  stepIds: string[];
  /** Fence for worker outcomes: the attempt the worker ran. Ignored when `owner` is null. */
  attempts: number[];
  /** JSON text of each step's result. */
  results: string[];
  /** The lease owner for worker outcomes; null for manual operations (fenced by `from` only). */
  owner: string | null;
  to: "complete" | "resolved_manually" | "skipped";
  from: readonly string[];
  actor: string;
  reason: string;
  lease?: LocalLease | null;
}

/**
 * Records that steps are satisfied (complete or resolved by hand) and does everything that
 * follows, in ONE statement: archive their messages; audit; `step.completed` events; decrement
 * each child's unfinished-parent count by the number of its parents in this batch and enqueue
 * the children that reach zero; decrement each task's unfinished-step count and finalise the
 * tasks that reach zero, emitting `task.completed` at most once (partial unique index).
 *
 * Row locks on the child and task rows serialise concurrent batches: the one decrement that
 * reaches zero is the only one that sees zero, so a diamond's join step is enqueued once (I1)
 * and a task is finalised once (I3). Worker outcomes are fenced on lease owner + attempt (I2).
 *
 * With `lease`, a child that becomes ready is also claimed for `lease.owner` in the same
 * statement, as `claimSteps` would: in_progress with its attempt counted and a lease, and a queue
 * message hidden until the lease expires, so a worker that dies leaves it to be claimed again
 * (I4). That saves the handoff a commit and a wake-up. Only children whose other parents were
 * all complete in this statement's snapshot qualify, because the parents' results handed to the
 * child are read from that snapshot; a child made ready by a concurrent completion (the diamond
 * race) goes through the queue.
 */
export async function satisfySteps(q: Queryable, input: SatisfyInput): Promise<SatisfyResult> {
  const lease = input.lease && input.lease.limit > 0 ? input.lease : null;
  const rows = await q.query<{ kind: string; id: string; task_id: string; namespace: string | null; parent_step_id: string | null; claim: ClaimedStep | null }>(
    `with done as (
       -- The old state comes from the pre-update row joined in FROM, so no later part of the
       -- statement has to join two CTE scans (a nested loop, quadratic in the batch size).
       -- The state is checked on the snapshot row (o) and re-checked as "unchanged" on the row
       -- being updated: a filter on s.state alone lets the planner start from the partial index
       -- on in_progress steps and rescan the input once per such step.
       update steps s
          set state = $5, results = r.results::jsonb, completed_at = now(), updated_at = now(),
              lease_owner = null, lease_expires_at = null, run_at = null
         from (select x.step_id, x.attempt, x.results, o.state as old_state
                 from unnest($1::uuid[], $2::int[], $3::text[]) as x(step_id, attempt, results)
                 join steps o on o.id = x.step_id
                where o.state = any($6::text[])) as r
        where s.id = r.step_id and s.state = r.old_state
          and ($4::text is null or (s.lease_owner = $4 and s.attempts = r.attempt))
       returning s.id, s.task_id, s.idx, s.name, s.attempts, s.children, s.started_at, s.results, r.old_state
     ), arch as (
       delete from queue_messages m using done d where m.step_id = d.id returning m.*
     ), arch_ins as (
       insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
       select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, $5 from arch
     ), str as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select d.task_id, d.id, d.old_state, $5, d.attempts, $8, $7 from done d
     ), sev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), 'step.completed', t.namespace, d.task_id, d.id,
              jsonb_build_object('step', d.name, 'attempt', d.attempts, 'state', $5::text,
                                 'durationMs', coalesce(extract(epoch from now() - d.started_at) * 1000, 0)::float8)
         from done d join tasks t on t.id = d.task_id
     ), kids as (
       -- lease_ok: in this statement's snapshot every other parent is already complete (the
       -- count equals this batch's share), so their results below are the committed ones.
       select k.task_id, k.idx, k.n, t.priority,
              coalesce($9::text is not null and o.state = 'pending' and o.unfinished_parents = k.n
                       and t.namespace = any($10::text[]), false) as lease_ok
         from (select d.task_id, c.idx, count(*)::int as n
                 from done d cross join lateral unnest(d.children) as c(idx)
                group by d.task_id, c.idx) k
         join steps o on o.task_id = k.task_id and o.idx = k.idx
         join tasks t on t.id = k.task_id
     ), chosen as (
       select task_id, idx, n,
              lease_ok and row_number() over (partition by lease_ok order by priority desc, task_id, idx) <= $11 as local
         from kids
     ), dec as (
       update steps s
          set unfinished_parents = s.unfinished_parents - k.n,
              state = case when s.unfinished_parents - k.n = 0 and s.state = 'pending'
                           then case when k.local then 'in_progress' else 'enqueued' end else s.state end,
              attempts = s.attempts + case when k.local and s.unfinished_parents - k.n = 0 and s.state = 'pending' then 1 else 0 end,
              lease_owner = case when k.local and s.unfinished_parents - k.n = 0 and s.state = 'pending' then $9 else s.lease_owner end,
              lease_expires_at = case when k.local and s.unfinished_parents - k.n = 0 and s.state = 'pending'
                                      then now() + (coalesce(s.timeout_ms, $12) + $13) * interval '1 millisecond' else s.lease_expires_at end,
              started_at = case when k.local and s.unfinished_parents - k.n = 0 and s.state = 'pending' then now() else s.started_at end,
              updated_at = now()
         from chosen k where s.task_id = k.task_id and s.idx = k.idx
       returning s.id, s.task_id, s.idx, s.name, s.state, s.unfinished_parents, s.attempts, s.max_attempts, s.timeout_ms,
                 s.parents, s.wait, s.batch, s.checkpoint, s.lease_expires_at, (k.local and s.state = 'in_progress') as leased
     ), ready as (
       select r.*, t.namespace, t.priority, t.name as task_name, t.version, t.context from dec r join tasks t on t.id = r.task_id
        where r.unfinished_parents = 0 and (r.state = 'enqueued' or r.leased)
     ), rq as (
       -- A leased child's message is read once and hidden until its lease expires, as a claim leaves it.
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority, visible_at, read_count, last_read_at)
       select namespace, task_id, id, idx, case when leased then attempts else attempts + 1 end, priority,
              case when leased then lease_expires_at else now() end, case when leased then 1 else 0 end,
              case when leased then now() end
         from ready
       returning msg_id, step_id
     ), rtr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, 'pending', 'enqueued', attempts - case when leased then 1 else 0 end, 'dependencies satisfied', 'system' from ready
       union all
       select task_id, id, 'enqueued', 'in_progress', attempts, 'claimed', $9 from ready where leased
     ), per_task as (
       select d.task_id, count(*)::int as n, (count(*) filter (where d.old_state = 'error'))::int as nf
         from done d group by d.task_id
     ), fin as (
       update tasks t
          set steps_unfinished = t.steps_unfinished - p.n, steps_failed = t.steps_failed - p.nf, updated_at = now(),
              state = case when t.steps_unfinished - p.n = 0 then 'complete' else t.state end,
              completed_at = case when t.steps_unfinished - p.n = 0 then now() else t.completed_at end,
              finalized_at = case when t.steps_unfinished - p.n = 0 then now() else t.finalized_at end
         from per_task p where t.id = p.task_id
       returning t.id, t.namespace, t.name, t.version, t.steps_unfinished, t.steps_failed, t.parent_step_id
     ), finished as (
       select f.*, o.state as from_state from fin f join tasks o on o.id = f.id where f.steps_unfinished = 0
     ), ttr as (
       insert into task_transitions (task_id, from_state, to_state, reason, actor)
       select id, from_state, 'complete', 'all steps satisfied', $7 from finished
     ), tev as (
       insert into events (event_id, name, namespace, task_id, payload)
       select gen_random_uuid(), 'task.completed', namespace, id, jsonb_build_object('name', name, 'version', version)
         from finished
       on conflict (task_id, name) where name in ('task.completed', 'task.cancelled') do nothing
     )
     select 'done' as kind, id, task_id, null::text as namespace, null::uuid as parent_step_id, null::jsonb as claim from done
     union all select 'ready', id, task_id, namespace, null, null from ready where not leased
     union all
     select 'leased', r.id, r.task_id, r.namespace, null,
            jsonb_build_object('msg_id', m.msg_id, 'step_id', r.id, 'task_id', r.task_id, 'idx', r.idx, 'name', r.name,
              'attempts', r.attempts, 'max_attempts', r.max_attempts, 'timeout_ms', r.timeout_ms, 'wait', r.wait,
              'batch', r.batch, 'checkpoint', r.checkpoint, 'namespace', r.namespace, 'task_name', r.task_name,
              'version', r.version, 'context', r.context,
              -- A parent completed by this statement is not yet visible to a plain read: take its new result.
              'deps', coalesce((select jsonb_object_agg(p.name, coalesce(dn.results, p.results))
                                  from steps p left join done dn on dn.id = p.id
                                 where p.task_id = r.task_id and p.idx = any(r.parents)), '{}'::jsonb))
       from ready r join rq m on m.step_id = r.id where r.leased
     union all select 'finished', id, id, namespace, parent_step_id, null from finished
     union all select 'stalled', id, id, namespace, null, null from fin where steps_unfinished > 0 and steps_failed > 0`,
    [
      input.stepIds, input.attempts, input.results, input.owner, input.to, input.from, input.actor, input.reason,
      lease?.owner ?? null, lease ? [...lease.queues] : [], lease?.limit ?? 0, lease?.defaultTimeoutMs ?? 0, lease?.graceMs ?? 0,
    ],
  );
  const result: SatisfyResult = { done: [], ready: [], leased: [], finished: [], stalled: [] };
  for (const r of rows) {
    if (r.kind === "done") result.done.push({ id: r.id, task_id: r.task_id });
    else if (r.kind === "ready") result.ready.push({ id: r.id, task_id: r.task_id, namespace: r.namespace! });
    else if (r.kind === "leased") result.leased.push(r.claim!);
    else if (r.kind === "finished") result.finished.push({ id: r.id, namespace: r.namespace!, parent_step_id: r.parent_step_id });
    else result.stalled.push(r.id);
  }
  result.leased.sort((a, b) => a.msg_id - b.msg_id);
  return result;
}

export interface FailInput {
  stepIds: string[];
  attempts: number[];
  /** Per step: retry (waiting_for_retry after delayMs) or not (error). */
  retry: boolean[];
  delayMs: number[];
  /** JSON text of each step's error record. */
  errors: string[];
  owner: string;
}

/**
 * Records failed attempts in one statement, fenced on lease owner + attempt. A retry keeps the
 * step's queue message and hides it until the backoff has passed (the queue's visibility is the
 * retry timer); a final failure archives the message. Returns the steps that were accepted.
 */
export async function failSteps(q: Queryable, input: FailInput): Promise<Array<{ id: string; task_id: string; state: string }>> {
  return q.query<{ id: string; task_id: string; state: string } & Row>(
    `with f as (
       update steps s
          set state = case when r.retry = 1 then 'waiting_for_retry' else 'error' end,
              error = r.error::jsonb,
              run_at = case when r.retry = 1 then now() + r.delay_ms * interval '1 millisecond' else null end,
              completed_at = case when r.retry = 1 then null else now() end,
              lease_owner = null, lease_expires_at = null, updated_at = now()
         from unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[]) as r(step_id, attempt, retry, delay_ms, error)
        where s.id = r.step_id and s.state = 'in_progress' and s.lease_owner = $6 and s.attempts = r.attempt
       returning s.id, s.task_id, s.name, s.state, s.attempts, s.run_at, s.error
     ), later as (
       update queue_messages m set visible_at = f.run_at from f where m.step_id = f.id and f.state = 'waiting_for_retry'
     ), gone as (
       delete from queue_messages m using f where m.step_id = f.id and f.state = 'error' returning m.*
     ), arch as (
       insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
       select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, 'error' from gone
     ), failed as (
       update tasks t set steps_failed = t.steps_failed + x.n, updated_at = now()
         from (select task_id, count(*)::int as n from f where state = 'error' group by task_id) x where t.id = x.task_id
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor, metadata)
       select task_id, id, 'in_progress', state, attempts, error->>'message', $6, error from f
     ), ev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), case when f.state = 'error' then 'step.failed' else 'step.retry_scheduled' end,
              t.namespace, f.task_id, f.id,
              jsonb_build_object('step', f.name, 'attempt', f.attempts, 'error', f.error, 'runAt', f.run_at)
         from f join tasks t on t.id = f.task_id
     )
     select id, task_id, state from f`,
    // Retry flags travel as 0/1: postgres.js infers a JS boolean array as a scalar boolean.
    [input.stepIds, input.attempts, input.retry.map((r) => (r ? 1 : 0)), input.delayMs, input.errors, input.owner],
  );
}

/**
 * Fails steps whose lease expired on their last attempt (the worker died or hung): nothing will
 * re-claim them, so they become `error` with a `lease_expired` record. Skips rows other
 * sweepers hold. Returns the affected task ids.
 */
export async function expireExhaustedLeases(q: Queryable, actor: string, limit: number): Promise<string[]> {
  const rows = await q.query<{ task_id: string }>(
    `with x as (
       select s.id from steps s
        where s.state = 'in_progress' and s.lease_expires_at < now() and s.attempts >= s.max_attempts
        limit $2 for update skip locked
     ), f as (
       update steps s set state = 'error', lease_owner = null, lease_expires_at = null, updated_at = now(), completed_at = now(),
              error = jsonb_build_object('message', 'the worker running the last attempt stopped before reporting (lease expired)',
                                         'name', 'LeaseExpired', 'kind', 'lease_expired', 'attempt', s.attempts)
         from x where s.id = x.id
       returning s.id, s.task_id, s.attempts, s.error
     ), gone as (
       delete from queue_messages m using f where m.step_id = f.id returning m.*
     ), arch as (
       insert into queue_archive (msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, outcome)
       select msg_id, queue, task_id, step_id, attempt, read_count, enqueued_at, 'lease_expired' from gone
     ), failed as (
       update tasks t set steps_failed = t.steps_failed + x.n, updated_at = now()
         from (select task_id, count(*)::int as n from f group by task_id) x where t.id = x.task_id
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, 'in_progress', 'error', attempts, 'lease expired on the last attempt', $1 from f
     )
     select distinct task_id from f`,
    [actor, limit],
  );
  return rows.map((r) => r.task_id);
}
