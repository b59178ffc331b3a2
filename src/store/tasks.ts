import type { Queryable, Row } from "./db.ts";

/** A task row as the store returns it (snake_case columns mapped to camelCase in the engine). */
export interface TaskRow extends Row {
  id: string;
  namespace: string;
  name: string;
  version: string;
  template_fingerprint: string;
  state: string;
  priority: number;
  context: Record<string, unknown>;
  identity_hash: string | null;
  tags: string[];
  initiator: string | null;
  source_system: string | null;
  reason: string | null;
  parent_task_id: string | null;
  parent_step_id: string | null;
  step_count: number;
  steps_unfinished: number;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface NewTask {
  id: string;
  namespace: string;
  name: string;
  version: string;
  fingerprint: string;
  priority: number;
  context: Record<string, unknown>;
  identityHash: string | null;
  tags: string[];
  initiator: string | null;
  sourceSystem: string | null;
  reason: string | null;
  stepCount: number;
}

/** The new task's steps, as parallel arrays (one element per step, in idx order). */
export interface NewSteps {
  ids: string[];
  names: string[];
  states: string[];
  maxAttempts: number[];
  retryPolicies: string[];
  timeoutsMs: number[];
  unfinishedParents: number[];
  parents: string[];
  children: string[];
}

/**
 * Inserts a task, or finds nothing when another task already has its identity hash.
 * `on conflict do nothing` makes the racing duplicate wait for the first insert's commit and
 * then return zero rows, never an error (I5).
 */
export async function insertTask(q: Queryable, t: NewTask): Promise<TaskRow | null> {
  const rows = await q.query<TaskRow>(
    `insert into tasks (id, namespace, name, version, template_fingerprint, state, priority, context,
                        identity_hash, tags, initiator, source_system, reason, step_count, steps_unfinished, started_at)
     values ($1, $2, $3, $4, $5, 'in_progress', $6, $7::jsonb, $8, $9::text[], $10, $11, $12, $13, $13, now())
     on conflict (namespace, name, identity_hash) where identity_hash is not null do nothing
     returning *`,
    [t.id, t.namespace, t.name, t.version, t.fingerprint, t.priority, t.context, t.identityHash, t.tags,
      t.initiator, t.sourceSystem, t.reason, t.stepCount],
  );
  return rows[0] ?? null;
}

/**
 * Writes a new task's steps, their first transitions, the task's first transition and
 * `task.started`, and enqueues the steps marked `enqueued` (the roots) — one statement.
 */
export async function insertSteps(q: Queryable, task: TaskRow, s: NewSteps, actor: string): Promise<void> {
  await q.query(
    `with s as (
       insert into steps (id, task_id, idx, name, state, max_attempts, retry_policy, timeout_ms,
                          unfinished_parents, parents, children)
       select x.id, $1, x.idx - 1, x.name, x.state, x.max_attempts, x.retry_policy::jsonb, x.timeout_ms,
              x.unfinished_parents, x.parents::integer[], x.children::integer[]
         from unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::int[], $9::text[], $10::text[])
              with ordinality as x(id, name, state, max_attempts, retry_policy, timeout_ms, unfinished_parents, parents, children, idx)
       returning id, idx, state
     ), q as (
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
       select $11, $1, s.id, s.idx, 1, $12 from s where s.state = 'enqueued'
     ), st as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select $1, s.id, null, s.state, 0, 'task submitted', $13 from s
     ), tt as (
       insert into task_transitions (task_id, from_state, to_state, reason, actor)
       values ($1, null, 'in_progress', 'submitted', $13)
     )
     insert into events (event_id, name, namespace, task_id, payload)
     values (gen_random_uuid(), 'task.started', $11, $1,
             jsonb_build_object('name', $14::text, 'version', $15::text, 'stepCount', $16::int))`,
    [task.id, s.ids, s.names, s.states, s.maxAttempts, s.retryPolicies, s.timeoutsMs, s.unfinishedParents,
      s.parents, s.children, task.namespace, task.priority, actor, task.name, task.version, task.step_count],
  );
}

export async function findTaskByIdentity(q: Queryable, namespace: string, name: string, identityHash: string): Promise<TaskRow | null> {
  const rows = await q.query<TaskRow>(
    "select * from tasks where namespace = $1 and name = $2 and identity_hash = $3",
    [namespace, name, identityHash],
  );
  return rows[0] ?? null;
}

export async function getTask(q: Queryable, taskId: string, lock = false): Promise<TaskRow | null> {
  const rows = await q.query<TaskRow>(`select * from tasks where id = $1${lock ? " for update" : ""}`, [taskId]);
  return rows[0] ?? null;
}

export interface TaskListQuery {
  namespace?: string;
  name?: string;
  version?: string;
  state?: string;
  tag?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Keyset: rows strictly older than (createdAt, id). */
  after?: { createdAt: Date; id: string };
  limit: number;
}

/**
 * Newest first, keyset-paginated on (created_at, id) so a page costs the same at any depth.
 * Every filter is a parameter; absent ones are passed as null and switch themselves off.
 */
export async function listTasks(q: Queryable, f: TaskListQuery): Promise<TaskRow[]> {
  return q.query<TaskRow>(
    `select * from tasks
      where ($1::text is null or namespace = $1)
        and ($2::text is null or name = $2)
        and ($3::text is null or version = $3)
        and ($4::text is null or state = $4)
        and ($5::text is null or tags @> array[$5::text])
        and ($6::timestamptz is null or created_at >= $6)
        and ($7::timestamptz is null or created_at < $7)
        and ($8::timestamptz is null or (created_at, id) < ($8, $9::uuid))
      order by created_at desc, id desc
      limit $10`,
    [f.namespace ?? null, f.name ?? null, f.version ?? null, f.state ?? null, f.tag ?? null,
      f.createdAfter ?? null, f.createdBefore ?? null, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
  );
}

export async function countTasksByState(q: Queryable): Promise<Record<string, number>> {
  const rows = await q.query<{ state: string; n: number }>("select state, count(*)::int as n from tasks group by state");
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** Moves a task to `to` with its transition and optional event; no-op unless it is in one of `from`. */
export async function transitionTask(
  q: Queryable,
  taskId: string,
  from: readonly string[],
  to: string,
  audit: { actor: string; reason: string; event?: string; terminal?: boolean },
): Promise<TaskRow | null> {
  const rows = await q.query<TaskRow>(
    `with t as (
       update tasks set state = $3, updated_at = now(),
              completed_at = case when $6 then now() else completed_at end,
              finalized_at = case when $6 then now() else finalized_at end
        where id = $1 and state = any($2::text[])
        returning *
     ), tr as (
       insert into task_transitions (task_id, from_state, to_state, reason, actor)
       select t.id, old.state, $3, $4, $5 from t join tasks old on old.id = t.id
     ), ev as (
       insert into events (event_id, name, namespace, task_id, payload)
       select gen_random_uuid(), $7, t.namespace, t.id, jsonb_build_object('name', t.name, 'state', $3::text, 'reason', $4::text, 'actor', $5::text)
         from t where $7::text is not null
       on conflict (task_id, name) where name in ('task.completed', 'task.cancelled') do nothing
     )
     select * from t`,
    [taskId, from, to, audit.reason, audit.actor, audit.terminal ?? false, audit.event ?? null],
  );
  return rows[0] ?? null;
}
