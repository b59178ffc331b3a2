import type { DagCore, StepState } from "../core/dag/index.ts";
import type { Db } from "../store/db.ts";
import { satisfySteps } from "../store/outcomes.ts";
import { dropStepMessage, dropTaskMessages, enqueueStep } from "../store/queue.ts";
import { getStep, listSteps, transitionStep } from "../store/steps.ts";
import { getTask, transitionTask } from "../store/tasks.ts";
import { stepStatesLeadingTo, TERMINAL_TASK_STATES } from "../core/state-machine.ts";
import { InvalidTransitionError, StepNotFoundError, TaskNotFoundError } from "./errors.ts";
import { reconcileTasks } from "./reconcile.ts";
import type { TemplateResolver } from "./templates.ts";
import type { Audit, StepView, TaskView } from "./types.ts";
import { stepView, taskView } from "./views.ts";

export interface ManualDeps {
  db: Db;
  core: DagCore;
  templates: TemplateResolver;
  onEnqueued: (namespaces: Set<string>) => void;
  onCancelled: (taskId: string) => void;
}

const UNFINISHED_STEP_STATES = stepStatesLeadingTo("cancelled");
// Only a failed step is reset; error → enqueued/pending are edges of the step machine.
const RESETTABLE_STEP_STATES: StepState[] = ["error"];
const isTerminal = (state: string) => (TERMINAL_TASK_STATES as readonly string[]).includes(state);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Operations a person performs, each audited with actor and reason, each in one transaction
 * that first locks the task row (so it serialises with workers' failure handling).
 */
export function createManualOperations(deps: ManualDeps) {
  const { db } = deps;

  async function lockTaskAndStep(tx: Parameters<Parameters<Db["transaction"]>[0]>[0], taskId: string, stepId: string) {
    if (!UUID.test(taskId)) throw new TaskNotFoundError(taskId);
    const task = await getTask(tx, taskId, true);
    if (!task) throw new TaskNotFoundError(taskId);
    if (!UUID.test(stepId)) throw new StepNotFoundError(taskId, stepId);
    const step = await getStep(tx, taskId, stepId);
    if (!step) throw new StepNotFoundError(taskId, stepId);
    return { task, step };
  }

  async function viewOf(taskId: string, stepId: string): Promise<StepView> {
    const steps = await listSteps(db, taskId);
    const names = steps.map((s) => s.name);
    return stepView(steps.find((s) => s.id === stepId)!, names);
  }

  return {
    /** A failed step runs again with a fresh attempt budget; a blocked task resumes. */
    async reset(taskId: string, stepId: string, audit: Audit): Promise<StepView> {
      let namespace = "";
      await db.transaction(async (tx) => {
        const { task, step } = await lockTaskAndStep(tx, taskId, stepId);
        if (isTerminal(task.state)) throw new InvalidTransitionError("task", task.state, "reset a step of");
        const to = step.unfinished_parents === 0 ? "enqueued" : "pending";
        const moved = await transitionStep(tx, stepId, RESETTABLE_STEP_STATES, to, { ...audit, resetAttempts: true });
        if (!moved) throw new InvalidTransitionError("step", step.state, "reset for retry");
        await tx.query("update steps set error = null, completed_at = null where id = $1", [stepId]);
        await tx.query("update tasks set steps_failed = steps_failed - 1, updated_at = now() where id = $1", [taskId]);
        if (to === "enqueued") await enqueueStep(tx, stepId);
        await reconcileTasks(tx, deps.core, deps.templates, [taskId], audit.actor);
        namespace = task.namespace;
      });
      deps.onEnqueued(new Set([namespace]));
      return viewOf(taskId, stepId);
    },

    /** Marks a step satisfied by hand (resolved, or complete with given results); dependents run. */
    async resolve(taskId: string, stepId: string, audit: Audit, to: "resolved_manually" | "complete", results: unknown): Promise<StepView> {
      const ready = new Set<string>();
      await db.transaction(async (tx) => {
        const { task, step } = await lockTaskAndStep(tx, taskId, stepId);
        if (isTerminal(task.state)) throw new InvalidTransitionError("task", task.state, `${to === "complete" ? "complete" : "resolve"} a step of`);
        // A running step is the worker's to finish (or a cancel's to stop), never a person's.
        const from: StepState[] = stepStatesLeadingTo(to).filter((s) => s !== "in_progress");
        if (!from.includes(step.state as StepState)) throw new InvalidTransitionError("step", step.state, to === "complete" ? "complete manually" : "resolve manually");
        const r = await satisfySteps(tx, {
          stepIds: [stepId],
          attempts: [step.attempts],
          results: [JSON.stringify(results ?? null)],
          owner: null,
          to,
          from,
          actor: audit.actor,
          reason: audit.reason,
        });
        for (const s of r.ready) ready.add(s.namespace);
        await dropStepMessage(tx, stepId, to);
        await reconcileTasks(tx, deps.core, deps.templates, [taskId], audit.actor);
      });
      if (ready.size > 0) deps.onEnqueued(ready);
      return viewOf(taskId, stepId);
    },

    /**
     * Cancels a task: unfinished steps become cancelled, queued work is dropped, running handlers
     * are aborted. With `to: "error"` the same happens to a task that ran out of time (sweeper).
     */
    async cancel(taskId: string, audit: Audit, to: "cancelled" | "error" = "cancelled"): Promise<TaskView> {
      if (!UUID.test(taskId)) throw new TaskNotFoundError(taskId);
      const task = await db.transaction(async (tx) => {
        const current = await getTask(tx, taskId, true);
        if (!current) throw new TaskNotFoundError(taskId);
        if (isTerminal(current.state)) throw new InvalidTransitionError("task", current.state, "cancel");
        await tx.query(
          `with c as (
             update steps set state = 'cancelled', updated_at = now(), completed_at = now(), lease_owner = null, lease_expires_at = null
              where task_id = $1 and state = any($2::text[])
              returning id, attempts
           )
           insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
           select $1, c.id, o.state, 'cancelled', c.attempts, $3, $4 from c join steps o on o.id = c.id`,
          [taskId, UNFINISHED_STEP_STATES, audit.reason, audit.actor],
        );
        await dropTaskMessages(tx, taskId, "cancelled");
        const event = to === "cancelled" ? "task.cancelled" : "task.failed";
        const moved = await transitionTask(tx, taskId, [current.state], to, { ...audit, event, terminal: true });
        return moved!;
      });
      deps.onCancelled(taskId);
      return taskView(task);
    },
  };
}
