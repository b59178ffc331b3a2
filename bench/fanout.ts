/**
 * Question: how fast can one step fan out to 100,000 child tasks and join them? Dispatch rate
 * (children/s), the delay from the last child completing to the join completing, and SQL
 * statements per 1,000 children dispatched. (Targets: ≥ 20,000 children/s on Postgres, join
 * noticed within 1 s, ≤ 5 statements per 1,000 children.)
 *
 *   bun run bench fanout [--backend pglite|postgres] [--runs 1] [--children 100000] [--chunk 1000] [--smoke]
 *
 * Two engines share the database: one serves the `bench` namespace and runs the spawning step,
 * the other serves `bench_child` and runs the children, each through its own statement counter,
 * so the dispatching engine's statements during the dispatch are the dispatch's alone. Dispatch
 * rate = children ÷ (ctx.spawn called → returned). Join delay = the spawning step's completed_at
 * − the last child's completed_at (database clock). Each run measures the same fan-out twice, on
 * a fresh database each time:
 *
 * - served (`dispatchChildrenPerSec`, `joinDelayMs`, `statementsPer1000`; the targets' numbers):
 *   the children's engine runs from the start, so children are claimed and completed while the
 *   dispatch is still writing them, on the same 2 cores — what a user of one machine sees.
 * - alone (`dispatchAloneChildrenPerSec`, `joinDelayAloneMs`, `statementsPer1000Alone`): the
 *   children's engine starts only when ctx.spawn has returned, so the dispatch shares the
 *   machine with nothing of this bench — the dispatch's own cost.
 *
 * Where the engine cannot spawn child tasks the JSON line says "skipped".
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { roundTrips } from "./lib/counting-db.ts";
import { openBenchDatabase } from "./lib/database.ts";
import { buildBenchEngine, waitForCompletion } from "./lib/harness.ts";
import { disableProbe, enableProbe } from "./lib/probe.ts";
import { emitResult, heading, progress, table } from "./lib/report.ts";
import { medianOf, round } from "./lib/stats.ts";

// One run by default: a run is two fan-outs (alone, then served) of 100,000 children, ≈ 1 minute
// each on Postgres here, and three would push `bun run bench all` past its budget. Pass --runs 3
// for medians.
const args = parseBenchArgs({ children: "string", chunk: "string" }, { defaultRuns: 1 });
const full = 100_000;
// PGlite drains ~1,000–2,000 steps/s here, so its run is sized down to stay inside the suite's
// time budget; the dispatch rate and statement count per 1,000 children do not depend on N.
const children = intOption(args, "children", args.smoke ? 200 : args.backend === "pglite" ? 20_000 : full);
const chunk = args.extra.chunk === undefined ? undefined : intOption(args, "chunk", 1000);
const sizedDown = !args.smoke && children < full;

heading(`fanout: one step spawning ${children.toLocaleString("en")} children on ${args.backend}${sizedDown ? ` (sized down from ${full.toLocaleString("en")})` : ""}, ${args.runs} run(s), each alone then served`);

interface Measured {
  dispatchChildrenPerSec: number;
  dispatchMs: number;
  joinDelayMs: number;
  endToEndChildrenPerSec: number;
  statementsPer1000: number;
  roundTripsPer1000: number;
}

/**
 * One fan-out on a fresh database. `served`: the children's engine runs during the dispatch;
 * otherwise it starts when ctx.spawn returns. Null when the engine has no ctx.spawn.
 */
