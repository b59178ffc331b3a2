/**
 * When each bench step's handler ran, for in-process handoff measurements. The handler modules
 * under bench/handlers/bench call `mark`; it is a no-op until a bench calls `enableProbe`, so
 * the same modules stay no-ops in a server process.
 *
 * The store lives on globalThis under a registered symbol because the registry imports handler
 * modules with a cache-busting query: the module instance may differ, the global does not.
 */
interface ProbeStore {
  on: boolean;
  /** `${taskId}/${stepName}` → wall-clock ms (performance.timeOrigin + performance.now()). */
  marks: Map<string, number>;
}

const KEY = Symbol.for("tasker-edge.bench.probe");
const g = globalThis as unknown as Record<symbol, ProbeStore | undefined>;
const store: ProbeStore = (g[KEY] ??= { on: false, marks: new Map() });

export function mark(taskId: string, stepName: string): void {
  if (store.on) store.marks.set(`${taskId}/${stepName}`, performance.timeOrigin + performance.now());
}

export function enableProbe(): Map<string, number> {
  store.on = true;
  store.marks.clear();
  return store.marks;
}

export function disableProbe(): void {
  store.on = false;
  store.marks.clear();
}

/** The bench handlers: record when the step ran (if probing), return nothing. */
export function noop(ctx: { taskId: string; stepName: string }): null {
  if (store.on) mark(ctx.taskId, ctx.stepName);
  return null;
}
