import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { ciContext, errorBody, jsonInit, startApi, waitForTask, type TestApp } from "./api-fixture.ts";
import { readEvents, type SseMessage } from "./sse-reader.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

describeEachBackend("GET /v1/events", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;

  beforeAll(async () => {
    api = await startApi(t.db, { sseHeartbeatMs: 200 });
    app = api.app;
  });
  afterAll(() => api.close());

  test("streams a task's lifecycle in order, filtered by namespace", async () => {
    const res = await app.request("/v1/events?namespace=examples");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    // Other namespaces' events must not show up in this stream.
    await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext() });
    const created = await app.request("/v1/tasks", jsonInit("POST", { namespace: "examples", name: "linear_workflow", context: { text: "a b a" } }));
    const taskId = ((await created.json()) as { id: string }).id;
    const mineOf = (seen: SseMessage[]) => seen.filter((e) => e.data.task_id === taskId);
    const events = await readEvents(
      res,
      (seen) => mineOf(seen).some((e) => e.event === "task.completed") && mineOf(seen).filter((e) => e.event === "step.completed").length === 4,
    );
    expect(events.every((e) => e.data.namespace === "examples")).toBe(true);
    const mine = mineOf(events);
    expect(mine[0]!.event).toBe("task.started");
    expect(mine.some((e) => e.event === "task.completed")).toBe(true);
    const steps = mine.filter((e) => e.event === "step.completed").map((e) => e.data.payload.step);
    expect(steps).toEqual(["tokenize", "count", "rank", "summarize"]);
    // The terminal event comes last, after the last step's event written in the same transaction
    // (ids of one statement's rows are not ordered, so the stream orders by commit, then kind).
    expect(mine.at(-1)!.event).toBe("task.completed");
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
    expect(mine.every((e) => e.event === e.data.name && Number(e.id) === e.data.id)).toBe(true);
  });

  test("filtered by task: only that task's events, e.g. after a manual resolve", async () => {
    const { task } = await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) });
    const blocked = await waitForTask(api.engine, task.id, ["blocked_by_failures"]);
    const res = await app.request(`/v1/events?task_id=${task.id}`);
    await api.engine.submit({ namespace: "ci", name: "ci_pipeline", context: ciContext() });
    const failed = blocked.steps.find((s) => s.name === "build_postgres")!;
    await app.request(`/v1/tasks/${task.id}/steps/${failed.id}`, jsonInit("PATCH", { action: "resolve_manually", reason: "cache warmed by hand", actor: "erin" }));
    const events = await readEvents(res, (seen) => seen.some((e) => e.event === "task.completed"));
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.data.task_id === task.id)).toBe(true);
    expect(events.some((e) => e.event === "task.completed")).toBe(true);
  });

  test("sends keep-alive comments while idle", async () => {
    const res = await app.request(`/v1/events?task_id=${crypto.randomUUID()}`);
    const reader = res.body!.getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes(": keep-alive") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain(": connected");
    expect(text).toContain(": keep-alive");
  });

  test("the stream ends when the app shuts down", async () => {
    const shutdown = new AbortController();
    const local = api.appWith({ signal: shutdown.signal });
    const res = await local.request("/v1/events");
    const reader = res.body!.getReader();
    await reader.read();
    shutdown.abort();
    let ended = false;
    const deadline = Date.now() + 5000;
    while (!ended && Date.now() < deadline) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });

  describe("bad filters", () => {
    test.each([
      ["task_id=nope", "query.task_id"],
      ["namespace=NOPE", "query.namespace"],
      ["topic=x", "query.topic: unknown field"],
    ])("?%s → 400", async (query, hint) => {
      const res = await app.request(`/v1/events?${query}`);
      expect(res.status).toBe(400);
      expect((await errorBody(res)).error.message).toContain(hint);
    });
  });
});
