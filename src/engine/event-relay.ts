import type { Logger } from "../core/logger.ts";
import type { Db } from "../store/db.ts";
import { eventHorizon, readEvents } from "../store/events.ts";
import type { EventFilter, LifecycleEvent } from "./types.ts";
import { eventView } from "./views.ts";

type Listener = { fn: (e: LifecycleEvent) => void; filter: EventFilter | undefined };

/**
 * Delivers committed lifecycle events, from every engine on the database, to in-process
 * listeners. It polls only while someone listens, reading by transaction id below the
 * horizon of running transactions, so events arrive in commit-safe order and none is skipped.
 */
export function createEventRelay(db: Db, pollMs: number, log: Logger) {
  const listeners = new Set<Listener>();
  let cursor: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = true;

  async function tick(): Promise<void> {
    try {
      const horizon = await eventHorizon(db);
      cursor ??= horizon;
      // The whole window at once: it spans one poll period, so it is as large as one period's events.
      const rows = await readEvents(db, cursor, horizon);
      for (const row of rows) dispatch(eventView(row));
      cursor = horizon;
    } catch (error) {
      if (!stopped) log.warn("event relay read failed", { error: String(error) });
    }
    if (!stopped && listeners.size > 0) timer = setTimeout(tick, pollMs);
    else timer = null;
  }

  function dispatch(e: LifecycleEvent): void {
    for (const l of listeners) {
      if (l.filter?.taskId && l.filter.taskId !== e.taskId) continue;
      if (l.filter?.namespace && l.filter.namespace !== e.namespace) continue;
      try {
        l.fn(e);
      } catch (error) {
        log.warn("event listener threw", { event: e.name, error: String(error) });
      }
    }
  }

  function ensureRunning(): void {
    if (!stopped && timer === null && listeners.size > 0) timer = setTimeout(tick, 0);
  }

  return {
    subscribe(fn: (e: LifecycleEvent) => void, filter?: EventFilter): () => void {
      const l = { fn, filter };
      listeners.add(l);
      ensureRunning();
      return () => listeners.delete(l);
    },
    start(): void {
      stopped = false;
      ensureRunning();
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
