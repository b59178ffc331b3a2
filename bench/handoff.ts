/**
 * Question: with nothing else running, how long from a parent step finishing to its child
 * starting? (p50/p95/p99)
 *
 *   bun run bench handoff [--backend pglite|postgres] [--runs 3] [--chains 5] [--smoke]
 *
 * One 100-step chain of no-op steps at a time, `--chains` of them one after another per run
 * (99 handoffs each). Reported two ways: from the audit trail (child's first in_progress
 * transition − parent's complete transition, database clock: the completion statement, its
 * commit, the wake-up and the claim) and as the handlers saw it (child handler started − parent
 * handler ran, this process's clock: that plus recording the outcome and delivering the claim).
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { openBenchDatabase } from "./lib/database.ts";
import { buildBenchEngine, waitForCompletion } from "./lib/harness.ts";
import { disableProbe, enableProbe } from "./lib/probe.ts";
import { emitResult, heading, table } from "./lib/report.ts";
import { distribution, medianOf, round } from "./lib/stats.ts";
import { handlerHandoffsMs, transitionHandoffsMs } from "./lib/timings.ts";

const args = parseBenchArgs({ chains: "string" });
const chains = intOption(args, "chains", args.smoke ? 1 : 5);

heading(`handoff: ${chains} × one 100-step chain alone on ${args.backend}, ${args.runs} run(s); engine defaults`);
const runs = [];
for (let r = 1; r <= args.runs; r++) {
  const bdb = await openBenchDatabase(args.backend, "handoff");
  try {
    const be = await buildBenchEngine(bdb.db);
    const template = be.registry.resolve("bench", "chain100");
    await be.engine.start();
    const marks = enableProbe();
    const ids: string[] = [];
    const t0 = performance.now();
    try {
      for (let c = 1; c <= chains; c++) {
        ids.push((await be.engine.submit({ namespace: "bench", name: "chain100", context: {} })).task.id);
        await waitForCompletion(bdb.db, c, { timeoutMs: 120_000, marks, steps: c * template.dag.size });
      }
    } finally {
      await be.engine.stop({ drainMs: 5_000 });
    }
    const wallMs = performance.now() - t0;
    const handler = distribution(handlerHandoffsMs(marks, template, ids));
    disableProbe();
    const audit = distribution(await transitionHandoffsMs(bdb.db));
    runs.push({
      handoffMs: { p50: audit.p50, p95: audit.p95, p99: audit.p99, max: audit.max, n: audit.n },
      handlerHandoffMs: { p50: handler.p50, p95: handler.p95, p99: handler.p99, max: handler.max, n: handler.n },
      chainMs: round(wallMs / chains, 1),
    });
    console.log(`  run ${r}: handoff p50 ${audit.p50} ms, p99 ${audit.p99} ms (handlers: p50 ${handler.p50}, p99 ${handler.p99})`);
  } finally {
    disableProbe();
    await bdb.close();
  }
}
const m = medianOf(runs);
table(
  ["run", "audit p50", "p95", "p99", "max ms", "handler p50", "p95", "p99", "max ms", "ms per chain"],
  [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.handoffMs.p50, x.handoffMs.p95, x.handoffMs.p99, x.handoffMs.max,
    x.handlerHandoffMs.p50, x.handlerHandoffMs.p95, x.handlerHandoffMs.p99, x.handlerHandoffMs.max, x.chainMs]),
);
emitResult("handoff", args.backend, { chains, stepsPerChain: 100, ...m, runs });
