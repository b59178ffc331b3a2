import type { CronSchedule } from "./cron.ts";

/**
 * What happens to ticks that came due while no engine was running the schedule (downtime,
 * every engine stopped, a template that no engine had loaded):
 * - `skip`: they are dropped; the schedule goes on with the next tick.
 * - `latest`: only the most recent of them runs (one catch-up run for the whole gap).
 * - `all`: every one of them runs, oldest first, up to the engine's catch-up maximum.
 */
export const CATCH_UP_POLICIES = ["skip", "latest", "all"] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** One tick to submit a task for. */
export interface PlannedTick {
  readonly at: Date;
  /** True for a missed tick run late under `latest` or `all`. */
  readonly catchUp: boolean;
}

export interface TickPlan {
  /** Ticks to submit, oldest first. */
  readonly run: readonly PlannedTick[];
  /** The first tick after `now`: the schedule's next due time (null: the expression has none). */
  readonly next: Date | null;
  /** Missed ticks not run (under `skip`, `latest`, or over the maximum); capped at maxCatchUp + 1. */
  readonly dropped: number;
  /** True when `all` had more missed ticks than the maximum, so only the most recent ran. */
  readonly truncated: boolean;
}

export interface PlanInput {
  /** The schedule's stored next tick: the oldest tick not yet run. */
  readonly due: Date;
  /** The database's clock when the schedule was claimed. */
  readonly now: Date;
  readonly policy: CatchUpPolicy;
  /**
   * A tick at most this old is on time and runs under every policy: a poll that comes late
   * (a busy event loop, a slow database) must not turn a tick into a "missed" one.
   */
  readonly graceMs: number;
  /** Most ticks one plan runs (`all` after a long outage), so a year of per-second ticks cannot flood the queue. */
  readonly maxCatchUp: number;
}

/**
 * Decides which ticks between the schedule's oldest unrun tick (`due`) and `now` to submit, and
 * where the schedule goes next. Ticks within `graceMs` of `now` are on time and always run;
 * older ones were missed and follow the policy. Pure: the same input gives the same plan, so
 * every engine that claims a schedule computes the same ticks (and the same idempotency keys).
 *
 * Work is bounded by `maxCatchUp`, not by the length of the outage: missed ticks are read
 * backwards from the cutoff, never enumerated from `due`.
 *
 * @example
 *   const cron = compileCron("* * * * * *", "UTC");
 *   planTicks(cron, { due: new Date("2025-01-01T00:00:00Z"), now: new Date("2025-01-01T00:00:05.2Z"),
 *                     policy: "latest", graceMs: 1000, maxCatchUp: 1000 })
 *   // run: 00:00:04 (catch-up), 00:00:05; next: 00:00:06; dropped: 4
 */
export function planTicks(cron: CronSchedule, input: PlanInput): TickPlan {
  const { due, now, policy } = input;
  const max = Math.max(1, Math.floor(input.maxCatchUp));
  if (due.getTime() > now.getTime()) return { run: [], next: due, dropped: 0, truncated: false };

  const cutoff = new Date(now.getTime() - Math.max(0, input.graceMs));
  const run: PlannedTick[] = [];
  let dropped = 0;
  let truncated = false;

  if (due.getTime() < cutoff.getTime()) {
    // Missed ticks: due <= t < cutoff, most recent first, one more than the maximum so that
    // "more than the maximum" can be told from "exactly the maximum".
    const missed = cron.previous(cutoff, max + 1).filter((t) => t.getTime() >= due.getTime());
    if (policy === "all") {
      truncated = missed.length > max;
      const kept = missed.slice(0, max);
      dropped = missed.length - kept.length;
      for (const at of kept.reverse()) run.push({ at, catchUp: true });
    } else if (policy === "latest") {
      if (missed[0]) run.push({ at: missed[0], catchUp: true });
      dropped = Math.max(0, missed.length - 1);
    } else {
      dropped = missed.length;
    }
  }

  // On-time ticks: max(due, cutoff) <= t <= now.
  const from = Math.max(due.getTime(), cutoff.getTime());
  let tick = cron.next(new Date(from - 1));
  let onTime = 0;
  while (tick && tick.getTime() <= now.getTime()) {
    if (onTime === max) {
      // Only with a grace period longer than `max` ticks: drop the rest, go on after now.
      truncated = true;
      dropped++;
      tick = cron.next(now);
      break;
    }
    run.push({ at: tick, catchUp: false });
    onTime++;
    tick = cron.next(tick);
  }
  return { run, next: tick ?? null, dropped, truncated };
}
