/**
 * Question: how fast is the DAG core at what the engine asks of it — validating and ordering a
 * graph, and computing a task's ready set — compared with popular JS graph libraries and with
 * asking SQL?
 *
 *   bun bench/dag-core.ts            # 1k…1M nodes, tasks of 10…10,000 steps (≈ 2 min)
 *   bun bench/dag-core.ts --quick    # 1k and 10k nodes, fewer repetitions (≈ 15 s)
 *   BENCH_DATABASE_URL=postgres://… bun bench/dag-core.ts   # adds the SQL query on Postgres
 *
 * Graphs are random DAGs with E ≈ 4V (each node picks 4 distinct earlier nodes as parents) under a
 * random relabelling, so declaration order is not already topological. Every number is a median
 * of repeated runs (the machine has 2 noisy cores); WASM times include copying the CSR into the
 * module's memory and the result out. Prints a table, then one JSON line.
 */
import { alg, Graph as GraphlibGraph } from "@dagrejs/graphlib";
import { PGlite } from "@electric-sql/pglite";
import { DirectedGraph } from "graphology";
import { topologicalSort as graphologySort } from "graphology-dag";
import { cpus, loadavg, totalmem } from "node:os";
import postgres from "postgres";
import toposort from "toposort";
import {
  compileDag,
  loadWasmCore,
  referenceCore,
  StepStateCode,
  type CompiledDag,
  type StepVector,
} from "../src/core/dag/index.ts";

const quick = process.argv.includes("--quick");
const SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
const TASK_SIZES = [10, 100, 1_000, 10_000];
const LIBRARY_BUDGET_MS = 20_000;
// Other processes on this 2-core machine skew every number; the 1-minute load average says how much.
const LOAD_AT_START = Number(loadavg()[0]!.toFixed(2));

