import type { LifecycleEvent, StepView, TaskDetail, TaskView, Transition } from "../engine/types.ts";

// The engine speaks camelCase with Dates; the API speaks snake_case with RFC 3339 strings, as
// tasker-core's REST API does. These functions are the only place the two meet.

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/**
 * A task as the API returns it.
 *
 * @example
 *   taskJson(await engine.getTask(id)).created_at // "2025-01-31T12:00:00.000Z"
 */
export function taskJson(t: TaskView) {
  return {
    id: t.id,
    namespace: t.namespace,
    name: t.name,
    version: t.version,
    state: t.state,
    priority: t.priority,
    context: t.context,
    tags: t.tags,
    initiator: t.initiator,
    source_system: t.sourceSystem,
    reason: t.reason,
    parent_task_id: t.parentTaskId,
    parent_step_id: t.parentStepId,
    child_key: t.childKey,
    step_count: t.stepCount,
    steps_unfinished: t.stepsUnfinished,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    started_at: iso(t.startedAt),
    completed_at: iso(t.completedAt),
  };
}

/**
 * A step as the API returns it. A handler's stack trace stays in the database and the logs: it
 * names server paths and is not the caller's business.
 *
 * @example
 *   stepJson(step).error // { message: "connection refused", name: "Error", kind: "retryable", attempt: 2 }
 */
export function stepJson(s: StepView) {
  return {
    id: s.id,
    task_id: s.taskId,
    idx: s.idx,
    name: s.name,
    state: s.state,
    attempts: s.attempts,
    max_attempts: s.maxAttempts,
    depends_on: s.dependsOn,
    run_at: iso(s.runAt),
    results: s.results ?? null,
    error: s.error ? { message: s.error.message, name: s.error.name, kind: s.error.kind, attempt: s.error.attempt } : null,
    skipped_by: s.skippedBy,
    skip_reason: s.skipReason,
    batch: s.batch,
    checkpoint: s.checkpoint,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    started_at: iso(s.startedAt),
    completed_at: iso(s.completedAt),
  };
}

/**
 * A task with its steps.
 *
 * @example
 *   taskDetailJson(await engine.getTask(id)).steps.length
 */
export function taskDetailJson(t: TaskDetail) {
  return { ...taskJson(t), steps: t.steps.map(stepJson) };
}

/**
 * One audited state change.
 *
 * @example
 *   transitionJson(tr) // { from_state: "error", to_state: "pending", actor: "alice", … }
 */
export function transitionJson(t: Transition) {
  return {
    from_state: t.fromState,
    to_state: t.toState,
    attempt: t.attempt ?? null,
    reason: t.reason,
    actor: t.actor,
    metadata: t.metadata ?? null,
    created_at: t.createdAt.toISOString(),
  };
}

/**
 * A lifecycle event as the SSE stream sends it.
 *
 * @example
 *   eventJson(e) // { id: 42, event_id: "…", name: "step.completed", task_id: "…", … }
 */
export function eventJson(e: LifecycleEvent) {
  return {
    id: e.id,
    event_id: e.eventId,
    name: e.name,
    namespace: e.namespace,
    task_id: e.taskId,
    step_id: e.stepId,
    payload: e.payload,
    created_at: e.createdAt.toISOString(),
  };
}
