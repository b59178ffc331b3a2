import { queueInit, queuePopMin, queuePush } from "./min-queue";
import { i32At, setI32, setU8, u8At } from "./states";

/** Returned by analyze when offsets decrease or a target lies outside 0..n-1. */
export const BAD_CSR: i32 = i32.MIN_VALUE;

const WHITE: u8 = 0;
const GRAY: u8 = 1;
const BLACK: u8 = 2;

/**
 * Kahn's algorithm taking the smallest free node each time (min-queue.ts): the lexicographically
 * smallest topological order, plus levels. Twin of analyzeReference in
 * src/core/dag/reference-topo.ts: that order is unique, so the heap there and the bitmap tree here
 * must give the same one; the cycle search is the same step by step, so both report the same cycle.
 *
 * Memory (byte addresses, laid out by the facade): off = n+1 i32, tgt = E i32, order = n i32,
 * levels = n i32, scratch = 8n bytes (in-degrees, then a DFS stack) + n bytes (DFS colours),
 * bits = queueWords(n) u64, 8-aligned.
 * Returns n on success; -k when a cycle of k nodes was written to order; BAD_CSR.
 */
export function analyze(n: i32, off: usize, tgt: usize, order: usize, levels: usize, scratch: usize, bits: usize): i32 {
  if (n == 0) return 0;
  const indeg = scratch;
  memory.fill(indeg, 0, <usize>n << 2);
  memory.fill(levels, 0, <usize>n << 2);
  for (let i = 0; i < n; i++) {
    const start = i32At(off, i);
    const end = i32At(off, i + 1);
    if (end < start) return BAD_CSR;
    for (let e = start; e < end; e++) {
      const t = i32At(tgt, e);
      if (<u32>t >= <u32>n) return BAD_CSR;
      setI32(indeg, t, i32At(indeg, t) + 1);
    }
  }
  queueInit(n, bits);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (i32At(indeg, i) == 0) {
      queuePush(i);
      size++;
    }
  }
  let count = 0;
  while (size > 0) {
    const u = queuePopMin();
    size--;
    setI32(order, count++, u);
    const next = i32At(levels, u) + 1;
    const end = i32At(off, u + 1);
    for (let e = i32At(off, u); e < end; e++) {
      const c = i32At(tgt, e);
      if (i32At(levels, c) < next) setI32(levels, c, next);
      const d = i32At(indeg, c) - 1;
      setI32(indeg, c, d);
      if (d == 0) {
        queuePush(c);
        size++;
      }
    }
  }
  if (count == n) return n;
  return -findCycle(n, off, tgt, order, count, scratch);
}

/**
 * Depth-first search from the lowest-numbered node Kahn left behind, children in CSR order; the
 * first back edge closes the cycle, which is written to `order` rotated to start at its lowest index.
 */
function findCycle(n: i32, off: usize, tgt: usize, order: usize, done: i32, scratch: usize): i32 {
  const cursor = scratch;
  const stack = scratch + (<usize>n << 2);
  const color = scratch + (<usize>n << 3);
  memory.fill(color, WHITE, <usize>n);
  for (let k = 0; k < done; k++) setU8(color, i32At(order, k), BLACK);
  for (let s = 0; s < n; s++) {
    if (u8At(color, s) != WHITE) continue;
    let top = 0;
    setI32(stack, 0, s);
    setI32(cursor, 0, i32At(off, s));
    setU8(color, s, GRAY);
    while (top >= 0) {
      const u = i32At(stack, top);
      const at = i32At(cursor, top);
      if (at < i32At(off, u + 1)) {
        setI32(cursor, top, at + 1);
        const c = i32At(tgt, at);
        const colour = u8At(color, c);
        if (colour == GRAY) return writeCycle(stack, top, c, order);
        if (colour == WHITE) {
          setU8(color, c, GRAY);
          top++;
          setI32(stack, top, c);
          setI32(cursor, top, i32At(off, c));
        }
      } else {
        setU8(color, u, BLACK);
        top--;
      }
    }
  }
  abort("Kahn left nodes behind but no cycle was found");
  return 0;
}

function writeCycle(stack: usize, top: i32, c: i32, order: usize): i32 {
  let from = top;
  while (i32At(stack, from) != c) from--;
  const len = top - from + 1;
  let m = from;
  for (let i = from + 1; i <= top; i++) if (i32At(stack, i) < i32At(stack, m)) m = i;
  for (let i = 0; i < len; i++) setI32(order, i, i32At(stack, from + ((m - from + i) % len)));
  return len;
}
