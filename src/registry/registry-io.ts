import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** A directory entry with symlinks already followed. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/**
 * Every way the registry reaches outside memory. Injected so tests can count the calls (lookups
 * must make none) and so another runtime can supply its own.
 */
export interface RegistryIo {
  readdir(dir: string): Promise<DirEntry[]>;
  /** A change stamp: differs whenever the file's content may have changed. */
  stamp(file: string): Promise<string>;
  readText(file: string): Promise<string>;
  importModule(specifier: string): Promise<Record<string, unknown>>;
}

/**
 * The default RegistryIo over node:fs/promises and dynamic import(), which Bun, Node and Deno all
 * provide.
 *
 * @example
 *   createRegistry({ handlersDir: "./handlers", io: nodeRegistryIo() })
 */
export function nodeRegistryIo(): RegistryIo {
  return {
    async readdir(dir) {
      const entries = await readdir(dir, { withFileTypes: true });
      return Promise.all(
        entries.map(async (e) => {
          if (!e.isSymbolicLink()) return { name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() };
          // A dangling link is neither a file nor a directory: it is skipped, not fatal.
          const s = await stat(join(dir, e.name)).catch(() => undefined);
          return { name: e.name, isDirectory: s?.isDirectory() ?? false, isFile: s?.isFile() ?? false };
        }),
      );
    },
    // A content hash, not mtime: an edit within the clock's resolution, or a tool that preserves
    // mtimes, must still count as a change. Handler files are small and rescans are rare.
    stamp: async (file) => createHash("sha256").update(await readFile(file)).digest("hex"),
    readText: (file) => readFile(file, "utf8"),
    importModule: (specifier) => import(specifier) as Promise<Record<string, unknown>>,
  };
}
