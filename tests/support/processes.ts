import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "../..");
export const FIXTURE_HANDLERS = join(ROOT, "tests/fixtures/engine-handlers");

/** A `tasker work` process (the real CLI) on the given database, serving the fixture handlers. */
export function spawnWorker(env: Record<string, string>, args: string[] = []): Subprocess<"ignore", "pipe", "pipe"> {
  return Bun.spawn(["bun", join(ROOT, "src/cli/index.ts"), "work", "--handlers", FIXTURE_HANDLERS, ...args], {
    env: { ...process.env, LOG_LEVEL: "info", TASKER_POLL_MS: "50", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** Resolves once the process printed `text` on stdout (or rejects when it exits first). */
export async function waitForOutput(proc: Subprocess<"ignore", "pipe", "pipe">, text: string, timeoutMs = 30_000): Promise<string> {
  const reader = proc.stdout.getReader();
  let seen = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!seen.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; output so far:\n${seen}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`process exited before printing "${text}":\n${seen}\n${await new Response(proc.stderr).text()}`);
      seen += new TextDecoder().decode(value);
    }
    return seen;
  } finally {
    reader.releaseLock();
  }
}

/** A Postgres URL whose connections put `schema` first on the search_path. */
export function schemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("search_path", `${schema},public`);
  return u.toString();
}

/**
 * The PGlite crash drill: a `tasker work` process on `dataDir` is killed with SIGKILL `killAfterMs`
 * after it started, a second one runs for `thenMs` and stops cleanly (exit code returned). Only
 * one process at a time may open a PGlite data directory, so the caller seeds and inspects the
 * directory before and after, never during.
 */
export async function killAndRestartPgliteWorker(dataDir: string, env: Record<string, string>, killAfterMs: number, thenMs: number): Promise<number> {
  const all = { TASKER_DATA_DIR: dataDir, DATABASE_URL: "", ...env };
  const first = spawnWorker(all);
  await waitForOutput(first, "worker started");
  await Bun.sleep(killAfterMs);
  first.kill("SIGKILL");
  await first.exited;
  const second = spawnWorker(all);
  await waitForOutput(second, "worker started");
  await Bun.sleep(thenMs);
  second.kill("SIGTERM");
  return second.exited;
}
