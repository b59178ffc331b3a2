import { TaskerError } from "../errors.ts";

/** One problem found while validating a task definition, with the path to the offending field. */
export interface TemplateIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A task definition is malformed: bad names, a non-semver version, an unknown option, a step
 * without a handler, or a dependency graph that is not a DAG. The message names the task and
 * every issue; `issues` carries them one by one.
 *
 * @example
 *   try { defineTask(spec) } catch (e) {
 *     if (e instanceof TemplateValidationError) for (const i of e.issues) console.log(i.path, i.message);
 *   }
 */
export class TemplateValidationError extends TaskerError {
  readonly task: string;
  readonly issues: readonly TemplateIssue[];

  constructor(task: string, issues: readonly TemplateIssue[], cause?: unknown) {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("template_invalid", `task ${task}: ${list}`, { task, issues });
    this.task = task;
    this.issues = issues;
    if (cause !== undefined) this.cause = cause;
  }
}