async function measure(served: boolean): Promise<Measured | null> {
  const bdb = await openBenchDatabase(args.backend, "fanout");
  try {
    const parent = await buildBenchEngine(bdb.db, { namespaces: ["bench"] });
    const kids = await buildBenchEngine(bdb.db, { namespaces: ["bench_child"], concurrency: 256, claimBatch: 128 });
    const marks = enableProbe();
    if (served) await kids.engine.start();
    await parent.engine.start();
    parent.resetCounts();
    try {
      const taskId = (await parent.engine.submit({ namespace: "bench", name: "fanout", context: { children, ...(chunk ? { chunk } : {}) } })).task.id;
      const started = Date.now();
      while (!marks.has(`${taskId}/dispatch:end`) && !marks.has(`${taskId}/dispatch:unsupported`)) {
        if (Date.now() - started > 600_000) throw new Error("the dispatch did not finish within 600 s");
        await new Promise((res) => setTimeout(res, 10));
      }
      if (marks.has(`${taskId}/dispatch:unsupported`)) return null;
      // The statements the parent engine sent while the step was dispatching.
      const dispatchCounts = parent.resetCounts();
      if (!served) await kids.engine.start();
      await waitForCompletion(bdb.db, children + 1, { timeoutMs: 900_000, pollMs: 100, onProgress: progress(`tasks complete (children + parent, ${served ? "served" : "alone"})`, 2000) });
      const dispatchMs = marks.get(`${taskId}/dispatch:end`)! - marks.get(`${taskId}/dispatch:start`)!;
      const [t] = await bdb.db.query<{ join_delay_ms: number; total_ms: number; n: number }>(
        `select (extract(epoch from p.completed_at - k.last_child) * 1000)::float8 as join_delay_ms,
                (extract(epoch from p.completed_at - p.started_at) * 1000)::float8 as total_ms,
                k.n
           from steps p,
                lateral (select max(completed_at) as last_child, count(*)::int as n from tasks where parent_task_id = $1) k
          where p.task_id = $1 and p.name = 'dispatch'`,
        [taskId],
      );
      if (!t || t.n !== children) throw new Error(`expected ${children} children, found ${t?.n ?? 0}`);
      return {
        dispatchChildrenPerSec: round((children / dispatchMs) * 1000, 0),
        dispatchMs: round(dispatchMs, 1),
        joinDelayMs: round(t.join_delay_ms, 1),
        endToEndChildrenPerSec: round((children / t.total_ms) * 1000, 0),
        statementsPer1000: round((dispatchCounts.statements / children) * 1000, 2),
        roundTripsPer1000: round((roundTrips(dispatchCounts) / children) * 1000, 2),
      };
    } finally {
      await parent.engine.stop({ drainMs: 5_000 });
      await kids.engine.stop({ drainMs: 5_000 });
    }
  } finally {
    disableProbe();
    await bdb.close();
  }
}

const runs = [];
let skipped: string | null = null;
for (let r = 1; r <= args.runs; r++) {
  const alone = await measure(false);
  const served = alone ? await measure(true) : null;
  if (!alone || !served) {
    skipped = "child tasks not implemented (the step context has no spawn)";
    break;
  }
  runs.push({
    ...served,
    dispatchAloneChildrenPerSec: alone.dispatchChildrenPerSec,
    dispatchAloneMs: alone.dispatchMs,
    joinDelayAloneMs: alone.joinDelayMs,
    statementsPer1000Alone: alone.statementsPer1000,
  });
  console.log(`  run ${r}: dispatch served ${served.dispatchChildrenPerSec.toLocaleString("en")} children/s, alone ${alone.dispatchChildrenPerSec.toLocaleString("en")} children/s; join delay ${served.joinDelayMs} ms (alone ${alone.joinDelayMs} ms); ${served.statementsPer1000} statements per 1,000 children (alone ${alone.statementsPer1000})`);
}

if (skipped !== null) {
  console.log(`  skipped: ${skipped}`);
  emitResult("fanout", args.backend, { skipped, children });
} else {
  const m = medianOf(runs);
  table(
    ["run", "dispatch children/s (served)", "(alone)", "join delay ms (served)", "(alone)", "children/s end to end", "stmts per 1,000 (served)", "(alone)"],
    [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.dispatchChildrenPerSec, x.dispatchAloneChildrenPerSec, x.joinDelayMs, x.joinDelayAloneMs, x.endToEndChildrenPerSec, x.statementsPer1000, x.statementsPer1000Alone]),
  );
  emitResult("fanout", args.backend, { children, sizedDown, chunk: chunk ?? "engine default", ...m, runs });
}
