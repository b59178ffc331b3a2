import { join } from "node:path";
import { defaultCore } from "../../src/core/dag/index.ts";
import { createEngine, type EngineOptions } from "../../src/engine/index.ts";
import type { Engine, SubmitRequest } from "../../src/engine/types.ts";
import { createRegistry, type Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";
import { countingDb, type Counts } from "./counting-db.ts";

/** The folder holding the bench namespace (bench/handlers/bench/*.ts). */
export const BENCH_HANDLERS_DIR = join(import.meta.dir, "../handlers");

export interface BenchEngine {
  engine: Engine & { workerId: string };
  registry: Registry;
  counts: Counts;
  /** Returns the counts so far and starts again from zero. */
  resetCounts(): Counts;
}

/**
 * An engine over `db` serving only the bench namespace, with the engine's own defaults unless
 * the bench passes options (every bench prints the options it used).
 */
export async function buildBenchEngine(db: Db, options: EngineOptions = {}): Promise<BenchEngine> {
  const core = await defaultCore();
  const registry = createRegistry({ handlersDir: BENCH_HANDLERS_DIR, core });
  const report = await registry.load();
  if (report.problems.length > 0) throw new Error(`bench handlers failed to load: ${report.problems.map((p) => p.message).join("; ")}`);
  const counted = countingDb(db);
  const engine = createEngine({ db: counted.db, registry, core, options: { namespaces: ["bench"], ...options } });
  return { engine, registry, counts: counted.counts, resetCounts: counted.reset };
}

export interface SubmitPlan {
  /** Per-task submissions outstanding at once when the engine has no bulk submit. */
  inFlight: number;
  /** Tasks per submitMany call when the engine has one (0 forces per-task submit). */
  chunk: number;
  onProgress?: (done: number, total: number) => void;
}

type Submitter = Pick<Engine, "submit"> & { submitMany?: (reqs: SubmitRequest[]) => Promise<Array<{ task: { id: string } }>> };

/** How submitAll will submit on this engine, for the result line. */
export function submitMode(engine: Submitter, plan: SubmitPlan): string {
  return typeof engine.submitMany === "function" && plan.chunk > 0 ? `submitMany×${plan.chunk}` : `submit, ${plan.inFlight} in flight`;
}

/**
 * Submits `count` tasks: in chunks through `submitMany` when the engine has it (two chunks in
 * flight, so one is built while the other commits), else one by one with `inFlight`
 * outstanding. Returns the task ids in submission order and the wall time.
 */
export async function submitAll(
  engine: Submitter,
  count: number,
  request: (i: number) => SubmitRequest,
  plan: SubmitPlan,
): Promise<{ ids: string[]; ms: number }> {
  const ids = new Array<string>(count);
  const bulk = typeof engine.submitMany === "function" && plan.chunk > 0;
  const step = bulk ? plan.chunk : 1;
  const lanes = bulk ? 2 : plan.inFlight;
  let next = 0;
  let done = 0;
  const started = performance.now();
  async function lane(): Promise<void> {
    while (next < count) {
      const from = next;
      const to = Math.min(count, from + step);
      next = to;
      if (bulk) {
        const results = await engine.submitMany!(Array.from({ length: to - from }, (_, k) => request(from + k)));
        results.forEach((r, k) => (ids[from + k] = r.task.id));
      } else {
        ids[from] = (await engine.submit(request(from))).task.id;
      }
      done += to - from;
      plan.onProgress?.(done, count);
    }
  }
  await Promise.all(Array.from({ length: Math.min(lanes, Math.ceil(count / step)) }, lane));
  return { ids, ms: performance.now() - started };
}

/**
 * Waits until `expected` tasks are complete. With `marks` (the probe's map) it first waits,
 * without touching the database, until every step's handler has run (`steps` marks), and only
 * then polls: a count over the tasks table every 25 ms would otherwise take a visible share of
 * the 2 cores the engine is being measured on. A task that ends in any other terminal state
 * fails the bench at once: a benchmark whose work failed has measured nothing.
 */
export async function waitForCompletion(
  db: Db,
  expected: number,
  opts: { timeoutMs: number; pollMs?: number; onProgress?: (done: number, total: number) => void; marks?: Map<string, number>; steps?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  if (opts.marks && opts.steps !== undefined) {
    while (opts.marks.size < opts.steps) {
      if (Date.now() > deadline) break;
      opts.onProgress?.(Math.floor((opts.marks.size / opts.steps) * expected), expected);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  for (;;) {
    const [row] = await db.query<{ complete: number; failed: number }>(
      `select count(*) filter (where state = 'complete')::int as complete,
              count(*) filter (where state in ('error', 'blocked_by_failures', 'cancelled'))::int as failed
         from tasks`,
    );
    const complete = row?.complete ?? 0;
    opts.onProgress?.(complete, expected);
    if ((row?.failed ?? 0) > 0) throw new Error(`${row!.failed} bench tasks failed; see the steps' error column`);
    if (complete >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${complete} of ${expected} tasks complete after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}
