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
  child_key: string | null;
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
  /** Steps not satisfied at submit (step count less those skipped by their condition). */
  stepsUnfinished?: number;
  /** For a child task: the spawning task and step, and the child's key (its index). */
  parent?: { taskId: string; stepId: string; key: string };
}

/**
 * Writes of child tasks are fenced on the spawning step's lease (a worker that lost it writes
 * nothing) and move the step's dispatch cursor in the same statement.
 */
export interface DispatchFence {
  stepId: string;
  attempt: number;
  owner: string;
  /** The cursor after this chunk: children dispatched so far. */
  cursor: number;
  childFailure: "park" | "fail" | "ignore";
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

/** A new task and its steps (steps as parallel arrays in idx order). */
export interface NewTaskWithSteps {
  task: NewTask;
  steps: NewSteps;
}

/**
 * Inserts tasks with their steps, first transitions, `task.started` events and root-step queue
 * messages — any number of tasks in ONE statement, so a submission is one round trip and atomic
 * without an explicit transaction. A task whose identity hash already exists is skipped by
 * `on conflict do nothing` (a racing duplicate waits for the first insert's commit, then finds
 * the conflict: never an error, never a second task, I5), and so are its steps. Returns the rows
 * of the tasks actually inserted.
 */
export async function insertTasks(q: Queryable, items: readonly NewTaskWithSteps[], actor: string, fence?: DispatchFence): Promise<TaskRow[]> {
  const t = { id: [] as string[], namespace: [] as string[], name: [] as string[], version: [] as string[], fingerprint: [] as string[],
    priority: [] as number[], context: [] as string[], identity: [] as (string | null)[], tags: [] as string[], initiator: [] as (string | null)[],
    source: [] as (string | null)[], reason: [] as (string | null)[], count: [] as number[],
    parentTask: [] as (string | null)[], parentStep: [] as (string | null)[], key: [] as (string | null)[], unfinished: [] as number[] };
  const s = { task: [] as string[], id: [] as string[], idx: [] as number[], name: [] as string[], state: [] as string[], max: [] as number[],
    retry: [] as string[], timeout: [] as number[], unfinished: [] as number[], parents: [] as string[], children: [] as string[] };
  for (const { task, steps } of items) {
    t.id.push(task.id); t.namespace.push(task.namespace); t.name.push(task.name); t.version.push(task.version);
    t.fingerprint.push(task.fingerprint); t.priority.push(task.priority); t.context.push(JSON.stringify(task.context));
    t.identity.push(task.identityHash); t.tags.push(pgArray(task.tags)); t.initiator.push(task.initiator);
    t.source.push(task.sourceSystem); t.reason.push(task.reason); t.count.push(task.stepCount);
    t.unfinished.push(task.stepsUnfinished ?? task.stepCount);
    t.parentTask.push(task.parent?.taskId ?? null); t.parentStep.push(task.parent?.stepId ?? null); t.key.push(task.parent?.key ?? null);
    for (let i = 0; i < steps.ids.length; i++) {
      s.task.push(task.id); s.id.push(steps.ids[i]!); s.idx.push(i); s.name.push(steps.names[i]!); s.state.push(steps.states[i]!);
      s.max.push(steps.maxAttempts[i]!); s.retry.push(steps.retryPolicies[i]!); s.timeout.push(steps.timeoutsMs[i]!);
      s.unfinished.push(steps.unfinishedParents[i]!); s.parents.push(steps.parents[i]!); s.children.push(steps.children[i]!);
    }
  }
  return q.query<TaskRow>(
    `with cursor_moved as (
       update steps set children_dispatched = $27, child_failure = $30, updated_at = now()
        where id = $26::uuid and attempts = $28 and lease_owner = $29 and state = 'in_progress'
       returning id
     ), t as (
       insert into tasks (id, namespace, name, version, template_fingerprint, state, priority, context, identity_hash,
                          tags, initiator, source_system, reason, step_count, steps_unfinished, started_at,
                          parent_task_id, parent_step_id, child_key, completed_at, finalized_at)
       select x.id, x.namespace, x.name, x.version, x.fingerprint, case when x.unfinished = 0 then 'complete' else 'in_progress' end,
              x.priority, x.context::jsonb, x.identity,
              x.tags::text[], x.initiator, x.source, x.reason, x.count, x.unfinished, now(), x.parent_task, x.parent_step, x.key,
              case when x.unfinished = 0 then now() end, case when x.unfinished = 0 then now() end
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $31::uuid[], $32::uuid[], $33::text[], $34::int[])
              as x(id, namespace, name, version, fingerprint, priority, context, identity, tags, initiator, source, reason, count,
                   parent_task, parent_step, key, unfinished)
        where $26::uuid is null or exists (select 1 from cursor_moved)
       on conflict (namespace, name, identity_hash) where identity_hash is not null do nothing
       returning *
     ), s as (
       insert into steps (id, task_id, idx, name, state, max_attempts, retry_policy, timeout_ms, unfinished_parents, parents, children)
       select y.id, y.task_id, y.idx, y.name, y.state, y.max_attempts, y.retry::jsonb, y.timeout_ms, y.unfinished,
              y.parents::integer[], y.children::integer[]
         from unnest($14::uuid[], $15::uuid[], $16::int[], $17::text[], $18::text[], $19::int[], $20::text[], $21::int[],
                     $22::int[], $23::text[], $24::text[])
              as y(task_id, id, idx, name, state, max_attempts, retry, timeout_ms, unfinished, parents, children)
         join t on t.id = y.task_id
       returning id, task_id, idx, state
     ), q as (
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
       select t.namespace, s.task_id, s.id, s.idx, 1, t.priority from s join t on t.id = s.task_id where s.state = 'enqueued'
     ), st as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select s.task_id, s.id, null, s.state, 0, 'task submitted', $25 from s
     ), tt as (
       insert into task_transitions (task_id, from_state, to_state, reason, actor)
       select t.id, null, t.state, case when t.state = 'complete' then 'submitted; every step skipped' else 'submitted' end, $25 from t
     ), ev as (
       insert into events (event_id, name, namespace, task_id, payload)
       select gen_random_uuid(), 'task.started', t.namespace, t.id,
              jsonb_build_object('name', t.name, 'version', t.version, 'stepCount', t.step_count) from t
       union all
       select gen_random_uuid(), 'task.completed', t.namespace, t.id, jsonb_build_object('name', t.name, 'version', t.version)
         from t where t.state = 'complete'
     )
     select * from t`,
    [t.id, t.namespace, t.name, t.version, t.fingerprint, t.priority, t.context, t.identity, t.tags, t.initiator, t.source,
      t.reason, t.count, s.task, s.id, s.idx, s.name, s.state, s.max, s.retry, s.timeout, s.unfinished, s.parents, s.children, actor,
      fence?.stepId ?? null, fence?.cursor ?? 0, fence?.attempt ?? 0, fence?.owner ?? null, fence?.childFailure ?? null,
      t.parentTask, t.parentStep, t.key, t.unfinished],
  );
}

/** A text[] literal for values that are plain names (tags are validated at the edge). */
function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
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
