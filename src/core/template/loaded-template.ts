import type { z } from "zod";
import { compileDag, type CompiledDag, type DagCore } from "../dag/index.ts";
import { structureFingerprint } from "./fingerprint.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import type { JoinDefinition } from "./join.ts";
import type { BatchDefinition } from "./batch.ts";
import type { StepHandler } from "./step-context.ts";
import type { IdentityStrategy, TaskDefinition, TaskSubscriber } from "./task-spec.ts";
import type { ScheduleDefinition } from "../schedule/schedule-spec.ts";

/** A step of a loaded template; `idx` is its position in declaration order and in the DAG. */
export interface LoadedStep {
  readonly name: string;
  readonly idx: number;
  readonly dependsOn: readonly string[];
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly skippable: boolean;
  readonly description: string | undefined;
  readonly handler: StepHandler;
  readonly handlerClass: string | undefined;
  readonly join: JoinDefinition;
  readonly skipIf: ((context: unknown) => boolean) | undefined;
  /** A decision step's branches (step indices, ascending); empty for other steps. */
  readonly branches: readonly number[];
  readonly batch: BatchDefinition | null;
}

/** Where a template came from. */
export type TemplateSource = "module" | "yaml";

/**
 * One version of one task, ready to run: immutable, so a running task can keep the object it
 * started with while a re-scan installs newer versions beside it. The CompiledDag's typed arrays
 * cannot be frozen; nothing writes to them.
 */
export interface LoadedTemplate {
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
  /** "namespace/name@version", unique within a registry. */
  readonly key: string;
  readonly description: string | undefined;
  readonly dag: CompiledDag;
  /** In declaration order: steps[i].idx === i. */
  readonly steps: readonly LoadedStep[];
  readonly contextSchema: z.ZodType;
  readonly identity: IdentityStrategy;
  readonly subscribers: Readonly<Record<string, TaskSubscriber>>;
  /** Recurring schedules the module declares; the engine upserts them at start. */
  readonly schedules: readonly ScheduleDefinition[];
  /** Absolute path of the file that defined it. */
  readonly file: string;
  readonly source: TemplateSource;
  /** Hash of the step and edge structure; equal fingerprints mean interchangeable DAGs. */
  readonly fingerprint: string;
}

export interface LoadTemplateOptions {
  namespace: string;
  file: string;
  source: TemplateSource;
  /** Recompile with this core (e.g. the WASM one); the result is identical to the reference. */
  core?: DagCore;
}

/**
 * Binds a validated definition to the namespace and file it was found in and freezes it.
 * The caller has already checked that a namespace the definition declares matches the folder.
 *
 * @example
 *   const t = toLoadedTemplate(defineTask({ … }), { namespace: "orders", file: "/app/handlers/orders/pay.ts", source: "module" });
 *   t.key // "orders/pay@1.0.0"
 */
export function toLoadedTemplate(def: TaskDefinition, options: LoadTemplateOptions): LoadedTemplate {
  const dag = options.core
    ? compileDag(def.steps, { core: options.core })
    : def.dag;
  const steps = def.steps.map((s, idx): LoadedStep =>
    Object.freeze({
      name: s.name,
      idx,
      dependsOn: s.dependsOn,
      retry: s.retry,
      timeoutMs: s.timeoutMs,
      skippable: s.skippable,
      description: s.description,
      handler: s.handler,
      handlerClass: s.handlerClass,
      join: s.join,
      skipIf: s.skipIf,
      // A definition made by an older copy of the package has neither.
      branches: Object.freeze((s.branches ?? []).map((b) => dag.indexOf.get(b)!).sort((a, b) => a - b)),
      batch: s.batch ?? null,
    }),
  );
  return Object.freeze({
    namespace: options.namespace,
    name: def.name,
    version: def.version,
    key: `${options.namespace}/${def.name}@${def.version}`,
    description: def.description,
    dag,
    steps: Object.freeze(steps),
    contextSchema: def.contextSchema as z.ZodType,
    identity: def.identity,
    subscribers: def.subscribers,
    // A definition made by an older copy of the package has no schedules.
    schedules: def.schedules ?? [],
    file: options.file,
    source: options.source,
    fingerprint: structureFingerprint(def.steps),
  });
}
