/*
 * Benchmark template: the child task of bench/fanout.ts — one no-op step. It lives in its own
 * namespace so that the fan-out bench can serve children with a second engine and count the
 * dispatching engine's statements alone.
 */
import { noop } from "../../lib/probe.ts";
import { defineTask } from "../../../src/index.ts";

export default defineTask({
  name: "leaf",
  version: "1.0.0",
  description: "One no-op step, spawned by bench/fanout",
  identity: "unique",
  steps: { only: { handler: noop } },
});
