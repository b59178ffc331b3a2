/**
 * A set of node indices with O(levels) insert and remove-min: a tree of 64-bit bitmaps, level 0
 * holding one bit per node and each level above one bit per non-empty word below (so 4 levels
 * cover 16M nodes). It replaced a binary heap in Kahn's algorithm: the tree for 1M nodes is
 * 130 KB and stays cached, where the heap's ~20 random accesses per pop did not. Measured in one
 * run on random DAGs with E = 4V: 100k nodes 10.4 → 8.9 ms, 1M nodes 510 → 340 ms (the rest is
 * cache misses on the edges themselves). Bases of the levels live in a static table.
 */

const MAX_LEVELS = 6; // 64^6 > 2^31 nodes
const BASES = memory.data(MAX_LEVELS * 4, 4);
let levels: i32 = 0;

/** Number of 64-bit words the queue needs for n nodes (the facade sizes its region with the same rule). */
export function queueWords(n: i32): i32 {
  let words = 0;
  let width = n;
  do {
    width = (width + 63) >> 6;
    words += width;
  } while (width > 1);
  return words;
}

/** Lays the levels out from `bits` and clears them. */
export function queueInit(n: i32, bits: usize): void {
  let width = n;
  let base = bits;
  levels = 0;
  do {
    width = (width + 63) >> 6;
    store<u32>(BASES + (<usize>levels << 2), <u32>base);
    base += <usize>width << 3;
    levels++;
  } while (width > 1);
  memory.fill(bits, 0, base - bits);
}

// @ts-ignore: decorator
@inline function levelBase(k: i32): usize {
  return <usize>load<u32>(BASES + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline export function queuePush(i: i32): void {
  for (let k = 0; k < levels; k++) {
    const at = levelBase(k) + (<usize>(i >> 6) << 3);
    const word = load<u64>(at);
    store<u64>(at, word | (<u64>1 << <u64>(i & 63)));
    if (word != 0) return; // the levels above already mark this word
    i >>= 6;
  }
}

/** Removes and returns the smallest index; the queue must not be empty. */
// @ts-ignore: decorator
@inline export function queuePopMin(): i32 {
  let i = 0;
  for (let k = levels - 1; k >= 0; k--) {
    i = (i << 6) + <i32>ctz(load<u64>(levelBase(k) + (<usize>i << 3)));
  }
  const min = i;
  for (let k = 0; k < levels; k++) {
    const at = levelBase(k) + (<usize>(i >> 6) << 3);
    const word = load<u64>(at) & ~(<u64>1 << <u64>(i & 63));
    store<u64>(at, word);
    if (word != 0) break;
    i >>= 6;
  }
  return min;
}
