import { z } from "zod";

/*
 * Tasker's task template YAML (tasker-engine's TaskTemplate / StepTemplate). Keys tasker-edge uses
 * are typed; keys Tasker defines that have no meaning here are accepted and ignored, so Tasker
 * files import unchanged; any other key is refused, so a misspelt key is never silently lost.
 */

const ignored = z.unknown().optional();

export const taskerStepTemplateSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  handler_class: z.string().optional(),
  depends_on_step: z.string().optional(),
  depends_on_steps: z.array(z.string()).optional(),
  default_retryable: z.boolean().optional(),
  default_retry_limit: z.number().int().min(1).max(1000).optional(),
  skippable: z.boolean().optional(),
  // Tasker keys without a tasker-edge meaning:
  dependent_system: ignored,
  handler_config: ignored,
  custom_events: ignored,
});

export const taskerTemplateSchema = z.strictObject({
  name: z.string(),
  namespace_name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  /** JSON Schema of the task context; converted to zod. */
  schema: z.record(z.string(), z.unknown()).optional(),
  step_templates: z.array(taskerStepTemplateSchema).min(1, "needs at least one step template"),
  // Tasker keys without a tasker-edge meaning:
  task_handler_class: ignored,
  module_namespace: ignored,
  concurrent: ignored,
  default_dependent_system: ignored,
  named_steps: ignored,
  environments: ignored,
  custom_events: ignored,
});

export type TaskerStepTemplate = z.output<typeof taskerStepTemplateSchema>;
export type TaskerTemplate = z.output<typeof taskerTemplateSchema>;

/** Tasker's defaults: steps are retryable, with three attempts in all. */
export const TASKER_DEFAULT_RETRYABLE = true;
export const TASKER_DEFAULT_RETRY_LIMIT = 3;
/** Tasker's default template version. */
export const TASKER_DEFAULT_VERSION = "0.1.0";
