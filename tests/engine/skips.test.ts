import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

describeEachBackend("skippable steps", (t) => {
  let engine: Awaited<ReturnType<typeof testEngine>>;
  beforeAll(async () => {
    engine = await testEngine(t.db, registry);
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop({ drainMs: 200 });
  });

  test("a step whose condition holds for the context is skipped at submit; dependents treat it as satisfied", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "skipper", context: { skip_lint: true } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    const lint = done.steps.find((s) => s.name === "lint")!;
    expect(lint).toMatchObject({ state: "skipped", attempts: 0 });
    // A skipped dependency is present in ctx.deps with a null result.
    expect(done.steps.find((s) => s.name === "ship")!.results).toEqual({ saw: ["flaky_optional", "lint", "required"] });
    const audit = await engine.stepAudit(task.id, lint.id);
    expect(audit.map((a) => a.toState)).toEqual(["skipped"]);
  });

  test("without the condition the step runs", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "skipper", context: {} });
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(done.steps.find((s) => s.name === "lint")!.state).toBe("complete");
    expect(done.steps.find((s) => s.name === "ship")!.results).toEqual({ saw: ["flaky_optional", "lint", "required"] });
  });

  test("a person skips a failed skippable step; the task then completes; a non-skippable step refuses", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "skipper", context: { optional_fails: true } });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"]);
    const required = blocked.steps.find((s) => s.name === "required")!;
    const build = blocked.steps.find((s) => s.name === "build")!;
    await expect(engine.skipStep(task.id, build.id, { actor: "ops", reason: "x" })).rejects.toMatchObject({ code: "step_not_skippable" });
    expect(required.state).toBe("complete");
    const optional = blocked.steps.find((s) => s.name === "flaky_optional")!;
    const skipped = await engine.skipStep(task.id, optional.id, { actor: "ops", reason: "no ARM64 runner yet" });
    expect(skipped.state).toBe("skipped");
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(done.steps.find((s) => s.name === "ship")!.results).toEqual({ saw: ["flaky_optional", "lint", "required"] });
    expect(done.steps.find((s) => s.name === "flaky_optional")!.results).toBeNull();
    const audit = await engine.stepAudit(task.id, optional.id);
    expect(audit.at(-1)).toMatchObject({ fromState: "error", toState: "skipped", actor: "ops", reason: "no ARM64 runner yet" });
  });

  test("a task whose every step is skipped is complete at submit, with its events", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "all_skipped" });
    expect(task.state).toBe("complete");
    const [events] = await t.db.query<{ n: number }>("select count(*)::int as n from events where task_id = $1 and name = 'task.completed'", [task.id]);
    expect(events!.n).toBe(1);
  });
});
