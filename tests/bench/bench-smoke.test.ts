/*
 * Every bench runs end to end in its tiny --smoke mode on PGlite and ends with one JSON result
 * line of the documented shape. No timing is asserted: benchmarks measure, tests do not.
 * The benches run as separate processes, three at a time, to keep the file near 30 s.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BENCH_DIR = join(import.meta.dir, "../../bench");

/** Each bench and the metric keys its smoke result must carry. */
const BENCHES: Record<string, { args: string[]; keys: string[] }> = {
  throughput: { args: ["--smoke"], keys: ["stepsPerSec", "drainMs", "submitTasksPerSec", "drainPerStep", "runs"] },
  chains: { args: ["--smoke"], keys: ["stepsPerSec", "handoffMs", "handlerHandoffMs", "runs"] },
  diamonds: { args: ["--smoke"], keys: ["tasksPerSec", "latencyMs", "handoffMs", "runs"] },
  handoff: { args: ["--smoke"], keys: ["handoffMs", "handlerHandoffMs", "runs"] },
  "http-create": { args: ["--smoke"], keys: ["tasksPerSec", "latencyMs", "created", "runs"] },
  memory: { args: ["--smoke"], keys: ["idleMiB", "peakMiB", "created", "runs"] },
  startup: { args: ["--smoke"], keys: ["firstStartMs", "secondStartMs", "runs"] },
  fanout: { args: ["--smoke"], keys: ["children"] },
  "dag-core": { args: ["--quick"], keys: ["readySetUs", "targets"] },
};

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const outcomes = new Map<string, Outcome>();

async function run(name: string): Promise<void> {
  const spec = BENCHES[name]!;
  const extra = name === "dag-core" ? spec.args : ["--backend", "pglite", ...spec.args];
  const proc = Bun.spawn(["bun", join(BENCH_DIR, `${name}.ts`), ...extra], {
    env: { ...process.env, BENCH_DATABASE_URL: "", DATABASE_URL: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  outcomes.set(name, { code: await proc.exited, stdout, stderr });
}

beforeAll(async () => {
  const queue = Object.keys(BENCHES);
  await Promise.all(Array.from({ length: 3 }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await run(name);
  }));
}, 120_000);

function resultLine(o: Outcome): Record<string, any> {
  const line = o.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line);
}

describe("bench --smoke", () => {
  for (const [name, spec] of Object.entries(BENCHES)) {
    test(`${name} exits 0 and ends with its JSON result line`, () => {
      const o = outcomes.get(name)!;
      if (o.code !== 0) console.error(o.stdout.slice(-2000), o.stderr.slice(-2000));
      expect(o.code).toBe(0);
      const r = resultLine(o);
      expect(r.bench).toBe(name);
      expect(r.backend).toBe(name === "dag-core" ? "none" : "pglite");
      expect(r.runtime).toMatch(/^bun /);
      expect(Object.keys(r.machine)).toEqual(expect.arrayContaining(["cpus", "model", "memGiB", "date"]));
      expect(Number.isNaN(Date.parse(r.machine.date))).toBe(false);
      expect(Object.keys(r.metrics)).toEqual(expect.arrayContaining(spec.keys));
    });
  }

  test("fanout says why it has no number while child tasks do not exist", () => {
    const r = resultLine(outcomes.get("fanout")!);
    if (r.metrics.skipped !== undefined) expect(r.metrics.skipped).toMatch(/child tasks|spawn/);
  });

  test("the drain benches count the statements they caused", () => {
    const r = resultLine(outcomes.get("throughput")!);
    expect(r.metrics.drainPerStep.statements).toBeGreaterThan(0);
    expect(r.metrics.submitPerTask.statements).toBeGreaterThan(0);
  });

  test("the runner passes a bench's JSON line through and writes it to --out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-run-"));
    try {
      const out = join(dir, "results.jsonl");
      const proc = Bun.spawn(["bun", join(BENCH_DIR, "run.ts"), "fanout", "--smoke", "--out", out], {
        env: { ...process.env, BENCH_DATABASE_URL: "", DATABASE_URL: "" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const stdout = await new Response(proc.stdout).text();
      expect(await proc.exited).toBe(0);
      expect(stdout).toContain("== summary: pglite");
      const lines = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => l.bench)).toEqual(["fanout"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
