/**
 * Question: how fast do dependent steps flow — steps/s and parent → child handoff — when 2,000
 * chains of 5 no-op steps run at once?
 *
 *   bun run bench chains [--backend pglite|postgres] [--runs 3] [--tasks 2000] [--smoke]
 *
 * All tasks are submitted first with the workers off, then one engine drains them; 8,000 of the
 * 10,000 steps are handoffs. Two handoff measures: from the audit trail (the child's first
 * in_progress transition minus its parent's complete transition, database clock) and as the
 * handlers saw it (child handler started minus parent handler ran, this process's clock).
 */
import { drainBench } from "./lib/drain-bench.ts";

await drainBench({ bench: "chains", template: "chain5", tasks: { postgres: 2_000, pglite: 2_000, smoke: 40 }, handoffs: true });
