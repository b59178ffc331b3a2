import { TaskerError } from "../core/errors.ts";

/**
 * A file under handlers/ could not become a template: a syntax error, a throw at import, a bad
 * export, an invalid definition, a Tasker YAML step without a handler. `file` is the path relative
 * to the handlers directory's parent ("handlers/ci/broken.ts"); the message starts with it.
 *
 * @example
 *   registry.problems() // [{ file: "handlers/ci/broken.ts", message: "handlers/ci/broken.ts: cycle: a → b → a" }]
 */
export class TemplateLoadError extends TaskerError {
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, cause?: unknown) {
    super("template_load_failed", `${file}: ${problem}`, { file });
    this.file = file;
    this.problem = problem;
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * No loaded template matches the namespace, name and version asked for. When the task exists in
 * other versions, the message lists them.
 *
 * @example
 *   try { registry.resolve("ci", "ci_pipeline", "9.9.9") } catch (e) {
 *     if (e instanceof TemplateNotFoundError) console.log(e.message);
 *     // no template ci/ci_pipeline@9.9.9 is loaded (loaded versions: 2.0.0, 1.0.0)
 *   }
 */
export class TemplateNotFoundError extends TaskerError {
  readonly namespace: string;
  /** `name` is Error's own field, hence taskName. */
  readonly taskName: string | undefined;
  readonly version: string | undefined;

  constructor(namespace: string, name?: string, version?: string, available: readonly string[] = []) {
    const what = name === undefined ? `namespace ${namespace}` : `template ${namespace}/${name}${version ? `@${version}` : ""}`;
    const hint = available.length > 0 ? ` (loaded versions: ${available.join(", ")})` : "";
    super(name === undefined ? "namespace_not_found" : "template_not_found", `no ${what} is loaded${hint}`, {
      namespace,
      ...(name !== undefined ? { name } : {}),
      ...(version !== undefined ? { version } : {}),
    });
    this.namespace = namespace;
    this.taskName = name;
    this.version = version;
  }
}

/**
 * A namespace, task name or version in a lookup is not well-formed. Raised before any lookup, so
 * a request can never steer the registry towards a path (I7).
 *
 * @example
 *   registry.resolve("../etc", "passwd") // throws InvalidNameError { field: "namespace" }
 */
export class InvalidNameError extends TaskerError {
  readonly field: "namespace" | "name" | "version";

  constructor(field: "namespace" | "name" | "version", value: unknown) {
    const shown = typeof value === "string" ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value;
    const rule =
      field === "version"
        ? "must be a semantic version such as 1.0.0"
        : "must be lower-case letters, digits and underscores, start with a letter, at most 63 characters";
    super("name_invalid", `${field} ${shown} ${rule}`, { field });
    this.field = field;
  }
}
