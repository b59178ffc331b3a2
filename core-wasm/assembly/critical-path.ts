import { i32At, setI32 } from "./states";

/**
 * Heaviest chain by summed durations; twin of criticalPathOf in src/core/dag/reference-core.ts.
 * Ties: the first parent in CSR order with the greatest distance, and the lowest-numbered end step.
 * Writes the path (root first) to `out`, its length (f64) to `lengthOut`, and returns the number of
 * steps on it, or -(i+1) when durations[i] is negative, NaN or infinite.
 * scratch: dist = n f64, pred = n i32 (dist 8-aligned by the facade).
 */
export function criticalPath(
  n: i32, pOff: usize, pTgt: usize, order: usize, durations: usize, out: usize, lengthOut: usize,
  dist: usize, pred: usize,
): i32 {
  for (let i = 0; i < n; i++) {
    const d = load<f64>(durations + (<usize>i << 3));
    if (!(d >= 0 && d < Infinity)) return -(i + 1);
  }
  for (let k = 0; k < n; k++) {
    const i = i32At(order, k);
    let best: f64 = 0;
    let from = -1;
    const end = i32At(pOff, i + 1);
    for (let e = i32At(pOff, i); e < end; e++) {
      const p = i32At(pTgt, e);
      const dp = load<f64>(dist + (<usize>p << 3));
      if (from < 0 || dp > best) {
        best = dp;
        from = p;
      }
    }
    store<f64>(dist + (<usize>i << 3), load<f64>(durations + (<usize>i << 3)) + best);
    setI32(pred, i, from);
  }
  if (n == 0) {
    store<f64>(lengthOut, 0);
    return 0;
  }
  let last = 0;
  for (let i = 1; i < n; i++) {
    if (load<f64>(dist + (<usize>i << 3)) > load<f64>(dist + (<usize>last << 3))) last = i;
  }
  let len = 0;
  for (let u = last; u >= 0; u = i32At(pred, u)) len++;
  let k = len - 1;
  for (let u = last; u >= 0; u = i32At(pred, u)) setI32(out, k--, u);
  store<f64>(lengthOut, load<f64>(dist + (<usize>last << 3)));
  return len;
}
