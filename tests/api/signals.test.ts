import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { waitForTask } from "../support/engine.ts";
import { startApi } from "./api-fixture.ts";

setDefaultTimeout(60_000);

const post = (body?: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describeEachBackend("external events over HTTP", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    api = await startApi(t.db);
  });
  afterAll(async () => {
    await api.close();
  });

  async function waitingTask(key?: string): Promise<string> {
    const res = await api.app.request("/v1/tasks", post({ namespace: "examples", name: "approval_workflow", context: { request: `r-${Math.random()}`, cool_off_ms: 0, ...(key ? { key } : {}) } }));
    const id = ((await res.json()) as { id: string }).id;
    for (let i = 0; i < 500; i++) {
      const task = (await (await api.app.request(`/v1/tasks/${id}`)).json()) as { steps: Array<{ name: string; state: string }> };
      if (task.steps.find((s) => s.name === "await_approval")!.state === "waiting") return id;
      await Bun.sleep(20);
    }
    throw new Error("step never waited");
  }

  test("POST /v1/tasks/{id}/events/{name}: 202 wakes the waiting step with the payload; then 409", async () => {
    const id = await waitingTask();
    const res = await api.app.request(`/v1/tasks/${id}/events/approved`, post({ payload: { by: "alice" } }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivered: 1 });
    const done = await waitForTask(api.engine, id, ["complete"]);
    expect(done.steps.find((s) => s.name === "await_approval")!.results).toEqual({ by: "alice" });
    const again = await api.app.request(`/v1/tasks/${id}/events/approved`, post({ payload: {} }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("no_waiting_step");
  });

  test("POST /v1/events/{name} by key wakes the tasks sharing it", async () => {
    const [a, b] = [await waitingTask("k-1"), await waitingTask("k-1")];
    const res = await api.app.request("/v1/events/approved", post({ key: "k-1", payload: { ok: true } }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivered: 2 });
    await waitForTask(api.engine, a, ["complete"]);
    await waitForTask(api.engine, b, ["complete"]);
  });

  test("bad names, unknown tasks and malformed bodies are 4xx", async () => {
    expect((await api.app.request("/v1/tasks/00000000-0000-7000-8000-000000000000/events/approved", post({}))).status).toBe(404);
    expect((await api.app.request("/v1/tasks/00000000-0000-7000-8000-000000000000/events/Bad%20Name", post({}))).status).toBe(400);
    expect((await api.app.request("/v1/events/approved", post({ payload: 1 }))).status).toBe(400);
    expect((await api.app.request("/v1/events/approved", post({ key: "k", extra: 1 }))).status).toBe(400);
  });
});
