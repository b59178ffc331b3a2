import type { Logger } from "../core/logger.ts";
import type { Db } from "../store/db.ts";
import { eventHorizon, readEvents } from "../store/events.ts";
import type { EventFilter, LifecycleEvent } from "./types.ts";
import { eventView } from "./views.ts";

type Listener = { fn: (e: LifecycleEvent) => void; filter: EventFilter | undefined };

/**
 * Delivers committed lifecycle events, from every engine on the database, to in-process
 * listeners, reading by transaction id below the horizon of running transactions, so events
 * arrive in commit-safe order and none is skipped. While nobody listens each poll is one cheap
 * query that only advances the horizon.
 */
export function createEventRelay(db: Db, pollMs: number, log: Logger) {
  const listeners = new Set<Listener>();
  let cursor: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = true;

  async function tick(): Promise<void> {
    try {
      const horizon = await eventHorizon(db);
      // With nobody listening only the cursor moves, so a listener that subscribes later gets
      // everything committed from about that moment on, and no backlog from before it.
      if (cursor !== null && listeners.size > 0) {
        // The whole window at once: it spans one poll period, so it holds one period's events.
        const rows = await readEvents(db, cursor, horizon);
        for (const row of rows) dispatch(eventView(row));
      }
      cursor = horizon;
    } catch (error) {
      if (!stopped) log.warn("event relay read failed", { error: String(error) });
    }
    if (!stopped) timer = setTimeout(tick, pollMs);
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

  return {
    subscribe(fn: (e: LifecycleEvent) => void, filter?: EventFilter): () => void {
      const l = { fn, filter };
      listeners.add(l);
      return () => listeners.delete(l);
    },
    /** Fixes the starting point before resolving: every event committed after start() is delivered. */
    async start(): Promise<void> {
      stopped = false;
      cursor = await eventHorizon(db);
      timer = setTimeout(tick, pollMs);
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
