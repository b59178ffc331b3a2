import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createApp } from "../../src/api/app.ts";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine } from "../support/engine.ts";
import { errorBody, startApi, type TestApp } from "./api-fixture.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

const SRC_INDEX = resolve(import.meta.dir, "../../src/index.ts");

function moduleSource(name: string, steps: string): string {
  return `import { defineTask } from ${JSON.stringify(SRC_INDEX)};
export default defineTask({ name: ${JSON.stringify(name)}, version: "1.0.0", steps: { ${steps} } });
`;
}

describeEachBackend("template routes", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;

  beforeAll(async () => {
    api = await startApi(t.db);
    app = api.app;
  });
  afterAll(() => api.close());

  test("GET /v1/templates lists namespaces with handler counts", async () => {
    const res = await app.request("/v1/templates");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { namespaces: Array<{ name: string; handler_count: number }>; problems: unknown[] };
    expect(body.namespaces.map((n) => n.name)).toEqual(["ci", "default", "examples"]);
    expect(body.namespaces.find((n) => n.name === "examples")!.handler_count).toBe(10);
    expect(body.problems).toEqual([]);
  });

  test("GET /v1/templates/{namespace} lists its handlers with versions", async () => {
    const res = await app.request("/v1/templates/ci");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { handlers: Array<{ name: string; version: string; versions: string[]; step_count: number }> };
    expect(body.handlers.find((h) => h.name === "ci_pipeline")).toMatchObject({ version: "2.0.0", versions: ["2.0.0", "1.0.0"], step_count: 10 });
  });

  test("GET /v1/templates/{namespace}/{name}: steps, a dependency graph whose order respects every edge, and the context schema", async () => {
    const res = await app.request("/v1/templates/ci/ci_pipeline");
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      version: string;
      steps: Array<{ name: string; depends_on: string[] }>;
      dependency_graph: { nodes: string[]; edges: Array<{ from: string; to: string }>; execution_order: string[]; levels: string[][] };
      context_schema: { properties?: Record<string, unknown> };
    };
    expect(d.version).toBe("2.0.0");
    const g = d.dependency_graph;
    expect(g.nodes.length).toBe(10);
    const position = new Map(g.execution_order.map((n, i) => [n, i]));
    for (const e of g.edges) expect(position.get(e.from)!).toBeLessThan(position.get(e.to)!);
    expect(g.levels[0]).toEqual(["build_postgres"]);
    expect(g.levels.at(-1)).toEqual(["ci_success"]);
    expect(Object.keys(d.context_schema.properties ?? {})).toContain("commit_sha");
  });

  test("?version= picks a version; an unknown one is 404 listing the loaded versions", async () => {
    const v1 = await app.request("/v1/templates/ci/ci_pipeline?version=1.0.0");
    expect(((await v1.json()) as { version: string; source: string }).version).toBe("1.0.0");
    expect((await app.request("/v1/templates/ci/ci_pipeline?version=latest")).status).toBe(200);
    const missing = await app.request("/v1/templates/ci/ci_pipeline?version=3.0.0");
    expect(missing.status).toBe(404);
    expect((await errorBody(missing)).error.message).toContain("2.0.0, 1.0.0");
  });

  test.each([
    ["/v1/templates/nowhere", 404, "namespace_not_found"],
    ["/v1/templates/ci/nothing_here", 404, "template_not_found"],
    ["/v1/templates/Bad.Name", 400, "validation_failed"],
    ["/v1/templates/%2e%2e%2fetc%2fpasswd", 400, "validation_failed"],
    ["/v1/templates/%2e%2e/etc", 404, "route_not_found"],
    ["/v1/templates/ci/ci_pipeline?version=1", 400, "validation_failed"],
    ["/v1/templates/ci/ci_pipeline?v=1.0.0", 400, "validation_failed"],
  ])("%s → %d %s", async (path, status, code) => {
    const res = await app.request(path);
    expect(res.status).toBe(status);
    expect((await errorBody(res)).error.code).toBe(code);
  });

  describe("POST /v1/templates/rescan", () => {
    let dir: string;
    let scanApp: TestApp;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "tasker-api-rescan-"));
      await mkdir(join(dir, "demo"));
      await writeFile(join(dir, "demo", "first.ts"), moduleSource("first", "a: { handler: () => 1 }"));
      const registry = await loadRegistry(dir);
      const engine = await testEngine(t.db, registry, { runWorkers: false });
      scanApp = createApp(engine, registry);
      stop = () => engine.stop();
    });
    afterAll(async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    });

    test("loads new files and reports broken ones, without a restart", async () => {
      await writeFile(join(dir, "demo", "second.ts"), moduleSource("second", "a: { handler: () => 1 }, b: { dependsOn: ['a'], handler: () => 2 }"));
      await writeFile(join(dir, "demo", "broken.ts"), moduleSource("broken", "a: { dependsOn: ['b'], handler: () => 1 }, b: { dependsOn: ['a'], handler: () => 2 }"));
      const res = await scanApp.request("/v1/templates/rescan", { method: "POST" });
      expect(res.status).toBe(200);
      const report = (await res.json()) as { added: string[]; problems: Array<{ file: string; message: string }> };
      expect(report.added).toEqual(["demo/second@1.0.0"]);
      expect(report.problems.length).toBe(1);
      expect(report.problems[0]!.message).toContain("broken.ts");

      const list = (await (await scanApp.request("/v1/templates")).json()) as { namespaces: Array<{ name: string; handler_count: number }>; problems: unknown[] };
      expect(list.namespaces).toEqual([{ name: "demo", handler_count: 2 }]);
      expect(list.problems.length).toBe(1);
      const status = (await (await scanApp.request("/health/status")).json()) as { handler_problems: unknown[] };
      expect(status.handler_problems.length).toBe(1);
    });
  });
});
