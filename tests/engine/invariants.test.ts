import { beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

describeEachBackend("engine invariants", (t) => {
  test("I2: a worker whose lease expired cannot overwrite the outcome of a newer attempt", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    const stale = await testEngine(await t.connect(), registry, {
      leaseGraceMs: 100,
      faults: {
        // The first attempt finishes, then stalls past its lease before recording (a GC pause, a partition).
        beforeRecordOutcome: async (s) => {
          if (s.name === "work" && s.attempt === 1) {
            held = true;
            await gate;
          }
        },
      },
    });
    const fresh = await testEngine(await t.connect(), registry, { leaseGraceMs: 100 });
    await stale.start();
    const { task } = await stale.submit({ namespace: "testing", name: "crashy", context: { ms: 10 } });
    await waitUntil(() => held);
    await fresh.start();
    const done = await waitForTask(fresh, task.id, ["complete"], 20_000);
    release();
    await stale.stop({ drainMs: 2_000 });
    await fresh.stop({ drainMs: 2_000 });
    const work = done.steps.find((s) => s.name === "work")!;
    expect((work.results as { attempt: number }).attempt).toBe(2);
    const after = await fresh.getTask(task.id);
    expect(after.steps.find((s) => s.name === "work")!.results).toEqual(work.results);
    const audit = await fresh.stepAudit(task.id, work.id);
    expect(audit.filter((a) => a.toState === "complete").length).toBe(1);
  }, 30_000);

  test("I3: three engines racing over 500 tasks finalise each exactly once, with one task.completed each", async () => {
    const engines = await Promise.all([0, 1, 2].map(async () => testEngine(await t.connect(), registry, { concurrency: 8 })));
    await Promise.all(engines.map((e) => e.start()));
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      engines.flatMap((e, k) =>
        Array.from({ length: 4 }, async () => {
          while (next < 500) {
            next++;
            ids.push((await e.submit({ namespace: "testing", name: "diamond", context: { k } })).task.id);
          }
        }),
      ),
    );
    expect(ids.length).toBe(500);
    await waitUntil(async () => {
      const [r] = await t.db.query<{ n: number }>("select count(*)::int as n from tasks where id = any($1::uuid[]) and state = 'complete'", [ids]);
      return r!.n === 500;
    }, 120_000);
    await Promise.all(engines.map((e) => e.stop({ drainMs: 1_000 })));
    const rows = await t.db.query<{ id: string; completions: number; events: number; finalized: boolean }>(
      `select t.id,
              (select count(*)::int from task_transitions x where x.task_id = t.id and x.to_state = 'complete') as completions,
              (select count(*)::int from events e where e.task_id = t.id and e.name = 'task.completed') as events,
              t.finalized_at is not null as finalized
         from tasks t where t.id = any($1::uuid[])`,
      [ids],
    );
    expect(rows.length).toBe(500);
    expect(rows.filter((r) => r.completions !== 1 || r.events !== 1 || !r.finalized)).toEqual([]);
    // Work really was shared between the engines.
    const actors = await t.db.query<{ actor: string }>(
      "select distinct actor from step_transitions where task_id = any($1::uuid[]) and to_state = 'complete'",
      [ids],
    );
    expect(actors.length).toBeGreaterThan(1);
  }, 180_000);

  test("nothing is lost: 10,000 tasks with random transient failures all settle, and the counts add up", async () => {
    const engine = await testEngine(t.db, registry, { concurrency: 64, claimBatch: 64 });
    await engine.start();
    const total = 10_000;
    let submitted = 0;
    const submitOne = async () => {
      while (submitted < total) {
        submitted++;
        await engine.submit({ namespace: "testing", name: "chaos", context: { rate: 0.3 } });
      }
    };
    await Promise.all(Array.from({ length: 16 }, submitOne));
    await waitUntil(async () => {
      const [r] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from tasks where name = 'chaos' and state in ('in_progress', 'pending')",
      );
      return r!.n === 0;
    }, 240_000);
    await engine.stop({ drainMs: 1_000 });
    const states = await t.db.query<{ state: string; n: number }>("select state, count(*)::int as n from tasks where name = 'chaos' group by state");
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    expect((byState.complete ?? 0) + (byState.blocked_by_failures ?? 0)).toBe(total);
    // Every blocked task is explained: one of its steps is in error after exhausting 4 attempts.
    const [unexplained] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from tasks t where t.name = 'chaos' and t.state = 'blocked_by_failures'
          and not exists (select 1 from steps s where s.task_id = t.id and s.state = 'error' and s.attempts = 4 and s.error->>'message' like '%transient failure on attempt 4')`,
    );
    expect(unexplained!.n).toBe(0);
    // Counts add up: each step's attempts equal its claims; every finished step is archived once.
    const [mismatch] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from steps s join tasks t on t.id = s.task_id where t.name = 'chaos'
          and s.attempts <> (select count(*) from step_transitions x where x.task_id = s.task_id and x.step_id = s.id and x.to_state = 'in_progress')`,
    );
    expect(mismatch!.n).toBe(0);
    const [live] = await t.db.query<{ n: number }>("select count(*)::int as n from queue_messages m join tasks t on t.id = m.task_id where t.name = 'chaos'");
    expect(live!.n).toBe(0);
    const [completeSteps] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from steps s join tasks t on t.id = s.task_id where t.name = 'chaos' and s.state = 'complete'",
    );
    expect(completeSteps!.n).toBeGreaterThanOrEqual(2 * (byState.complete ?? 0));
  }, 300_000);
});

describeEachBackend("template subscribers", (t) => {
  test("each event reaches the module's subscribers once, even with two engines running", async () => {
    const seen = ((globalThis as Record<string, unknown>).__observedEvents ??= []) as Array<{ type: string; taskId: string; stepName?: string; taskName: string }>;
    seen.length = 0;
    const engines = await Promise.all([0, 1].map(async () => testEngine(await t.connect(), registry)));
    await Promise.all(engines.map((e) => e.start()));
    const submitted = await engines[0]!.submitMany(Array.from({ length: 20 }, () => ({ namespace: "testing", name: "observed" })));
    const ids = submitted.map((s) => s.task.id);
    await waitUntil(() => seen.filter((e) => e.type === "task.completed").length >= 20, 20_000);
    await Bun.sleep(300);
    await Promise.all(engines.map((e) => e.stop({ drainMs: 500 })));
    for (const id of ids) {
      expect(seen.filter((e) => e.taskId === id && e.type === "task.completed").length).toBe(1);
      const step = seen.filter((e) => e.taskId === id && e.type === "step.completed");
      expect(step.length).toBe(1);
      expect(step[0]!.stepName).toBe("only");
    }
    expect(seen.every((e) => e.taskName === "observed")).toBe(true);
  }, 40_000);
});
