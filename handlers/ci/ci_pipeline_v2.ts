/*
 * ci_pipeline 2.0.0: tasker-core's CI DAG (ci_pipeline.yaml) as a native module. Same ten steps
 * and edges; the flaky test jobs get a short backoff of their own.
 */
import { defineTask, type RetryPolicyInput, type StepContext } from "../../src/index.ts";
import { analysePerformance, ciContext, gate, runIntegrationPartition, runJob, type CiContext } from "./_jobs.ts";

const job = (ctx: StepContext<CiContext>) => runJob(ctx);
const flaky: RetryPolicyInput = { maxAttempts: 2, backoff: "linear", baseMs: 5000 };

export default defineTask({
  name: "ci_pipeline",
  version: "2.0.0",
  description: "Build, test and gate a commit: fan-out after the build, fan-in at the gate",
  context: ciContext,
  steps: {
    build_postgres: { description: "Build and cache PostgreSQL with the queue extension", handler: job },
    code_quality: { dependsOn: ["build_postgres"], description: "fmt, clippy, audit, doc", handler: job },
    workspace_compile: { dependsOn: ["build_postgres"], description: "Build the core crates", handler: job },
    unit_tests: { dependsOn: ["workspace_compile"], description: "Library tests and doctests", handler: job },
    build_workers: { dependsOn: ["workspace_compile"], description: "Compile the worker packages", handler: job },
    worker_tests: { dependsOn: ["build_workers"], retry: flaky, handler: job },
    integration_tests_1: { dependsOn: ["build_workers"], retry: flaky, handler: runIntegrationPartition },
    integration_tests_2: { dependsOn: ["build_workers"], retry: flaky, handler: runIntegrationPartition },
    performance_analysis: {
      dependsOn: ["worker_tests", "integration_tests_1", "integration_tests_2"],
      handler: (ctx) => analysePerformance(ctx.deps),
    },
    ci_success: {
      dependsOn: ["code_quality", "unit_tests", "performance_analysis"],
      description: "Final gate; passes only if every required job succeeded",
      handler: (ctx) => gate(ctx.deps),
    },
  },
});
