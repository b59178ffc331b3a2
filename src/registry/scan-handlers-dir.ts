import { join } from "node:path";
import { isValidName } from "../core/template/names.ts";
import type { RegistryIo } from "./registry-io.ts";

/** A file that defines templates: a TypeScript/JavaScript module or a Tasker YAML template. */
export interface ScannedFile {
  path: string;
  kind: "module" | "yaml";
  /** For YAML: the sibling `<task>.handlers.ts` (or .js/.mts/.mjs) when one exists. */
  companion: string | undefined;
}

export interface ScannedNamespace {
  name: string;
  dir: string;
  files: ScannedFile[];
}

/** Something found on disk that can never load; reported, never fatal. */
export interface ScanProblem {
  path: string;
  problem: string;
}

const MODULE_EXT = /\.(ts|mts|js|mjs)$/;
const YAML_EXT = /\.ya?ml$/;
const COMPANION = /\.handlers\.(ts|mts|js|mjs)$/;
/* Type declarations and tests may sit beside modules; they define no template. */
const NOT_A_MODULE = /\.d\.(ts|mts)$|\.(test|spec)\.(ts|mts|js|mjs)$/;

/** Dot-files are editor and VCS noise; a leading underscore marks a shared helper module. */
function ignored(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_");
}

/**
 * Lists handlers/<namespace>/ folders and the template files in each, sorted by name so loading
 * order (and with it which of two conflicting files wins) is the same on every machine.
 * A folder whose name is not a valid namespace is reported and skipped.
 *
 * @example
 *   const { namespaces, problems } = await scanHandlersDir("/app/handlers", nodeRegistryIo());
 */
export async function scanHandlersDir(
  handlersDir: string,
  io: RegistryIo,
): Promise<{ namespaces: ScannedNamespace[]; problems: ScanProblem[] }> {
  const problems: ScanProblem[] = [];
  let top;
  try {
    top = await io.readdir(handlersDir);
  } catch (err) {
    const reason = (err as { code?: string }).code === "ENOENT" ? "the handlers directory does not exist" : `cannot read the handlers directory: ${String(err)}`;
    return { namespaces: [], problems: [{ path: handlersDir, problem: reason }] };
  }

  const namespaces: ScannedNamespace[] = [];
  for (const entry of top.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory || ignored(entry.name)) continue;
    const dir = join(handlersDir, entry.name);
    if (!isValidName(entry.name)) {
      problems.push({
        path: dir,
        problem: "folder name is not a valid namespace (lower-case letters, digits and underscores, starting with a letter); its modules are not loaded",
      });
      continue;
    }
    namespaces.push({ name: entry.name, dir, files: await scanNamespace(dir, io, problems) });
  }
  return { namespaces, problems };
}

async function scanNamespace(dir: string, io: RegistryIo, problems: ScanProblem[]): Promise<ScannedFile[]> {
  let entries;
  try {
    entries = (await io.readdir(dir)).filter((e) => e.isFile && !ignored(e.name));
  } catch (err) {
    problems.push({ path: dir, problem: `cannot read the namespace folder: ${String(err)}` });
    return [];
  }
  const names = entries.map((e) => e.name).sort();
  const companions = new Map(names.filter((n) => COMPANION.test(n)).map((n) => [n.replace(COMPANION, ""), n]));
  const files: ScannedFile[] = [];
  const paired = new Set<string>();

  for (const name of names) {
    if (YAML_EXT.test(name)) {
      const companion = companions.get(name.replace(YAML_EXT, ""));
      if (companion) paired.add(companion);
      files.push({ path: join(dir, name), kind: "yaml", companion: companion ? join(dir, companion) : undefined });
    } else if (MODULE_EXT.test(name) && !COMPANION.test(name) && !NOT_A_MODULE.test(name)) {
      files.push({ path: join(dir, name), kind: "module", companion: undefined });
    }
  }
  for (const [base, companion] of companions) {
    if (!paired.has(companion)) {
      problems.push({ path: join(dir, companion), problem: `handlers module without a template: expected ${base}.yaml beside it` });
    }
  }
  return files;
}
