/**
 * Question: how much memory does `bun run server` hold, idle and under the throughput load?
 *
 *   bun run bench memory [--backend pglite|postgres] [--runs 3] [--tasks 20000] [--smoke]
 *
 * Starts the server (src/main.ts, workers on, the bench handlers) with a fresh database, reads
 * its resident set size (/proc/<pid>/status VmRSS) idle for 3 s, then creates `--tasks`
 * single-step tasks over HTTP (64 clients) while its workers drain them, sampling RSS every
 * 100 ms until every task is complete. PGlite's database lives inside the server process, so
 * its RSS includes the database.
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { postLoad } from "./lib/http-load.ts";
import { emitResult, heading, progress, table } from "./lib/report.ts";
import { withServer, type ServerChild } from "./lib/server.ts";
import { median, medianOf, round } from "./lib/stats.ts";

const args = parseBenchArgs({ tasks: "string", clients: "string" });
const fullTasks = 20_000;
// PGlite creates tasks over HTTP at ~100/s on this machine (see docs/performance.md), so its
// run is sized down to keep `bun run bench all` inside its time budget; RSS is dominated by the
// embedded database's WASM heap, which 2,000 tasks already exercise.
const tasks = intOption(args, "tasks", args.smoke ? 50 : args.backend === "pglite" ? 2_000 : fullTasks);
const clients = intOption(args, "clients", 64);
const sizedDown = !args.smoke && tasks < fullTasks;

async function samples(server: ServerChild, ms: number, every = 100): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    out.push(await server.rssMiB());
    await new Promise((r) => setTimeout(r, every));
  }
  return out;
}

async function completeCount(server: ServerChild): Promise<number> {
  const res = await fetch(`${server.baseUrl}/v1/tasks/summary`);
  if (res.status !== 200) throw new Error(`GET /v1/tasks/summary answered ${res.status}`);
  const body = (await res.json()) as { by_state: Record<string, number> };
  const failed = (body.by_state.error ?? 0) + (body.by_state.blocked_by_failures ?? 0);
  if (failed > 0) throw new Error(`${failed} bench tasks failed in the server`);
  return body.by_state.complete ?? 0;
}

heading(`memory: server RSS idle, then under ${tasks.toLocaleString("en")} single-step tasks created over HTTP on ${args.backend}${sizedDown ? ` (sized down from ${fullTasks.toLocaleString("en")})` : ""}, ${args.runs} run(s)`);
const runs = [];
for (let r = 1; r <= args.runs; r++) {
  const run = await withServer(args.backend, "memory", async (server) => {
    const idle = median(await samples(server, args.smoke ? 500 : 3_000));
    const peak = { v: idle };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak.v = Math.max(peak.v, await server.rssMiB());
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const t0 = performance.now();
    const load = await postLoad({
      url: `${server.baseUrl}/v1/tasks`, clients, seconds: 600, maxRequests: tasks,
      body: () => ({ namespace: "bench", name: "single", context: {} }), onProgress: progress("created", 2000),
    });
    const createMs = performance.now() - t0;
    const report = progress("complete", 2000);
    const deadline = Date.now() + 600_000;
    for (;;) {
      const done = await completeCount(server);
      report(done, load.ok);
      if (done >= load.ok) break;
      if (Date.now() > deadline) throw new Error(`only ${done} of ${load.ok} tasks complete after 600 s`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const totalMs = performance.now() - t0;
    sampling = false;
    await sampler;
    const after = await server.rssMiB();
    const x = {
      idleMiB: round(idle, 1),
      peakMiB: round(peak.v, 1),
      afterMiB: round(after, 1),
      created: load.ok,
      errors: load.errors,
      createTasksPerSec: round((load.ok / createMs) * 1000, 0),
      stepsPerSecEndToEnd: round((load.ok / totalMs) * 1000, 0),
    };
    console.log(`  run ${r}: idle ${x.idleMiB} MiB, peak ${x.peakMiB} MiB under load, ${x.afterMiB} MiB after`);
    return x;
  });
  runs.push(run);
}
const m = medianOf(runs);
table(
  ["run", "idle MiB", "peak MiB", "after MiB", "created", "errors", "create tasks/s", "steps/s end to end"],
  [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.idleMiB, x.peakMiB, x.afterMiB, x.created, x.errors, x.createTasksPerSec, x.stepsPerSecEndToEnd]),
);
emitResult("memory", args.backend, { tasks, clients, sizedDown, ...m, runs });
