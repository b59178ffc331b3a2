/**
 * Question: with nothing else running, how long from a parent step finishing to its child
 * starting? (p50/p95/p99)
 *
 *   bun run bench handoff [--backend pglite|postgres] [--runs 3] [--chains 5] [--warmup 1] [--local-handoff on|off] [--smoke]
 *
 * One 100-step chain of no-op steps at a time, `--chains` of them one after another per run
 * (99 handoffs each), after `--warmup` chains on the same fresh engine whose handoffs are
 * reported apart as `coldHandoffMs`: they include opening the pool's connections and preparing
 * each statement on each of them, a once-per-process cost (on this machine 5–14 ms for the first
 * few handoffs), which would otherwise be most of the p99 of 495 handoffs. The headline, `handoffMs`, is what the handlers saw: child handler started
 * − parent handler ran, on this process's clock, so it spans recording the parent's outcome, its
 * commit, and whatever delivers the child to a worker. `auditHandoffMs` is the audit trail's view
 * (child's first in_progress transition − parent's complete transition, database clock). With the
 * engine's local handoff the child is leased by the parent's completion statement, so both
 * transitions carry that statement's time and the audit view reads 0: it no longer measures the
 * handoff, and is kept for comparison with `--local-handoff off`.
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { openBenchDatabase } from "./lib/database.ts";
import { buildBenchEngine, waitForCompletion } from "./lib/harness.ts";
import { disableProbe, enableProbe } from "./lib/probe.ts";
import { emitResult, heading, table } from "./lib/report.ts";
import { distribution, medianOf, round } from "./lib/stats.ts";
import { handlerHandoffsMs, transitionHandoffsMs } from "./lib/timings.ts";

const args = parseBenchArgs({ chains: "string", warmup: "string", "local-handoff": "string" });
const chains = intOption(args, "chains", args.smoke ? 1 : 5);
const warmup = args.extra.warmup === undefined ? (args.smoke ? 0 : 1) : intOption(args, "warmup", 1);
const localHandoff = args.extra["local-handoff"] !== "off";

heading(`handoff: ${chains} × one 100-step chain alone on ${args.backend} after ${warmup} warm-up chain(s), ${args.runs} run(s); engine defaults${localHandoff ? "" : ", local handoff off"}`);
const runs = [];
for (let r = 1; r <= args.runs; r++) {
  const bdb = await openBenchDatabase(args.backend, "handoff");
  try {
    const be = await buildBenchEngine(bdb.db, { localHandoff });
    const template = be.registry.resolve("bench", "chain100");
    await be.engine.start();
    const marks = enableProbe();
    const ids: string[] = [];
    const t0 = performance.now();
    try {
      for (let c = 1; c <= warmup + chains; c++) {
        ids.push((await be.engine.submit({ namespace: "bench", name: "chain100", context: {} })).task.id);
        await waitForCompletion(bdb.db, c, { timeoutMs: 120_000, marks, steps: c * template.dag.size });
      }
    } finally {
      await be.engine.stop({ drainMs: 5_000 });
    }
    const wallMs = performance.now() - t0;
    const cold = distribution(handlerHandoffsMs(marks, template, ids.slice(0, warmup)));
    const handler = distribution(handlerHandoffsMs(marks, template, ids.slice(warmup)));
    disableProbe();
    const audit = distribution(await transitionHandoffsMs(bdb.db, ids.slice(warmup)));
    runs.push({
      handoffMs: { p50: handler.p50, p95: handler.p95, p99: handler.p99, max: handler.max, n: handler.n },
      auditHandoffMs: { p50: audit.p50, p95: audit.p95, p99: audit.p99, max: audit.max, n: audit.n },
      coldHandoffMs: { p50: cold.p50, p99: cold.p99, max: cold.max, n: cold.n },
      chainMs: round(wallMs / (warmup + chains), 1),
    });
    console.log(`  run ${r}: handoff p50 ${handler.p50} ms, p99 ${handler.p99} ms (audit trail: p50 ${audit.p50}, p99 ${audit.p99}; warm-up chain: p99 ${cold.p99}, max ${cold.max})`);
  } finally {
    disableProbe();
    await bdb.close();
  }
}
const m = medianOf(runs);
table(
  ["run", "handoff p50", "p95", "p99", "max ms", "audit p50", "p95", "p99", "max ms", "warm-up p99", "max ms", "ms per chain"],
  [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.handoffMs.p50, x.handoffMs.p95, x.handoffMs.p99, x.handoffMs.max,
    x.auditHandoffMs.p50, x.auditHandoffMs.p95, x.auditHandoffMs.p99, x.auditHandoffMs.max, x.coldHandoffMs.p99, x.coldHandoffMs.max, x.chainMs]),
);
// handlerHandoffMs repeats the headline under the name earlier result lines used for it.
emitResult("handoff", args.backend, { chains, warmupChains: warmup, stepsPerChain: 100, localHandoff, ...m, handlerHandoffMs: m.handoffMs, runs });
