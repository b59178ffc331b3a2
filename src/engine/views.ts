import type { StepState } from "../core/dag/index.ts";
import type { StepRow, TransitionRow } from "../store/steps.ts";
import type { TaskRow } from "../store/tasks.ts";
import type { EventRow } from "../store/events.ts";
import type { LifecycleEvent, StepErrorRecord, StepView, TaskState, TaskView, Transition } from "./types.ts";

export function taskView(r: TaskRow): TaskView {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    version: r.version,
    state: r.state as TaskState,
    priority: r.priority,
    context: r.context,
    tags: r.tags,
    initiator: r.initiator,
    sourceSystem: r.source_system,
    reason: r.reason,
    parentTaskId: r.parent_task_id,
    parentStepId: r.parent_step_id,
    childKey: r.child_key,
    stepCount: r.step_count,
    stepsUnfinished: r.steps_unfinished,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
  };
}

/** `names[i]` is the name of step idx i of the same task (for dependsOn). */
export function stepView(r: StepRow, names: readonly string[]): StepView {
  return {
    id: r.id,
    taskId: r.task_id,
    idx: r.idx,
    name: r.name,
    state: r.state as StepState,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    dependsOn: r.parents.map((i) => names[i] ?? String(i)),
    runAt: r.run_at,
    results: r.results ?? null,
    error: (r.error as StepErrorRecord | null) ?? null,
    skippedBy: r.skipped_by ?? null,
    skipReason: r.skip_reason ?? null,
    batch: r.batch?.index !== undefined ? { index: r.batch.index, start: r.batch.start!, end: r.batch.end! } : null,
    checkpoint: r.checkpoint ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
  };
}

export function transitionView(r: TransitionRow): Transition {
  return {
    fromState: r.from_state,
    toState: r.to_state,
    attempt: r.attempt,
    reason: r.reason,
    actor: r.actor,
    metadata: r.metadata ?? null,
    createdAt: r.created_at,
  };
}

export function eventView(r: EventRow): LifecycleEvent {
  return {
    id: r.id,
    eventId: r.event_id,
    name: r.name,
    namespace: r.namespace,
    taskId: r.task_id,
    stepId: r.step_id,
    payload: r.payload,
    createdAt: r.created_at,
  };
}

/** Opaque keyset cursor: the last row's (created_at, id). */
export function encodeCursor(r: { createdAt: Date; id: string }): string {
  return btoa(`${r.createdAt.toISOString()}|${r.id}`).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const [at, id] = text.split("|");
    const createdAt = new Date(at ?? "");
    if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}
