import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createScheduleService } from "../../src/engine/scheduler.ts";
import { upsertDeclaredSchedules } from "../../src/store/schedules.ts";
import { describeEachBackend } from "../support/backends.ts";
import { errorBody, jsonInit, startApi, type TestApp } from "../api/api-fixture.ts";

setDefaultTimeout(30_000);

const AUTH = {
  apiKeys: [
    { name: "ops", key: "key-ops", permissions: ["*"] },
    { name: "watcher", key: "key-watch", permissions: ["schedules:read"] },
    { name: "ci-bot", key: "key-ci", permissions: ["schedules:*"], namespaces: ["ci"] },
  ],
};
const NIGHTLY = { namespace: "examples", task: "diamond_workflow", name: "nightly", cron: "0 2 * * *", timezone: "Europe/Berlin", context: { numbers: [3, 1, 2] } };

interface ScheduleJson {
  id: string;
  namespace: string;
  task: string;
  name: string;
  cron: string;
  timezone: string;
  catch_up: string;
  paused: boolean;
  source: string;
  next_run_at: string | null;
  last_run_at: string | null;
}

describeEachBackend("schedules over HTTP", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;
  let secured: TestApp;
  const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });

  beforeAll(async () => {
    api = await startApi(t.db);
    const schedules = createScheduleService({ db: t.db, engine: api.engine, templates: api.registry });
    app = api.appWith({ schedules });
    secured = api.appWith({ schedules, auth: AUTH });
  });
  afterAll(() => api.close());

  async function create(body: Record<string, unknown>): Promise<ScheduleJson> {
    const res = await app.request("/v1/schedules", jsonInit("POST", body));
    expect(res.status).toBe(201);
    return (await res.json()) as ScheduleJson;
  }

  test("create, get, list, pause, resume, trigger now, delete", async () => {
    const res = await app.request("/v1/schedules", jsonInit("POST", NIGHTLY));
    expect(res.status).toBe(201);
    const created = (await res.json()) as ScheduleJson;
    expect(res.headers.get("location")).toBe(`/v1/schedules/${created.id}`);
    expect(created).toMatchObject({ namespace: "examples", task: "diamond_workflow", name: "nightly", catch_up: "skip", paused: false, source: "api", last_run_at: null });
    // 02:00 in Berlin is 00:00 or 01:00 UTC.
    expect(["00", "01"]).toContain(created.next_run_at!.slice(11, 13));
    expect(Date.parse(created.next_run_at!)).toBeGreaterThan(Date.now());

    expect(await (await app.request(`/v1/schedules/${created.id}`)).json()).toEqual(created);
    const listed = (await (await app.request("/v1/schedules?namespace=examples&task=diamond_workflow")).json()) as { schedules: ScheduleJson[] };
    expect(listed.schedules.map((s) => s.id)).toEqual([created.id]);
    expect(((await (await app.request("/v1/schedules?task=linear_workflow")).json()) as { schedules: unknown[] }).schedules).toEqual([]);

    const paused = (await (await app.request(`/v1/schedules/${created.id}/pause`, { method: "POST" })).json()) as ScheduleJson;
    expect(paused.paused).toBe(true);
    const resumed = (await (await app.request(`/v1/schedules/${created.id}/resume`, { method: "POST" })).json()) as ScheduleJson;
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.next_run_at!)).toBeGreaterThan(Date.now());

    // Trigger twice: two tasks (a manual run is never deduplicated against another).
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const r = await app.request(`/v1/schedules/${created.id}/trigger`, { method: "POST" });
      expect(r.status).toBe(201);
      const task = (await r.json()) as { id: string; namespace: string; name: string; context: unknown; initiator: string; source_system: string; reason: string };
      expect(r.headers.get("location")).toBe(`/v1/tasks/${task.id}`);
      expect(task).toMatchObject({ namespace: "examples", name: "diamond_workflow", context: NIGHTLY.context, initiator: "schedule:nightly", source_system: "scheduler", reason: "triggered by hand by anonymous" });
      runs.push(task.id);
    }
    expect(new Set(runs).size).toBe(2);

    const deleted = await app.request(`/v1/schedules/${created.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as ScheduleJson).id).toBe(created.id);
    expect((await errorBody(await app.request(`/v1/schedules/${created.id}`))).error.code).toBe("schedule_not_found");
  });

  test("bad input is a 4xx that names the field: expression, time zone, unknown fields, template, context, name taken", async () => {
    const problem = async (body: Record<string, unknown>, status: number) => {
      const res = await app.request("/v1/schedules", jsonInit("POST", body));
      expect(res.status).toBe(status);
      return (await errorBody(res)).error;
    };
    const bad = await problem({ ...NIGHTLY, name: "bad_cron", cron: "0 25 * * *" }, 400);
    expect(bad.code).toBe("validation_failed");
    expect(bad.details!.issues).toEqual([{ location: "body", path: "cron", message: expect.stringContaining("hour: 25") }]);
    expect((await problem({ ...NIGHTLY, name: "bad_tz", timezone: "Europe/Atlantis" }, 400)).details!.issues).toEqual([
      { location: "body", path: "timezone", message: expect.stringContaining("unknown time zone") },
    ]);
    expect((await problem({ ...NIGHTLY, name: "typo", catchUp: "all" }, 400)).message).toContain("catchUp: unknown field");
    expect((await problem({ ...NIGHTLY, name: "bad_policy", catch_up: "some" }, 400)).code).toBe("validation_failed");
    expect((await problem({ ...NIGHTLY, task: "no_such_task" }, 404)).code).toBe("template_not_found");
    expect((await problem({ ...NIGHTLY, name: "bad_context", context: { numbers: "many" } }, 422)).code).toBe("context_invalid");
    await create({ ...NIGHTLY, name: "taken" });
    const taken = await problem({ ...NIGHTLY, name: "taken", cron: "@hourly" }, 409);
    expect(taken.code).toBe("schedule_conflict");
    expect(taken.message).toContain('already has a schedule named "taken"');
    expect((await errorBody(await app.request("/v1/schedules/not-a-uuid"))).error.code).toBe("validation_failed");
    expect((await app.request(`/v1/schedules/${crypto.randomUUID()}/pause`, { method: "POST" })).status).toBe(404);
  });

  test("a schedule declared in a handler module cannot be deleted over HTTP, only paused", async () => {
    const [row] = await upsertDeclaredSchedules(t.db, [{
      id: crypto.randomUUID(), namespace: "examples", taskName: "linear_workflow", name: "from_module", version: null, cron: "@daily",
      timezone: "UTC", context: { text: "x" }, catchUp: "skip", source: "module", nextRunAt: new Date(Date.now() + 3_600_000),
    }]);
    const res = await app.request(`/v1/schedules/${row!.id}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await errorBody(res)).error.message).toContain("pause it, or remove it from the module");
    expect(((await (await app.request(`/v1/schedules/${row!.id}/pause`, { method: "POST" })).json()) as ScheduleJson).paused).toBe(true);
  });

  describe("auth", () => {
    test("schedules:read lists and gets; writing needs schedules:write", async () => {
      const s = await create({ ...NIGHTLY, name: "auth_read" });
      expect((await secured.request("/v1/schedules", as("key-watch"))).status).toBe(200);
      expect((await secured.request(`/v1/schedules/${s.id}`, as("key-watch"))).status).toBe(200);
      for (const [method, path] of [["POST", `/v1/schedules/${s.id}/pause`], ["POST", `/v1/schedules/${s.id}/trigger`], ["DELETE", `/v1/schedules/${s.id}`]] as const) {
        const res = await secured.request(path, as("key-watch", { method }));
        expect(res.status).toBe(403);
        expect((await errorBody(res)).error.details).toEqual({ permission: "schedules:write" });
      }
      const res = await secured.request("/v1/schedules", as("key-watch", jsonInit("POST", { ...NIGHTLY, name: "nope" })));
      expect(res.status).toBe(403);
      expect((await secured.request("/v1/schedules")).status).toBe(401);
    });

    test("a credential limited to namespaces sees and touches only their schedules", async () => {
      const other = await create({ ...NIGHTLY, name: "auth_other_ns" });
      const ci = await create({ namespace: "ci", task: "ci_pipeline", name: "auth_ci", cron: "@daily", context: { commit_sha: "abc1234", branch: "main" } });
      const listed = (await (await secured.request("/v1/schedules", as("key-ci"))).json()) as { schedules: ScheduleJson[] };
      expect(listed.schedules.length).toBeGreaterThan(0);
      expect(listed.schedules.every((s) => s.namespace === "ci")).toBe(true);
      expect(listed.schedules.map((s) => s.id)).toContain(ci.id);
      expect((await secured.request(`/v1/schedules/${other.id}`, as("key-ci"))).status).toBe(404);
      expect((await secured.request(`/v1/schedules/${other.id}/trigger`, as("key-ci", { method: "POST" }))).status).toBe(404);
      expect((await secured.request(`/v1/schedules/${ci.id}/pause`, as("key-ci", { method: "POST" }))).status).toBe(200);
      const res = await secured.request("/v1/schedules", as("key-ci", jsonInit("POST", { ...NIGHTLY, name: "elsewhere" })));
      expect((await errorBody(res)).error.code).toBe("namespace_forbidden");
      expect((await secured.request("/v1/schedules?namespace=examples", as("key-ci"))).status).toBe(403);
    });
  });

  test("the routes are in the OpenAPI document, which stays valid; without a schedule service they are not served", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)).filter((r) => r.includes("/v1/schedules"));
    expect(documented.sort()).toEqual([
      "delete /v1/schedules/{id}", "get /v1/schedules", "get /v1/schedules/{id}", "post /v1/schedules",
      "post /v1/schedules/{id}/pause", "post /v1/schedules/{id}/resume", "post /v1/schedules/{id}/trigger",
    ]);
    for (const name of ["Schedule", "ScheduleList", "CreateScheduleRequest", "CatchUpPolicy"]) expect(doc.components.schemas[name]).toBeDefined();
    const result = await new Validator().validate(doc as never);
    expect(result.valid).toBe(true);
    expect((await errorBody(await api.app.request("/v1/schedules"))).error.code).toBe("route_not_found");
  });
});
