/*
 * Batch workers: `plan` splits `rows` into cursor ranges; the engine runs `import_rows` once per
 * range, as separate steps that run in parallel; each checkpoints its progress, so a retry
 * resumes where the failed attempt last saved instead of starting over; `report` receives every
 * batch's result in plan order.
 */
import { z } from "zod";
import { cursorRanges, defineTask, type BatchOutcome, type StepContext } from "../../src/index.ts";

const Input = z.object({
  rows: z.number().int().min(0).max(10_000_000),
  batch_size: z.number().int().min(1).max(1_000_000).default(1_000),
});
type Input = z.output<typeof Input>;

type Progress = { imported: number; checksum: number };

export default defineTask({
  name: "batch_import",
  version: "1.0.0",
  description: "Import rows in parallel batches with checkpoints, then report",
  context: Input,
  steps: {
    plan: { handler: (ctx: StepContext<Input>) => ({ batches: cursorRanges(ctx.context.rows, ctx.context.batch_size) }) },
    import_rows: {
      dependsOn: ["plan"],
      batch: { onFailure: "isolate", maxWorkers: 1_000 },
      handler: async (ctx: StepContext<Input>) => {
        const batch = ctx.batch!;
        const saved = batch.checkpoint?.state as Progress | undefined;
        const progress: Progress = saved ? { ...saved } : { imported: 0, checksum: 0 };
        const from = batch.checkpoint ? Number(batch.checkpoint.cursor) : Number(batch.start);
        for (let row = from; row < Number(batch.end); row++) {
          // "Import" one row: here, fold it into a checksum.
          progress.imported++;
          progress.checksum = (progress.checksum * 31 + row) % 1_000_000_007;
          if (progress.imported % 500 === 0) await batch.save(row + 1, progress);
        }
        return progress;
      },
    },
    report: {
      dependsOn: ["import_rows"],
      handler: (ctx: StepContext<Input, { import_rows: BatchOutcome[] }>) => ({
        batches: ctx.deps.import_rows.length,
        imported: ctx.deps.import_rows.reduce((n, b) => n + ((b.result as Progress | undefined)?.imported ?? 0), 0),
      }),
    },
  },
});
