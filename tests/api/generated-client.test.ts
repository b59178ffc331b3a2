import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describeEachBackend } from "../support/backends.ts";
import { ciContext, startApi } from "./api-fixture.ts";
import { createAndRead } from "./client/create-and-read.ts";
import { generatedTypes } from "./client/openapi-source.ts";

setDefaultTimeout(60_000);

const CLIENT_DIR = join(import.meta.dir, "client");

describe("a client generated from /openapi.json", () => {
  test("the committed openapi-typescript output matches the current document", async () => {
    const { types } = await generatedTypes();
    const committed = await readFile(join(CLIENT_DIR, "tasker-api.ts"), "utf8");
    if (committed !== types) throw new Error("tests/api/client/tasker-api.ts is stale: run `bun tests/api/client/generate.ts`");
  });

  test("compiles with tsc on its own (strict, DOM lib only)", async () => {
    const tsc = join(import.meta.dir, "../../node_modules/typescript/bin/tsc");
    const proc = Bun.spawn([process.execPath, tsc, "-p", join(CLIENT_DIR, "tsconfig.json")], { stdout: "pipe", stderr: "pipe" });
    const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    if (code !== 0) throw new Error(`tsc failed:\n${out}`);
    expect(code).toBe(0);
  });
});

describeEachBackend("the generated client against a running server", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let server: ReturnType<typeof Bun.serve>;

  beforeAll(async () => {
    api = await startApi(t.db, { auth: { apiKeys: [{ name: "client", key: "client-key", permissions: ["tasks:create", "tasks:read"] }] } });
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: api.app.fetch });
  });
  afterAll(async () => {
    await server.stop(true);
    await api.close();
  });

  test("creates a task and reads it back with its steps", async () => {
    const context = ciContext();
    const { status, created, detail } = await createAndRead(`http://127.0.0.1:${server.port}`, context, "client-key");
    expect(status).toBe(201);
    expect(created).toMatchObject({ namespace: "ci", name: "ci_pipeline", tags: ["generated-client"], initiator: "client", context });
    expect(detail.id).toBe(created.id);
    expect(detail.steps.map((s) => s.name)).toContain("ci_success");
  });

  test("errors arrive typed: a wrong key is 401 in the error shape", async () => {
    await expect(createAndRead(`http://127.0.0.1:${server.port}`, ciContext(), "wrong")).rejects.toThrow("unauthorized");
  });
});
