import type { DagCore } from "../core/dag/index.ts";
import { defineTask, isTaskDefinition } from "../core/template/define-task.ts";
import { TemplateValidationError } from "../core/template/errors.ts";
import { toLoadedTemplate, type LoadedTemplate } from "../core/template/loaded-template.ts";
import type { TaskDefinition } from "../core/template/task-spec.ts";
import { describeImportError, describeThrown } from "./describe-error.ts";
import { TemplateLoadError } from "./errors.ts";
import type { RegistryIo } from "./registry-io.ts";

export interface ModuleLoadInput {
  /** Absolute path of the module. */
  path: string;
  /** What to pass to import(): the path, plus a query that defeats the module cache on reload. */
  specifier: string;
  /** The path as shown in messages ("handlers/ci/build.ts"). */
  display: string;
  namespace: string;
  io: RegistryIo;
  core?: DagCore;
}

/**
 * Turns a module's default export into a definition, or says why it cannot. A plain object that
 * was not passed through defineTask is validated the same way.
 */
function definitionOf(exported: unknown, display: string): TaskDefinition {
  if (exported === undefined) {
    throw new TemplateLoadError(display, "has no default export; end the module with `export default defineTask({ … })`");
  }
  if (isTaskDefinition(exported)) return exported;
  if (typeof exported !== "object" || exported === null || Array.isArray(exported)) {
    const kind = Array.isArray(exported) ? "an array" : exported === null ? "null" : `a ${typeof exported}`;
    throw new TemplateLoadError(display, `default export is ${kind}, not a task definition; export default defineTask({ … })`);
  }
  try {
    return defineTask(exported as never);
  } catch (err) {
    throw new TemplateLoadError(display, err instanceof TemplateValidationError ? err.message : describeThrown(err), err);
  }
}

/**
 * Checks that a definition's declared namespace, if any, is the folder it lives in: the folder is
 * what operators see and what discovery lists, so a disagreement is refused rather than guessed.
 *
 * @example
 *   checkNamespace(def, "ci", "handlers/ci/build.ts") // throws if def.namespace is "billing"
 */
export function checkNamespace(def: TaskDefinition, namespace: string, display: string): void {
  if (def.namespace !== undefined && def.namespace !== namespace) {
    throw new TemplateLoadError(
      display,
      `declares namespace "${def.namespace}" but lives in the folder of namespace "${namespace}"; move the file or drop the namespace field`,
    );
  }
}

/**
 * Imports one handler module and returns its template. Every failure becomes a TemplateLoadError
 * naming the file: syntax errors, a throw during import, a missing or wrong default export, an
 * invalid definition (bad name, semver, cycle, missing or duplicate step).
 *
 * @example
 *   const t = await loadModuleFile({ path, specifier: path, display: "handlers/ci/build.ts", namespace: "ci", io });
 */
export async function loadModuleFile(input: ModuleLoadInput): Promise<LoadedTemplate> {
  let mod: Record<string, unknown>;
  try {
    mod = await input.io.importModule(input.specifier);
  } catch (err) {
    // defineTask at module top level refuses an invalid definition by throwing during import.
    const problem = err instanceof TemplateValidationError ? err.message : describeImportError(err);
    throw new TemplateLoadError(input.display, problem, err);
  }
  const def = definitionOf(mod.default, input.display);
  checkNamespace(def, input.namespace, input.display);
  return toLoadedTemplate(def, {
    namespace: input.namespace,
    file: input.path,
    source: "module",
    ...(input.core ? { core: input.core } : {}),
  });
}
