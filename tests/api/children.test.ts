import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { waitForTask } from "../support/engine.ts";
import { startApi } from "./api-fixture.ts";

setDefaultTimeout(60_000);

describeEachBackend("GET /v1/tasks/{id}/children", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let parentId: string;
  beforeAll(async () => {
    api = await startApi(t.db);
    const res = await api.app.request("/v1/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "examples", name: "fan_out", context: { words: ["tree", "a", "sequoia"] } }),
    });
    expect(res.status).toBe(201);
    parentId = ((await res.json()) as { id: string }).id;
    await waitForTask(api.engine, parentId, ["complete"]);
  });
  afterAll(async () => {
    await api.close();
  });

  test("the parent's joined result, and its children in key order with a cursor", async () => {
    const parent = (await (await api.app.request(`/v1/tasks/${parentId}`)).json()) as { steps: Array<{ name: string; results: unknown }> };
    expect(parent.steps.find((s) => s.name === "report")!.results).toEqual({ words: 3, letters: 12, longest: "sequoia", average_length: 4 });
    const first = await api.app.request(`/v1/tasks/${parentId}/children?limit=2`);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { tasks: Array<{ id: string; child_key: string; parent_task_id: string; state: string; context: { word: string } }>; next_cursor: string | null };
    expect(page1.tasks.map((c) => [c.child_key, c.context.word, c.state])).toEqual([["0", "tree", "complete"], ["1", "a", "complete"]]);
    expect(page1.tasks.every((c) => c.parent_task_id === parentId)).toBe(true);
    const page2 = (await (await api.app.request(`/v1/tasks/${parentId}/children?limit=2&cursor=${page1.next_cursor}`)).json()) as typeof page1;
    expect(page2.tasks.map((c) => c.child_key)).toEqual(["2"]);
    expect(page2.next_cursor).toBeNull();
    // A child names its parent.
    const child = (await (await api.app.request(`/v1/tasks/${page2.tasks[0]!.id}`)).json()) as { parent_task_id: string; parent_step_id: string };
    expect(child.parent_task_id).toBe(parentId);
  });

  test("filtered by state; bad cursors and states are 400; unknown parents 404", async () => {
    const none = (await (await api.app.request(`/v1/tasks/${parentId}/children?state=error`)).json()) as { tasks: unknown[] };
    expect(none.tasks).toEqual([]);
    expect((await api.app.request(`/v1/tasks/${parentId}/children?cursor=abc`)).status).toBe(400);
    expect((await api.app.request(`/v1/tasks/${parentId}/children?state=done`)).status).toBe(400);
    expect((await api.app.request(`/v1/tasks/00000000-0000-7000-8000-000000000000/children`)).status).toBe(404);
  });
});
