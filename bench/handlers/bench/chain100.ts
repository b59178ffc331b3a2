/*
 * Benchmark template: 100 no-op steps in a line (bench/handoff.ts). Run alone, it measures the
 * unloaded parent → child handoff 99 times per task.
 */
import { defineTask, type NamedStepSpec } from "../../../src/index.ts";
import { noop } from "../../lib/probe.ts";

const LENGTH = 100;
const name = (i: number) => `s${String(i).padStart(3, "0")}`;
const steps: NamedStepSpec[] = Array.from({ length: LENGTH }, (_, i) => ({
  name: name(i),
  ...(i > 0 ? { dependsOn: [name(i - 1)] } : {}),
  handler: noop,
}));

export default defineTask({
  name: "chain100",
  version: "1.0.0",
  description: "One hundred no-op steps in a line",
  identity: "unique",
  steps,
});
