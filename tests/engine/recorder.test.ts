import { beforeAll, expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { loadRegistry, testEngine, waitForTask } from "../support/engine.ts";
import { FIXTURE_HANDLERS } from "../support/processes.ts";
import type { Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(FIXTURE_HANDLERS);
});

/**
 * A Db whose completion statements (satisfySteps) take at least `delayMs` more, and that counts
 * how many of them are in flight at once.
 */
function slowCompletions(db: Db, delayMs: number) {
  const seen = { inFlight: 0, most: 0 };
  const isCompletion = (text: string) => text.trimStart().startsWith("with done as");
  const wrapped: Db = {
    ...db,
    query: async (text, params) => {
      if (!isCompletion(text)) return db.query(text, params);
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      try {
        await new Promise((r) => setTimeout(r, delayMs));
        return await db.query(text, params);
      } finally {
        seen.inFlight--;
      }
    },
  };
  return { db: wrapped, seen };
}

describeEachBackend("outcome recorder", (t) => {
  // Unset, the default: two on Postgres, one on PGlite (one connection runs one statement at a time).
  for (const option of [1, 2, undefined]) {
    test(`with recordWriters ${option ?? "unset"}, at most that many completion batches are written at once and every outcome lands`, async () => {
      const writers = option ?? (t.backend === "pglite" ? 1 : 2);
      const slow = slowCompletions(t.db, 40);
      const engine = await testEngine(slow.db, registry, { ...(option ? { recordWriters: option } : {}), concurrency: 16, claimBatch: 4 });
      const requests = Array.from({ length: 40 }, () => ({ namespace: "testing", name: "diamond", context: {} }));
      const submitted = await engine.submitMany(requests);
      await engine.start();
      try {
        const tasks = await Promise.all(submitted.map((s) => waitForTask(engine, s.task.id, ["complete"], 30_000)));
        for (const task of tasks) expect(task.steps.find((s) => s.name === "d")!.results).toEqual({ joined: ["b", "c"] });
      } finally {
        await engine.stop({ drainMs: 5_000 });
      }
      // 160 outcomes arriving faster than 40 ms batches drain them: the writers are all busy.
      expect(slow.seen.most).toBe(writers);
      expect(slow.seen.inFlight).toBe(0);
      // Each task's four steps complete once (I1/I3 hold with batches in flight together).
      const [row] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from step_transitions where to_state = 'complete' and task_id = any($1::uuid[])",
        [submitted.map((s) => s.task.id)],
      );
      expect(row!.n).toBe(160);
    });
  }
});
