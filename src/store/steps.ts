import type { Queryable, Row } from "./db.ts";

export interface StepRow extends Row {
  id: string;
  task_id: string;
  idx: number;
  name: string;
  state: string;
  attempts: number;
  max_attempts: number;
  retry_policy: unknown;
  timeout_ms: number | null;
  unfinished_parents: number;
  parents: number[];
  children: number[];
  run_at: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  results: unknown;
  error: unknown;
  skipped_by: string | null;
  skip_reason: string | null;
  batch: { of?: number; index?: number; start?: number | string; end?: number | string; first?: number; count?: number } | null;
  checkpoint: { cursor: number | string; state: unknown } | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export async function listSteps(q: Queryable, taskId: string): Promise<StepRow[]> {
  return q.query<StepRow>("select * from steps where task_id = $1 order by idx", [taskId]);
}

export async function getStep(q: Queryable, taskId: string, stepId: string, lock = false): Promise<StepRow | null> {
  const rows = await q.query<StepRow>(
    `select * from steps where task_id = $1 and id = $2${lock ? " for update" : ""}`,
    [taskId, stepId],
  );
  return rows[0] ?? null;
}

export interface TransitionRow extends Row {
  from_state: string | null;
  to_state: string;
  attempt: number;
  reason: string | null;
  actor: string;
  metadata: unknown;
  created_at: Date;
}

// A fan-out writes one audit row per chunk on the spawning step instead of a first transition
// per child task and step (src/store/dispatch.ts). A child's audit therefore starts from what its
// rows record: made at created_at by its initiator from the parent step, in the state its first
// recorded transition leaves (or its state now, if nothing has happened yet). Children made
// before that change carry their own first row (from_state null) and get no synthesised one.
const SPAWNED_METADATA = `jsonb_build_object('spawnedBy', jsonb_build_object('taskId', t.parent_task_id, 'stepId', t.parent_step_id, 'key', t.child_key),
                                             'recorded', 'once per dispatch chunk, on the spawning step')`;

export async function stepTransitions(q: Queryable, taskId: string, stepId: string): Promise<TransitionRow[]> {
  return q.query<TransitionRow>(
    `with tr as (
       select id, from_state, to_state, attempt, reason, actor, metadata, created_at
         from step_transitions where task_id = $1 and step_id = $2
     )
     select from_state, to_state, attempt, reason, actor, metadata, created_at from (
       select 0 as id, null::text as from_state,
              coalesce((select from_state from tr order by id limit 1), s.state) as to_state,
              0 as attempt, 'task submitted' as reason, coalesce(t.initiator, 'system') as actor,
              ${SPAWNED_METADATA} as metadata, s.created_at
         from steps s join tasks t on t.id = s.task_id
        where s.id = $2 and s.task_id = $1 and t.parent_step_id is not null
          and not exists (select 1 from tr where tr.from_state is null)
       union all
       select * from tr
     ) a order by id`,
    [taskId, stepId],
  );
}

export async function taskTransitions(q: Queryable, taskId: string): Promise<TransitionRow[]> {
  return q.query<TransitionRow>(
    `with tr as (
       select id, from_state, to_state, 0 as attempt, reason, actor, metadata, created_at
         from task_transitions where task_id = $1
     )
     select from_state, to_state, attempt, reason, actor, metadata, created_at from (
       select 0 as id, null::text as from_state,
              coalesce((select from_state from tr order by id limit 1), t.state) as to_state,
              0 as attempt, 'spawned' as reason, coalesce(t.initiator, 'system') as actor,
              ${SPAWNED_METADATA} as metadata, t.created_at
         from tasks t
        where t.id = $1 and t.parent_step_id is not null
          and not exists (select 1 from tr where tr.from_state is null)
       union all
       select * from tr
     ) a order by id`,
    [taskId],
  );
}

export async function countStepsByState(q: Queryable): Promise<Record<string, number>> {
  const rows = await q.query<{ state: string; n: number }>("select state, count(*)::int as n from steps group by state");
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export async function recentFailures(q: Queryable, limit: number) {
  return q.query<{ task_id: string; step_id: string; step: string; namespace: string; error: unknown; at: Date }>(
    `select s.task_id, s.id as step_id, s.name as step, t.namespace, s.error, s.updated_at as at
       from steps s join tasks t on t.id = s.task_id
      where s.state = 'error' order by s.updated_at desc limit $1`,
    [limit],
  );
}

/**
 * Moves one step between states outside the worker path (manual operations, cancel), with its
 * transition. Returns null when the step is not in one of `from` (the caller reports why).
 */
export async function transitionStep(
  q: Queryable,
  stepId: string,
  from: readonly string[],
  to: string,
  audit: { actor: string; reason: string; resetAttempts?: boolean },
): Promise<StepRow | null> {
  const rows = await q.query<StepRow>(
    `with s as (
       update steps set state = $3, updated_at = now(), lease_owner = null, lease_expires_at = null, run_at = null,
              attempts = case when $6 then 0 else attempts end
        where id = $1 and state = any($2::text[])
        returning *
     ), tr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select s.task_id, s.id, old.state, $3, s.attempts, $4, $5 from s join steps old on old.id = s.id
     )
     select * from s`,
    [stepId, from, to, audit.reason, audit.actor, audit.resetAttempts ?? false],
  );
  return rows[0] ?? null;
}
