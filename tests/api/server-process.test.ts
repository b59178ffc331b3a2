import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { schemaUrl } from "../support/processes.ts";
import { ciContext } from "./api-fixture.ts";
import { startServerProcess, type ServerProcess } from "./spawn-server.ts";

// The whole product as a user starts it: `bun run server` in its own process, spoken to over
// real HTTP, on PGlite and on Postgres.
setDefaultTimeout(90_000);

interface StepJson {
  name: string;
  state: string;
  depends_on: string[];
  started_at: string | null;
  completed_at: string | null;
}

describeEachBackend("bun run server", (t) => {
  let server: ServerProcess;
  let base: string;
  let banner: string;

  beforeAll(async () => {
    const database = t.backend === "postgres" ? { DATABASE_URL: schemaUrl(t.url!, t.schema!) } : { DATABASE_URL: "" };
    ({ server, base, banner } = await startServerProcess(t.backend === "pglite" ? ["--memory"] : [], database));
  });
  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL");
  });

  test("says where it listens, on which database, with which namespaces", () => {
    expect(banner).toContain(base);
    expect(banner).toContain(t.backend === "postgres" ? "database=\"postgres" : "pglite (in memory)");
    expect(banner).toContain("ci(");
  });

  test("runs the CI pipeline submitted over HTTP, every step after its dependencies", async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const created = await fetch(`${base}/v1/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "ci", name: "ci_pipeline", context: ciContext() }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    let task: { state: string; steps: StepJson[] } = { state: "pending", steps: [] };
    const deadline = Date.now() + 60_000;
    while (!["complete", "error", "blocked_by_failures", "cancelled"].includes(task.state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      task = (await (await fetch(`${base}/v1/tasks/${id}`)).json()) as typeof task;
    }
    expect(task.state).toBe("complete");
    expect(task.steps.length).toBe(10);
    const byName = new Map(task.steps.map((s) => [s.name, s]));
    for (const step of task.steps) {
      expect(step.state).toBe("complete");
      for (const dep of step.depends_on) {
        expect(Date.parse(byName.get(dep)!.completed_at!)).toBeLessThanOrEqual(Date.parse(step.started_at!));
      }
    }
    const graph = (await (await fetch(`${base}/v1/templates/ci/ci_pipeline`)).json()) as { dependency_graph: { execution_order: string[] } };
    const started = [...task.steps].sort((a, b) => Date.parse(a.started_at!) - Date.parse(b.started_at!)).map((s) => s.name);
    expect(started[0]).toBe(graph.dependency_graph.execution_order[0]!);
    expect(started.at(-1)).toBe("ci_success");
  });

  test("drains and exits 0 on SIGTERM", async () => {
    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
