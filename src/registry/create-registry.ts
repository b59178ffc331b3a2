import { resolve as resolvePath } from "node:path";
import type { DagCore } from "../core/dag/index.ts";
import { describeTemplate, type TemplateDescription } from "../core/template/describe-template.ts";
import type { LoadedTemplate } from "../core/template/loaded-template.ts";
import { isValidName } from "../core/template/names.ts";
import { isSemver } from "../core/template/semver.ts";
import { Catalog, type HandlerSummary, type NamespaceSummary } from "./catalog.ts";
import { InvalidNameError, TemplateNotFoundError } from "./errors.ts";
import { displayPath, loadFiles, SpecifierTable, type FileOutcome, type LoadProblem } from "./load-files.ts";
import { nodeRegistryIo, type RegistryIo } from "./registry-io.ts";
import { scanHandlersDir } from "./scan-handlers-dir.ts";

export interface RegistryOptions {
  /** Folder holding one sub-folder per namespace, e.g. "./handlers". */
  handlersDir: string;
  /** DAG core used to order templates (default: the TypeScript reference; results are identical). */
  core?: DagCore;
  /** File-system and import access; the default uses node:fs/promises and import(). */
  io?: RegistryIo;
  /** Receives one warning per load problem on every (re)load. */
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** The outcome of load() or rescan(). Template keys are "namespace/name@version". */
export interface LoadReport {
  templates: number;
  problems: LoadProblem[];
  added: string[];
  removed: string[];
  /** Same key, new object: the file changed without a version bump. */
  replaced: string[];
}

export interface Registry {
  readonly handlersDir: string;
  /** Scans and loads everything; calling it again is a rescan. Never throws for a bad module. */
  load(): Promise<LoadReport>;
  /**
   * Loads new and changed files, drops deleted ones, keeps the rest as they were. Templates
   * handed out earlier are immutable and unaffected: running tasks keep their version.
   */
  rescan(): Promise<LoadReport>;
  /** The exact version, or the latest release when version is undefined or "latest". Throws InvalidNameError / TemplateNotFoundError. */
  resolve(namespace: string, name: string, version?: string): LoadedTemplate;
  /** Like resolve, but undefined when nothing matches (still throws for malformed names). */
  find(namespace: string, name: string, version?: string): LoadedTemplate | undefined;
  namespaces(): NamespaceSummary[];
  /** Throws InvalidNameError / TemplateNotFoundError (code namespace_not_found). */
  handlers(namespace: string): HandlerSummary[];
  describe(namespace: string, name: string, version?: string): TemplateDescription;
  /** Every loaded template version (e.g. to keep their DAGs resident). */
  templates(): LoadedTemplate[];
  /** Files that failed to load, each with a message naming the file and the problem. */
  problems(): LoadProblem[];
}

const MAX_VERSION_LENGTH = 256;

/** Request-supplied names are checked by pattern before any lookup (I7). */
function checkNames(namespace: unknown, name?: unknown, version?: unknown): string | undefined {
  if (!isValidName(namespace)) throw new InvalidNameError("namespace", namespace);
  if (name !== undefined && !isValidName(name)) throw new InvalidNameError("name", name);
  if (version === undefined || version === "latest") return undefined;
  if (typeof version !== "string" || version.length > MAX_VERSION_LENGTH || !isSemver(version)) {
    throw new InvalidNameError("version", version);
  }
  return version;
}

/**
 * Builds a registry over a handlers directory. Nothing is read until `load()`; afterwards every
 * lookup is an in-memory read of the last loaded snapshot.
 *
 * @example
 *   const registry = createRegistry({ handlersDir: "./handlers" });
 *   const report = await registry.load();
 *   for (const p of report.problems) console.warn(p.message);
 *   const template = registry.resolve("default", "order_process"); // latest release
 */
export function createRegistry(options: RegistryOptions): Registry {
  const handlersDir = resolvePath(options.handlersDir);
  const io = options.io ?? nodeRegistryIo();
  const specifiers = new SpecifierTable();
  let catalog = Catalog.empty;
  let outcomes: ReadonlyMap<string, FileOutcome> = new Map();
  let problems: LoadProblem[] = [];
  // Loads run one after another; a rescan asked for during a load starts when it ends.
  let queue: Promise<unknown> = Promise.resolve();

  async function reload(): Promise<LoadReport> {
    const scan = await scanHandlersDir(handlersDir, io);
    const loaded = await loadFiles({ handlersDir, namespaces: scan.namespaces, previous: outcomes, specifiers, io, core: options.core });
    const next = Catalog.build(scan.namespaces.map((n) => n.name), loaded.templates);
    const nextProblems = [
      ...scan.problems.map((p) => {
        const file = displayPath(handlersDir, p.path);
        return { file, message: `${file}: ${p.problem}` };
      }),
      ...loaded.problems,
    ];

    const before = new Map(catalog.all().map((t) => [t.key, t]));
    const after = new Map(next.all().map((t) => [t.key, t]));
    const report: LoadReport = {
      templates: after.size,
      problems: nextProblems,
      added: [...after.keys()].filter((k) => !before.has(k)),
      removed: [...before.keys()].filter((k) => !after.has(k)),
      replaced: [...after].filter(([k, t]) => before.has(k) && before.get(k) !== t).map(([k]) => k),
    };
    catalog = next;
    outcomes = loaded.outcomes;
    problems = nextProblems;
    for (const p of nextProblems) options.log?.warn("handler module not loaded", { file: p.file, problem: p.message });
    return report;
  }

  function schedule(): Promise<LoadReport> {
    const run = queue.then(reload, reload);
    queue = run.catch(() => undefined);
    return run;
  }

  function find(namespace: string, name: string, version?: string): LoadedTemplate | undefined {
    const exact = checkNames(namespace, name, version);
    return catalog.find(namespace, name, exact);
  }

  return {
    handlersDir,
    load: schedule,
    rescan: schedule,
    find,
    resolve(namespace, name, version) {
      const t = find(namespace, name, version);
      if (!t) throw new TemplateNotFoundError(namespace, name, version, catalog.versions(namespace, name));
      return t;
    },
    namespaces: () => catalog.namespaces(),
    handlers(namespace) {
      checkNames(namespace);
      const list = catalog.handlers(namespace);
      if (!list) throw new TemplateNotFoundError(namespace);
      return list;
    },
    describe(namespace, name, version) {
      return describeTemplate(this.resolve(namespace, name, version));
    },
    templates: () => catalog.all(),
    problems: () => [...problems],
  };
}
