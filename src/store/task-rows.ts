/**
 * The rows of new tasks as statement parameters, and the parts of a statement that insert them
 * (tasks, steps, root-step queue messages). Two statements use them: a submission
 * (`insertTasks`, with a transition and `task.started` per task) and a fan-out chunk
 * (`insertChildChunk`, fenced on the spawning step, audited once per chunk).
 */

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

/** The new task's steps, as parallel arrays (one element per step, in idx order). */
export interface NewSteps {
  ids: string[];
  names: readonly string[];
  states: readonly string[];
  maxAttempts: readonly number[];
  retryPolicies: readonly string[];
  timeoutsMs: readonly number[];
  unfinishedParents: readonly number[];
  parents: readonly string[];
  children: readonly string[];
}

/** A new task and its steps (steps as parallel arrays in idx order). */
export interface NewTaskWithSteps {
  task: NewTask;
  steps: NewSteps;
}

/**
 * The tasks as parallel arrays ($1–$17) and all their steps flattened ($18–$28), so that any
 * number of tasks is one statement with a fixed parameter count; the statement's own parameters
 * start at $29.
 */
export function rowParams(items: readonly NewTaskWithSteps[]): unknown[] {
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
  return [t.id, t.namespace, t.name, t.version, t.fingerprint, t.priority, t.context, t.identity, t.tags, t.initiator, t.source,
    t.reason, t.count, t.parentTask, t.parentStep, t.key, t.unfinished,
    s.task, s.id, s.idx, s.name, s.state, s.max, s.retry, s.timeout, s.unfinished, s.parents, s.children];
}

/** A text[] literal for values that are plain names (tags are validated at the edge). */
function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/**
 * CTE body `t`: inserts the tasks of $1–$17 where `guard` holds, skipping any whose identity
 * hash exists (`on conflict do nothing`: a racing duplicate waits for the first insert's commit,
 * then finds the conflict — never an error, never a second task). `guard` and `returning` are
 * constants of the calling statement, never input.
 */
export function insertTasksCte(guard: string, returning: string): string {
  return `insert into tasks (id, namespace, name, version, template_fingerprint, state, priority, context, identity_hash,
                          tags, initiator, source_system, reason, step_count, steps_unfinished, started_at,
                          parent_task_id, parent_step_id, child_key, completed_at, finalized_at)
       select x.id, x.namespace, x.name, x.version, x.fingerprint, case when x.unfinished = 0 then 'complete' else 'in_progress' end,
              x.priority, x.context::jsonb, x.identity,
              x.tags::text[], x.initiator, x.source, x.reason, x.count, x.unfinished, now(), x.parent_task, x.parent_step, x.key,
              case when x.unfinished = 0 then now() end, case when x.unfinished = 0 then now() end
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::uuid[], $15::uuid[], $16::text[], $17::int[])
              as x(id, namespace, name, version, fingerprint, priority, context, identity, tags, initiator, source, reason, count,
                   parent_task, parent_step, key, unfinished)
        where ${guard}
       on conflict (namespace, name, identity_hash) where identity_hash is not null do nothing
       returning ${returning}`;
}

/**
 * CTE bodies `s` (the steps of $18–$28 whose task `t` inserted) and `q` (a queue message per
 * root step). `t` must return id, namespace and priority.
 */
export const INSERT_STEPS_AND_MESSAGES = `s as (
       insert into steps (id, task_id, idx, name, state, max_attempts, retry_policy, timeout_ms, unfinished_parents, parents, children)
       select y.id, y.task_id, y.idx, y.name, y.state, y.max_attempts, y.retry::jsonb, y.timeout_ms, y.unfinished,
              y.parents::integer[], y.children::integer[]
         from unnest($18::uuid[], $19::uuid[], $20::int[], $21::text[], $22::text[], $23::int[], $24::text[], $25::int[],
                     $26::int[], $27::text[], $28::text[])
              as y(task_id, id, idx, name, state, max_attempts, retry, timeout_ms, unfinished, parents, children)
         join t on t.id = y.task_id
       returning id, task_id, idx, state
     ), q as (
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
       select t.namespace, s.task_id, s.id, s.idx, 1, t.priority from s join t on t.id = s.task_id where s.state = 'enqueued'
     )`;
