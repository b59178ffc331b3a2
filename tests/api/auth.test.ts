import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import type { TaskView } from "../../src/engine/types.ts";
import { describeEachBackend } from "../support/backends.ts";
import { ciContext, errorBody, jsonInit, startApi, waitForTask, type TestApp } from "./api-fixture.ts";
import { HS_SECRET, hsToken, rsaKeys, rsToken } from "./auth-tokens.ts";
import { readEvents } from "./sse-reader.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

const ORDER_CONTEXT = { order_id: "o-1", customer_email: "a@example.com", items: [{ sku: "x", quantity: 1, unit_price: 5 }], payment_token: "tok_ok" };

const AUTH = {
  jwt: { hs256Secret: HS_SECRET },
  apiKeys: [
    { name: "ops", key: "key-ops", permissions: ["*"] },
    { name: "reader", key: "key-reader", permissions: ["tasks:read", "tasks:list", "templates:read"] },
    { name: "ci-bot", key: "key-ci", permissions: ["tasks:*", "steps:*", "templates:*"], namespaces: ["ci"] },
    { name: "two-ns", key: "key-two", permissions: ["tasks:*"], namespaces: ["ci", "examples"] },
  ],
};

describeEachBackend("API auth", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;
  let ciTask: TaskView;
  let orderTask: TaskView;
  const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });

  beforeAll(async () => {
    api = await startApi(t.db, { auth: AUTH });
    app = api.app;
    ciTask = (await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext() })).task;
    orderTask = (await api.engine.submit({ namespace: "default", name: "order_process", context: ORDER_CONTEXT })).task;
  });
  afterAll(() => api.close());

  describe("auth off", () => {
    test("every route is open and the actor is anonymous", async () => {
      const open = api.appWith({});
      expect((await open.request("/v1/tasks")).status).toBe(200);
      expect((await open.request("/health/status")).status).toBe(200);
      const res = await open.request("/v1/tasks", jsonInit("POST", { namespace: "ci", name: "ci_pipeline", context: ciContext() }));
      expect(res.status).toBe(201);
      expect(((await res.json()) as { initiator: string }).initiator).toBe("anonymous");
    });

    test("disabled: true turns auth off even with credentials configured", async () => {
      expect((await api.appWith({ auth: { ...AUTH, disabled: true } }).request("/v1/tasks")).status).toBe(200);
    });
  });

  describe("authentication", () => {
    test("no credentials: 401 with a challenge and what to send", async () => {
      const res = await app.request("/v1/tasks");
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      const body = await errorBody(res);
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.message).toContain("X-API-Key");
    });

    test.each([
      ["an unknown API key", { "x-api-key": "nope" }],
      ["a non-Bearer Authorization", { authorization: "Basic Zm9vOmJhcg==" }],
      ["a garbage bearer token", { authorization: "Bearer garbage" }],
      ["a token signed with another secret", { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" }],
    ])("%s: 401", async (_label, headers) => {
      const res = await app.request("/v1/tasks", { headers });
      expect(res.status).toBe(401);
      expect((await errorBody(res)).error.code).toBe("unauthorized");
    });

    test("a valid JWT and a valid API key both get in", async () => {
      const token = await hsToken("alice", ["tasks:list"]);
      expect((await app.request("/v1/tasks", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await app.request("/v1/tasks", as("key-reader"))).status).toBe(200);
    });

    test("credentials are checked before the body is read: no credentials beats malformed and oversized bodies", async () => {
      expect((await app.request("/v1/tasks", jsonInit("POST", "{not json"))).status).toBe(401);
      const small = api.appWith({ auth: AUTH, maxBodyBytes: 100 });
      expect((await small.request("/v1/tasks", jsonInit("POST", "x".repeat(1000)))).status).toBe(401);
      // …and the permission check comes before the body too.
      const res = await app.request("/v1/tasks", as("key-reader", jsonInit("POST", "{not json")));
      expect(res.status).toBe(403);
    });
  });

  describe("permissions", () => {
    test("a credential without the permission gets 403 naming it", async () => {
      const res = await app.request("/v1/tasks", as("key-reader", jsonInit("POST", { namespace: "ci", name: "ci_pipeline" })));
      expect(res.status).toBe(403);
      const body = await errorBody(res);
      expect(body.error.code).toBe("forbidden");
      expect(body.error.message).toContain("tasks:create");
      expect(body.error.details).toEqual({ permission: "tasks:create" });
    });

    test.each([
      ["DELETE", `/v1/tasks/{ci}`, "tasks:cancel"],
      ["GET", `/v1/tasks/{ci}/steps`, "steps:read"],
      ["POST", "/v1/templates/rescan", "templates:write"],
      ["GET", "/health/status", "system:read"],
      ["GET", "/metrics", "system:read"],
    ])("%s %s needs %s", async (method, path, permission) => {
      const res = await app.request(path.replace("{ci}", ciTask.id), as("key-reader", { method }));
      expect(res.status).toBe(403);
      expect((await errorBody(res)).error.message).toContain(permission);
    });

    test("an RS256 token checked against a JWKS gets in; one signed by another key does not", async () => {
      const { jwk, privateJwk } = await rsaKeys();
      const rsApp = api.appWith({ auth: { jwt: { jwks: { keys: [{ ...jwk, kid: "main" } as JsonWebKey] } } } });
      const good = await rsToken(privateJwk, { sub: "svc", permissions: ["tasks:list"] }, "main");
      expect((await rsApp.request("/v1/tasks", { headers: { authorization: `Bearer ${good}` } })).status).toBe(200);
      const other = await rsaKeys();
      const bad = await rsToken(other.privateJwk, { sub: "svc", permissions: ["tasks:list"] }, "main");
      expect((await rsApp.request("/v1/tasks", { headers: { authorization: `Bearer ${bad}` } })).status).toBe(401);
    });

    test("a JWT's permissions claim is honoured", async () => {
      const token = await hsToken("bob", ["templates:read"]);
      expect((await app.request("/v1/templates", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await app.request("/v1/tasks", { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    });

    test("public routes need no credentials; /metrics can be made public", async () => {
      for (const path of ["/health/live", "/health/ready", "/openapi.json", "/docs"]) {
        expect((await app.request(path)).status).toBe(200);
      }
      expect((await app.request("/metrics")).status).toBe(401);
      expect((await api.appWith({ auth: AUTH, publicMetrics: true }).request("/metrics")).status).toBe(200);
      expect((await app.request("/health/status", as("key-ops"))).status).toBe(200);
    });
  });

  describe("namespace-limited credentials", () => {
    test("create inside the namespace works, outside is 403 namespace_forbidden", async () => {
      expect((await app.request("/v1/tasks", as("key-ci", jsonInit("POST", { namespace: "ci", name: "ci_pipeline", context: ciContext() })))).status).toBe(201);
      const res = await app.request("/v1/tasks", as("key-ci", jsonInit("POST", { namespace: "default", name: "order_process", context: ORDER_CONTEXT })));
      expect(res.status).toBe(403);
      const body = await errorBody(res);
      expect(body.error.code).toBe("namespace_forbidden");
      expect(body.error.message).toContain("ci");
    });

    test("list is confined to the one namespace; naming another is refused", async () => {
      const res = await app.request("/v1/tasks?limit=500", as("key-ci"));
      const page = (await res.json()) as { tasks: TaskView[] };
      expect(page.tasks.length).toBeGreaterThan(0);
      expect(page.tasks.every((x) => x.namespace === "ci")).toBe(true);
      expect((await app.request("/v1/tasks?namespace=default", as("key-ci"))).status).toBe(403);
    });

    test("a credential limited to several namespaces must pick one when listing", async () => {
      const res = await app.request("/v1/tasks", as("key-two"));
      expect(res.status).toBe(403);
      expect((await errorBody(res)).error.message).toContain("?namespace=");
      expect((await app.request("/v1/tasks?namespace=examples", as("key-two"))).status).toBe(200);
    });

    test("another namespace's task looks like it does not exist", async () => {
      for (const path of [`/v1/tasks/${orderTask.id}`, `/v1/tasks/${orderTask.id}/steps`]) {
        const res = await app.request(path, as("key-ci"));
        expect(res.status).toBe(404);
        expect((await errorBody(res)).error.code).toBe("task_not_found");
      }
      expect((await app.request(`/v1/tasks/${orderTask.id}`, as("key-ci", { method: "DELETE" }))).status).toBe(404);
      expect((await app.request(`/v1/tasks/${ciTask.id}`, as("key-ci"))).status).toBe(200);
    });

    test("discovery shows only the allowed namespaces", async () => {
      const res = await app.request("/v1/templates", as("key-ci"));
      const body = (await res.json()) as { namespaces: Array<{ name: string }> };
      expect(body.namespaces.map((n) => n.name)).toEqual(["ci"]);
      expect((await app.request("/v1/templates/default", as("key-ci"))).status).toBe(403);
      expect((await app.request("/v1/templates/default/order_process", as("key-ci"))).status).toBe(403);
      expect((await app.request("/v1/templates/ci/ci_pipeline", as("key-ci"))).status).toBe(200);
    });

    test("cross-namespace operations are refused: summary, rescan, events of another namespace", async () => {
      expect((await app.request("/v1/tasks/summary", as("key-ci"))).status).toBe(403);
      expect((await app.request("/v1/templates/rescan", as("key-ci", { method: "POST" }))).status).toBe(403);
      expect((await app.request("/v1/events?namespace=default", as("key-ci"))).status).toBe(403);
    });

    test("an unfiltered event stream carries only the credential's namespaces", async () => {
      const res = await app.request("/v1/events", as("key-ci"));
      expect(res.status).toBe(200);
      await api.engine.submit({ namespace: "default", name: "order_process", context: { ...ORDER_CONTEXT, order_id: "o-sse" } });
      const { task } = await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext() });
      const events = await readEvents(res, (seen) => seen.some((e) => e.event === "task.completed" && e.data.task_id === task.id));
      expect(events.some((e) => e.data.task_id === task.id)).toBe(true);
      expect(events.every((e) => e.data.namespace === "ci")).toBe(true);
    });

    test("a JWT namespaces claim limits the same way", async () => {
      const token = await hsToken("carol", ["*"], { namespaces: ["default"] });
      const res = await app.request(`/v1/tasks/${ciTask.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
      expect((await app.request(`/v1/tasks/${orderTask.id}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    });
  });

  describe("audit actor", () => {
    test("the credential's subject is recorded; a body actor is kept beside it, not instead of it", async () => {
      // A failing first job blocks the task, so it is still there to cancel.
      const { task } = await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) });
      await waitForTask(api.engine, task.id, ["blocked_by_failures"]);
      const res = await app.request(`/v1/tasks/${task.id}`, as("key-ops", jsonInit("DELETE", { actor: "alice", reason: "wrong branch" })));
      expect(res.status).toBe(200);
      const audit = await api.engine.taskAudit(task.id);
      const cancel = audit.find((a) => a.toState === "cancelled")!;
      expect(cancel.actor).toBe("ops (for alice)");
      expect(cancel.reason).toBe("wrong branch");
    });
  });
});
