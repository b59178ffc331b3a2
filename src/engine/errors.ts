import { TaskerError } from "../core/errors.ts";

export class TaskNotFoundError extends TaskerError {
  constructor(readonly taskId: string) {
    super("task_not_found", `no task with id "${taskId}"`, { taskId });
  }
}

export class StepNotFoundError extends TaskerError {
  constructor(readonly taskId: string, readonly stepId: string) {
    super("step_not_found", `task "${taskId}" has no step with id "${stepId}"`, { taskId, stepId });
  }
}

/** The context failed the template's schema; `issues` lists each bad field. */
export class ContextInvalidError extends TaskerError {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(
      "context_invalid",
      `task context is invalid: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
      { issues },
    );
  }
}

/** A manual operation or cancel asked for a change the state machine does not allow. */
export class InvalidTransitionError extends TaskerError {
  constructor(readonly entity: "task" | "step", readonly from: string, readonly action: string) {
    super("invalid_transition", `cannot ${action} a ${entity} in state "${from}"`, { entity, from, action });
  }
}

/** A worker's lease ran out (or a newer attempt began) before it recorded its outcome. */
export class LeaseLostError extends TaskerError {
  constructor(readonly stepId: string, readonly attempt: number) {
    super("lease_lost", `the lease on step "${stepId}" attempt ${attempt} was lost before its outcome was recorded`, { stepId, attempt });
  }
}

/** The namespace's queue is deeper than the configured limit: try again later. */
export class BackpressureError extends TaskerError {
  constructor(readonly namespace: string, readonly depth: number, readonly retryAfterSeconds: number) {
    super("queue_full", `namespace "${namespace}" has ${depth} queued steps; retry in ${retryAfterSeconds} s`, { namespace, depth, retryAfterSeconds });
  }
}
