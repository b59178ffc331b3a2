import { expect, test } from "bun:test";
import { join } from "node:path";

const CLI = join(import.meta.dir, "../src/cli/index.ts");

async function run(...args: string[]) {
  const proc = Bun.spawn(["bun", CLI, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, DATABASE_URL: "" } });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

test("tasker visualize prints the DAG as a Mermaid flowchart with every edge", async () => {
  const { code, stdout } = await run("visualize", "ci/ci_pipeline", "--version", "1.0.0");
  expect(code).toBe(0);
  const lines = stdout.trim().split("\n");
  expect(lines[0]).toBe("flowchart TD");
  const edges = lines.filter((l) => l.includes("-->")).map((l) => l.trim());
  expect(edges).toContain("build_postgres --> code_quality");
  expect(edges).toContain("performance_analysis --> ci_success");
  expect(edges.length).toBe(13);
});

test("unknown commands and names fail with one line and a non-zero exit", async () => {
  const unknown = await run("frobnicate");
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr.trim()).toStartWith("tasker-edge: usage: tasker <serve|work|migrate");
  const traversal = await run("visualize", "../etc/passwd");
  expect(traversal.code).not.toBe(0);
  expect(traversal.stderr.trim().split("\n").length).toBe(1);
});
