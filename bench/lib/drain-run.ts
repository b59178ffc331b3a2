import type { EngineOptions } from "../../src/engine/config.ts";
import type { Backend } from "./args.ts";
import { roundTrips, type Counts } from "./counting-db.ts";
import { openBenchDatabase } from "./database.ts";
import { buildBenchEngine, submitAll, submitMode, waitForCompletion } from "./harness.ts";
import { disableProbe, enableProbe } from "./probe.ts";
import { progress } from "./report.ts";
import { drainWindowMs, handlerHandoffsMs, transitionHandoffsMs } from "./timings.ts";

export interface DrainRunInput {
  backend: Backend;
  label: string;
  /** Template name in the bench namespace. */
  template: string;
  tasks: number;
  /** How to submit (see submitAll): chunked submitMany when the engine has it, else per task. */
  submit: { inFlight: number; chunk: number };
  engine: EngineOptions;
  timeoutMs: number;
  /** Collect handoff samples (templates with dependencies). */
  handoffs: boolean;
}

export interface DrainRunResult {
  submitMode: string;
  tasks: number;
  steps: number;
  submitMs: number;
  submitPerSec: number;
  /** First claim to last completion, database clock. */
  drainMs: number;
  drainStepsPerSec: number;
  /** Wall time from engine.start() until the poller saw every task complete (≥ drainMs). */
  drainWallMs: number;
  submitCounts: Counts;
  drainCounts: Counts;
  transitionHandoffs: number[];
  handlerHandoffs: number[];
}

/**
 * The "submitted in bulk, then drained" shape: every task is written with the workers off, then
 * one engine starts and drains them. Submission and drain are measured apart, with the
 * statements each sent.
 */
export async function drainRun(input: DrainRunInput): Promise<DrainRunResult> {
  const bdb = await openBenchDatabase(input.backend, input.label);
  try {
    const be = await buildBenchEngine(bdb.db, input.engine);
    const template = be.registry.resolve("bench", input.template);
    const steps = input.tasks * template.dag.size;
    const mode = submitMode(be.engine, input.submit);
    const submitted = await submitAll(be.engine, input.tasks, () => ({ namespace: "bench", name: input.template, context: {} }), {
      ...input.submit,
      onProgress: progress(`submit ${input.template}`),
    });
    const submitCounts = be.resetCounts();
    const marks = enableProbe();
    const t0 = performance.now();
    await be.engine.start();
    try {
      await waitForCompletion(bdb.db, input.tasks, { timeoutMs: input.timeoutMs, marks, steps, onProgress: progress(`drain ${input.template} (tasks)`) });
    } finally {
      await be.engine.stop({ drainMs: 5_000 });
    }
    const drainWallMs = performance.now() - t0;
    const drainCounts = be.resetCounts();
    const drainMs = await drainWindowMs(bdb.db);
    const handlerHandoffs = input.handoffs ? handlerHandoffsMs(marks, template, submitted.ids) : [];
    disableProbe();
    const transitionHandoffs = input.handoffs ? await transitionHandoffsMs(bdb.db) : [];
    return {
      submitMode: mode,
      tasks: input.tasks,
      steps,
      submitMs: submitted.ms,
      submitPerSec: (input.tasks / submitted.ms) * 1000,
      drainMs,
      drainStepsPerSec: (steps / drainMs) * 1000,
      drainWallMs,
      submitCounts,
      drainCounts,
      transitionHandoffs,
      handlerHandoffs,
    };
  } finally {
    disableProbe();
    await bdb.close();
  }
}

/** Statements and round trips per unit, for the JSON line. */
export function perUnit(c: Counts, units: number): { statements: number; roundTrips: number } {
  return { statements: Math.round((c.statements / units) * 1000) / 1000, roundTrips: Math.round((roundTrips(c) / units) * 1000) / 1000 };
}
