import { join } from "node:path";

const SCRIPT = join(import.meta.dir, "../../scripts/test-postgres.sh");

export interface ThrowawayPostgres {
  url: string;
  /** The cluster directory (server.log and data/ live here). */
  dir: string;
  stop(): void;
}

/**
 * Starts the throwaway Postgres of scripts/test-postgres.sh (a fresh cluster on a free loopback
 * port, default settings) and registers its stop on every way out of this process — normal
 * exit, an uncaught error, SIGINT/SIGTERM — so a failed bench never leaves a server behind.
 */
export function startThrowawayPostgres(): ThrowawayPostgres {
  const started = Bun.spawnSync(["bash", SCRIPT, "start"], { stderr: "pipe" });
  if (started.exitCode !== 0) throw new Error(`could not start a throwaway Postgres: ${started.stderr.toString().trim()}`);
  const out = started.stdout.toString();
  const url = /TEST_DATABASE_URL=(\S+)/.exec(out)?.[1];
  const dir = /TASKER_TEST_PG_DIR=(\S+)/.exec(out)?.[1];
  if (!url || !dir) throw new Error(`unexpected output from ${SCRIPT}: ${out}`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    Bun.spawnSync(["bash", SCRIPT, "stop", dir], { stdout: "ignore", stderr: "ignore" });
  };
  process.on("exit", stop);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stop();
      process.exit(130);
    });
  }
  return { url, dir, stop };
}
