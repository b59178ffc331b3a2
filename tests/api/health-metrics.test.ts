import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { ciContext, errorBody, jsonInit, startApi, waitForTask, type TestApp } from "./api-fixture.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

describeEachBackend("health and metrics", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;

  beforeAll(async () => {
    api = await startApi(t.db);
    app = api.app;
  });
  afterAll(() => api.close());

  describe("health", () => {
    test("/health/live answers ok", async () => {
      const res = await app.request("/health/live");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    });

    test("/health/ready is 200 when every check passes", async () => {
      const res = await app.request("/health/ready");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ready", checks: { database: true, migrations: true, handlers: true } });
    });

    test("/health/ready is 503 naming the failing check, and when the probe itself throws", async () => {
      const failing = api.appWith({ ready: async () => ({ database: true, migrations: false, handlers: true }) });
      const res = await failing.request("/health/ready");
      expect(res.status).toBe(503);
      const body = await errorBody(res);
      expect(body.error).toMatchObject({ code: "not_ready", details: { checks: { database: true, migrations: false, handlers: true } } });
      expect(body.error.message).toContain("migrations");

      const throwing = api.appWith({
        ready: async () => {
          throw new Error("connection refused");
        },
      });
      const down = await throwing.request("/health/ready");
      expect(down.status).toBe(503);
      expect((await errorBody(down)).error.details).toEqual({ checks: { database: false, migrations: false, handlers: false } });
    });

    test("/health/status shows queues, workers, counts, recent failures and handler problems", async () => {
      const { task } = await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) });
      await waitForTask(api.engine, task.id, ["blocked_by_failures"]);
      const res = await app.request("/health/status");
      expect(res.status).toBe(200);
      const s = (await res.json()) as {
        queues: unknown[];
        workers: Array<{ id: string; namespaces: string[] }>;
        tasks_by_state: Record<string, number>;
        recent_failures: Array<{ task_id: string; step: string; error: { kind: string } }>;
        handler_problems: unknown[];
      };
      expect(s.workers.length).toBeGreaterThanOrEqual(1);
      expect(s.workers[0]!.namespaces).toContain("ci");
      expect(s.tasks_by_state.blocked_by_failures).toBeGreaterThanOrEqual(1);
      expect(s.recent_failures.find((f) => f.task_id === task.id)).toMatchObject({ step: "build_postgres", error: { kind: "permanent" } });
      expect(Array.isArray(s.queues)).toBe(true);
      expect(s.handler_problems).toEqual([]);
    });
  });

  describe("/metrics", () => {
    test("Prometheus text with task and step gauges, step durations from events, and HTTP latency by route pattern", async () => {
      const created = await app.request("/v1/tasks", jsonInit("POST", { namespace: "ci", name: "ci_pipeline", context: ciContext() }));
      const id = ((await created.json()) as { id: string }).id;
      await waitForTask(api.engine, id, ["complete"]);
      expect((await app.request(`/v1/tasks/${id}`)).status).toBe(200);

      // Step durations arrive through the event relay, which polls: wait for the last step's event.
      let text = "";
      for (let i = 0; i < 100; i++) {
        const res = await app.request("/metrics");
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/plain");
        text = await res.text();
        if (/tasker_step_duration_seconds_count\{namespace="ci",step="ci_success"\} [1-9]/.test(text)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(text).toMatch(/tasker_step_duration_seconds_count\{namespace="ci",step="ci_success"\} [1-9]/);
      expect(text).toMatch(/tasker_tasks\{state="complete"\} [1-9]/);
      expect(text).toMatch(/tasker_steps\{state="complete"\} [1-9]/);
      expect(text).toMatch(/tasker_events_total\{name="task.completed"\} [1-9]/);
      expect(text).toContain("# TYPE tasker_queue_depth gauge");
      expect(text).toMatch(/tasker_workers [1-9]/);
      expect(text).toMatch(/tasker_http_request_duration_seconds_count\{method="GET",route="\/v1\/tasks\/:id",status="200"\} [1-9]/);
      expect(text).toMatch(/tasker_http_request_duration_seconds_count\{method="POST",route="\/v1\/tasks",status="201"\} [1-9]/);
      expect(text).not.toContain(id);
    });

    test("unmatched paths are counted under one label, not one per path", async () => {
      await app.request(`/nope/${crypto.randomUUID()}`);
      const text = await (await app.request("/metrics")).text();
      expect(text).toMatch(/route="unmatched",status="404"/);
      expect(text).not.toContain("/nope/");
    });
  });
});
