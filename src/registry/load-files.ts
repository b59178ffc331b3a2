import { dirname, relative, sep } from "node:path";
import type { DagCore } from "../core/dag/index.ts";
import type { LoadedTemplate } from "../core/template/loaded-template.ts";
import { describeThrown } from "./describe-error.ts";
import { TemplateLoadError } from "./errors.ts";
import { loadModuleFile } from "./load-module-file.ts";
import { loadYamlFile } from "./load-yaml-file.ts";
import type { RegistryIo } from "./registry-io.ts";
import type { ScannedFile, ScannedNamespace } from "./scan-handlers-dir.ts";

/** A file that could not be loaded, as `problems()` reports it. */
export interface LoadProblem {
  /** Relative to the handlers directory's parent: "handlers/ci/broken.ts". */
  file: string;
  message: string;
}

/** What one file yielded last time, reused while its stamp is unchanged. */
export interface FileOutcome {
  stamp: string;
  template: LoadedTemplate | undefined;
  error: TemplateLoadError | undefined;
}

/**
 * Runtimes cache modules by specifier, so re-importing an edited file by its path returns the old
 * code. The first import uses the plain path; after a change the path gets a fresh query string
 * (which Bun, Node and Deno all key their caches on). Only the changed file itself is reloaded:
 * helper modules it imports stay cached until restart.
 */
export class SpecifierTable {
  private readonly seen = new Map<string, { stamp: string; specifier: string }>();
  private counter = 0;

  specifier(path: string, stamp: string): string {
    const prev = this.seen.get(path);
    if (prev && prev.stamp === stamp) return prev.specifier;
    const specifier = prev ? `${path}?reload=${++this.counter}` : path;
    this.seen.set(path, { stamp, specifier });
    return specifier;
  }
}

export interface LoadFilesInput {
  handlersDir: string;
  namespaces: readonly ScannedNamespace[];
  previous: ReadonlyMap<string, FileOutcome>;
  specifiers: SpecifierTable;
  io: RegistryIo;
  core: DagCore | undefined;
}

/**
 * The path as users see it in their project tree: relative to the handlers directory's parent.
 *
 * @example
 *   displayPath("/app/handlers", "/app/handlers/ci/build.ts") // "handlers/ci/build.ts"
 */
export function displayPath(handlersDir: string, path: string): string {
  return relative(dirname(handlersDir), path).split(sep).join("/");
}

async function stampOf(file: ScannedFile, io: RegistryIo): Promise<string> {
  const own = await io.stamp(file.path);
  return file.companion ? `${own}|${await io.stamp(file.companion)}` : own;
}

async function loadOne(file: ScannedFile, namespace: string, stamp: string, input: LoadFilesInput): Promise<LoadedTemplate> {
  const { io, core, specifiers, handlersDir } = input;
  const display = displayPath(handlersDir, file.path);
  const opt = core ? { core } : {};
  if (file.kind === "module") {
    const specifier = specifiers.specifier(file.path, stamp);
    return loadModuleFile({ path: file.path, specifier, display, namespace, io, ...opt });
  }
  const companion = file.companion
    ? { specifier: specifiers.specifier(file.companion, await io.stamp(file.companion)), display: displayPath(handlersDir, file.companion) }
    : undefined;
  return loadYamlFile({ path: file.path, display, namespace, companion, io, ...opt });
}

/**
 * Loads every scanned file, one at a time (imports run module code; doing it serially keeps
 * their side effects and error output in a readable order). A file whose stamp is unchanged
 * since `previous` keeps its earlier outcome, the very same LoadedTemplate object included.
 * Two files defining the same namespace/name@version: the first in path order wins, the second
 * is reported.
 *
 * @example
 *   const { outcomes, templates, problems } = await loadFiles({ handlersDir, namespaces, previous: new Map(), specifiers, io, core: undefined });
 */
export async function loadFiles(input: LoadFilesInput): Promise<{
  outcomes: Map<string, FileOutcome>;
  templates: LoadedTemplate[];
  problems: LoadProblem[];
}> {
  const outcomes = new Map<string, FileOutcome>();
  const templates: LoadedTemplate[] = [];
  const problems: LoadProblem[] = [];
  const owners = new Map<string, string>();

  for (const ns of input.namespaces) {
    for (const file of ns.files) {
      const display = displayPath(input.handlersDir, file.path);
      let outcome: FileOutcome;
      try {
        const stamp = await stampOf(file, input.io);
        const prev = input.previous.get(file.path);
        if (prev && prev.stamp === stamp) outcome = prev;
        else {
          try {
            outcome = { stamp, template: await loadOne(file, ns.name, stamp, input), error: undefined };
          } catch (err) {
            const error = err instanceof TemplateLoadError ? err : new TemplateLoadError(display, describeThrown(err), err);
            outcome = { stamp, template: undefined, error };
          }
        }
      } catch (err) {
        // The file vanished between the directory listing and stat: report it, retry next scan.
        problems.push({ file: display, message: `${display}: cannot read: ${describeThrown(err)}` });
        continue;
      }
      outcomes.set(file.path, outcome);
      if (outcome.error) {
        problems.push({ file: outcome.error.file, message: outcome.error.message });
        continue;
      }
      const t = outcome.template!;
      const owner = owners.get(t.key);
      if (owner !== undefined) {
        problems.push({ file: display, message: `${display}: defines ${t.key}, which ${owner} already defines; bump the version of one of them` });
        continue;
      }
      owners.set(t.key, display);
      templates.push(t);
    }
  }
  return { outcomes, templates, problems };
}
