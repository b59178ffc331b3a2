import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "./args.ts";
import { createRunDatabase, writeMigratedPgliteDir } from "./database.ts";
import { BENCH_HANDLERS_DIR } from "./harness.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");

/** A free loopback port (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Where a server child keeps its data: a fresh Postgres database or a fresh PGlite data dir. */
export interface ServerStore {
  backend: Backend;
  env: Record<string, string>;
  args: string[];
  dispose(): Promise<void>;
}

/**
 * A fresh store for one run of a server child; `dispose` drops the database or deletes the dir.
 * `empty: false` (the default) hands PGlite a migrated data directory, so the server starts as
 * it does on any start but its very first (which the startup bench measures with `empty: true`).
 */
export async function serverStore(backend: Backend, label: string, opts: { empty?: boolean } = {}): Promise<ServerStore> {
  if (backend === "postgres") {
    const { url, drop } = await createRunDatabase(label);
    return { backend, env: { DATABASE_URL: url }, args: [], dispose: drop };
  }
  const dir = await mkdtemp(join(tmpdir(), `tasker-bench-${label}-`));
  const dataDir = join(dir, "pgdata");
  if (!opts.empty) await writeMigratedPgliteDir(dataDir);
  return { backend, env: {}, args: ["--data-dir", dataDir], dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface ServerChild {
  pid: number;
  baseUrl: string;
  /** Spawn → first 200 from /health/ready. */
  readyMs: number;
  /** Resident set size now, MiB (Linux /proc). */
  rssMiB(): Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the server exactly as `bun run server` does (`bun src/main.ts`, spawned directly so the
 * pid measured is the server's own), on a free loopback port, serving the bench handlers, and
 * waits for /health/ready. Its output is kept and shown only if it fails to start.
 */
export async function startServer(store: ServerStore, opts: { timeoutMs?: number; workers?: boolean } = {}): Promise<ServerChild> {
  const port = await freePort();
  const started = performance.now();
  const proc = Bun.spawn(["bun", MAIN, "--port", String(port), "--handlers", BENCH_HANDLERS_DIR, ...store.args, ...(opts.workers === false ? ["--no-workers"] : [])], {
    env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: "", ...store.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (let r = await reader.read(); !r.done; r = await reader.read()) output.push(decoder.decode(r.value, { stream: true }));
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = started + (opts.timeoutMs ?? 60_000);
  let readyMs = Number.NaN;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) break;
    const ok = await fetch(`${baseUrl}/health/ready`).then((r) => r.status === 200, () => false);
    if (ok) {
      readyMs = performance.now() - started;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!Number.isFinite(readyMs)) {
    proc.kill("SIGKILL");
    await proc.exited;
    throw new Error(`server did not become ready (exit ${proc.exitCode}):\n${output.join("").slice(-4000)}`);
  }
  return {
    pid: proc.pid,
    baseUrl,
    readyMs,
    rssMiB: () => rssMiB(proc.pid),
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/**
 * One run against a server child: a fresh store (`serverStore(backend, label)`), the server
 * started on it, `body` run with it; the server is stopped and the store disposed afterwards,
 * also when `body` throws.
 *
 * @example
 *   const result = await withServer("postgres", "http", async (server) => postLoad({ url: `${server.baseUrl}/v1/tasks`, … }));
 */
export async function withServer<T>(backend: Backend, label: string, body: (server: ServerChild) => Promise<T>): Promise<T> {
  const store = await serverStore(backend, label);
  try {
    const server = await startServer(store);
    try {
      return await body(server);
    } finally {
      await server.stop();
    }
  } finally {
    await store.dispose();
  }
}

/** VmRSS of a process in MiB, from /proc (Linux); NaN elsewhere. */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}
