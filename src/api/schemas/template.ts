import { z } from "@hono/zod-openapi";
import { NameSchema, VersionSchema } from "./common.ts";

export const LoadProblemSchema = z
  .object({
    file: z.string().openapi({ example: "handlers/ci/broken.ts" }),
    message: z.string().openapi({ example: "handlers/ci/broken.ts: cycle: a → b → a" }),
  })
  .openapi("LoadProblem");

export const NamespaceListSchema = z
  .object({
    namespaces: z.array(z.object({ name: z.string(), handler_count: z.int() })),
    problems: z.array(LoadProblemSchema).openapi({
      description: "Handler files that failed to load (shown to credentials not limited to namespaces)",
    }),
  })
  .openapi("NamespaceList");

export const HandlerSummarySchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    version: z.string().openapi({ description: "The version used when a create names none" }),
    versions: z.array(z.string()).openapi({ description: "Every loaded version, highest first" }),
    description: z.string().nullable(),
    step_count: z.int(),
    source: z.enum(["module", "yaml"]),
  })
  .openapi("HandlerSummary");

export const HandlerListSchema = z
  .object({ namespace: z.string(), handlers: z.array(HandlerSummarySchema) })
  .openapi("HandlerList");

export const DependencyGraphSchema = z
  .object({
    nodes: z.array(z.string()),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
    execution_order: z.array(z.string()).openapi({ description: "A topological order; ties go to the step declared first" }),
    levels: z.array(z.array(z.string())).openapi({ description: "Steps whose longest dependency chain has k links are in levels[k]" }),
  })
  .openapi("DependencyGraph");

export const TemplateDescriptionSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    fingerprint: z.string(),
    identity_strategy: z.string(),
    source: z.string(),
    steps: z.array(
      z.object({
        name: z.string(),
        description: z.string().nullable(),
        depends_on: z.array(z.string()),
        handler_class: z.string().nullable(),
        skippable: z.boolean(),
        branches: z.array(z.string()).openapi({ description: "A decision step's branches (it chooses which run); empty otherwise" }),
        batch: z
          .object({ on_failure: z.enum(["isolate", "continue", "fail_fast"]), max_workers: z.int() })
          .nullable()
          .openapi({ description: "A batch step: its handler runs once per cursor range its planner returns" }),
        timeout_ms: z.int(),
        retry: z.object({
          max_attempts: z.int(),
          backoff: z.string(),
          base_ms: z.number(),
          cap_ms: z.number(),
          jitter: z.number(),
          custom_retry_on: z.boolean(),
        }),
      }),
    ),
    dependency_graph: DependencyGraphSchema,
    context_schema: z.record(z.string(), z.unknown()).openapi({ description: "JSON Schema (draft 2020-12) of the task context" }),
  })
  .openapi("TemplateDescription");

export const RescanReportSchema = z
  .object({
    templates: z.int(),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    replaced: z.array(z.string()),
    problems: z.array(LoadProblemSchema),
  })
  .openapi("RescanReport");

export const NamespaceParams = z.object({
  namespace: NameSchema.openapi({ param: { name: "namespace", in: "path" } }),
});

export const TemplateParams = z.object({
  namespace: NameSchema.openapi({ param: { name: "namespace", in: "path" } }),
  name: NameSchema.openapi({ param: { name: "name", in: "path" }, example: "ci_pipeline" }),
});

export const TemplateQuery = z.strictObject({
  version: z
    .union([z.literal("latest"), VersionSchema])
    .optional()
    .openapi({ param: { name: "version", in: "query" }, description: "Exact version or latest (default)" }),
});
