import type { Backend } from "./args.ts";

/** One bench's final JSON line, as bench/run.ts reads it back. */
export interface BenchResult {
  bench: string;
  backend: string;
  runtime: string;
  metrics: Record<string, any>;
  machine: Record<string, unknown>;
}

export interface TargetCheck {
  bench: string;
  what: string;
  target: string;
  measured: number | string;
  met: boolean | null;
}

interface Target {
  bench: string;
  backend: Backend;
  what: string;
  target: string;
  value: (m: Record<string, any>) => number | undefined;
  ok: (v: number) => boolean;
}

/** The targets of the performance issue (Postgres unless said; medians of ≥ 3 runs) and the fan-out issue. */
export const TARGETS: readonly Target[] = [
  { bench: "throughput", backend: "postgres", what: "steps/s", target: "≥ 15,000", value: (m) => m.stepsPerSec, ok: (v) => v >= 15_000 },
  { bench: "chains", backend: "postgres", what: "steps/s", target: "≥ 3,000", value: (m) => m.stepsPerSec, ok: (v) => v >= 3_000 },
  { bench: "diamonds", backend: "postgres", what: "tasks/s end to end", target: "≥ 1,000", value: (m) => m.tasksPerSec, ok: (v) => v >= 1_000 },
  { bench: "handoff", backend: "postgres", what: "handoff p50 ms (unloaded)", target: "≤ 0.7", value: (m) => m.handoffMs?.p50, ok: (v) => v <= 0.7 },
  { bench: "handoff", backend: "postgres", what: "handoff p99 ms (unloaded)", target: "≤ 3", value: (m) => m.handoffMs?.p99, ok: (v) => v <= 3 },
  { bench: "http-create", backend: "postgres", what: "tasks/s", target: "≥ 2,000", value: (m) => m.tasksPerSec, ok: (v) => v >= 2_000 },
  { bench: "memory", backend: "postgres", what: "server RSS under throughput, MiB", target: "≤ 150 MB", value: (m) => m.peakMiB, ok: (v) => v * 1.048576 <= 150 },
  // Alone: nothing else runs while the step dispatches. Served: the children are drained at the
  // same time on the same 2 cores (on a real deployment, by other machines' workers).
  { bench: "fanout", backend: "postgres", what: "children dispatched/s, alone", target: "≥ 20,000", value: (m) => m.dispatchAloneChildrenPerSec, ok: (v) => v >= 20_000 },
  { bench: "fanout", backend: "postgres", what: "children dispatched/s, served", target: "≥ 20,000", value: (m) => m.dispatchChildrenPerSec, ok: (v) => v >= 20_000 },
  { bench: "fanout", backend: "postgres", what: "join delay after last child, ms", target: "≤ 1,000", value: (m) => m.joinDelayMs, ok: (v) => v <= 1_000 },
  { bench: "fanout", backend: "postgres", what: "statements per 1,000 children", target: "≤ 5", value: (m) => m.statementsPer1000, ok: (v) => v <= 5 },
  { bench: "throughput", backend: "pglite", what: "steps/s", target: "≥ 2,000", value: (m) => m.stepsPerSec, ok: (v) => v >= 2_000 },
  { bench: "startup", backend: "pglite", what: "second start ready, ms", target: "≤ 1,500", value: (m) => m.secondStartMs, ok: (v) => v <= 1_500 },
];

/**
 * Checks the results of one backend against the targets. A smoke run is never "met":
 * its numbers mean nothing.
 */
export function checkTargets(results: readonly BenchResult[], backend: Backend, smoke: boolean): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const t of TARGETS.filter((x) => x.backend === backend)) {
    const r = results.find((x) => x.bench === t.bench);
    if (!r) continue;
    const v = t.value(r.metrics);
    if (v === undefined || !Number.isFinite(v)) {
      out.push({ bench: t.bench, what: t.what, target: t.target, measured: r.metrics.skipped ?? "n/a", met: null });
      continue;
    }
    out.push({ bench: t.bench, what: t.what, target: t.target, measured: v, met: smoke ? null : t.ok(v) });
  }
  return out;
}
