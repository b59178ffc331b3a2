/**
 * Question: how many independent no-op steps per second does one engine drain?
 *
 *   bun run bench throughput [--backend pglite|postgres] [--runs 3] [--tasks 20000] [--smoke]
 *
 * 20,000 single-step tasks are submitted first with the workers off (through submitMany in
 * chunks when the engine has it, else 64 submissions in flight; the submit rate is reported
 * apart), then one engine starts and drains them. steps/s = steps ÷ (first claim → last task
 * completed, on the database clock). Each run gets a fresh database; headline = median of runs.
 */
import { drainBench } from "./lib/drain-bench.ts";

await drainBench({ bench: "throughput", template: "single", tasks: { postgres: 20_000, pglite: 20_000, smoke: 200 }, handoffs: false });
