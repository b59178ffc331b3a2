/**
 * tasker-edge's public surface for handler authors: define a task, steer retries, type handlers.
 *
 * @example
 *   import { defineTask, PermanentError, RetryableError, type StepContext } from "tasker-edge";
 */
export { defineTask, isTaskDefinition } from "./core/template/define-task.ts";
export { PermanentError, RetryableError, type HandlerErrorOptions, type RetryableErrorOptions } from "./core/handler-errors.ts";
export { TemplateValidationError, type TemplateIssue } from "./core/template/errors.ts";
export { DEFAULT_RETRY_POLICY, type BackoffKind, type RetryPolicy, type RetryPolicyInput } from "./core/template/retry-policy.ts";
export type { SpawnReceipt, SpawnSpec, StepContext, StepHandler, StepLogger } from "./core/template/step-context.ts";
export type { ChildFailurePolicy, ChildOutcome, JoinSpec } from "./core/template/join.ts";
export {
  cursorRanges,
  type BatchCheckpoint,
  type BatchContext,
  type BatchFailureStrategy,
  type BatchOutcome,
  type BatchSpec,
  type Cursor,
  type CursorRange,
} from "./core/template/batch.ts";
export type { JsonValue } from "./core/template/json.ts";
export type {
  IdentityStrategy,
  NamedStepSpec,
  StepSpec,
  TaskDefinition,
  TaskEvent,
  TaskSpec,
  TaskSubscriber,
} from "./core/template/task-spec.ts";
export type { LoadedStep, LoadedTemplate } from "./core/template/loaded-template.ts";
