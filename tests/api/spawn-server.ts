import type { Subprocess } from "bun";
import { join } from "node:path";
import { ROOT } from "../support/processes.ts";

export type ServerProcess = Subprocess<"ignore", "pipe", "pipe">;

/** A port nothing listens on right now. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * `bun src/main.ts --port <free port> …args` with `env` added, resolved once it logged that it
 * listens. Returns the process, its base URL and the start-up output.
 *
 * @example
 *   const { server, base } = await startServerProcess(["--memory"], { DATABASE_URL: "" });
 */
export async function startServerProcess(args: string[], env: Record<string, string>): Promise<{ server: ServerProcess; base: string; banner: string }> {
  const port = freePort();
  const server = Bun.spawn(["bun", join(ROOT, "src/main.ts"), "--port", String(port), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = server.stdout.getReader();
  let banner = "";
  const deadline = Date.now() + 60_000;
  try {
    while (!banner.includes("listening on")) {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${banner}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`server exited:\n${banner}\n${await new Response(server.stderr).text()}`);
      banner += new TextDecoder().decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { server, base: `http://127.0.0.1:${port}`, banner };
}
