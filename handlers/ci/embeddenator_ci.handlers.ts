/*
 * Handlers for embeddenator_ci.yaml. The ARM64 stage needs a self-hosted runner that does not
 * exist yet: without one it reports that it did not run (an operator may also skip it, as the
 * template marks it skippable).
 */
import type { StepContext } from "../../src/index.ts";
import { ciContext, runJob, type CiContext } from "./_jobs.ts";

export const context = ciContext;

export const handlers = {
  "Ci::PreChecks": (ctx: StepContext<CiContext>) => runJob(ctx),
  "Ci::Amd64": (ctx: StepContext<CiContext>) => runJob(ctx),
  "Ci::Arm64": (ctx: StepContext<CiContext>) =>
    ctx.context.arm64_runner_available ? runJob(ctx) : { job: ctx.stepName, status: "not_run", reason: "no ARM64 runner available" },
};
