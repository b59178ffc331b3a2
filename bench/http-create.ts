/**
 * Question: how many tasks per second can clients create over HTTP, and at what latency?
 *
 *   bun run bench http-create [--backend pglite|postgres] [--runs 3] [--clients 32] [--seconds 10] [--smoke]
 *
 * Starts `bun run server` (src/main.ts, workers on, the bench handlers) as a child process on a
 * free loopback port with a fresh database, then this process keeps `--clients` POST /v1/tasks
 * requests (diamond template) in flight for `--seconds` after a 1 s warm-up. The server also
 * runs the tasks it accepts, as it would in production, so both share the machine's 2 cores
 * with this load generator. tasks/s = 201 responses ÷ elapsed; latency per request.
 */
import { intOption, parseBenchArgs } from "./lib/args.ts";
import { postLoad } from "./lib/http-load.ts";
import { emitResult, heading, progress, table } from "./lib/report.ts";
import { withServer } from "./lib/server.ts";
import { distribution, medianOf, round } from "./lib/stats.ts";

const args = parseBenchArgs({ clients: "string", seconds: "string", max: "string" });
const clients = intOption(args, "clients", args.smoke ? 4 : 32);
const seconds = intOption(args, "seconds", args.smoke ? 1 : 10);
const maxRequests = intOption(args, "max", args.smoke ? 40 : 100_000);
const body = () => ({ namespace: "bench", name: "diamond", context: {} });

heading(`http-create: ${clients} clients POSTing diamond tasks for ${seconds} s on ${args.backend}, ${args.runs} run(s)`);
const runs = [];
for (let r = 1; r <= args.runs; r++) {
  const run = await withServer(args.backend, "http", async (server) => {
    const url = `${server.baseUrl}/v1/tasks`;
    if (!args.smoke) await postLoad({ url, clients, seconds: 1, maxRequests: 100_000, body });
    const res = await postLoad({ url, clients, seconds, maxRequests, body, onProgress: progress("requests", 2000) });
    if (res.ok === 0) throw new Error(`no request succeeded: ${JSON.stringify(res.errorKinds)}`);
    const lat = distribution(res.latenciesMs);
    const x = {
      tasksPerSec: round((res.ok / res.elapsedMs) * 1000, 0),
      latencyMs: { p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max },
      created: res.ok,
      errors: res.errors,
      serverRssMiB: round(await server.rssMiB(), 1),
    };
    if (res.errors > 0) console.log(`  run ${r}: ${res.errors} failed requests: ${JSON.stringify(res.errorKinds)}`);
    console.log(`  run ${r}: ${x.tasksPerSec.toLocaleString("en")} tasks/s, p50 ${x.latencyMs.p50} ms, p99 ${x.latencyMs.p99} ms`);
    return x;
  });
  runs.push(run);
}
const m = medianOf(runs);
table(
  ["run", "tasks/s", "p50 ms", "p95 ms", "p99 ms", "created", "errors", "server RSS MiB"],
  [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.tasksPerSec, x.latencyMs.p50, x.latencyMs.p95, x.latencyMs.p99, x.created, x.errors, x.serverRssMiB]),
);
emitResult("http-create", args.backend, { clients, seconds, template: "diamond", serverWorkers: true, ...m, runs });
