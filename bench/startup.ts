/**
 * Question: how long until `bun run server` answers /health/ready — on a brand-new database, and
 * on a second start over the same data?
 *
 *   bun run bench startup [--backend pglite|postgres] [--runs 3] [--smoke]
 *
 * Spawn → first 200 from /health/ready, measured from this process. The first start on PGlite
 * includes initdb (in WASM) and the migrations; the second reopens the data directory. On
 * Postgres the first start migrates an empty database.
 */
import { parseBenchArgs } from "./lib/args.ts";
import { emitResult, heading, table } from "./lib/report.ts";
import { serverStore, startServer } from "./lib/server.ts";
import { medianOf, round } from "./lib/stats.ts";

const args = parseBenchArgs();
heading(`startup: first and second start of the server on ${args.backend}, ${args.runs} run(s)`);
const runs = [];
for (let r = 1; r <= args.runs; r++) {
  // A smoke run only proves the bench works, so it skips PGlite's initdb (3–5 s) on the first start.
  const store = await serverStore(args.backend, "startup", { empty: !args.smoke });
  try {
    const first = await startServer(store);
    await first.stop();
    const second = await startServer(store);
    const idleRss = await second.rssMiB();
    await second.stop();
    runs.push({ firstStartMs: round(first.readyMs, 0), secondStartMs: round(second.readyMs, 0), secondStartRssMiB: round(idleRss, 1) });
    console.log(`  run ${r}: first ${runs.at(-1)!.firstStartMs} ms, second ${runs.at(-1)!.secondStartMs} ms`);
  } finally {
    await store.dispose();
  }
}
const m = medianOf(runs);
table(["run", "first start ms", "second start ms", "RSS after ready MiB"], [...runs, m].map((x, i) => [i < runs.length ? String(i + 1) : "median", x.firstStartMs, x.secondStartMs, x.secondStartRssMiB]));
emitResult("startup", args.backend, { ...m, runs });
