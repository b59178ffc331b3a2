/**
 * The task and step state machines as plain tables: every state change the engine makes is one
 * of these edges (`null` is "created"). The SQL enforces them with `where state = any(from)`
 * guards; the tables are the single list those guards are taken from, and tests check every
 * recorded transition against them.
 */
import type { StepState } from "./dag/index.ts";

export type TaskStateName =
  | "pending" | "in_progress" | "waiting_for_retry" | "blocked_by_failures"
  | "complete" | "error" | "cancelled" | "resolved_manually";

type Table<S extends string> = Readonly<Record<S | "null", readonly S[]>>;

export const STEP_TRANSITIONS: Table<StepState> = Object.freeze({
  null: ["pending", "enqueued"],
  pending: ["enqueued", "cancelled", "complete", "resolved_manually", "skipped"],
  enqueued: ["in_progress", "cancelled", "complete", "resolved_manually", "skipped"],
  // in_progress → in_progress: a new attempt claims a step whose previous lease expired.
  in_progress: ["in_progress", "complete", "waiting_for_retry", "error", "enqueued", "cancelled", "waiting"],
  waiting_for_retry: ["in_progress", "cancelled", "complete", "resolved_manually", "skipped"],
  error: ["enqueued", "pending", "complete", "resolved_manually", "skipped"],
  complete: [],
  cancelled: [],
  resolved_manually: [],
  skipped: [],
  // Parked until its child tasks are done: the join completes or fails it; a person may settle it.
  waiting: ["complete", "error", "cancelled", "resolved_manually"],
});

export const TASK_TRANSITIONS: Table<TaskStateName> = Object.freeze({
  null: ["in_progress"],
  pending: ["in_progress", "cancelled", "error"],
  in_progress: ["complete", "blocked_by_failures", "cancelled", "error"],
  waiting_for_retry: ["in_progress", "complete", "blocked_by_failures", "cancelled", "error"],
  blocked_by_failures: ["in_progress", "complete", "cancelled", "error"],
  complete: [],
  error: [],
  cancelled: [],
  resolved_manually: [],
});

/** Step states that satisfy a dependency. */
export const SATISFIED_STEP_STATES: readonly StepState[] = ["complete", "resolved_manually", "skipped"];

/** Task states after which nothing changes any more. */
export const TERMINAL_TASK_STATES: readonly TaskStateName[] = ["complete", "error", "cancelled", "resolved_manually"];

/**
 * The states from which `to` may be reached.
 *
 * @example
 *   stepStatesLeadingTo("cancelled") // ["pending", "enqueued", "in_progress", "waiting_for_retry", "waiting"]
 */
export function stepStatesLeadingTo(to: StepState): StepState[] {
  return (Object.keys(STEP_TRANSITIONS) as Array<StepState | "null">)
    .filter((from): from is StepState => from !== "null" && STEP_TRANSITIONS[from].includes(to));
}

/** Step states that are not settled yet: every state from which a step can still be cancelled. */
export const UNFINISHED_STEP_STATES: readonly StepState[] = stepStatesLeadingTo("cancelled");

export function taskStatesLeadingTo(to: TaskStateName): TaskStateName[] {
  return (Object.keys(TASK_TRANSITIONS) as Array<TaskStateName | "null">)
    .filter((from): from is TaskStateName => from !== "null" && TASK_TRANSITIONS[from].includes(to));
}

/** Whether `from → to` is an edge of the step machine (`from` null = creation). */
export function isStepTransition(from: StepState | null, to: StepState): boolean {
  return STEP_TRANSITIONS[from ?? "null"].includes(to);
}

export function isTaskTransition(from: TaskStateName | null, to: TaskStateName): boolean {
  return TASK_TRANSITIONS[from ?? "null"].includes(to);
}
