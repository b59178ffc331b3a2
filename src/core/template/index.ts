/**
 * Task templates: the authoring API (defineTask), its validation and defaults, and the immutable
 * LoadedTemplate the registry hands to the engine.
 */
export { defineTask, isTaskDefinition } from "./define-task.ts";
export { TemplateValidationError, type TemplateIssue } from "./errors.ts";
export { NAME_PATTERN, isValidName, nameSchema } from "./names.ts";
export { isSemver } from "./semver.ts";
export {
  DEFAULT_RETRY_POLICY,
  normaliseRetryPolicy,
  retryPolicyInputSchema,
  type BackoffKind,
  type RetryPolicy,
  type RetryPolicyInput,
} from "./retry-policy.ts";
export { DEFAULT_STEP_TIMEOUT_MS, MAX_STEP_TIMEOUT_MS, isZodSchema } from "./spec-schema.ts";
export type { StepContext, StepHandler, StepLogger } from "./step-context.ts";
export type { JsonValue } from "./json.ts";
export {
  TASK_DEFINITION,
  type IdentityStrategy,
  type NamedStepSpec,
  type StepDefinition,
  type StepSpec,
  type TaskDefinition,
  type TaskEvent,
  type TaskSpec,
  type TaskSubscriber,
} from "./task-spec.ts";
export { toLoadedTemplate, type LoadTemplateOptions, type LoadedStep, type LoadedTemplate, type TemplateSource } from "./loaded-template.ts";
export { structureFingerprint } from "./fingerprint.ts";
export { contextJsonSchema, dependencyGraph, describeTemplate, type DependencyGraph, type TemplateDescription } from "./describe-template.ts";
