/**
 * The bench runner: `bun run bench <name>|all [--backend pglite|postgres] [--runs N] [--smoke]`.
 *
 * Runs each bench file as its own process (a fresh runtime per question, nothing shared but the
 * database server), echoes its table, picks up its final JSON line, then prints a summary with
 * the targets and writes every JSON line to `--out` (default
 * .tasker/bench/results-<backend>-<date>.jsonl).
 *
 * With --backend postgres and neither BENCH_DATABASE_URL nor DATABASE_URL set, a throwaway
 * Postgres (scripts/test-postgres.sh) is started for the whole run and stopped at the end, also
 * when a bench fails or the run is interrupted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Backend } from "./lib/args.ts";
import { startThrowawayPostgres } from "./lib/postgres-server.ts";
import { table } from "./lib/report.ts";
import { checkTargets, type BenchResult } from "./lib/targets.ts";

/** Every bench, in the order `all` runs them (cheap and independent ones first). */
const BENCHES = ["startup", "handoff", "throughput", "chains", "diamonds", "http-create", "memory", "fanout", "dag-core"] as const;
type BenchName = (typeof BENCHES)[number];

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    backend: { type: "string", default: "pglite" },
    runs: { type: "string" },
    smoke: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
  },
  allowPositionals: true,
  strict: true,
});

const usage = `usage: bun run bench <${BENCHES.join("|")}|all> [--backend pglite|postgres] [--runs N] [--smoke] [--quick] [--out file.jsonl]`;
const target = positionals[0];
if (!target || positionals.length > 1 || (target !== "all" && !(BENCHES as readonly string[]).includes(target))) {
  console.error(usage);
  process.exit(2);
}
const backend = values.backend as Backend;
if (backend !== "pglite" && backend !== "postgres") {
  console.error(`--backend must be pglite or postgres\n${usage}`);
  process.exit(2);
}
const names: BenchName[] = target === "all" ? [...BENCHES] : [target as BenchName];

const env: Record<string, string | undefined> = { ...process.env };
if (backend === "postgres") {
  const given = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    env.BENCH_DATABASE_URL = given;
  } else {
    console.log("starting a throwaway Postgres (scripts/test-postgres.sh) for this run …");
    env.BENCH_DATABASE_URL = startThrowawayPostgres().url;
  }
}

/** The command line of one bench. dag-core is backend-independent; --quick keeps it short. */
function command(name: BenchName): string[] {
  const dir = import.meta.dir;
  if (name === "dag-core") {
    // The full dag-core sweep (≈ 2 min) runs once, with the Postgres column, in the Postgres
    // pass; the PGlite pass runs its --quick form so both passes fit the time budget.
    const quick = values.smoke || values.quick || backend === "pglite";
    return ["bun", join(dir, "dag-core.ts"), ...(quick ? ["--quick"] : [])];
  }
  return ["bun", join(dir, `${name}.ts`), "--backend", backend, ...(values.runs ? ["--runs", values.runs] : []), ...(values.smoke ? ["--smoke"] : [])];
}

async function runOne(name: BenchName): Promise<BenchResult> {
  const proc = Bun.spawn(command(name), { env, stdout: "pipe", stderr: "inherit" });
  let last: BenchResult | null = null;
  let pending = "";
  const decoder = new TextDecoder();
  const consider = (line: string) => {
    if (line.startsWith("{")) {
      try {
        const parsed = JSON.parse(line) as BenchResult;
        if (parsed && typeof parsed.bench === "string" && parsed.metrics) {
          last = parsed;
          return;
        }
      } catch {
        // not the result line; fall through and show it
      }
    }
    console.log(line);
  };
  const reader = proc.stdout.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    pending += decoder.decode(chunk.value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) consider(line);
  }
  if (pending) consider(pending);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`bench ${name} exited with code ${code}`);
  if (!last) throw new Error(`bench ${name} printed no JSON result line`);
  console.log(JSON.stringify(last));
  return last;
}

const started = performance.now();
const results: BenchResult[] = [];
const failures: string[] = [];
const durations: Record<string, number> = {};
for (const name of names) {
  const t = performance.now();
  try {
    results.push(await runOne(name));
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`\n!! ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  durations[name] = (performance.now() - t) / 1000;
}

const headline = (r: BenchResult): string => {
  const m = r.metrics;
  if (m.skipped) return `skipped: ${m.skipped}`;
  switch (r.bench) {
    case "throughput":
      return `${m.stepsPerSec} steps/s drained (${m.tasks} tasks; submit ${m.submitTasksPerSec} tasks/s)`;
    case "chains":
      return `${m.stepsPerSec} steps/s; handoff p50/p95/p99 ${m.handoffMs.p50}/${m.handoffMs.p95}/${m.handoffMs.p99} ms`;
    case "diamonds":
      return `${m.tasksPerSec} tasks/s; latency p50/p99 ${m.latencyMs.p50}/${m.latencyMs.p99} ms`;
    case "handoff":
      return `p50/p95/p99 ${m.handoffMs.p50}/${m.handoffMs.p95}/${m.handoffMs.p99} ms (handlers: ${m.handlerHandoffMs.p50}/${m.handlerHandoffMs.p95}/${m.handlerHandoffMs.p99})`;
    case "http-create":
      return `${m.tasksPerSec} tasks/s; p50/p99 ${m.latencyMs.p50}/${m.latencyMs.p99} ms`;
    case "memory":
      return `idle ${m.idleMiB} MiB, peak ${m.peakMiB} MiB under ${m.tasks} tasks`;
    case "startup":
      return `first ${m.firstStartMs} ms, second ${m.secondStartMs} ms`;
    case "fanout":
      return `${m.dispatchChildrenPerSec} children/s dispatched (${m.children}); join delay ${m.joinDelayMs} ms; ${m.statementsPer1000} stmts per 1,000`;
    case "dag-core":
      return `1k-step ready set ${Number(m.targets?.ready1kWasmUs).toFixed(2)} µs in WASM`;
    default:
      return "";
  }
};

console.log(`\n== summary: ${backend}${values.smoke ? " (smoke: the numbers mean nothing)" : ""}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
table(["bench", "seconds", "result (medians)"], results.map((r) => [r.bench, Math.round(durations[r.bench] ?? 0), headline(r)]));
const checks = checkTargets(results, backend, values.smoke);
if (checks.length > 0) {
  console.log("\ntargets");
  table(["bench", "what", "target", "measured", "met"], checks.map((c) => [c.bench, c.what, c.target, c.measured, c.met === null ? "—" : c.met ? "met" : "missed"]));
}

const out = values.out ?? join(import.meta.dir, "../.tasker/bench", `results-${backend}-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
await mkdir(join(out, ".."), { recursive: true });
await writeFile(out, results.map((r) => JSON.stringify(r)).join("\n") + "\n");
console.log(`\nresults: ${out}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} bench(es) failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
