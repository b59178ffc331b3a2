import { intOption, parseBenchArgs } from "./args.ts";
import { drainRun, perUnit } from "./drain-run.ts";
import { emitResult, heading, table } from "./report.ts";
import { distribution, medianOf, round } from "./stats.ts";

export interface DrainBenchSpec {
  bench: string;
  /** Template in the bench namespace. */
  template: string;
  tasks: { postgres: number; pglite: number; smoke: number };
  /** Report parent → child handoff percentiles. */
  handoffs: boolean;
}

/**
 * The body shared by the "submit everything, then drain" benches (throughput, chains): parses
 * the flags, runs `--runs` times on fresh databases, prints a table and the JSON line whose
 * headline fields are medians across runs.
 *
 * Flags: --tasks N, --chunk N (submitMany chunk; 0 = per-task submit), --in-flight N,
 * --concurrency N, --claim-batch N (engine options; defaults are the bench's settings below).
 */
export async function drainBench(spec: DrainBenchSpec): Promise<void> {
  const args = parseBenchArgs({ tasks: "string", "in-flight": "string", chunk: "string", concurrency: "string", "claim-batch": "string" });
  const sized = args.smoke ? spec.tasks.smoke : spec.tasks[args.backend];
  const tasks = intOption(args, "tasks", sized);
  const chunkRaw = args.extra.chunk;
  const submit = { inFlight: intOption(args, "in-flight", 64), chunk: chunkRaw === "0" ? 0 : intOption(args, "chunk", 500) };
  const engine = { concurrency: intOption(args, "concurrency", ENGINE_DEFAULTS.concurrency), claimBatch: intOption(args, "claim-batch", ENGINE_DEFAULTS.claimBatch) };
  const note = !args.smoke && args.backend === "pglite" && tasks < spec.tasks.postgres ? ` (sized down from ${spec.tasks.postgres.toLocaleString("en")} for PGlite)` : "";

  heading(`${spec.bench}: ${tasks.toLocaleString("en")} × ${spec.template} on ${args.backend}${note}, ${args.runs} run(s); engine ${JSON.stringify(engine)}`);
  const runs = [];
  let mode = "";
  for (let r = 1; r <= args.runs; r++) {
    const res = await drainRun({ backend: args.backend, label: spec.bench, template: spec.template, tasks, submit, engine, timeoutMs: 600_000, handoffs: spec.handoffs });
    mode = res.submitMode;
    const h = distribution(res.transitionHandoffs);
    const hh = distribution(res.handlerHandoffs);
    runs.push({
      stepsPerSec: round(res.drainStepsPerSec, 0),
      drainMs: round(res.drainMs, 1),
      drainWallMs: round(res.drainWallMs, 1),
      submitTasksPerSec: round(res.submitPerSec, 0),
      submitMs: round(res.submitMs, 1),
      drainPerStep: perUnit(res.drainCounts, res.steps),
      submitPerTask: perUnit(res.submitCounts, res.tasks),
      ...(spec.handoffs
        ? {
            handoffMs: { p50: h.p50, p95: h.p95, p99: h.p99, max: h.max, n: h.n },
            handlerHandoffMs: { p50: hh.p50, p95: hh.p95, p99: hh.p99, max: hh.max, n: hh.n },
          }
        : {}),
    });
    const last = runs.at(-1)!;
    console.log(`  run ${r}: ${last.stepsPerSec.toLocaleString("en")} steps/s drained; submitted at ${last.submitTasksPerSec.toLocaleString("en")} tasks/s`);
  }
  const m = medianOf(runs);
  const label = (i: number) => (i < runs.length ? String(i + 1) : "median");
  table(
    ["run", "steps/s", "drain ms", "submit tasks/s", "stmts/step", "round trips/step", "stmts/task (submit)", ...(spec.handoffs ? ["handoff p50", "p95", "p99 ms", "handler p50", "p99 ms"] : [])],
    [...runs, m].map((x, i) => [
      label(i), x.stepsPerSec, x.drainMs, x.submitTasksPerSec, x.drainPerStep.statements, x.drainPerStep.roundTrips, x.submitPerTask.statements,
      ...(x.handoffMs && x.handlerHandoffMs ? [x.handoffMs.p50, x.handoffMs.p95, x.handoffMs.p99, x.handlerHandoffMs.p50, x.handlerHandoffMs.p99] : []),
    ]),
  );
  console.log(`  steps/s: steps ÷ (first claim → last task completed, database clock); submit: ${mode}`);
  emitResult(spec.bench, args.backend, { template: spec.template, tasks, steps: tasks * stepsOf(spec.template), sizedDown: note !== "", submitMode: mode, engine, ...m, runs });
}

/**
 * The engine settings the drain benches use. Handlers are no-ops, so the limit on running
 * handlers only caps the batch sizes of claims and completions; the engine's defaults
 * (32 / 32) are sized for real handlers. Override with --concurrency / --claim-batch.
 */
export const ENGINE_DEFAULTS = { concurrency: 512, claimBatch: 256 };

function stepsOf(template: string): number {
  return ({ single: 1, chain5: 5, diamond: 4, chain100: 100 } as Record<string, number>)[template] ?? Number.NaN;
}
