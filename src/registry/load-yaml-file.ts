import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { DagCore } from "../core/dag/index.ts";
import { defineTask } from "../core/template/define-task.ts";
import { TemplateValidationError } from "../core/template/errors.ts";
import { toLoadedTemplate, type LoadedTemplate } from "../core/template/loaded-template.ts";
import { isZodSchema } from "../core/template/spec-schema.ts";
import type { NamedStepSpec } from "../core/template/task-spec.ts";
import { describeImportError, describeThrown } from "./describe-error.ts";
import { TemplateLoadError } from "./errors.ts";
import type { RegistryIo } from "./registry-io.ts";
import {
  TASKER_DEFAULT_RETRYABLE,
  TASKER_DEFAULT_RETRY_LIMIT,
  TASKER_DEFAULT_VERSION,
  taskerTemplateSchema,
  type TaskerStepTemplate,
  type TaskerTemplate,
} from "./tasker-yaml-schema.ts";

export interface YamlLoadInput {
  path: string;
  display: string;
  namespace: string;
  /** The sibling `<task>.handlers.ts`, when there is one. */
  companion: { specifier: string; display: string } | undefined;
  io: RegistryIo;
  core?: DagCore;
}

/** What a `<task>.handlers.ts` module provides. */
interface HandlerModule {
  handlers: Record<string, unknown>;
  context: z.ZodType | undefined;
}

async function parseTemplate(input: YamlLoadInput): Promise<TaskerTemplate> {
  let raw: unknown;
  try {
    raw = parseYaml(await input.io.readText(input.path));
  } catch (err) {
    throw new TemplateLoadError(input.display, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const parsed = taskerTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
    throw new TemplateLoadError(input.display, `not a Tasker task template: ${issues}`);
  }
  return parsed.data;
}

async function importHandlers(input: YamlLoadInput): Promise<HandlerModule | undefined> {
  const companion = input.companion;
  if (!companion) return undefined;
  let mod: Record<string, unknown>;
  try {
    mod = await input.io.importModule(companion.specifier);
  } catch (err) {
    throw new TemplateLoadError(companion.display, describeImportError(err), err);
  }
  const { handlers, context } = mod;
  if (typeof handlers !== "object" || handlers === null || Array.isArray(handlers)) {
    throw new TemplateLoadError(
      companion.display,
      "must export `handlers`: an object keyed by step name or handler_class, whose values are step handler functions",
    );
  }
  if (context !== undefined && !isZodSchema(context)) {
    throw new TemplateLoadError(companion.display, "exports `context`, but it is not a zod schema");
  }
  return { handlers: handlers as Record<string, unknown>, context };
}

/**
 * Pairs each step with its handler: by step name first (two steps may share a handler_class yet
 * need different code), then by handler_class. Every step must find a function and every exported
 * handler must be used: a gap or a leftover is refused, never skipped.
 */
function pairHandlers(tpl: TaskerTemplate, mod: HandlerModule | undefined, input: YamlLoadInput): Map<string, NamedStepSpec["handler"]> {
  const expected = input.display.replace(/\.ya?ml$/, ".handlers.ts");
  const describeStep = (s: TaskerStepTemplate) => `step "${s.name}"${s.handler_class ? ` (handler_class ${s.handler_class})` : ""}`;
  if (!mod) {
    const steps = tpl.step_templates.map(describeStep).join(", ");
    throw new TemplateLoadError(input.display, `no handlers module for ${steps}: create ${expected} exporting \`handlers\``);
  }
  const found = new Map<string, NamedStepSpec["handler"]>();
  const used = new Set<string>();
  const missing: string[] = [];
  for (const step of tpl.step_templates) {
    const key = Object.hasOwn(mod.handlers, step.name) ? step.name : step.handler_class;
    const handler = key !== undefined && Object.hasOwn(mod.handlers, key) ? mod.handlers[key] : undefined;
    if (handler === undefined) {
      missing.push(describeStep(step));
      continue;
    }
    if (typeof handler !== "function") {
      throw new TemplateLoadError(input.companion!.display, `handler "${key}" for ${describeStep(step)} is not a function`);
    }
    used.add(key!);
    found.set(step.name, handler as NamedStepSpec["handler"]);
  }
  if (missing.length > 0) {
    throw new TemplateLoadError(input.display, `no handler for ${missing.join(", ")} in ${input.companion!.display}`);
  }
  const unused = Object.keys(mod.handlers).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new TemplateLoadError(
      input.companion!.display,
      `exports handlers that match no step name or handler_class of ${input.display}: ${unused.map((k) => `"${k}"`).join(", ")}`,
    );
  }
  return found;
}

function contextSchemaOf(tpl: TaskerTemplate, mod: HandlerModule | undefined, display: string): z.ZodType | undefined {
  if (mod?.context) return mod.context;
  if (!tpl.schema) return undefined;
  try {
    return z.fromJSONSchema(tpl.schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    throw new TemplateLoadError(display, `schema is not a usable JSON Schema: ${describeThrown(err)}`, err);
  }
}

function toStep(step: TaskerStepTemplate, handler: NamedStepSpec["handler"]): NamedStepSpec {
  const dependsOn = [...new Set([...(step.depends_on_step ? [step.depends_on_step] : []), ...(step.depends_on_steps ?? [])])];
  const retryable = step.default_retryable ?? TASKER_DEFAULT_RETRYABLE;
  return {
    name: step.name,
    dependsOn,
    // Tasker's retry limit counts every attempt (a step may run while attempts < retry_limit).
    retry: { maxAttempts: retryable ? (step.default_retry_limit ?? TASKER_DEFAULT_RETRY_LIMIT) : 1 },
    ...(step.skippable !== undefined ? { skippable: step.skippable } : {}),
    ...(step.description !== undefined ? { description: step.description } : {}),
    ...(step.handler_class !== undefined ? { handlerClass: step.handler_class } : {}),
    handler,
  };
}

/**
 * Imports a Tasker YAML template and its sibling handlers module into a LoadedTemplate.
 * `depends_on_step(s)` become dependsOn; `default_retryable` / `default_retry_limit` become the
 * retry policy's maxAttempts; `namespace_name`, when given, must equal the folder.
 *
 * @example
 *   await loadYamlFile({ path, display: "handlers/default/order_process.yaml", namespace: "default",
 *     companion: { specifier: handlersPath, display: "handlers/default/order_process.handlers.ts" }, io })
 */
export async function loadYamlFile(input: YamlLoadInput): Promise<LoadedTemplate> {
  const tpl = await parseTemplate(input);
  if (tpl.namespace_name !== undefined && tpl.namespace_name !== input.namespace) {
    throw new TemplateLoadError(
      input.display,
      `namespace_name "${tpl.namespace_name}" does not match its folder, namespace "${input.namespace}"; move the file or change namespace_name`,
    );
  }
  const mod = await importHandlers(input);
  const handlers = pairHandlers(tpl, mod, input);
  const context = contextSchemaOf(tpl, mod, input.display);

  let def;
  try {
    def = defineTask({
      name: tpl.name,
      version: tpl.version ?? TASKER_DEFAULT_VERSION,
      ...(tpl.description !== undefined ? { description: tpl.description } : {}),
      ...(context ? { context } : {}),
      steps: tpl.step_templates.map((s) => toStep(s, handlers.get(s.name)!)),
    });
  } catch (err) {
    throw new TemplateLoadError(input.display, err instanceof TemplateValidationError ? err.message : describeThrown(err), err);
  }
  return toLoadedTemplate(def, {
    namespace: input.namespace,
    file: input.path,
    source: "yaml",
    ...(input.core ? { core: input.core } : {}),
  });
}
