import { i32At, setI32, setU8, u8At } from "./states";

// flags bytes: not in S, already skipped before this call, newly skipped by it.
const FREE: u8 = 0;
const EARLIER: u8 = 1;
const NEW: u8 = 2;

/**
 * Steps a decision skips; twin of skipClosureOf in src/core/dag/reference-core.ts, see there for
 * the rule. Arrays: pOff n+1 i32, pTgt i32 (parents), order n i32, skipped n u8 (0/1),
 * seeds seedCount i32, out n i32, flags n u8 scratch. Writes the newly skipped steps ascending to
 * `out` and returns their count, or -(i+1) when skipped[i] is neither 0 nor 1.
 */
export function skipClosure(
  n: i32, pOff: usize, pTgt: usize, order: usize, skipped: usize, seeds: usize, seedCount: i32,
  out: usize, flags: usize,
): i32 {
  for (let i = 0; i < n; i++) if (u8At(skipped, i) > <u32>EARLIER) return -(i + 1);
  memory.copy(flags, skipped, <usize>n);
  for (let k = 0; k < seedCount; k++) {
    const s = i32At(seeds, k);
    // The facade checks seeds; a raw caller that does not gets an abort, not a wild write.
    assert(<u32>s < <u32>n, "seed step outside 0..n-1");
    if (u8At(flags, s) == FREE) setU8(flags, s, NEW);
  }
  // Topological order: every parent is final before its child is looked at, so one pass is the fixpoint.
  for (let k = 0; k < n; k++) {
    const i = i32At(order, k);
    if (u8At(flags, i) != FREE) continue;
    const start = i32At(pOff, i);
    const end = i32At(pOff, i + 1);
    if (start == end) continue;
    let all = true;
    for (let e = start; e < end; e++) {
      if (u8At(flags, i32At(pTgt, e)) == FREE) {
        all = false;
        break;
      }
    }
    if (all) setU8(flags, i, NEW);
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (u8At(flags, i) == <u32>NEW) setI32(out, count++, i);
  return count;
}
