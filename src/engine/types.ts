import type { StepState } from "../core/dag/index.ts";

/** Task states; the CHECK constraint in migrations/0001_initial.sql holds the same list. */
export const TASK_STATES = [
  "pending",
  "in_progress",
  "waiting_for_retry",
  "blocked_by_failures",
  "complete",
  "error",
  "cancelled",
  "resolved_manually",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface SubmitRequest {
  namespace: string;
  name: string;
  /** Exact semver version; omitted means the latest loaded version. */
  version?: string;
  context?: Record<string, unknown>;
  /** Makes a duplicate submission return the existing task instead of creating a second one. */
  idempotencyKey?: string;
  priority?: number;
  tags?: string[];
  initiator?: string;
  sourceSystem?: string;
  reason?: string;
}

export interface SubmitResult {
  task: TaskView;
  /** false when an existing task with the same identity was returned. */
  created: boolean;
}

export interface TaskView {
  id: string;
  namespace: string;
  name: string;
  version: string;
  state: TaskState;
  priority: number;
  context: Record<string, unknown>;
  tags: string[];
  initiator: string | null;
  sourceSystem: string | null;
  reason: string | null;
  parentTaskId: string | null;
  /** For a child task: the spawning step, and the child's key (its index in the spawn source). */
  parentStepId: string | null;
  childKey: string | null;
  stepCount: number;
  stepsUnfinished: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface StepView {
  id: string;
  taskId: string;
  idx: number;
  name: string;
  state: StepState;
  attempts: number;
  maxAttempts: number;
  dependsOn: string[];
  runAt: Date | null;
  results: unknown;
  error: StepErrorRecord | null;
  /** A step a decision did not choose (or skipped for lack of chosen dependencies): that decision step's name. */
  skippedBy: string | null;
  skipReason: string | null;
  /** A batch worker's range: its position in the plan and its cursors. */
  batch: { index: number; start: number | string; end: number | string } | null;
  /** A batch worker's last saved progress. */
  checkpoint: { cursor: number | string; state: unknown } | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** What a failed attempt leaves behind: anything a handler throws is coerced into this. */
export interface StepErrorRecord {
  message: string;
  name: string;
  kind: "retryable" | "permanent" | "timeout" | "lease_expired";
  attempt: number;
  stack?: string;
  /** Set on a batch worker that failed for good under `onFailure: "continue"` (its step is complete). */
  continued?: boolean;
}

export interface TaskDetail extends TaskView {
  steps: StepView[];
}

export interface TaskFilter {
  namespace?: string;
  name?: string;
  version?: string;
  state?: TaskState;
  tag?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface TaskPage {
  tasks: TaskView[];
  nextCursor: string | null;
}

export interface Transition {
  fromState: string | null;
  toState: string;
  attempt?: number;
  reason: string | null;
  actor: string;
  metadata: unknown;
  createdAt: Date;
}

/** Who did a manual operation, and why; both are required and recorded in the audit trail. */
export interface Audit {
  actor: string;
  reason: string;
}

export interface LifecycleEvent {
  id: number;
  eventId: string;
  name: string;
  namespace: string | null;
  taskId: string | null;
  stepId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface QueueStatus {
  namespace: string;
  depth: number;
  /** Age of the oldest visible message, 0 when empty. */
  oldestAgeMs: number;
}

export interface WorkerStatus {
  id: string;
  hostname: string;
  pid: number;
  namespaces: string[];
  concurrency: number;
  startedAt: Date;
  heartbeatAt: Date;
}

export interface EngineStatus {
  queues: QueueStatus[];
  workers: WorkerStatus[];
  tasksByState: Record<string, number>;
  stepsByState: Record<string, number>;
  recentFailures: Array<{ taskId: string; stepId: string; step: string; namespace: string; error: StepErrorRecord | null; at: Date }>;
}

export interface EventFilter {
  taskId?: string;
  namespace?: string;
}

/**
 * The orchestration engine: everything the HTTP API and the CLI call. Built by `createEngine`.
 * Methods throw TaskerError subclasses (src/engine/errors.ts) with stable codes.
 */
export interface Engine {
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /** Many submissions in one round trip; all are validated before any is written. */
  submitMany(requests: readonly SubmitRequest[]): Promise<SubmitResult[]>;
  getTask(taskId: string): Promise<TaskDetail>;
  listTasks(filter: TaskFilter): Promise<TaskPage>;
  cancelTask(taskId: string, audit: Audit): Promise<TaskView>;
  listSteps(taskId: string): Promise<StepView[]>;
  getStep(taskId: string, stepId: string): Promise<StepView>;
  resetStep(taskId: string, stepId: string, audit: Audit): Promise<StepView>;
  resolveStep(taskId: string, stepId: string, audit: Audit): Promise<StepView>;
  completeStep(taskId: string, stepId: string, audit: Audit & { results: unknown }): Promise<StepView>;
  /** Skips a step its template marks skippable; dependents treat it as satisfied. */
  skipStep(taskId: string, stepId: string, audit: Audit): Promise<StepView>;
  stepAudit(taskId: string, stepId: string): Promise<Transition[]>;
  taskAudit(taskId: string): Promise<Transition[]>;
  /** A task's child tasks in key order, optionally in one state; keyset-paginated. */
  listChildren(taskId: string, filter: { state?: TaskState; cursor?: string; limit?: number }): Promise<TaskPage>;
  /**
   * Delivers an external event to the steps waiting for it (ctx.waitForEvent): those of one task,
   * or every step waiting on that name with that key. Returns how many steps it woke.
   */
  sendEvent(target: { taskId: string } | { key: string }, event: string, payload: unknown): Promise<{ delivered: number }>;
  /** Lifecycle events committed by any engine on this database, delivered in order. */
  onEvent(listener: (e: LifecycleEvent) => void, filter?: EventFilter): () => void;
  status(): Promise<EngineStatus>;
  /** Starts workers (if configured), the sweeper and event delivery. */
  start(): Promise<void>;
  /** Stops claiming, waits up to `drainMs` for in-flight steps, releases the rest. */
  stop(options?: { drainMs?: number }): Promise<void>;
}
