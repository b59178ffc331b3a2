import type { BatchFailureStrategy } from "./batch.ts";
import { z } from "zod";
import type { LoadedTemplate } from "./loaded-template.ts";

/** The dependency graph as Tasker's handler discovery returns it, plus parallel levels. */
export interface DependencyGraph {
  /** Step names in declaration order. */
  nodes: string[];
  /** One edge per dependency: `from` must complete before `to` runs. */
  edges: { from: string; to: string }[];
  /** A topological order; ties go to the step declared first. */
  execution_order: string[];
  /** levels[k] holds the steps whose longest dependency chain has k links: each level may run in parallel. */
  levels: string[][];
}

/** Discovery data for one template version (snake_case, as the HTTP API returns it). */
export interface TemplateDescription {
  namespace: string;
  name: string;
  version: string;
  description: string | null;
  fingerprint: string;
  identity_strategy: string;
  source: string;
  steps: {
    name: string;
    description: string | null;
    depends_on: string[];
    handler_class: string | null;
    skippable: boolean;
    /** A decision step's branches; empty for other steps. */
    branches: string[];
    batch: { on_failure: BatchFailureStrategy; max_workers: number } | null;
    timeout_ms: number;
    retry: { max_attempts: number; backoff: string; base_ms: number; cap_ms: number; jitter: number; custom_retry_on: boolean };
  }[];
  dependency_graph: DependencyGraph;
  /** JSON Schema (draft 2020-12) of the task context as submitted. */
  context_schema: Record<string, unknown>;
}

/**
 * Nodes, edges, execution order and levels of a loaded template.
 *
 * @example
 *   dependencyGraph(t).execution_order // ["validate_order", "process_payment", "send_confirmation"]
 */
export function dependencyGraph(t: LoadedTemplate): DependencyGraph {
  const { dag } = t;
  const edges: DependencyGraph["edges"] = [];
  for (let i = 0; i < dag.size; i++) {
    for (const p of dag.parentsOf(i)) edges.push({ from: dag.names[p]!, to: dag.names[i]! });
  }
  const levels: string[][] = [];
  for (const i of dag.order) {
    const level = dag.levels[i]!;
    (levels[level] ??= []).push(dag.names[i]!);
  }
  return {
    nodes: [...dag.names],
    edges,
    execution_order: Array.from(dag.order, (i) => dag.names[i]!),
    levels,
  };
}

// Converting a schema walks it; templates are immutable, so once per schema object is enough.
const schemaCache = new WeakMap<object, Record<string, unknown>>();

/**
 * The context schema as JSON Schema. Parts zod cannot express (transforms, custom checks) come
 * out as `{}` (any) instead of failing discovery.
 *
 * @example
 *   contextJsonSchema(t) // { type: "object", properties: { order_id: { type: "integer", … } }, … }
 */
export function contextJsonSchema(t: LoadedTemplate): Record<string, unknown> {
  let cached = schemaCache.get(t.contextSchema);
  if (!cached) {
    try {
      cached = z.toJSONSchema(t.contextSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    } catch {
      // A schema from a different zod major cannot be walked; "any object" is still true.
      cached = { type: "object" };
    }
    schemaCache.set(t.contextSchema, cached);
  }
  return cached;
}

/**
 * Everything discovery shows about one template version.
 *
 * @example
 *   describeTemplate(registry.resolve("ci", "ci_pipeline")).dependency_graph.levels
 *   // [["build_postgres"], ["code_quality", "workspace_compile"], …]
 */
export function describeTemplate(t: LoadedTemplate): TemplateDescription {
  return {
    namespace: t.namespace,
    name: t.name,
    version: t.version,
    description: t.description ?? null,
    fingerprint: t.fingerprint,
    identity_strategy: t.identity,
    source: t.source,
    steps: t.steps.map((s) => ({
      name: s.name,
      description: s.description ?? null,
      depends_on: [...s.dependsOn],
      handler_class: s.handlerClass ?? null,
      skippable: s.skippable,
      branches: s.branches.map((b) => t.dag.names[b]!),
      batch: s.batch ? { on_failure: s.batch.onFailure, max_workers: s.batch.maxWorkers } : null,
      timeout_ms: s.timeoutMs,
      retry: {
        max_attempts: s.retry.maxAttempts,
        backoff: s.retry.backoff,
        base_ms: s.retry.baseMs,
        cap_ms: s.retry.capMs,
        jitter: s.retry.jitter,
        custom_retry_on: s.retry.retryOn !== undefined,
      },
    })),
    dependency_graph: dependencyGraph(t),
    context_schema: contextJsonSchema(t),
  };
}
