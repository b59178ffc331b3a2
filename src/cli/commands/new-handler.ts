import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { TaskerError } from "../../core/errors.ts";
import { isValidName } from "../../core/template/names.ts";
import { InvalidNameError } from "../../registry/errors.ts";
import { renderHandlerModule, type HandlerTemplateInput } from "../templates/handler-module.ts";
import { renderHandlerTest } from "../templates/handler-test.ts";

export interface NewHandlerArgs {
  namespace: string;
  name: string;
  /** Project root: files go to <dir>/handlers/<namespace>/ and <dir>/tests/handlers/<namespace>/. */
  dir: string;
  /** Overwrite existing files instead of refusing. */
  force?: boolean;
}

/** The scaffold would overwrite files; nothing was written. */
export class ScaffoldConflictError extends TaskerError {
  readonly files: string[];
  constructor(files: string[]) {
    super("scaffold_conflict", `refusing to overwrite ${files.join(", ")}; pass --force to replace ${files.length > 1 ? "them" : "it"}`, { files });
    this.files = files;
  }
}

const exists = (path: string) => access(path).then(() => true, () => false);
/** An import specifier from one file to another, always with forward slashes and a leading "./" or "../". */
function specifierFrom(fromFile: string, toFile: string): string {
  const rel = relative(dirname(fromFile), toFile).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * Inside the tasker-edge repository itself the package cannot import itself by name, so the
 * generated files import its source by relative path; in an application they import "tasker-edge".
 */
async function isTaskerRepo(root: string): Promise<boolean> {
  try {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { name?: unknown };
    return pkg.name === "tasker-edge" && (await exists(join(root, "src", "index.ts")));
  } catch {
    return false;
  }
}

/**
 * Writes a working handler module and its test (what `tasker new handler <namespace>/<name>`
 * does). Both names must match the registry's name pattern. Existing files are left alone
 * unless `force` is set; in that case nothing is written at all.
 *
 * @example
 *   const { files } = await newHandler({ namespace: "billing", name: "invoice_customer", dir: process.cwd() });
 *   // files: [".../handlers/billing/invoice_customer.ts", ".../tests/handlers/billing/invoice_customer.test.ts"]
 */
export async function newHandler(args: NewHandlerArgs): Promise<{ files: string[] }> {
  if (!isValidName(args.namespace)) throw new InvalidNameError("namespace", args.namespace);
  if (!isValidName(args.name)) throw new InvalidNameError("name", args.name);
  const root = resolve(args.dir);
  const modulePath = join(root, "handlers", args.namespace, `${args.name}.ts`);
  const testPath = join(root, "tests", "handlers", args.namespace, `${args.name}.test.ts`);

  if (!args.force) {
    const taken = [];
    for (const f of [modulePath, testPath]) if (await exists(f)) taken.push(relative(root, f).split(sep).join("/"));
    if (taken.length > 0) throw new ScaffoldConflictError(taken);
  }

  const inRepo = await isTaskerRepo(root);
  const index = join(root, "src", "index.ts");
  const input: HandlerTemplateInput = {
    namespace: args.namespace,
    name: args.name,
    taskerFromModule: inRepo ? specifierFrom(modulePath, index) : "tasker-edge",
    taskerFromTest: inRepo ? specifierFrom(testPath, index) : "tasker-edge",
    moduleFromTest: specifierFrom(testPath, modulePath),
  };
  await mkdir(dirname(modulePath), { recursive: true });
  await mkdir(dirname(testPath), { recursive: true });
  await writeFile(modulePath, renderHandlerModule(input));
  await writeFile(testPath, renderHandlerTest(input));
  return { files: [modulePath, testPath] };
}
