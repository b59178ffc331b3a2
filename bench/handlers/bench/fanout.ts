/*
 * Benchmark template: one step that spawns `children` child tasks (bench_child/leaf) through
 * ctx.spawn and is joined when they are all done (bench/fanout.ts). Where the engine has no
 * ctx.spawn the step says so through the probe and completes at once.
 */
import { z } from "zod";
import { mark } from "../../lib/probe.ts";
import { defineTask } from "../../../src/index.ts";

const Input = z.object({ children: z.number().int().min(1).max(1_000_000), chunk: z.number().int().min(1).max(10_000).optional() });

interface SpawnCall {
  (spec: { namespace: string; name: string; items: (cursor: number) => Iterable<object>; context: () => Record<string, unknown>; chunkSize?: number }): Promise<{ dispatched: number; total: number }>;
}

/** Items from `cursor` to `n`: a resumed dispatch restarts where the last one stopped. */
function* range(cursor: number, n: number): Iterable<object> {
  for (let i = cursor; i < n; i++) yield {};
}

export default defineTask({
  name: "fanout",
  version: "1.0.0",
  description: "Spawn N no-op child tasks and join them",
  identity: "unique",
  context: Input,
  steps: {
    dispatch: {
      timeoutMs: 600_000,
      handler: async (ctx) => {
        // Read through an optional type: the bench must load (and report "skipped") on an
        // engine whose step context has no spawn.
        const spawn = (ctx as unknown as { spawn?: SpawnCall }).spawn;
        if (typeof spawn !== "function") {
          mark(ctx.taskId, "dispatch:unsupported");
          return null;
        }
        mark(ctx.taskId, "dispatch:start");
        const n = ctx.context.children;
        const receipt = await spawn.call(ctx, {
          namespace: "bench_child",
          name: "leaf",
          items: (cursor) => range(cursor, n),
          context: () => ({}),
          ...(ctx.context.chunk ? { chunkSize: ctx.context.chunk } : {}),
        });
        mark(ctx.taskId, "dispatch:end");
        return { dispatched: receipt.dispatched };
      },
    },
  },
});
