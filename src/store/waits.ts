import type { WaitRecord } from "../core/wait.ts";
import type { Queryable } from "./db.ts";

/**
 * Parks steps whose handlers asked for a durable wait: state `waiting`, the wait recorded, the
 * lease released, and the queue message hidden until the wake time (a sleep's end or an event's
 * deadline; without a deadline, until an event arrives). Fenced on lease owner and attempt.
 */
export async function parkSteps(
  q: Queryable,
  owner: string,
  parked: ReadonlyArray<{ stepId: string; attempt: number; wait: WaitRecord; wakeAt: Date | null }>,
): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `with p as (
       update steps s set state = 'waiting', wait = x.wait::jsonb, lease_owner = null, lease_expires_at = null,
              run_at = x.wake_at::timestamptz, updated_at = now()
         from unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) as x(step_id, attempt, wait, wake_at)
        where s.id = x.step_id and s.attempts = x.attempt and s.lease_owner = $5 and s.state = 'in_progress'
       returning s.id, s.task_id, s.name, s.attempts, s.wait, s.run_at
     ), m as (
       update queue_messages q set visible_at = coalesce(p.run_at, 'infinity'::timestamptz) from p where q.step_id = p.id
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor, metadata)
       select task_id, id, 'in_progress', 'waiting',
              attempts, case when wait->>'kind' = 'sleep' then 'sleeping until ' || (wait->>'until') else 'waiting for event ' || (wait->>'event') end,
              $5, wait from p
     ), ev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), 'step.waiting', t.namespace, p.task_id, p.id, jsonb_build_object('step', p.name, 'wait', p.wait)
         from p join tasks t on t.id = p.task_id
     )
     select id from p`,
    // Times travel as ISO text: postgres.js infers an array of Dates as a scalar timestamp.
    [parked.map((p) => p.stepId), parked.map((p) => p.attempt), parked.map((p) => JSON.stringify(p.wait)), parked.map((p) => p.wakeAt?.toISOString() ?? null), owner],
  );
  return rows.map((r) => r.id);
}

/**
 * Delivers an external event to the steps waiting for it — those of one task, or every step
 * waiting on that name and key — and makes their messages visible now. Returns the woken steps
 * with their namespaces (a step that already has its event is not woken twice).
 */
export async function deliverEvent(
  q: Queryable,
  target: { taskId: string } | { key: string },
  event: string,
  payload: unknown,
): Promise<Array<{ id: string; task_id: string; namespace: string }>> {
  return q.query(
    `with w as (
       update steps s set wait = s.wait || jsonb_build_object('payload', $4::jsonb, 'receivedAt', now()), updated_at = now()
        where s.state = 'waiting' and s.wait->>'kind' = 'event' and s.wait->>'event' = $1
          and not (s.wait ? 'receivedAt')
          and (($2::uuid is not null and s.task_id = $2) or ($3::text is not null and s.wait->>'key' = $3))
       returning s.id, s.task_id
     ), m as (
       update queue_messages q set visible_at = now() from w where q.step_id = w.id
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select w.task_id, w.id, 'waiting', 'waiting', 0, 'event ' || $1 || ' arrived', 'api' from w
     )
     select w.id, w.task_id, t.namespace from w join tasks t on t.id = w.task_id`,
    ["taskId" in target ? event : event, "taskId" in target ? target.taskId : null, "key" in target ? target.key : null, payload ?? null],
  );
}
