import type { Queryable } from "../../src/store/db.ts";

/** One task a schedule submitted: its tick (from the task's reason) and whether it was a catch-up. */
export interface ScheduledRun {
  tick: number;
  catchUp: boolean;
}

/** The tasks submitted for schedule `name`, ordered by tick, read straight from the tasks table. */
export async function scheduledRuns(db: Queryable, name: string): Promise<ScheduledRun[]> {
  const rows = await db.query<{ reason: string }>("select reason from tasks where initiator = $1", [`schedule:${name}`]);
  return rows
    .map((r) => {
      const match = /^(scheduled tick|catch-up of missed tick) (.+)$/.exec(r.reason);
      if (!match) throw new Error(`unexpected reason "${r.reason}"`);
      return { tick: Date.parse(match[2]!), catchUp: match[1] === "catch-up of missed tick" };
    })
    .sort((a, b) => a.tick - b.tick);
}

/** Seconds between consecutive ticks; [1, 1, 1] for an unbroken per-second run. */
export function gaps(runs: readonly ScheduledRun[]): number[] {
  return runs.slice(1).map((r, i) => (r.tick - runs[i]!.tick) / 1000);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
