import type { z } from "zod";
import type { CompiledDag } from "../dag/index.ts";
import type { RetryPolicy, RetryPolicyInput } from "./retry-policy.ts";
import type { StepContext, StepHandler } from "./step-context.ts";
import type { ScheduleDefinition, ScheduleSpec } from "../schedule/schedule-spec.ts";
import type { JoinDefinition, JoinSpec } from "./join.ts";
import type { BatchDefinition, BatchSpec } from "./batch.ts";

/**
 * How the engine derives a task's identity for deduplication (as in tasker-core):
 * `strict` hashes namespace, name, version and context, so an identical submission returns the
 * existing task; `caller` requires the caller's idempotency key; `unique` never deduplicates.
 */
export type IdentityStrategy = "strict" | "caller" | "unique";

/** One step as an author writes it. `C` is the task context type. */
export interface StepSpec<C = unknown> {
  /** Steps that must complete first, by name. Order is irrelevant. */
  dependsOn?: readonly string[];
  retry?: RetryPolicyInput;
  /** Per-attempt time limit; the attempt's AbortSignal fires when it expires. */
  timeoutMs?: number;
  /** A person may skip the step (PATCH action `skip`); dependents treat it as satisfied. */
  skippable?: boolean;
  /** Skips the step at submit when it returns true for the task's context (implies skippable). */
  skipIf?: (context: C) => boolean;
  description?: string;
  /** Informational: the Tasker handler_class a YAML step was imported from. */
  handlerClass?: string;
  /** For a step that spawns child tasks (ctx.spawn): how their failures and results are joined. */
  join?: JoinSpec;
  /**
   * Makes the step a decision point: these dependents of it are its branches, and its handler
   * picks the ones that run with `ctx.choose(...)`. The others are skipped, and so is every step
   * all of whose dependencies are skipped (a step depending on several branches runs when the
   * chosen ones are complete).
   */
  branches?: readonly string[];
  /**
   * Makes the step a batch step: its one dependency (the planner) returns `{ batches: [{ start,
   * end }, …] }`, and the engine runs this step's handler once per range, as separate worker
   * steps (`ctx.batch` holds the range and the last checkpoint). The step's own result, which
   * its dependents receive, is the list of the batches' results in plan order.
   */
  batch?: BatchSpec;
  /*
   * Declared as a method so that an author may annotate `ctx` with a narrower deps type
   * (StepContext<C, { a: Result }>): method parameters are checked bivariantly.
   */
  handler(ctx: StepContext<C>): unknown;
}

/** A step in the array form of `steps`: the same options plus its name. */
export interface NamedStepSpec<C = unknown> extends StepSpec<C> {
  name: string;
}

/** A lifecycle event delivered to a template's subscribers. */
export interface TaskEvent {
  /** e.g. "task.completed", "task.failed", "step.failed". */
  readonly type: string;
  readonly taskId: string;
  readonly namespace: string;
  readonly taskName: string;
  readonly version: string;
  readonly stepName?: string;
  readonly data?: unknown;
}

/** Called after the event is committed; a subscriber's failure never affects the task. */
export type TaskSubscriber = (event: TaskEvent) => void | Promise<void>;

/** What `defineTask` accepts. `S` is the zod schema of the task context. */
export interface TaskSpec<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Semver, e.g. "1.2.0". Several versions of one task may be loaded side by side. */
  version: string;
  description?: string;
  /** Defaults to the name of the folder under handlers/ that holds the module. */
  namespace?: string;
  /** Validates the task context on submit; defaults to any JSON object. */
  context?: S;
  identity?: IdentityStrategy;
  /**
   * Steps by name, in declaration order (which breaks ties in the topological order), or an array
   * of named steps. Step names never look like integers, so object key order is insertion order.
   */
  steps: Record<string, StepSpec<z.output<S>>> | readonly NamedStepSpec<z.output<S>>[];
  /** Lifecycle event handlers keyed by event type ("task.completed", "step.failed", …). */
  subscribers?: Record<string, TaskSubscriber>;
  /** Recurring schedules that submit this task (cron with time zone); see docs/schedules.md. */
  schedules?: readonly ScheduleSpec[];
}

/** A step after validation: defaults applied, frozen. */
export interface StepDefinition {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly skippable: boolean;
  readonly description: string | undefined;
  readonly handler: StepHandler;
  /** Set for steps imported from Tasker YAML: the template's handler_class. */
  readonly handlerClass?: string;
  readonly join: JoinDefinition;
  readonly skipIf: ((context: unknown) => boolean) | undefined;
  /** Branch names of a decision step; empty for every other step. */
  readonly branches: readonly string[];
  readonly batch: BatchDefinition | null;
}

/** Brand of a validated definition; Symbol.for so that copies of the package recognise each other. */
export const TASK_DEFINITION: unique symbol = Symbol.for("tasker-edge.TaskDefinition");

/** What `defineTask` returns and a handler module exports: validated, frozen, DAG compiled. */
export interface TaskDefinition<C = unknown> {
  readonly [TASK_DEFINITION]: true;
  readonly name: string;
  readonly version: string;
  readonly description: string | undefined;
  readonly namespace: string | undefined;
  readonly contextSchema: z.ZodType<C>;
  readonly identity: IdentityStrategy;
  readonly steps: readonly StepDefinition[];
  readonly subscribers: Readonly<Record<string, TaskSubscriber>>;
  readonly dag: CompiledDag;
  readonly schedules: readonly ScheduleDefinition[];
}
