import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { TaskDetail } from "../../src/engine/types.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

const byName = (task: TaskDetail, name: string) => task.steps.find((s) => s.name === name)!;
const states = (task: TaskDetail) => Object.fromEntries(task.steps.map((s) => [s.name, s.state]));

describeEachBackend("decision points", (t) => {
  let engine: Awaited<ReturnType<typeof testEngine>>;
  beforeAll(async () => {
    engine = await testEngine(t.db, registry);
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop({ drainMs: 200 });
  });

  test("choosing 1 of 3 branches runs only that branch and the convergence step; the others show as skipped with the reason", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "router", context: { methods: ["standard"] } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(states(done)).toEqual({
      validate: "complete",
      route: "complete",
      express: "skipped",
      express_label: "skipped",
      standard: "complete",
      freight: "skipped",
      audit: "complete",
      ship: "complete",
    });
    expect(byName(done, "express")).toMatchObject({ skippedBy: "route", skipReason: 'not chosen by decision step "route"', attempts: 0 });
    expect(byName(done, "express_label")).toMatchObject({ skippedBy: "route", skipReason: 'all dependencies skipped (decision step "route")' });
    expect(byName(done, "freight").skippedBy).toBe("route");
    expect(byName(done, "standard").skippedBy).toBeNull();
    // The convergence step ran once its one chosen dependency was complete; skipped ones have no result.
    expect(byName(done, "ship").results).toEqual({ ran: ["standard"] });
    expect(byName(done, "route").results).toEqual({ chose: ["standard"] });
    const audit = await engine.stepAudit(task.id, byName(done, "freight").id);
    expect(audit.at(-1)).toMatchObject({ fromState: "pending", toState: "skipped", reason: 'not chosen by decision step "route"' });
    const [events] = await t.db.query<{ n: number }>("select count(*)::int as n from events where task_id = $1 and name = 'step.skipped'", [task.id]);
    expect(events!.n).toBe(3);
  });

  test("two branches, or none: the convergence step still runs, with what was chosen", async () => {
    const two = await engine.submit({ namespace: "testing", name: "router", context: { methods: ["express", "freight"] } });
    const none = await engine.submit({ namespace: "testing", name: "router", context: { methods: [] } });
    const a = await waitForTask(engine, two.task.id, ["complete"]);
    expect(states(a)).toMatchObject({ express: "complete", express_label: "complete", standard: "skipped", freight: "complete", ship: "complete" });
    expect(byName(a, "ship").results).toEqual({ ran: ["express_label", "freight"] });
    const b = await waitForTask(engine, none.task.id, ["complete"]);
    // Every dependency of `ship` is skipped, so it is skipped too; `audit` hangs off the decision and runs.
    expect(states(b)).toMatchObject({ express: "skipped", express_label: "skipped", standard: "skipped", freight: "skipped", ship: "skipped", audit: "complete" });
    expect(b.stepsUnfinished).toBe(0);
  });

  test("choosing a name that is not a branch fails the decision step permanently, saying which branches exist", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "router", context: { methods: ["bogus"] } });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"]);
    const route = byName(blocked, "route");
    expect(route.state).toBe("error");
    expect(route.error!.message).toContain('"bogus" is not a branch of decision step "route" (its branches: express, standard, freight)');
    expect(states(blocked)).toMatchObject({ express: "pending", standard: "pending", freight: "pending" });
  });

  test("a decision step may not spawn child tasks (its result must carry its choice)", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "router", context: { methods: ["standard"], spawn_too: true } });
    const blocked = await waitForTask(engine, task.id, ["blocked_by_failures"]);
    expect(byName(blocked, "route").error!.message).toContain('step "route" cannot spawn child tasks');
    expect((await engine.listChildren(task.id, {})).tasks).toEqual([]);
  });

  test("a step whose dependencies were skipped by two different decisions is skipped by the second", async () => {
    const { task } = await engine.submit({ namespace: "testing", name: "two_decisions", context: { first: "a1", second: "a2", second_delay_ms: 150 } });
    const done = await waitForTask(engine, task.id, ["complete"]);
    expect(states(done)).toMatchObject({ a1: "complete", b1: "skipped", a2: "complete", b2: "skipped", both_b: "skipped", finish: "complete" });
    expect(byName(done, "both_b")).toMatchObject({ skippedBy: "d2", skipReason: 'all dependencies skipped (decision step "d2")' });
    const other = await engine.submit({ namespace: "testing", name: "two_decisions", context: { first: "b1", second: "a2" } });
    const ran = await waitForTask(engine, other.task.id, ["complete"]);
    expect(states(ran)).toMatchObject({ b1: "complete", b2: "skipped", both_b: "complete", finish: "complete" });
  });
});
