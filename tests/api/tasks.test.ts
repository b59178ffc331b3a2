import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { describeEachBackend, openTestDatabase } from "../support/backends.ts";
import { ciContext, errorBody, jsonInit, startApi, waitForTask, type TestApp } from "./api-fixture.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

interface TaskJson {
  id: string;
  namespace: string;
  name: string;
  version: string;
  state: string;
  tags: string[];
  priority: number;
  initiator: string | null;
  source_system: string | null;
  reason: string | null;
  created_at: string;
  steps?: Array<{ name: string; state: string; attempts: number; results: unknown; depends_on: string[] }>;
}
interface PageJson {
  tasks: TaskJson[];
  next_cursor: string | null;
}

describeEachBackend("task routes", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;
  const post = (body: unknown, headers: Record<string, string> = {}) => app.request("/v1/tasks", jsonInit("POST", body, headers));

  beforeAll(async () => {
    api = await startApi(t.db, { maxBodyBytes: 4096 });
    app = api.app;
  });
  afterAll(() => api.close());

  describe("POST /v1/tasks", () => {
    test("201 with the task, a Location header and every field in snake_case", async () => {
      const res = await post({
        namespace: "ci",
        name: "ci_pipeline",
        version: "1.0.0",
        context: ciContext(),
        priority: 5,
        tags: ["nightly", "api"],
        initiator: "alice",
        source_system: "github",
        reason: "push to main",
      });
      expect(res.status).toBe(201);
      const task = (await res.json()) as TaskJson;
      expect(res.headers.get("location")).toBe(`/v1/tasks/${task.id}`);
      expect(res.headers.get("idempotent-replayed")).toBeNull();
      expect(task).toMatchObject({ namespace: "ci", name: "ci_pipeline", version: "1.0.0", priority: 5, tags: ["nightly", "api"], initiator: "alice", source_system: "github", reason: "push to main" });
    });

    test("no version means the latest loaded one", async () => {
      const task = (await (await post({ namespace: "ci", name: "ci_pipeline", context: ciContext() })).json()) as TaskJson;
      expect(task.version).toBe("2.0.0");
    });

    test("the same idempotency key answers 200 with the existing task and Idempotent-Replayed: true", async () => {
      const body = { namespace: "examples", name: "linear_workflow", context: { text: "one two" }, idempotency_key: `k-${crypto.randomUUID()}` };
      const first = await post(body);
      const second = await post({ ...body, context: { text: "something else" } });
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      expect(((await second.json()) as TaskJson).id).toBe(((await first.json()) as TaskJson).id);
    });

    test("racing duplicates: twenty concurrent creates with one key make one 201 and nineteen 200s", async () => {
      const body = { namespace: "examples", name: "linear_workflow", context: { text: "race" }, idempotency_key: `race-${crypto.randomUUID()}` };
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
      expect(answers.filter((r) => r.status === 201).length).toBe(1);
      expect(answers.filter((r) => r.status === 200 && r.headers.get("idempotent-replayed") === "true").length).toBe(19);
      const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as TaskJson).id)));
      expect(ids.size).toBe(1);
    });

    test("the Idempotency-Key header works like the body field; the two must agree", async () => {
      const key = `h-${crypto.randomUUID()}`;
      const body = { namespace: "examples", name: "linear_workflow", context: { text: "a b c" } };
      expect((await post(body, { "idempotency-key": key })).status).toBe(201);
      expect((await post(body, { "idempotency-key": key })).status).toBe(200);
      const clash = await post({ ...body, idempotency_key: "other" }, { "idempotency-key": key });
      expect(clash.status).toBe(400);
      expect((await errorBody(clash)).error.message).toContain("Idempotency-Key");
    });

    test.each([
      ["malformed JSON", "{\"namespace\": ", 400, "malformed_json", "not valid JSON"],
      ["an empty body", "", 400, "malformed_json", "empty"],
      ["a JSON array", "[1,2]", 400, "validation_failed", "expected object"],
      ["a missing name", { namespace: "ci" }, 400, "validation_failed", "body.name"],
      ["a number for a name", { namespace: "ci", name: 7 }, 400, "validation_failed", "body.name"],
      ["an unknown field", { namespace: "ci", name: "ci_pipeline", contxt: {} }, 400, "validation_failed", "body.contxt: unknown field"],
      ["a camelCase field", { namespace: "ci", name: "ci_pipeline", idempotencyKey: "x" }, 400, "validation_failed", "snake_case"],
      ["a path-like namespace", { namespace: "../etc", name: "passwd" }, 400, "validation_failed", "lower-case letters"],
      ["a bad version", { namespace: "ci", name: "ci_pipeline", version: "latest-ish" }, 400, "validation_failed", "semantic version"],
      ["a non-object context", { namespace: "ci", name: "ci_pipeline", context: [1] }, 400, "validation_failed", "body.context"],
      ["a NUL in the context", { namespace: "ci", name: "ci_pipeline", context: { a: "x\u0000y" } }, 400, "validation_failed", "U+0000"],
      ["a lone surrogate in the context", { namespace: "examples", name: "linear_workflow", context: { text: "a \ud800 b" } }, 400, "validation_failed", "lone UTF-16 surrogate"],
      ["a lone surrogate in a tag", { namespace: "examples", name: "linear_workflow", tags: ["\udc00"] }, 400, "validation_failed", "body.tags.0"],
      ["a fractional priority", { namespace: "ci", name: "ci_pipeline", priority: 1.5 }, 400, "validation_failed", "body.priority"],
      ["too many tags", { namespace: "ci", name: "ci_pipeline", tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 400, "validation_failed", "32 tags"],
      ["an unknown namespace", { namespace: "nowhere", name: "x" }, 404, "template_not_found", "nowhere"],
      ["an unknown task", { namespace: "ci", name: "ci_pipelin" }, 404, "template_not_found", "ci/ci_pipelin"],
      ["an unknown version", { namespace: "ci", name: "ci_pipeline", version: "9.0.0" }, 404, "template_not_found", "2.0.0, 1.0.0"],
      ["a context that fails the template schema", { namespace: "ci", name: "ci_pipeline", context: { commit_sha: "XYZ" } }, 422, "context_invalid", "commit_sha"],
    ])("%s → %d %s", async (_label, body, status, code, hint) => {
      const res = await post(body);
      expect(res.status).toBe(status);
      const error = (await errorBody(res)).error;
      expect(error.code).toBe(code);
      expect(error.message).toContain(hint);
    });

    test("a body without Content-Type: application/json is 415", async () => {
      const res = await app.request("/v1/tasks", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
      expect(res.status).toBe(415);
      expect((await errorBody(res)).error.message).toContain("application/json");
    });

    test("a body over the limit is 413, by Content-Length and when streamed without one", async () => {
      const big = JSON.stringify({ namespace: "ci", name: "ci_pipeline", context: { pad: "x".repeat(5000) } });
      const res = await post(big);
      expect(res.status).toBe(413);
      expect((await errorBody(res)).error.code).toBe("payload_too_large");
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      });
      const chunked = await app.request("/v1/tasks", { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
      expect(chunked.status).toBe(413);
    });
  });

  describe("GET /v1/tasks", () => {
    let tagged: string;
    beforeAll(async () => {
      tagged = `batch-${crypto.randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 5; i++) {
        await post({ namespace: "examples", name: "linear_workflow", context: { text: `t ${i}` }, tags: [tagged] });
      }
    });

    test("filters by tag, and pages through with the cursor without repeats", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await app.request(`/v1/tasks?tag=${tagged}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as PageJson;
        seen.push(...page.tasks.map((x) => x.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen.length).toBe(5);
      expect(new Set(seen).size).toBe(5);
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    test("filters by namespace, name, version, state and time range", async () => {
      const list = async (q: string) => ((await (await app.request(`/v1/tasks?${q}`)).json()) as PageJson).tasks;
      expect((await list("namespace=examples&name=linear_workflow")).every((x) => x.name === "linear_workflow")).toBe(true);
      expect((await list("namespace=ci&version=1.0.0")).every((x) => x.version === "1.0.0")).toBe(true);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect(await list(`created_after=${encodeURIComponent(future)}`)).toEqual([]);
      expect((await list(`created_before=${encodeURIComponent(future)}&tag=${tagged}`)).length).toBe(5);
      const done = (await list(`tag=${tagged}`))[0]!;
      await waitForTask(api.engine, done.id, ["complete"]);
      expect((await list(`state=complete&tag=${tagged}`)).some((x) => x.id === done.id)).toBe(true);
      expect((await list(`state=cancelled&tag=${tagged}`)).length).toBe(0);
    });

    test.each([
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      ["limit=abc", "limit"],
      ["state=done", "query.state"],
      ["created_after=yesterday", "RFC 3339"],
      ["namespace=Bad-Name", "query.namespace"],
      ["colour=red", "query.colour: unknown field"],
      ["tag=a&tag=b", "query.tag"],
    ])("?%s → 400 naming the parameter", async (query, hint) => {
      const res = await app.request(`/v1/tasks?${query}`);
      expect(res.status).toBe(400);
      const error = (await errorBody(res)).error;
      expect(error.code).toBe("validation_failed");
      expect(error.message).toContain(hint);
    });

    test("a forged cursor is a 4xx, not a 500", async () => {
      const res = await app.request("/v1/tasks?cursor=not-a-real-cursor");
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await errorBody(res);
    });
  });

  describe("GET /v1/tasks/summary", () => {
    test("counts every state, zeros included, and a total", async () => {
      const res = await app.request("/v1/tasks/summary");
      expect(res.status).toBe(200);
      const summary = (await res.json()) as { total: number; by_state: Record<string, number> };
      expect(Object.keys(summary.by_state).sort()).toEqual(
        ["blocked_by_failures", "cancelled", "complete", "error", "in_progress", "pending", "resolved_manually", "waiting_for_retry"],
      );
      expect(summary.total).toBe(Object.values(summary.by_state).reduce((a, b) => a + b, 0));
      expect(summary.total).toBeGreaterThan(0);
    });
  });

  describe("GET /v1/tasks/{id}", () => {
    test("the task with its steps, states, attempts and results", async () => {
      const created = (await (await post({ namespace: "ci", name: "ci_pipeline", context: ciContext() })).json()) as TaskJson;
      await waitForTask(api.engine, created.id, ["complete"]);
      const res = await app.request(`/v1/tasks/${created.id}`);
      expect(res.status).toBe(200);
      const task = (await res.json()) as TaskJson;
      expect(task.state).toBe("complete");
      expect(task.steps!.length).toBe(10);
      const gate = task.steps!.find((s) => s.name === "ci_success")!;
      expect(gate).toMatchObject({ state: "complete", attempts: 1, depends_on: ["code_quality", "unit_tests", "performance_analysis"] });
      expect(gate.results).toMatchObject({ status: "passed" });
    });

    test("a malformed id is 400, an unknown one 404", async () => {
      const bad = await app.request("/v1/tasks/12345");
      expect(bad.status).toBe(400);
      expect((await errorBody(bad)).error.message).toContain("path.id");
      const missing = await app.request(`/v1/tasks/${crypto.randomUUID()}`);
      expect(missing.status).toBe(404);
      expect((await errorBody(missing)).error.code).toBe("task_not_found");
    });
  });

  describe("DELETE /v1/tasks/{id}", () => {
    test("cancels with the body's reason; a second cancel is 409; an unknown id 404", async () => {
      const created = (await (await post({ namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) })).json()) as TaskJson;
      await waitForTask(api.engine, created.id, ["blocked_by_failures"]);
      const res = await app.request(`/v1/tasks/${created.id}`, jsonInit("DELETE", { reason: "superseded", actor: "bob" }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as TaskJson).state).toBe("cancelled");
      const audit = await api.engine.taskAudit(created.id);
      expect(audit.find((a) => a.toState === "cancelled")).toMatchObject({ actor: "bob", reason: "superseded" });

      const again = await app.request(`/v1/tasks/${created.id}`, { method: "DELETE" });
      expect(again.status).toBe(409);
      expect((await errorBody(again)).error.code).toBe("invalid_transition");
      expect((await app.request(`/v1/tasks/${crypto.randomUUID()}`, { method: "DELETE" })).status).toBe(404);
    });

    test("the body is optional, but when sent it must be valid", async () => {
      const created = (await (await post({ namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) })).json()) as TaskJson;
      const bad = await app.request(`/v1/tasks/${created.id}`, jsonInit("DELETE", { reason: "", extra: 1 }));
      expect(bad.status).toBe(400);
      expect((await app.request(`/v1/tasks/${created.id}`, jsonInit("DELETE", "{oops"))).status).toBe(400);
      await waitForTask(api.engine, created.id, ["blocked_by_failures"]);
      expect((await app.request(`/v1/tasks/${created.id}`, { method: "DELETE" })).status).toBe(200);
    });
  });

  test("backpressure: over the engine's queue-depth limit, create answers 503 with Retry-After", async () => {
    // Its own database and no workers, so the queued steps stay queued.
    const own = await openTestDatabase(t.backend, "backpressure");
    const limited = await startApi(own.db, {}, { runWorkers: false, maxQueueDepth: 1 });
    try {
      const context = { order_id: "o", customer_email: "a@example.com", items: [{ sku: "x", quantity: 1, unit_price: 1 }], payment_token: "tok_ok" };
      let res: Response | null = null;
      for (let i = 0; i < 5; i++) {
        res = await limited.app.request("/v1/tasks", jsonInit("POST", { namespace: "default", name: "order_process", context: { ...context, order_id: `o-${i}` } }));
        if (res.status !== 201) break;
      }
      expect(res!.status).toBe(503);
      expect(Number(res!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const error = (await errorBody(res!)).error;
      expect(error.code).toBe("queue_full");
      expect(error.message).toContain("default");
    } finally {
      await limited.close();
      await own.close();
    }
  });

  test("an unknown route is a 404 in the error shape", async () => {
    const res = await app.request("/v1/taskz");
    expect(res.status).toBe(404);
    expect((await errorBody(res)).error.code).toBe("route_not_found");
  });
});
