import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask, waitUntil } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";

// A parent and a child with a short timeout, so that the child's lease expires within the test.
const PAIR = `import { defineTask } from ${JSON.stringify(join(import.meta.dir, "../../src/index.ts"))};
export default defineTask({
  name: "pair",
  version: "1.0.0",
  identity: "unique",
  steps: {
    first: { handler: () => "from first" },
    second: {
      dependsOn: ["first"],
      timeoutMs: 400,
      retry: { maxAttempts: 3, backoff: "none", baseMs: 0, jitter: 0 },
      handler: (ctx) => ({ attempt: ctx.attempt, got: ctx.deps.first }),
    },
  },
});
`;

let registry: Registry;
let pairs: Registry;
let dir: string;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
  dir = await mkdtemp(join(tmpdir(), "tasker-handoff-"));
  await mkdir(join(dir, "handoff"));
  await writeFile(join(dir, "handoff", "pair.ts"), PAIR);
  pairs = await loadRegistry(dir);
  expect(pairs.problems()).toEqual([]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describeEachBackend("local handoff", (t) => {
  test("children leased by their parent's completion get the parents' results and an audit that says claimed", async () => {
    const engine = await testEngine(t.db, registry);
    await engine.start();
    try {
      const { task } = await engine.submit({ namespace: "testing", name: "diamond", context: {} });
      const done = await waitForTask(engine, task.id, ["complete"]);
      const step = (name: string) => done.steps.find((s) => s.name === name)!;
      expect(step("d").results).toEqual({ joined: ["b", "c"] });
      const aDone = (await engine.stepAudit(task.id, step("a").id)).find((a) => a.toState === "complete")!;
      for (const name of ["b", "c"]) {
        const audit = await engine.stepAudit(task.id, step(name).id);
        expect(audit.map((a) => [a.fromState, a.toState, a.reason])).toEqual([
          [null, "pending", "task submitted"],
          ["pending", "enqueued", "dependencies satisfied"],
          ["enqueued", "in_progress", "claimed"],
          ["in_progress", "complete", "handler succeeded"],
        ]);
        // Claimed by this engine in the statement that completed "a" (same transaction time).
        expect(audit[2]!.actor).toBe(engine.workerId);
        expect(audit[2]!.createdAt).toEqual(aDone.createdAt);
      }
      // Each message was delivered once and archived once.
      const archived = await t.db.query<{ n: number; reads: number }>(
        "select count(*)::int as n, max(read_count)::int as reads from queue_archive where task_id = $1 and outcome = 'complete'",
        [task.id],
      );
      expect(archived).toEqual([{ n: 4, reads: 1 }]);
    } finally {
      await engine.stop({ drainMs: 2_000 });
    }
  });

  test("I4: a child leased to a worker that stops responding runs again once its lease expires", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    // The first engine runs "first", whose completion leases "second" to it; then it hangs before
    // recording second's first attempt (a GC pause, a partition: to the database, a dead worker).
    const stuck = await testEngine(await t.connect(), pairs, {
      leaseGraceMs: 100,
      faults: {
        beforeRecordOutcome: async (s) => {
          if (s.name === "second" && s.attempt === 1) {
            held = true;
            await gate;
          }
        },
      },
    });
    const rescuer = await testEngine(await t.connect(), pairs, { leaseGraceMs: 100 });
    await stuck.start();
    try {
      const { task } = await stuck.submit({ namespace: "handoff", name: "pair", context: {} });
      await waitUntil(() => held);
      await rescuer.start();
      const done = await waitForTask(rescuer, task.id, ["complete"], 20_000);
      const second = done.steps.find((s) => s.name === "second")!;
      expect(second.results).toEqual({ attempt: 2, got: "from first" });
      const audit = await rescuer.stepAudit(task.id, second.id);
      const claims = audit.filter((a) => a.toState === "in_progress");
      expect(claims.map((a) => [a.attempt, a.reason])).toEqual([
        [1, "claimed"],
        [2, "claimed"],
      ]);
      // The first attempt was leased by the completion of "first", to the engine that ran it.
      expect(claims[0]!.actor).toBe(stuck.workerId);
      const firstDone = (await rescuer.stepAudit(task.id, done.steps.find((s) => s.name === "first")!.id)).find((a) => a.toState === "complete")!;
      expect(claims[0]!.createdAt).toEqual(firstDone.createdAt);
      expect(audit.filter((a) => a.toState === "complete").length).toBe(1);
    } finally {
      release();
      await stuck.stop({ drainMs: 2_000 });
      await rescuer.stop({ drainMs: 2_000 });
    }
  }, 30_000);
});
