import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { ciContext, errorBody, jsonInit, startApi, waitForTask, type TestApp } from "./api-fixture.ts";

// Tests wait for real tasks to run on a real database; on a loaded CI machine that takes seconds.
setDefaultTimeout(30_000);

interface StepJson {
  id: string;
  task_id: string;
  idx: number;
  name: string;
  state: string;
  attempts: number;
  results: unknown;
  error: { message: string; kind: string; attempt: number; stack?: string } | null;
}
interface TransitionJson {
  from_state: string | null;
  to_state: string;
  actor: string;
  reason: string | null;
  created_at: string;
}

describeEachBackend("step routes", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;

  beforeAll(async () => {
    api = await startApi(t.db);
    app = api.app;
  });
  afterAll(() => api.close());

  /** A ci_pipeline task whose first job (build_postgres) fails permanently, left blocked_by_failures. */
  async function blockedTask(): Promise<{ taskId: string; failed: StepJson; steps: StepJson[] }> {
    const res = await app.request("/v1/tasks", jsonInit("POST", { namespace: "ci", name: "ci_pipeline", context: ciContext({ failing_jobs: ["build_postgres"] }) }));
    const taskId = ((await res.json()) as { id: string }).id;
    await waitForTask(api.engine, taskId, ["blocked_by_failures"]);
    const steps = ((await (await app.request(`/v1/tasks/${taskId}/steps`)).json()) as { steps: StepJson[] }).steps;
    return { taskId, failed: steps.find((s) => s.name === "build_postgres")!, steps };
  }
  const patch = (taskId: string, stepId: string, body: unknown) => app.request(`/v1/tasks/${taskId}/steps/${stepId}`, jsonInit("PATCH", body));

  describe("reading steps", () => {
    test("list in declaration order; get one with its error, without a stack trace", async () => {
      const { taskId, steps, failed } = await blockedTask();
      expect(steps.map((s) => s.idx)).toEqual([...steps.keys()]);
      expect(steps.every((s) => s.task_id === taskId)).toBe(true);
      const res = await app.request(`/v1/tasks/${taskId}/steps/${failed.id}`);
      expect(res.status).toBe(200);
      const step = (await res.json()) as StepJson;
      expect(step).toMatchObject({ name: "build_postgres", state: "error", attempts: 1 });
      expect(step.error).toMatchObject({ kind: "permanent", attempt: 1 });
      expect(step.error!.message).toContain("tests failed");
      expect(step.error!.stack).toBeUndefined();
    });

    test("unknown task, unknown step, a step of another task: 404; malformed ids: 400", async () => {
      const a = await blockedTask();
      const b = await blockedTask();
      expect((await app.request(`/v1/tasks/${crypto.randomUUID()}/steps`)).status).toBe(404);
      const missing = await app.request(`/v1/tasks/${a.taskId}/steps/${crypto.randomUUID()}`);
      expect(missing.status).toBe(404);
      expect((await errorBody(missing)).error.code).toBe("step_not_found");
      expect((await app.request(`/v1/tasks/${a.taskId}/steps/${b.failed.id}`)).status).toBe(404);
      const bad = await app.request(`/v1/tasks/${a.taskId}/steps/unit_tests`);
      expect(bad.status).toBe(400);
      expect((await errorBody(bad)).error.message).toContain("path.stepId");
      expect((await app.request(`/v1/tasks/${a.taskId}/steps/${b.failed.id}/audit`)).status).toBe(404);
    });
  });

  describe("PATCH", () => {
    test("reset_for_retry runs the step again and the audit trail records who and why", async () => {
      const { taskId, failed } = await blockedTask();
      const res = await patch(taskId, failed.id, { action: "reset_for_retry", reason: "flaky runner replaced", actor: "alice" });
      expect(res.status).toBe(200);
      expect(["pending", "enqueued", "in_progress", "error"]).toContain(((await res.json()) as StepJson).state);
      // The job still fails (the context lists it), so the task blocks again after a second attempt.
      await waitForTask(api.engine, taskId, ["blocked_by_failures"]);
      const audit = await app.request(`/v1/tasks/${taskId}/steps/${failed.id}/audit`);
      expect(audit.status).toBe(200);
      const body = (await audit.json()) as { task_id: string; step_id: string; transitions: TransitionJson[] };
      expect(body.step_id).toBe(failed.id);
      const manual = body.transitions.find((x) => x.actor === "alice");
      expect(manual).toMatchObject({ from_state: "error", reason: "flaky runner replaced" });
      expect(body.transitions.length).toBeGreaterThanOrEqual(4);
    });

    test("resolve_manually lets the dependents run and the task finish", async () => {
      const { taskId, failed } = await blockedTask();
      const res = await patch(taskId, failed.id, { action: "resolve_manually", reason: "known failure, tracked elsewhere", actor: "bob" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as StepJson).state).toBe("resolved_manually");
      const done = await waitForTask(api.engine, taskId, ["complete", "resolved_manually", "error"]);
      expect(done.steps.find((s) => s.name === "ci_success")!.state).toBe("complete");
    });

    test("complete_manually records the given results", async () => {
      const { taskId, failed } = await blockedTask();
      const results = { job: "build_postgres", status: "passed", duration_ms: 1, checks: 0 };
      const res = await patch(taskId, failed.id, { action: "complete_manually", reason: "ran by hand", actor: "carol", results });
      expect(res.status).toBe(200);
      const step = (await res.json()) as StepJson;
      expect(step.state).toBe("complete");
      expect(step.results).toEqual(results);
      await waitForTask(api.engine, taskId, ["complete"]);
    });

    test("an action the step's state does not allow is 409 invalid_transition", async () => {
      const created = await app.request("/v1/tasks", jsonInit("POST", { namespace: "ci", name: "ci_pipeline", context: ciContext() }));
      const taskId = ((await created.json()) as { id: string }).id;
      const done = (await waitForTask(api.engine, taskId, ["complete"])).steps[0]!;
      const res = await patch(taskId, done.id, { action: "reset_for_retry", reason: "why not", actor: "dave" });
      expect(res.status).toBe(409);
      const error = (await errorBody(res)).error;
      expect(error.code).toBe("invalid_transition");
      expect(error.message).toContain("complete");
    });

    test.each([
      ["no action", { reason: "r", actor: "a" }, "action must be one of"],
      ["an unknown action", { action: "retry", reason: "r", actor: "a" }, "action must be one of"],
      ["no reason", { action: "resolve_manually", actor: "a" }, "body.reason"],
      ["an empty reason", { action: "resolve_manually", reason: "", actor: "a" }, "say why"],
      ["no actor", { action: "resolve_manually", reason: "r" }, "body.actor"],
      ["complete without results", { action: "complete_manually", reason: "r", actor: "a" }, "body.results"],
      ["results on a reset", { action: "reset_for_retry", reason: "r", actor: "a", results: {} }, "body.results: unknown field"],
      ["a string body", "\"reset\"", "expected object"],
    ])("%s → 400 saying what to fix", async (_label, body, hint) => {
      const { taskId, failed } = await blockedTask();
      const res = await patch(taskId, failed.id, body);
      expect(res.status).toBe(400);
      const error = (await errorBody(res)).error;
      expect(error.code).toBe("validation_failed");
      expect(error.message).toContain(hint);
    });

    test("malformed JSON, a missing content type and unknown ids are refused", async () => {
      const { taskId, failed } = await blockedTask();
      expect((await patch(taskId, failed.id, "{action:")).status).toBe(400);
      const noType = await app.request(`/v1/tasks/${taskId}/steps/${failed.id}`, { method: "PATCH", body: "{}" });
      expect(noType.status).toBe(415);
      const unknown = await patch(taskId, crypto.randomUUID(), { action: "resolve_manually", reason: "r", actor: "a" });
      expect(unknown.status).toBe(404);
    });
  });
  describe("dynamic steps", () => {
    test("a decision's skipped branches carry skipped_by and skip_reason; batch workers carry their range", async () => {
      const ship = await app.request("/v1/tasks", jsonInit("POST", { namespace: "examples", name: "shipping_decision", context: { order_id: "o-1", weight_kg: 2 } }));
      const shipId = ((await ship.json()) as { id: string }).id;
      await waitForTask(api.engine, shipId, ["complete"]);
      const steps = ((await (await app.request(`/v1/tasks/${shipId}/steps`)).json()) as { steps: Array<StepJson & { skipped_by: string | null; skip_reason: string | null }> }).steps;
      expect(steps.find((s) => s.name === "air")).toMatchObject({ state: "skipped", skipped_by: "choose_carrier", skip_reason: 'not chosen by decision step "choose_carrier"' });
      expect(steps.find((s) => s.name === "ground")).toMatchObject({ state: "complete", skipped_by: null, skip_reason: null });

      const imp = await app.request("/v1/tasks", jsonInit("POST", { namespace: "examples", name: "batch_import", context: { rows: 1_500, batch_size: 1_000 } }));
      const impId = ((await imp.json()) as { id: string }).id;
      await waitForTask(api.engine, impId, ["complete"]);
      const rows = ((await (await app.request(`/v1/tasks/${impId}/steps`)).json()) as { steps: Array<StepJson & { batch: unknown; checkpoint: unknown }> }).steps;
      const worker = rows.find((s) => s.name === "import_rows__1")!;
      expect(worker).toMatchObject({ state: "complete", batch: { index: 0, start: 0, end: 1000 }, checkpoint: { cursor: 1000, state: { imported: 1000 } } });
      const one = await (await app.request(`/v1/tasks/${impId}/steps/${worker.id}`)).json();
      expect(one).toMatchObject({ name: "import_rows__1", batch: { index: 0, start: 0, end: 1000 } });
    });
  });
});
