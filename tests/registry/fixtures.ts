import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeRegistryIo, type RegistryIo } from "../../src/registry/index.ts";

/** Absolute import specifiers, because fixture modules live in a temp dir with no node_modules. */
export const SRC_INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
export const ZOD = fileURLToPath(import.meta.resolve("zod"));
export const SHIPPED_HANDLERS = fileURLToPath(new URL("../../handlers", import.meta.url));
export const REPO = fileURLToPath(new URL("../..", import.meta.url));
const ZOD_DIR = dirname(fileURLToPath(import.meta.resolve("zod/package.json")));

/** The header every fixture module starts with. */
export const HEADER = `import { z } from ${JSON.stringify(ZOD)};\nimport { defineTask, PermanentError, RetryableError } from ${JSON.stringify(SRC_INDEX)};\n`;

/** A module exporting a small valid task; `extra` is spliced into the spec object. */
export function taskModule(name: string, version: string, extra = ""): string {
  return `${HEADER}
export default defineTask({
  name: ${JSON.stringify(name)},
  version: ${JSON.stringify(version)},
  context: z.object({ n: z.number() }),
  steps: {
    first: { handler: (ctx) => ({ doubled: ctx.context.n * 2, version: ${JSON.stringify(version)} }) },
    second: { dependsOn: ["first"], handler: (ctx) => ({ plus_one: ctx.deps.first.doubled + 1 }) },
  },${extra}
});
`;
}

/** A temporary handlers directory; files are given relative to it ("ns/file.ts"). */
export interface FixtureDir {
  root: string;
  handlersDir: string;
  write(relPath: string, content: string): Promise<string>;
  remove(relPath: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function fixtureDir(files: Record<string, string> = {}): Promise<FixtureDir> {
  const root = await mkdtemp(join(tmpdir(), "tasker-registry-"));
  const handlersDir = join(root, "handlers");
  await mkdir(handlersDir);
  const dir: FixtureDir = {
    root,
    handlersDir,
    async write(relPath, content) {
      const path = join(handlersDir, relPath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
    remove: (relPath) => rm(join(handlersDir, relPath), { force: true }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const [p, c] of Object.entries(files)) await dir.write(p, c);
  return dir;
}

/** The default io with a count of every call, to prove lookups never reach it. */
export function countingIo(): { io: RegistryIo; calls: string[] } {
  const inner = nodeRegistryIo();
  const calls: string[] = [];
  const io: RegistryIo = {
    readdir: (d) => (calls.push(`readdir ${d}`), inner.readdir(d)),
    stamp: (f) => (calls.push(`stamp ${f}`), inner.stamp(f)),
    readText: (f) => (calls.push(`readText ${f}`), inner.readText(f)),
    importModule: (s) => (calls.push(`import ${s}`), inner.importModule(s)),
  };
  return { io, calls };
}

/**
 * A temporary application that depends on tasker-edge and zod, both linked to this checkout, as
 * after `bun add tasker-edge`. The caller removes `root` when done.
 */
export async function appProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "tasker-app-"));
  await writeFile(join(root, "package.json"), JSON.stringify({ name: "my-app", type: "module", dependencies: { "tasker-edge": "*" } }));
  await mkdir(join(root, "node_modules"));
  await symlink(REPO, join(root, "node_modules", "tasker-edge"));
  await symlink(ZOD_DIR, join(root, "node_modules", "zod"));
  return root;
}
