import { i32At, setI32, setU8, u8At } from "./states";

/**
 * Every node reachable from `start` along CSR edges, ascending, `start` excluded: descendants
 * over the child CSR, ancestors over the parent CSR. scratch = n bytes (seen) + 4n bytes (stack),
 * the stack 4-aligned by the facade. Returns the count written to `out`.
 */
export function reach(n: i32, off: usize, tgt: usize, start: i32, out: usize, seen: usize, stack: usize): i32 {
  // The facade checks `start`; a raw caller that does not gets an abort, not a wild write.
  assert(<u32>start < <u32>n, "start step outside 0..n-1");
  memory.fill(seen, 0, <usize>n);
  let top = 0;
  setI32(stack, top++, start);
  while (top > 0) {
    const u = i32At(stack, --top);
    const end = i32At(off, u + 1);
    for (let e = i32At(off, u); e < end; e++) {
      const c = i32At(tgt, e);
      if (u8At(seen, c) == 0) {
        setU8(seen, c, 1);
        setI32(stack, top++, c);
      }
    }
  }
  setU8(seen, start, 0);
  let count = 0;
  for (let i = 0; i < n; i++) if (u8At(seen, i) != 0) setI32(out, count++, i);
  return count;
}
