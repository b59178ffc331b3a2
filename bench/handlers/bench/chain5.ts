/*
 * Benchmark template: five no-op steps, each depending on the one before (bench/chains.ts).
 * Every step but the first is a parent → child handoff.
 */
import { noop } from "../../lib/probe.ts";
import { defineTask } from "../../../src/index.ts";

export default defineTask({
  name: "chain5",
  version: "1.0.0",
  description: "Five no-op steps in a line",
  identity: "unique",
  steps: {
    s1: { handler: noop },
    s2: { dependsOn: ["s1"], handler: noop },
    s3: { dependsOn: ["s2"], handler: noop },
    s4: { dependsOn: ["s3"], handler: noop },
    s5: { dependsOn: ["s4"], handler: noop },
  },
});
