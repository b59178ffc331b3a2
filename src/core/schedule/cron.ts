import { Cron } from "croner";

/**
 * A parsed cron expression bound to a time zone: the only place tasker-edge touches the cron
 * library (croner), so the rest of the code sees plain Dates.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first tick strictly after `after`, or null when the expression has no later tick. */
  next(after: Date): Date | null;
  /** Up to `n` ticks strictly before `before`, most recent first. */
  previous(before: Date, n: number): Date[];
}

/** Longest expression accepted; a real one is a few dozen characters. */
export const MAX_CRON_LENGTH = 200;

/**
 * Why `expression` in `timezone` cannot be scheduled, or null when it can. Accepts 5 fields
 * (minute precision), 6 (a leading seconds field) or 7 (a trailing year), and the nicknames
 * `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`. A date string is refused: a schedule
 * recurs.
 *
 * @example
 *   cronProblem("0 2 * * *", "Europe/Berlin") // null
 *   cronProblem("61 * * * *", "UTC")          // "invalid cron expression: … minute: 61"
 *   cronProblem("* * * * *", "Mars/Base")     // "unknown time zone \"Mars/Base\"; …"
 */
export function cronProblem(expression: string, timezone: string): string | null {
  if (!isTimeZone(timezone)) return `unknown time zone "${timezone}"; use an IANA name such as UTC or Europe/Berlin`;
  if (expression.length > MAX_CRON_LENGTH) return `must be at most ${MAX_CRON_LENGTH} characters`;
  if (!/^(@[a-z]+|\S+(\s+\S+){4,6})$/i.test(expression.trim())) {
    return "invalid cron expression: expected 5, 6 (with seconds) or 7 (with year) space-separated fields, or a nickname such as @daily";
  }
  try {
    const job = new Cron(expression.trim(), { timezone, paused: true });
    if (job.getPattern() === undefined) return "invalid cron expression: a date is not a recurring schedule";
    job.nextRun(new Date(0));
    return null;
  } catch (error) {
    return `invalid cron expression: ${error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error)}`;
  }
}

/**
 * True when `tz` names an IANA time zone this runtime knows.
 *
 * @example
 *   isTimeZone("America/New_York") // true
 */
export function isTimeZone(tz: string): boolean {
  if (tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses `expression` for `timezone`; throws a TypeError naming the problem when it is invalid
 * (callers validate with {@link cronProblem} first and report it their own way).
 *
 * @example
 *   const cron = compileCron("0 2 * * *", "UTC");
 *   cron.next(new Date("2025-01-01T03:00:00Z")) // 2025-01-02T02:00:00.000Z
 */
export function compileCron(expression: string, timezone: string): CronSchedule {
  const problem = cronProblem(expression, timezone);
  if (problem) throw new TypeError(`cron "${expression}" (${timezone}): ${problem}`);
  const job = new Cron(expression.trim(), { timezone, paused: true });
  return {
    expression,
    timezone,
    next: (after) => job.nextRun(after),
    previous: (before, n) => (n <= 0 ? [] : job.previousRuns(n, before)),
  };
}
