/*
 * Simulated CI jobs shared by ci_pipeline 1.0.0 (YAML), 2.0.0 (TypeScript) and embeddenator_ci.
 * Each job derives a duration and counts from the commit sha, so a given commit always produces
 * the same results, and can be told to fail through the context.
 */
import { z } from "zod";
import { PermanentError } from "../../src/index.ts";

export const ciContext = z.object({
  commit_sha: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a hex commit sha"),
  branch: z.string().min(1).default("main"),
  /** Names of jobs that should report failing tests (to exercise failure paths). */
  failing_jobs: z.array(z.string()).optional(),
  arm64_runner_available: z.boolean().optional(),
});
export type CiContext = z.output<typeof ciContext>;

export type JobResult = { job: string; status: "passed"; duration_ms: number; checks: number };

/** A small deterministic hash (FNV-1a, 32 bit) of the sha and the job name. */
function seed(sha: string, job: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${sha}:${job}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Runs (simulates) one job; a job listed in failing_jobs fails permanently, as a red test would. */
export function runJob(ctx: { context: CiContext; stepName: string }): JobResult {
  const job = ctx.stepName;
  if (ctx.context.failing_jobs?.includes(job)) throw new PermanentError(`${job}: tests failed on ${ctx.context.commit_sha.slice(0, 7)}`);
  const s = seed(ctx.context.commit_sha, job);
  return { job, status: "passed", duration_ms: 20_000 + (s % 100_000), checks: 10 + (s % 400) };
}

/** One partition of the integration suite; the step name ("…_2") says which. */
export function runIntegrationPartition(ctx: { context: CiContext; stepName: string }) {
  return { ...runJob(ctx), partition: Number(/_(\d+)$/.exec(ctx.stepName)?.[1] ?? 1) };
}

/** Compares the test jobs' durations with a budget; fails when the slowest exceeds it. */
export function analysePerformance(deps: Readonly<Record<string, unknown>>, budgetMs = 150_000) {
  const jobs = Object.values(deps) as JobResult[];
  const slowest = jobs.reduce((a, b) => (b.duration_ms > a.duration_ms ? b : a));
  if (slowest.duration_ms > budgetMs) throw new PermanentError(`${slowest.job} took ${slowest.duration_ms} ms, over the ${budgetMs} ms budget`);
  return { jobs: jobs.length, slowest: slowest.job, slowest_ms: slowest.duration_ms, budget_ms: budgetMs };
}

/** The final gate: every dependency must have passed. */
export function gate(deps: Readonly<Record<string, unknown>>) {
  const names = Object.keys(deps).sort();
  return { status: "passed", required: names };
}
