import { normaliseJoin } from "./join.ts";
import { MAX_BATCH_STEP_NAME, normaliseBatch } from "./batch.ts";
import { z } from "zod";
import { compileDag, DagValidationError } from "../dag/index.ts";
import { TemplateValidationError, type TemplateIssue } from "./errors.ts";
import { declareSchedules } from "../schedule/schedule-spec.ts";
import { normaliseRetryPolicy } from "./retry-policy.ts";
import { DEFAULT_STEP_TIMEOUT_MS, taskSpecSchema, type ParsedStepSpec } from "./spec-schema.ts";
import type { StepHandler } from "./step-context.ts";
import { TASK_DEFINITION, type StepDefinition, type TaskDefinition, type TaskSpec } from "./task-spec.ts";

/** The context schema of a template that declares none: any JSON object. */
const ANY_OBJECT = z.record(z.string(), z.unknown());

/**
 * True for a value built by {@link defineTask} (by this or another copy of the package).
 *
 * @example
 *   if (isTaskDefinition(mod.default)) registry.add(mod.default)
 */
export function isTaskDefinition(value: unknown): value is TaskDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TASK_DEFINITION] === true;
}

function label(input: unknown): string {
  if (typeof input !== "object" || input === null) return "(not an object)";
  const { name, version } = input as { name?: unknown; version?: unknown };
  const n = typeof name === "string" ? JSON.stringify(name) : "(unnamed)";
  return typeof version === "string" ? `${n} ${version}` : n;
}

function zodIssues(error: z.ZodError): TemplateIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** Steps in declaration order, whichever of the two forms the author used. */
function orderedSteps(steps: ParsedStepSpecList): ParsedStepSpec[] {
  if (Array.isArray(steps)) return steps;
  return Object.entries(steps).map(([name, spec]) => ({ ...spec, name }));
}
type ParsedStepSpecList = ParsedStepSpec[] | Record<string, Omit<ParsedStepSpec, "name">>;

function toStepDefinition(step: ParsedStepSpec): StepDefinition {
  return Object.freeze({
    name: step.name,
    dependsOn: Object.freeze([...(step.dependsOn ?? [])]),
    retry: normaliseRetryPolicy(step.retry),
    timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    skippable: (step.skippable ?? false) || step.skipIf !== undefined,
    skipIf: step.skipIf as ((context: unknown) => boolean) | undefined,
    description: step.description,
    handler: step.handler as StepHandler,
    join: normaliseJoin(step.join),
    branches: Object.freeze([...(step.branches ?? [])]),
    batch: normaliseBatch(step.batch),
    ...(step.handlerClass !== undefined ? { handlerClass: step.handlerClass } : {}),
  });
}

/**
 * Validates a task definition, applies defaults, compiles its DAG and returns it frozen. Throws
 * TemplateValidationError naming the task and each problem: malformed names, a version that is
 * not semver, unknown options, a cycle (with its path), a missing dependency, a duplicate step.
 * A handler module's default export is the result of this call.
 *
 * @example
 *   import { z } from "zod";
 *   import { defineTask } from "tasker-edge";
 *
 *   export default defineTask({
 *     name: "greet",
 *     version: "1.0.0",
 *     context: z.object({ who: z.string() }),
 *     steps: {
 *       compose: { handler: (ctx) => ({ text: `Hello, ${ctx.context.who}` }) },
 *       shout: {
 *         dependsOn: ["compose"],
 *         handler: (ctx: StepContext<{ who: string }, { compose: { text: string } }>) =>
 *           ({ text: ctx.deps.compose.text.toUpperCase() }),
 *       },
 *     },
 *   });
 */
export function defineTask<S extends z.ZodType = z.ZodType<Record<string, unknown>>>(spec: TaskSpec<S>): TaskDefinition<z.output<S>> {
  if (isTaskDefinition(spec)) return spec as unknown as TaskDefinition<z.output<S>>;
  const parsed = taskSpecSchema.safeParse(spec);
  if (!parsed.success) throw new TemplateValidationError(label(spec), zodIssues(parsed.error));
  const p = parsed.data;
  const task = `"${p.name}" ${p.version}`;
  const steps = orderedSteps(p.steps as ParsedStepSpecList).map(toStepDefinition);

  let dag;
  try {
    dag = compileDag(steps.map((s) => ({ name: s.name, dependsOn: s.dependsOn })));
  } catch (err) {
    if (err instanceof DagValidationError) {
      throw new TemplateValidationError(task, [{ path: "steps", message: err.message }], err);
    }
    throw err;
  }

  const dynamic = dynamicStepIssues(steps);
  if (dynamic.length > 0) throw new TemplateValidationError(task, dynamic);

  const declared = declareSchedules(p.schedules, p.context ?? ANY_OBJECT);
  if (declared.issues.length > 0) throw new TemplateValidationError(task, declared.issues);

  return Object.freeze({
    [TASK_DEFINITION]: true as const,
    name: p.name,
    version: p.version,
    description: p.description,
    namespace: p.namespace,
    contextSchema: (p.context ?? ANY_OBJECT) as z.ZodType<z.output<S>>,
    identity: p.identity ?? "strict",
    steps: Object.freeze(steps),
    subscribers: Object.freeze({ ...(p.subscribers ?? {}) }) as TaskDefinition["subscribers"],
    dag,
    schedules: declared.schedules,
  });
}

/**
 * Checks decision and batch steps against the graph: a branch must be a step that depends on its
 * decision step; a batch step has exactly one dependency (its planner), a name short enough for
 * its workers' names, and no declared step may take a worker's name.
 */
function dynamicStepIssues(steps: readonly StepDefinition[]): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const byName = new Map(steps.map((s) => [s.name, s]));
  for (const s of steps) {
    const seen = new Set<string>();
    for (const b of s.branches) {
      const branch = byName.get(b);
      if (seen.has(b)) issues.push({ path: `steps.${s.name}.branches`, message: `branch "${b}" is listed twice` });
      else if (!branch) issues.push({ path: `steps.${s.name}.branches`, message: `branch "${b}" is not a step of this task` });
      else if (!branch.dependsOn.includes(s.name)) {
        issues.push({ path: `steps.${s.name}.branches`, message: `branch "${b}" must depend on "${s.name}" (add it to ${b}.dependsOn)` });
      }
      seen.add(b);
    }
    if (!s.batch) continue;
    if (s.dependsOn.length !== 1) {
      issues.push({ path: `steps.${s.name}.batch`, message: `a batch step depends on exactly one step, its planner (it depends on ${s.dependsOn.length})` });
    }
    if (s.name.length > MAX_BATCH_STEP_NAME) {
      issues.push({ path: `steps.${s.name}.batch`, message: `a batch step's name is at most ${MAX_BATCH_STEP_NAME} characters (its workers are named ${s.name}__1, …)` });
    }
    if (s.branches.length > 0) issues.push({ path: `steps.${s.name}`, message: "a step cannot be both a decision point (branches) and a batch step" });
    for (const other of steps) {
      if (other.name.startsWith(`${s.name}__`)) {
        issues.push({ path: `steps.${other.name}`, message: `the name is reserved for the workers of batch step "${s.name}"` });
      }
    }
  }
  return issues;
}
