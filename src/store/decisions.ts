import type { Queryable } from "./db.ts";

/** The lease a worker holds on the step whose outcome is being recorded. */
export interface StepFence {
  stepId: string;
  attempt: number;
  owner: string;
}

/**
 * Locks the task row, then reports whether the worker still holds the step's lease. Decision
 * and batch outcomes read the task's other steps before writing, so they serialise per task.
 */
export async function lockTaskForOutcome(q: Queryable, taskId: string, fence: StepFence): Promise<boolean> {
  await q.query("select id from tasks where id = $1 for update", [taskId]);
  const [row] = await q.query<{ ok: boolean }>(
    "select (state = 'in_progress' and lease_owner = $2 and attempts = $3) as ok from steps where id = $1",
    [fence.stepId, fence.owner, fence.attempt],
  );
  return row?.ok === true;
}

/** A task's steps as a decision sees them: state, and which were skipped by an earlier decision. */
export async function decisionStates(q: Queryable, taskId: string): Promise<Array<{ idx: number; state: string; by_decision: boolean }>> {
  return q.query("select idx, state, skipped_by is not null as by_decision from steps where task_id = $1", [taskId]);
}

export interface DecisionSkip {
  taskId: string;
  /** The decision step's name, recorded on each skipped step. */
  decision: string;
  actor: string;
  /** Steps to skip (all pending), with the reason recorded for each. */
  skip: { idx: number[]; reasons: string[] };
  /**
   * Steps outside the skip set with skipped parents, and how many: skipped parents count as
   * satisfied, so their unfinished-parent counts drop by that much (and a step reaching 0 is
   * enqueued, e.g. a convergence step whose other parents are already done).
   */
  satisfied: { idx: number[]; n: number[] };
}

/**
 * Skips the steps a decision did not choose, in one statement: state `skipped` with the
 * decision's name and the reason, audit rows and `step.skipped` events; decrements the counts of
 * the steps they satisfy and enqueues those reaching 0; lowers the task's unfinished-step count.
 * Run it in the decision step's completion transaction, after {@link lockTaskForOutcome} and
 * before the step itself is satisfied (which then decrements the chosen branches).
 */
export async function skipForDecision(q: Queryable, input: DecisionSkip): Promise<Array<{ id: string; namespace: string }>> {
  return q.query(
    `with sk as (
       update steps s
          set state = 'skipped', skipped_by = $2, skip_reason = x.reason, completed_at = now(), updated_at = now()
         from unnest($3::int[], $4::text[]) as x(idx, reason)
        where s.task_id = $1 and s.idx = x.idx and s.state = 'pending'
       returning s.id, s.task_id, s.idx, s.name, s.attempts, x.reason
     ), str as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, 'pending', 'skipped', attempts, reason, $7 from sk
     ), sev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), 'step.skipped', t.namespace, sk.task_id, sk.id,
              jsonb_build_object('step', sk.name, 'decision', $2::text, 'reason', sk.reason)
         from sk join tasks t on t.id = sk.task_id
     ), dec as (
       update steps s
          set unfinished_parents = s.unfinished_parents - x.n,
              state = case when s.unfinished_parents - x.n = 0 and s.state = 'pending' then 'enqueued' else s.state end,
              updated_at = now()
         from unnest($5::int[], $6::int[]) as x(idx, n)
        where s.task_id = $1 and s.idx = x.idx
       returning s.id, s.task_id, s.idx, s.state, s.unfinished_parents, s.attempts
     ), ready as (
       select r.*, t.namespace, t.priority from dec r join tasks t on t.id = r.task_id
        where r.state = 'enqueued' and r.unfinished_parents = 0
     ), rq as (
       insert into queue_messages (queue, task_id, step_id, step_idx, attempt, priority)
       select namespace, task_id, id, idx, attempts + 1, priority from ready
     ), rtr as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
       select task_id, id, 'pending', 'enqueued', attempts, 'dependencies satisfied (skipped by decision)', 'system' from ready
     ), t as (
       update tasks set steps_unfinished = steps_unfinished - (select count(*)::int from sk), updated_at = now()
        where id = $1 and exists (select 1 from sk)
     )
     select id, namespace from ready`,
    [input.taskId, input.decision, input.skip.idx, input.skip.reasons, input.satisfied.idx, input.satisfied.n, input.actor],
  );
}
