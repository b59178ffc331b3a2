/*
 * Handlers for ci_pipeline.yaml (tasker-core's CI DAG), keyed by handler_class. Both integration
 * partitions share Ci::IntegrationTests; the step name tells them apart.
 */
import type { StepContext } from "../../src/index.ts";
import { analysePerformance, ciContext, gate, runIntegrationPartition, runJob, type CiContext } from "./_jobs.ts";

export const context = ciContext;

const job = (ctx: StepContext<CiContext>) => runJob(ctx);

export const handlers = {
  "Ci::BuildPostgres": job,
  "Ci::CodeQuality": job,
  "Ci::WorkspaceCompile": job,
  "Ci::UnitTests": job,
  "Ci::BuildWorkers": job,
  "Ci::WorkerTests": job,
  "Ci::IntegrationTests": (ctx: StepContext<CiContext>) => runIntegrationPartition(ctx),
  "Ci::PerformanceAnalysis": (ctx: StepContext<CiContext>) => analysePerformance(ctx.deps),
  "Ci::Success": (ctx: StepContext<CiContext>) => gate(ctx.deps),
};
