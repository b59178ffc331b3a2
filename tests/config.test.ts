import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { ConfigError } from "../src/core/errors.ts";

test("no configuration means PGlite in ./.tasker/pgdata on 127.0.0.1:3000 with ./handlers", () => {
  const c = loadConfig({});
  expect(c.database).toEqual({ kind: "pglite", dataDir: "./.tasker/pgdata" });
  expect(c.http).toEqual({ host: "127.0.0.1", port: 3000 });
  expect(c.handlersDir).toBe("./handlers");
  expect(c.heapHeadroomMb).toBe(24);
  expect(loadConfig({ TASKER_HEAP_HEADROOM_MB: "0" }).heapHeadroomMb).toBe(0);
  expect(Object.isFrozen(c) && Object.isFrozen(c.database)).toBe(true);
});

test("DATABASE_URL switches to Postgres; --memory to an in-memory PGlite", () => {
  expect(loadConfig({ DATABASE_URL: "postgres://u:p@db:5432/x" }).database.kind).toBe("postgres");
  expect(loadConfig({}, { memory: true }).database).toEqual({ kind: "pglite", dataDir: null });
});

const bad: Array<[Record<string, string>, string]> = [
  [{ DATABASE_URL: "mysql://localhost/x" }, 'DATABASE_URL is not a postgres:// URL (got scheme "mysql:")'],
  [{ DATABASE_URL: "not a url" }, "DATABASE_URL is not a postgres:// URL"],
  [{ PORT: "0" }, 'PORT must be 1–65535 (got "0")'],
  [{ PORT: "70000" }, 'PORT must be 1–65535 (got "70000")'],
  [{ PORT: "http" }, 'PORT must be 1–65535 (got "http")'],
  [{ LOG_LEVEL: "loud" }, "LOG_LEVEL must be one of debug, info, warn, error"],
  [{ TASKER_CONCURRENCY: "-1" }, "TASKER_CONCURRENCY must be an integer 1–10000"],
  [{ TASKER_HEAP_HEADROOM_MB: "lots" }, "TASKER_HEAP_HEADROOM_MB must be a non-negative integer of MiB (0 = leave collection to the runtime)"],
  [{ TASKER_API_KEYS: "[{" }, "TASKER_API_KEYS is not JSON"],
  [{ TASKER_NAMESPACES: "ok,../etc" }, 'TASKER_NAMESPACES has an invalid namespace "../etc"'],
  [{ HOST: "0.0.0.0" }, "HOST 0.0.0.0 is reachable from other machines but no credentials are configured"],
];
for (const [env, message] of bad) {
  test(`refuses ${JSON.stringify(env)} with a message naming the variable`, () => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("\n");
  });
}

test("the password of DATABASE_URL never appears in an error", () => {
  expect(() => loadConfig({ DATABASE_URL: "postgres://u:secret@[bad" })).toThrow(/\*\*\*/);
});

test("a bad value stops the server with one line on stderr, exit code 2, and no stack trace", async () => {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "../src/main.ts")], {
    env: { ...process.env, PORT: "99999", DATABASE_URL: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stderr, stdout] = await Promise.all([proc.exited, new Response(proc.stderr).text(), new Response(proc.stdout).text()]);
  expect(code).toBe(2);
  expect(stderr.trim()).toBe('tasker-edge: PORT must be 1–65535 (got "99999")');
  expect(stdout).toBe("");
});
