/*
 * Benchmark template: the diamond A → B, C → D with no-op handlers (bench/diamonds.ts,
 * bench/http-create.ts). D is the join whose two parents may finish in different batches.
 */
import { noop } from "../../lib/probe.ts";
import { defineTask } from "../../../src/index.ts";

export default defineTask({
  name: "diamond",
  version: "1.0.0",
  description: "A → B, C → D, no-op steps",
  identity: "unique",
  steps: {
    a: { handler: noop },
    b: { dependsOn: ["a"], handler: noop },
    c: { dependsOn: ["a"], handler: noop },
    d: { dependsOn: ["b", "c"], handler: noop },
  },
});
