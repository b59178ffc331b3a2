import type { DagCore, StepState } from "../core/dag/index.ts";
import type { Db } from "../store/db.ts";
import { satisfySteps } from "../store/outcomes.ts";
import { dropStepMessage, dropTaskMessages, enqueueStep } from "../store/queue.ts";
import { getStep, listSteps, transitionStep } from "../store/steps.ts";
import { getTask, transitionTask } from "../store/tasks.ts";
import { TaskerError } from "../core/errors.ts";
import { stepStatesLeadingTo, taskStatesLeadingTo, TERMINAL_TASK_STATES, UNFINISHED_STEP_STATES } from "../core/state-machine.ts";
import { InvalidTransitionError, StepNotFoundError, TaskNotFoundError } from "./errors.ts";
import { reconcileTasks } from "./reconcile.ts";
import type { Joiner } from "./join.ts";
import { unfinishedDescendants } from "../store/children.ts";
import type { SatisfyResult } from "../store/outcomes.ts";
import type { TemplateResolver } from "./templates.ts";
import type { Audit, StepView, TaskView } from "./types.ts";
import { stepView, taskView } from "./views.ts";

export interface ManualDeps {
  db: Db;
  core: DagCore;
  templates: TemplateResolver;
  joiner: Joiner;
  onEnqueued: (namespaces: Set<string>) => void;
  /** Every task a cancel ended (the task and its unfinished descendants): abort their handlers. */
  onCancelled: (taskIds: string[]) => void;
}

const OPEN_TASK_STATES = taskStatesLeadingTo("cancelled");
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
    async resolve(taskId: string, stepId: string, audit: Audit, to: "resolved_manually" | "complete" | "skipped", results: unknown): Promise<StepView> {
      let result: SatisfyResult | null = null;
      await db.transaction(async (tx) => {
        const { task, step } = await lockTaskAndStep(tx, taskId, stepId);
        if (isTerminal(task.state)) throw new InvalidTransitionError("task", task.state, `${to === "complete" ? "complete" : to === "skipped" ? "skip" : "resolve"} a step of`);
        if (to === "skipped") {
          const template = deps.templates.resolve(task.namespace, task.name, task.version);
          if (!template.steps[step.idx]?.skippable) {
            throw new TaskerError("step_not_skippable", `step "${step.name}" is not skippable: its template does not mark it skippable`, { step: step.name });
          }
        }
        // A running step is the worker's to finish (or a cancel's to stop), never a person's.
        const from: StepState[] = stepStatesLeadingTo(to).filter((s) => s !== "in_progress");
        if (!from.includes(step.state as StepState)) {
          throw new InvalidTransitionError("step", step.state, to === "complete" ? "complete manually" : to === "skipped" ? "skip" : "resolve manually");
        }
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
        result = r;
        await dropStepMessage(tx, stepId, to);
        await reconcileTasks(tx, deps.core, deps.templates, [taskId], audit.actor);
      });
      if (result) await deps.joiner.afterSatisfy(result);
      return viewOf(taskId, stepId);
    },

    /**
     * Cancels a task and, transitively, its unfinished child tasks: unfinished steps become
     * cancelled, queued work is dropped, running handlers are aborted (in every process). With
     * `to: "error"` the same happens to a task that ran out of time (sweeper).
     */
    async cancel(taskId: string, audit: Audit, to: "cancelled" | "error" = "cancelled"): Promise<TaskView> {
      if (!UUID.test(taskId)) throw new TaskNotFoundError(taskId);
      const { task, ended } = await db.transaction(async (tx) => {
        const current = await getTask(tx, taskId, true);
        if (!current) throw new TaskNotFoundError(taskId);
        if (isTerminal(current.state)) throw new InvalidTransitionError("task", current.state, "cancel");
        const descendants = await unfinishedDescendants(tx, taskId);
        const ended = [taskId, ...descendants];
        await tx.query(
          `with c as (
             update steps set state = 'cancelled', updated_at = now(), completed_at = now(), lease_owner = null, lease_expires_at = null
              where task_id = any($1::uuid[]) and state = any($2::text[])
              returning id, task_id, attempts
           )
           insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
           select c.task_id, c.id, o.state, 'cancelled', c.attempts, $3, $4 from c join steps o on o.id = c.id`,
          [ended, UNFINISHED_STEP_STATES, audit.reason, audit.actor],
        );
        for (const id of ended) await dropTaskMessages(tx, id, "cancelled");
        const event = to === "cancelled" ? "task.cancelled" : "task.failed";
        const moved = await transitionTask(tx, taskId, [current.state], to, { ...audit, event, terminal: true });
        const parentReason = `${audit.reason} (an ancestor task was ${to === "cancelled" ? "cancelled" : "failed"})`;
        for (const id of descendants) {
          await transitionTask(tx, id, OPEN_TASK_STATES, "cancelled", { actor: audit.actor, reason: parentReason, event: "task.cancelled", terminal: true });
        }
        return { task: moved!, ended };
      });
      deps.onCancelled(ended);
      // A cancelled child counts towards its own parent's join.
      if (task.parent_step_id) await deps.joiner.settle([taskId]);
      return taskView(task);
    },
  };
}
