/** Percentile by linear interpolation between closest ranks; NaN for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * p50/p95/p99/max/mean of a sample, rounded to 3 decimals.
 *
 * @example
 *   distribution([1, 2, 3]).p50 // 2
 */
export function distribution(samples: readonly number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? Number.NaN), mean: round(mean) };
}

export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The median of each numeric field across runs (nested objects too), so that a bench reports
 * one headline object whatever its shape. Non-numeric fields are taken from the first run.
 *
 * @example
 *   medianOf([{ a: 1, b: { c: 2 } }, { a: 3, b: { c: 4 } }, { a: 2, b: { c: 9 } }]) // { a: 2, b: { c: 4 } }
 */
export function medianOf<T>(runs: readonly T[]): T {
  const first = runs[0];
  if (typeof first === "number") return round(median(runs as unknown as number[])) as T;
  if (first === null || typeof first !== "object" || Array.isArray(first)) return first as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) out[key] = medianOf(runs.map((r) => (r as Record<string, unknown>)[key]));
  return out as T;
}
