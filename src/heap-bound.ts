/**
 * A soft bound on garbage for long-running processes. The server's live data is small (≈ 12 MiB
 * of JS heap with its libraries loaded), but under load the runtime lets garbage pile up to
 * 40–60 MiB between its own collections, which is most of the server's peak RSS. Every `everyMs`:
 * when the heap has grown more than `headroomMb` past what the last collection left, collect now
 * (a full collection of this heap takes ≈ 10–15 ms here). The runtime's heap reading and
 * collector are passed in, so this module stays runtime-agnostic. Returns a stop function.
 *
 * @example
 *   const stop = boundGarbage(24, { heapUsed: () => process.memoryUsage().heapUsed, collect: () => Bun.gc(true) });
 */
export function boundGarbage(
  headroomMb: number,
  runtime: { heapUsed: () => number; collect: () => void },
  everyMs = 250,
): () => void {
  if (headroomMb <= 0) return () => {};
  const headroom = headroomMb * 1024 * 1024;
  let floor = runtime.heapUsed();
  const timer = setInterval(() => {
    if (runtime.heapUsed() - floor <= headroom) return;
    runtime.collect();
    floor = runtime.heapUsed();
  }, everyMs);
  return () => clearInterval(timer);
}