interface RandomDag {
  n: number;
  offsets: Int32Array; // child CSR: edges parent → child
  targets: Int32Array;
  from: Int32Array; // the same edges as a list
  to: Int32Array;
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomDag(n: number, seed = 42): RandomDag {
  const rand = lcg(seed);
  const label = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [label[i], label[j]] = [label[j]!, label[i]!];
  }
  const from: number[] = [];
  const to: number[] = [];
  const picked = new Int32Array(4);
  for (let c = 1; c < n; c++) {
    const k = Math.min(4, c);
    for (let m = 0; m < k; m++) {
      let p: number;
      do p = Math.floor(rand() * c);
      while (picked.subarray(0, m).includes(p));
      picked[m] = p;
      from.push(label[p]!);
      to.push(label[c]!);
    }
  }
  const offsets = new Int32Array(n + 1);
  for (const f of from) offsets[f + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const cursor = offsets.slice(0, n);
  const targets = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) targets[cursor[from[e]!]!++] = to[e]!;
  return { n, offsets, targets, from: Int32Array.from(from), to: Int32Array.from(to) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs `fn` `reps` times after `warmup` untimed runs; returns the median in ms. */
function timeMs(fn: () => void, reps: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function assertOrder(g: RandomDag, order: ArrayLike<number | string>) {
  if (order.length !== g.n) throw new Error(`order has ${order.length} of ${g.n} nodes`);
  const pos = new Int32Array(g.n);
  for (let k = 0; k < g.n; k++) pos[Number(order[k])] = k;
  for (let e = 0; e < g.from.length; e++) if (pos[g.from[e]!]! >= pos[g.to[e]!]!) throw new Error("order breaks an edge");
}

// ---------------------------------------------------------------- validate + order

type LibTime = { build: number; sort: number; total: number } | { skipped: string };
interface OrderRow { n: number; edges: number; wasm: number; reference: number; libs: Record<string, LibTime> }

/** Each library: build its graph from the edge list (timed apart), then sort (which validates). */
const libraries: Record<string, (g: RandomDag, names: string[]) => { build: () => unknown; sort: (built: any) => string[] }> = {
  "@dagrejs/graphlib": (g, names) => ({
    build: () => {
      const graph = new GraphlibGraph({ directed: true });
      for (const name of names) graph.setNode(name);
      for (let e = 0; e < g.from.length; e++) graph.setEdge(names[g.from[e]!]!, names[g.to[e]!]!);
      return graph;
    },
    sort: (graph) => alg.topsort(graph),
  }),
  "graphology-dag": (g, names) => ({
    build: () => {
      const graph = new DirectedGraph();
      for (const name of names) graph.addNode(name);
      for (let e = 0; e < g.from.length; e++) graph.addEdge(names[g.from[e]!]!, names[g.to[e]!]!);
      return graph;
    },
    sort: (graph) => graphologySort(graph),
  }),
  toposort: (g, names) => ({
    build: () => Array.from(g.from, (f, e) => [names[f]!, names[g.to[e]!]!] as [string, string]),
    sort: (edges) => toposort.array(names, edges),
  }),
};

/**
 * Extrapolates a library's time to n nodes with the growth it showed between its last two sizes.
 * Linear extrapolation was too hopeful: from 10k to 100k nodes graphlib grew 15×, graphology-dag
 * 19× and toposort 37× (cache misses, GC), and graphology-dag then took 49 s at 1M, not 17.
 */
function predictMs(runs: { n: number; ms: number }[], n: number): number {
  const [prev, last] = runs.slice(-2);
  if (!last) return 0;
  const exponent = prev ? Math.max(1, Math.log(last.ms / prev.ms) / Math.log(last.n / prev.n)) : 1;
  return last.ms * (n / last.n) ** exponent;
}

async function benchOrder(): Promise<OrderRow[]> {
  const wasm = await loadWasmCore();
  const ref = referenceCore();
  const rows: OrderRow[] = [];
  const history: Record<string, { n: number; ms: number }[]> = {};
  for (const n of SIZES) {
    const g = randomDag(n);
    const reps = quick ? 5 : n <= 10_000 ? 31 : n <= 100_000 ? 11 : 5;
    const check = wasm.analyze(g.offsets, g.targets, n);
    if (!check.ok) throw new Error("generator made a cycle");
    assertOrder(g, check.order);
    const row: OrderRow = {
      n,
      edges: g.targets.length,
      wasm: timeMs(() => wasm.analyze(g.offsets, g.targets, n), reps, 2),
      reference: timeMs(() => ref.analyze(g.offsets, g.targets, n), reps, 2),
      libs: {},
    };
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    for (const [lib, make] of Object.entries(libraries)) {
      const predicted = predictMs(history[lib] ?? [], n);
      if (predicted > LIBRARY_BUDGET_MS) {
        row.libs[lib] = { skipped: `predicted ≈ ${(predicted / 1000).toFixed(0)} s` };
        continue;
      }
      const { build, sort } = make(g, names);
      const libReps = quick ? 1 : n <= 10_000 ? 7 : 3;
      const builds: number[] = [];
      const sorts: number[] = [];
      for (let r = 0; r < libReps + 1; r++) {
        Bun.gc(true);
        const t0 = performance.now();
        const built = build();
        const t1 = performance.now();
        const order = sort(built);
        const t2 = performance.now();
        if (r === 0) assertOrder(g, order.map((s) => s.slice(1)));
        else builds.push(t1 - t0), sorts.push(t2 - t1);
      }
      const time = { build: median(builds), sort: median(sorts), total: median(builds.map((b, i) => b + sorts[i]!)) };
      row.libs[lib] = time;
      (history[lib] ??= []).push({ n, ms: time.total });
    }
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------- ready set

/** A task mid-run: the first 40% of the topological order complete, 5% running, 2% retrying, rest pending. */
function midRunVector(dag: CompiledDag): StepVector {
  const n = dag.size;
  const v: StepVector = { states: new Uint8Array(n), attempts: new Int32Array(n), maxAttempts: new Int32Array(n).fill(3), retryDue: new Uint8Array(n) };
  dag.order.forEach((step, k) => {
    const f = k / n;
    v.states[step] = f < 0.4 ? StepStateCode.complete : f < 0.45 ? StepStateCode.in_progress : f < 0.47 ? StepStateCode.waiting_for_retry : StepStateCode.pending;
    if (v.states[step] === StepStateCode.waiting_for_retry) (v.attempts[step] = 1), (v.retryDue[step] = k % 2);
  });
  return v;
}

function taskDag(n: number): CompiledDag {
  const g = randomDag(n, 7);
  const deps: string[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < g.from.length; e++) deps[g.to[e]!]!.push(`s${g.from[e]}`);
  return compileDag(deps.map((dependsOn, i) => ({ name: `s${i}`, dependsOn })));
}

// One readiness query in the style of Tasker's get_step_readiness_status: per step, compare the
// number of parents with the number of satisfied parents; pending, or retry due with attempts left.
const SCHEMA = `
  CREATE TEMP TABLE dag_bench_steps (task_id int, idx int, state smallint, attempts int, max_attempts int, run_at timestamptz, PRIMARY KEY (task_id, idx));
  CREATE TEMP TABLE dag_bench_edges (task_id int, parent_idx int, child_idx int);
  CREATE INDEX ON dag_bench_edges (task_id, child_idx);`;
const READY_SQL = `
  SELECT s.idx FROM dag_bench_steps s
  LEFT JOIN dag_bench_edges e ON e.task_id = s.task_id AND e.child_idx = s.idx
  LEFT JOIN dag_bench_steps p ON p.task_id = e.task_id AND p.idx = e.parent_idx
  WHERE s.task_id = $1
  GROUP BY s.idx, s.state, s.attempts, s.max_attempts, s.run_at
  HAVING (s.state = ${StepStateCode.pending} OR (s.state = ${StepStateCode.waiting_for_retry} AND s.run_at <= now() AND s.attempts < s.max_attempts))
     AND COUNT(e.parent_idx) = COUNT(CASE WHEN p.state IN (${StepStateCode.complete}, ${StepStateCode.resolved_manually}, ${StepStateCode.skipped}) THEN 1 END)
  ORDER BY s.idx`;
const INSERT_STEPS = `INSERT INTO dag_bench_steps SELECT $1, i, st, a, m, CASE WHEN due THEN now() - interval '1 minute' ELSE now() + interval '1 hour' END
  FROM unnest($2::int[], $3::smallint[], $4::int[], $5::int[], $6::bool[]) AS t(i, st, a, m, due)`;
const INSERT_EDGES = `INSERT INTO dag_bench_edges SELECT $1, p, c FROM unnest($2::int[], $3::int[]) AS t(p, c)`;

type Query = (text: string, params: unknown[]) => Promise<{ idx: number }[]>;

/** Arrays go over as Postgres array literals: every driver passes text, and the SQL casts it. */
const pgArray = (xs: ArrayLike<number | boolean>) => `{${Array.from(xs).join(",")}}`;

async function loadTask(query: Query, taskId: number, dag: CompiledDag, v: StepVector) {
  const idx = Array.from({ length: dag.size }, (_, i) => i);
  const due = Array.from(v.retryDue, Boolean);
  await query(INSERT_STEPS, [taskId, pgArray(idx), pgArray(v.states), pgArray(v.attempts), pgArray(v.maxAttempts), pgArray(due)]);
  const parents: number[] = [];
  const children: number[] = [];
  for (let c = 0; c < dag.size; c++) for (const p of dag.parentsOf(c)) parents.push(p), children.push(c);
  await query(INSERT_EDGES, [taskId, pgArray(parents), pgArray(children)]);
}

async function timeQueryUs(query: Query, taskId: number, expected: Int32Array, reps: number): Promise<number> {
  const rows = await query(READY_SQL, [taskId]);
  if (rows.map((r) => r.idx).join() !== [...expected].join()) throw new Error(`SQL ready set differs for task ${taskId}`);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await query(READY_SQL, [taskId]);
    times.push(performance.now() - t);
  }
  return median(times) * 1000;
}

interface ReadyRow { steps: number; edges: number; ready: number; wasmUs: number; referenceUs: number; pgliteUs: number; postgresUs?: number }

/** Per-call time: batches of calls worth ≈ 1–2 ms each after a generous warm-up, median over batches. */
function perCallUs(fn: () => void, work: number): number {
  const k = Math.max(10, Math.floor(200_000 / work));
  return (timeMs(() => { for (let i = 0; i < k; i++) fn(); }, quick ? 11 : 41, 20) * 1000) / k;
}

async function benchReady(): Promise<ReadyRow[]> {
  const wasm = await loadWasmCore();
  const ref = referenceCore();
  const tasks = TASK_SIZES.map((n) => {
    const dag = taskDag(n);
    const v = midRunVector(dag);
    const expected = wasm.readySet(dag, v);
    if (ref.readySet(dag, v).join() !== expected.join()) throw new Error("cores disagree");
    return { n, dag, v, expected };
  });
  // The in-process cores are timed before any database starts, so its threads and GC stay out.
  const rows: ReadyRow[] = tasks.map(({ n, dag, v, expected }) => ({
    steps: n,
    edges: dag.parentTargets.length,
    ready: expected.length,
    wasmUs: perCallUs(() => wasm.readySet(dag, v), n + dag.parentTargets.length),
    referenceUs: perCallUs(() => ref.readySet(dag, v), n + dag.parentTargets.length),
    pgliteUs: NaN,
  }));
  const pg = new PGlite();
  await pg.exec(SCHEMA);
  const pglite: Query = async (text, params) => (await pg.query<{ idx: number }>(text, params)).rows;
  const url = process.env.BENCH_DATABASE_URL;
  const sql = url ? postgres(url, { max: 1, onnotice: () => {} }) : undefined;
  const pgjs: Query | undefined = sql && (async (text, params) => (await sql.unsafe(text, params as never[])) as unknown as { idx: number }[]);
  try {
    if (pgjs) await sql!.unsafe(SCHEMA);
    for (const [k, { n, dag, v, expected }] of tasks.entries()) {
      const reps = quick ? 5 : n <= 1_000 ? 41 : 11;
      await loadTask(pglite, n, dag, v);
      await pglite("ANALYZE", []);
      rows[k]!.pgliteUs = await timeQueryUs(pglite, n, expected, reps);
      if (pgjs) {
        await loadTask(pgjs, n, dag, v);
        await pgjs("ANALYZE dag_bench_steps", []);
        await pgjs("ANALYZE dag_bench_edges", []);
        rows[k]!.postgresUs = await timeQueryUs(pgjs, n, expected, reps);
      }
    }
  } finally {
    await pg.close();
    await sql?.end();
  }
  return rows;
}

// ---------------------------------------------------------------- report

const fmt = (x: number, digits = 1) => x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

function libCell(t: LibTime | undefined): string {
  if (!t) return "-";
  return "skipped" in t ? "skipped" : `${fmt(t.build, 0)} + ${fmt(t.sort, 0)} = ${fmt(t.total, 0)}`;
}

const orderRows = await benchOrder();
const readyRows = await benchReady();

console.log("\nvalidate + order, median ms (libraries: build graph + sort = total)");
const w1 = [10, 9, 9, 11, 28, 28, 24];
console.log(pad(["nodes", "edges", "wasm", "reference", "@dagrejs/graphlib", "graphology-dag", "toposort"], w1));
for (const r of orderRows) {
  console.log(pad([r.n.toLocaleString("en"), r.edges.toLocaleString("en"), fmt(r.wasm, 2), fmt(r.reference, 2),
    libCell(r.libs["@dagrejs/graphlib"]), libCell(r.libs["graphology-dag"]), libCell(r.libs.toposort)], w1));
}
for (const r of orderRows) {
  for (const [lib, t] of Object.entries(r.libs)) if ("skipped" in t) console.log(`  ${lib} at ${r.n.toLocaleString("en")} nodes skipped: ${t.skipped} (budget 20 s)`);
}
console.log(`  load average at start: ${LOAD_AT_START} (2 cores)`);

console.log("\nready set per call, median µs (WASM includes copying the task's state and CSR in)");
const hasPg = readyRows.some((r) => r.postgresUs !== undefined);
const w2 = [8, 8, 7, 9, 11, 12, 9, 14, 9];
console.log(pad(["steps", "edges", "ready", "wasm", "reference", "SQL PGlite", "÷ wasm", ...(hasPg ? ["SQL Postgres", "÷ wasm"] : [])], w2));
for (const r of readyRows) {
  const pgCells = r.postgresUs === undefined ? [] : [fmt(r.postgresUs, 0), `${fmt(r.postgresUs / r.wasmUs, 0)}×`];
  console.log(pad([r.steps.toLocaleString("en"), r.edges.toLocaleString("en"), String(r.ready), fmt(r.wasmUs, 2), fmt(r.referenceUs, 2),
    fmt(r.pgliteUs, 0), `${fmt(r.pgliteUs / r.wasmUs, 0)}×`, ...pgCells], w2));
}

const at100k = orderRows.find((r) => r.n === 100_000);
const ready1k = readyRows.find((r) => r.steps === 1_000)!;
const total = (t: LibTime | undefined) => (t && !("skipped" in t) ? t.total : undefined);
const ratio = (a: number | undefined, b: number) => (a === undefined ? undefined : a / b);
const targets = {
  order100kWasmMs: at100k?.wasm,
  order100kWasmMet: at100k ? at100k.wasm <= 15 : undefined,
  order100kSpeedupGraphlib: at100k && ratio(total(at100k.libs["@dagrejs/graphlib"]), at100k.wasm),
  order100kSpeedupGraphology: at100k && ratio(total(at100k.libs["graphology-dag"]), at100k.wasm),
  ready1kWasmUs: ready1k.wasmUs,
  ready1kWasmMet: ready1k.wasmUs <= 10,
  ready1kSpeedupPglite: ready1k.pgliteUs / ready1k.wasmUs,
  ready1kSpeedupPostgres: ratio(ready1k.postgresUs, ready1k.wasmUs),
};
console.log("\ntargets: 100k validate+order in WASM ≤ 15 ms and ≥ 50× graphlib/graphology; 1k-step ready set ≤ 10 µs and ≥ 100× SQL");
for (const [k, v] of Object.entries(targets)) console.log(`  ${k}: ${typeof v === "number" ? fmt(v, 2) : v ?? "n/a (not measured in --quick)"}`);

const cpu = cpus();
console.log(JSON.stringify({
  bench: "dag-core",
  backend: "none",
  runtime: `bun ${Bun.version}`,
  metrics: { quick, validateOrderMs: orderRows, readySetUs: readyRows, targets },
  machine: { cpus: cpu.length, model: cpu[0]?.model ?? "unknown", memGiB: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString(), loadAtStart: LOAD_AT_START },
}));
