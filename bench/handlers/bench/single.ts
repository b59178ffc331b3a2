/*
 * Benchmark template: one no-op step. Measures the engine's per-step cost with nothing to hand
 * off (bench/throughput.ts, bench/memory.ts).
 */
import { noop } from "../../lib/probe.ts";
import { defineTask } from "../../../src/index.ts";

export default defineTask({
  name: "single",
  version: "1.0.0",
  description: "One no-op step",
  identity: "unique",
  steps: { only: { handler: noop } },
});
