import type { Queryable, Row } from "./db.ts";
import { INSERT_STEPS_AND_MESSAGES, insertTasksCte, type NewTaskWithSteps, rowParams } from "./task-rows.ts";

export type { NewSteps, NewTask, NewTaskWithSteps } from "./task-rows.ts";

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
  child_key: string | null;
  step_count: number;
  steps_unfinished: number;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/**
 * Inserts tasks with their steps, first transitions, `task.started` events and root-step queue
 * messages — any number of tasks in ONE statement, so a submission is one round trip and atomic
 * without an explicit transaction. A task whose identity hash already exists is skipped by
 * `on conflict do nothing` (a racing duplicate waits for the first insert's commit, then finds
 * the conflict: never an error, never a second task, I5), and so are its steps. Returns the rows
 * of the tasks actually inserted.
 */
export async function insertTasks(q: Queryable, items: readonly NewTaskWithSteps[], actor: string): Promise<TaskRow[]> {
  return q.query<TaskRow>(
    `with t as (
       ${insertTasksCte("true", "*")}
     ), ${INSERT_STEPS_AND_MESSAGES}, st as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select s.task_id, s.id, null, s.state, 0, 'task submitted', $29 from s
     ), tt as (
       insert into task_transitions (task_id, from_state, to_state, reason, actor)
       select t.id, null, t.state, case when t.state = 'complete' then 'submitted; every step skipped' else 'submitted' end, $29 from t
     ), ev as (
       insert into events (event_id, name, namespace, task_id, payload)
       select gen_random_uuid(), 'task.started', t.namespace, t.id,
              jsonb_build_object('name', t.name, 'version', t.version, 'stepCount', t.step_count) from t
       union all
       select gen_random_uuid(), 'task.completed', t.namespace, t.id, jsonb_build_object('name', t.name, 'version', t.version)
         from t where t.state = 'complete'
     )
     select * from t`,
    [...rowParams(items), actor],
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
        and ($5::text is null or (tags <> '{}' and tags @> array[$5::text]))
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

/** Unfinished tasks created more than `lifetimeMs` ago (the sweeper fails them). */
export async function overdueTasks(q: Queryable, lifetimeMs: number, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `select id from tasks
      where state in ('pending', 'in_progress', 'waiting_for_retry', 'blocked_by_failures')
        and created_at < now() - $1 * interval '1 millisecond'
      order by created_at limit $2`,
    [lifetimeMs, limit],
  );
  return rows.map((r) => r.id);
}
