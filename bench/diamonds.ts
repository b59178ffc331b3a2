/**
 * Question: how many diamond workflows (A → B, C → D) per second run end to end, and how long
 * does each take from submission to completion?
 *
 *   bun run bench diamonds [--backend pglite|postgres] [--runs 3] [--tasks 1000] [--smoke]
 *
 * The engine runs while the tasks are submitted (submitMany chunks when the engine has it, else
 * 64 submissions in flight), as a service would see them. tasks/s = tasks ÷ (first task
 * created → last task completed, database clock). Per-task latency = completed_at − created_at.
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { perUnit } from "./lib/drain-run.ts";
import { openBenchDatabase } from "./lib/database.ts";
import { ENGINE_DEFAULTS } from "./lib/drain-bench.ts";
import { buildBenchEngine, submitAll, submitMode, waitForCompletion } from "./lib/harness.ts";
import { disableProbe, enableProbe } from "./lib/probe.ts";
import { emitResult, heading, progress, table } from "./lib/report.ts";
import { distribution, medianOf, round } from "./lib/stats.ts";
import { endToEndWindowMs, handlerHandoffsMs, taskLatenciesMs, transitionHandoffsMs } from "./lib/timings.ts";

const args = parseBenchArgs({ tasks: "string", "in-flight": "string", chunk: "string", concurrency: "string", "claim-batch": "string" });
const tasks = intOption(args, "tasks", args.smoke ? 20 : 1_000);
const submit = { inFlight: intOption(args, "in-flight", 64), chunk: args.extra.chunk === "0" ? 0 : intOption(args, "chunk", 100) };
const engine = { concurrency: intOption(args, "concurrency", ENGINE_DEFAULTS.concurrency), claimBatch: intOption(args, "claim-batch", ENGINE_DEFAULTS.claimBatch) };

heading(`diamonds: ${tasks.toLocaleString("en")} diamond tasks end to end on ${args.backend}, ${args.runs} run(s); engine ${JSON.stringify(engine)}`);
const runs = [];
let mode = "";
for (let r = 1; r <= args.runs; r++) {
  const bdb = await openBenchDatabase(args.backend, "diamonds");
  try {
    const be = await buildBenchEngine(bdb.db, engine);
    const template = be.registry.resolve("bench", "diamond");
    mode = submitMode(be.engine, submit);
    const marks = enableProbe();
    await be.engine.start();
    let ids: string[] = [];
    const t0 = performance.now();
    try {
      const waiting = waitForCompletion(bdb.db, tasks, { timeoutMs: 600_000, marks, steps: tasks * template.dag.size, onProgress: progress("diamonds complete") });
      ids = (await submitAll(be.engine, tasks, () => ({ namespace: "bench", name: "diamond", context: {} }), submit)).ids;
      await waiting;
    } finally {
      await be.engine.stop({ drainMs: 5_000 });
    }
    const wallMs = performance.now() - t0;
    const counts = be.resetCounts();
    const windowMs = await endToEndWindowMs(bdb.db);
    const latency = distribution(await taskLatenciesMs(bdb.db));
    const audit = distribution(await transitionHandoffsMs(bdb.db));
    const handler = distribution(handlerHandoffsMs(marks, template, ids));
    disableProbe();
    runs.push({
      tasksPerSec: round((tasks / windowMs) * 1000, 0),
      windowMs: round(windowMs, 1),
      wallMs: round(wallMs, 1),
      latencyMs: { p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max },
      handoffMs: { p50: audit.p50, p95: audit.p95, p99: audit.p99 },
      handlerHandoffMs: { p50: handler.p50, p95: handler.p95, p99: handler.p99 },
      perTask: perUnit(counts, tasks),
    });
    const x = runs.at(-1)!;
    console.log(`  run ${r}: ${x.tasksPerSec.toLocaleString("en")} tasks/s, latency p50 ${x.latencyMs.p50} ms, p99 ${x.latencyMs.p99} ms`);
  } finally {
    disableProbe();
    await bdb.close();
  }
}
const m = medianOf(runs);
table(
  ["run", "tasks/s", "window ms", "latency p50", "p95", "p99 ms", "handoff p50", "p99 ms", "stmts/task", "round trips/task"],
  [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.tasksPerSec, x.windowMs, x.latencyMs.p50, x.latencyMs.p95, x.latencyMs.p99,
    x.handoffMs.p50, x.handoffMs.p99, x.perTask.statements, x.perTask.roundTrips]),
);
console.log(`  submit: ${mode}; statements include submission`);
emitResult("diamonds", args.backend, { tasks, submitMode: mode, engine, ...m, runs });
