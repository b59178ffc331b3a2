import { PermanentError } from "./handler-errors.ts";

/**
 * A durable wait a handler asked for. The step parks (state `waiting`, no worker held) and runs
 * again when the wait ends; on that run the same call finds its record and returns at once.
 */
export type WaitRecord =
  | { kind: "sleep"; until: string }
  | { kind: "event"; event: string; key: string | null; deadline: string | null; payload?: unknown; receivedAt?: string };

/** Thrown inside a handler to park its step; the worker catches it, it never reaches user code. */
export class ParkSignal extends Error {
  constructor(readonly wait: WaitRecord, readonly wakeAt: Date | null) {
    super(`step parked: ${wait.kind === "sleep" ? `sleeping until ${wait.until}` : `waiting for event "${wait.event}"`}`);
    this.name = "ParkSignal";
  }
}

/** A waitForEvent whose deadline passed before the event came: a permanent failure of the step. */
export class EventTimeoutError extends PermanentError {
  constructor(event: string, deadline: string) {
    super(`no "${event}" event arrived before ${deadline}`, { details: { event, deadline } });
    this.name = "EventTimeoutError";
  }
}

const EVENT_NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

/**
 * The step's side of durable waits, given the record persisted by an earlier run (if any).
 *
 * @example
 *   const waits = durableWaits(previous, () => new Date());
 *   await waits.sleep(2000); // parks on the first run; returns on the run after the wake
 */
export function durableWaits(previous: WaitRecord | null, now: () => Date) {
  const waits = {
    async sleepUntil(until: Date): Promise<void> {
      if (previous?.kind === "sleep" && now().getTime() >= Date.parse(previous.until)) return;
      const at = previous?.kind === "sleep" ? new Date(previous.until) : until;
      if (at.getTime() <= now().getTime()) return;
      throw new ParkSignal({ kind: "sleep", until: at.toISOString() }, at);
    },
    async sleep(ms: number): Promise<void> {
      if (!Number.isFinite(ms) || ms < 0) throw new PermanentError(`sleep needs a non-negative duration, got ${ms}`);
      return waits.sleepUntil(new Date(now().getTime() + ms));
    },
    async waitForEvent(event: string, options: { key?: string; timeoutMs?: number } = {}): Promise<unknown> {
      if (!EVENT_NAME.test(event)) throw new PermanentError(`event name "${event}" must match ${EVENT_NAME}`);
      if (previous?.kind === "event" && previous.event === event) {
        if (previous.receivedAt !== undefined) return previous.payload;
        if (previous.deadline !== null && now().getTime() >= Date.parse(previous.deadline)) {
          throw new EventTimeoutError(event, previous.deadline);
        }
        // Woken without the event (e.g. a lease expiry re-run): keep waiting until the same deadline.
        throw new ParkSignal(previous, previous.deadline ? new Date(previous.deadline) : null);
      }
      const deadline = options.timeoutMs !== undefined ? new Date(now().getTime() + options.timeoutMs) : null;
      throw new ParkSignal({ kind: "event", event, key: options.key ?? null, deadline: deadline?.toISOString() ?? null }, deadline);
    },
  };
  return waits;
}
