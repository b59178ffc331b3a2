import { emptyStepVector, StepStateCode, type DagCore, type StepState } from "../core/dag/index.ts";
import type { Queryable } from "../store/db.ts";
import { transitionTask } from "../store/tasks.ts";
import { UNFINISHED_STEP_STATES } from "../core/state-machine.ts";
import type { TemplateResolver } from "./templates.ts";

// Task states in which the engine still decides between "working" and "blocked".
const OPEN_STATES = ["pending", "in_progress", "waiting_for_retry", "blocked_by_failures"];

/**
 * Recomputes, with the DAG core, whether each task can still make progress, and moves it
 * between in_progress and blocked_by_failures accordingly (with `task.failed` on entering
 * blocked). Only the rare paths call this — a final failure, an expired last lease, a manual
 * operation — never a plain completion. The task rows are locked in id order first, so two
 * failures of one task in different processes see each other's step states. Returns the tasks
 * it moved to blocked_by_failures (a blocked child may settle its parent's join).
 */
export async function reconcileTasks(
  tx: Queryable,
  core: DagCore,
  templates: TemplateResolver,
  taskIds: readonly string[],
  actor: string,
): Promise<string[]> {
  const blocked: string[] = [];
  if (taskIds.length === 0) return blocked;
  const tasks = await tx.query<{ id: string; namespace: string; name: string; version: string; state: string }>(
    "select id, namespace, name, version, state from tasks where id = any($1::uuid[]) order by id for update",
    [taskIds],
  );
  const steps = await tx.query<{ task_id: string; idx: number; state: string; attempts: number; max_attempts: number; due: boolean; batch_of: number | null }>(
    `select task_id, idx, state, attempts, max_attempts, coalesce(run_at <= now(), true) as due, (batch->>'of')::int as batch_of
       from steps where task_id = any($1::uuid[])`,
    [taskIds],
  );
  for (const task of tasks) {
    if (!OPEN_STATES.includes(task.state)) continue;
    const own = steps.filter((s) => s.task_id === task.id);
    const template = templates.resolve(task.namespace, task.name, task.version);
    const v = emptyStepVector(template.dag.size);
    const workers = new Map<number, string[]>();
    for (const s of own) {
      if (s.batch_of !== null) {
        workers.set(s.batch_of, [...(workers.get(s.batch_of) ?? []), s.state]);
        continue;
      }
      v.states[s.idx] = StepStateCode[s.state as StepState];
      v.attempts[s.idx] = s.attempts;
      v.maxAttempts[s.idx] = s.max_attempts;
      v.retryDue[s.idx] = s.due ? 1 : 0;
    }
    for (const [of, states] of workers) {
      if (v.states[of] === StepStateCode.pending) v.states[of] = StepStateCode[batchStepState(states)];
    }
    const outcome = core.outcome(template.dag, v);
    if (outcome === "blocked" && task.state !== "blocked_by_failures") {
      await transitionTask(tx, task.id, OPEN_STATES, "blocked_by_failures", {
        actor,
        reason: "a step failed and no other step can make progress",
        event: "task.failed",
      });
      blocked.push(task.id);
    } else if (outcome !== "blocked" && outcome !== "complete" && task.state === "blocked_by_failures") {
      await transitionTask(tx, task.id, ["blocked_by_failures"], "in_progress", { actor, reason: "progress possible again", event: "task.resumed" });
    }
  }
  return blocked;
}

/**
 * How a batch step whose workers exist looks to the DAG core (which knows the template's steps
 * only): in progress while a worker can still run, failed once the rest are done and one is not
 * satisfied (error, or cancelled by fail_fast), pending (about to gather) otherwise.
 */
function batchStepState(workerStates: readonly string[]): StepState {
  if (workerStates.some((s) => (UNFINISHED_STEP_STATES as readonly string[]).includes(s))) return "in_progress";
  if (workerStates.some((s) => s === "error" || s === "cancelled")) return "error";
  return "pending";
}
