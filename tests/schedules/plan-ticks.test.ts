import { describe, expect, test } from "bun:test";
import { compileCron, cronProblem, planTicks, type CatchUpPolicy } from "../../src/core/schedule/index.ts";

const everySecond = compileCron("* * * * * *", "UTC");
const at = (s: string) => new Date(`2025-01-01T${s}Z`);
const iso = (ds: readonly { at: Date; catchUp: boolean }[]) => ds.map((d) => `${d.at.toISOString().slice(11, 19)}${d.catchUp ? "*" : ""}`);

function plan(policy: CatchUpPolicy, due: string, now: string, graceMs = 1000, maxCatchUp = 1000) {
  return planTicks(everySecond, { due: at(due), now: at(now), policy, graceMs, maxCatchUp });
}

describe("cron expressions", () => {
  test("5 fields tick each minute, 6 each second, in the schedule's time zone across DST", () => {
    expect(compileCron("*/15 * * * *", "UTC").next(at("00:07:30"))).toEqual(at("00:15:00"));
    expect(compileCron("*/10 * * * * *", "UTC").next(at("00:00:00"))).toEqual(at("00:00:10"));
    // 02:30 in Berlin: 01:30 UTC in winter, 00:30 UTC in summer; on 30 March 2025 the clock jumps
    // from 02:00 to 03:00, and a fixed-time job runs at the first valid time after the gap.
    const berlin = compileCron("30 2 * * *", "Europe/Berlin");
    expect(berlin.next(new Date("2025-03-28T12:00:00Z"))).toEqual(new Date("2025-03-29T01:30:00Z"));
    expect(berlin.next(new Date("2025-03-29T12:00:00Z"))).toEqual(new Date("2025-03-30T01:00:00Z"));
    expect(berlin.next(new Date("2025-03-30T12:00:00Z"))).toEqual(new Date("2025-03-31T00:30:00Z"));
    expect(compileCron("@daily", "UTC").next(at("12:00:00"))).toEqual(new Date("2025-01-02T00:00:00Z"));
  });

  test("invalid expressions, dates and time zones are refused with a reason", () => {
    expect(cronProblem("0 2 * * *", "UTC")).toBeNull();
    expect(cronProblem("61 * * * *", "UTC")).toContain("minute: 61");
    expect(cronProblem("* * *", "UTC")).toContain("5, 6 (with seconds) or 7");
    expect(cronProblem("2025-01-01T00:00:00", "UTC")).toContain("invalid cron expression");
    expect(cronProblem("* * * * *", "Mars/Base")).toContain('unknown time zone "Mars/Base"');
    expect(cronProblem("* ".repeat(150), "UTC")).toContain("at most 200");
    expect(() => compileCron("nonsense", "UTC")).toThrow(/invalid cron expression/);
  });
});

describe("planTicks", () => {
  test("a tick that just came due runs under every policy, and the plan moves to the next one", () => {
    for (const policy of ["skip", "latest", "all"] as const) {
      const p = plan(policy, "00:00:05", "00:00:05.300");
      expect(iso(p.run)).toEqual(["00:00:05"]);
      expect(p.next).toEqual(at("00:00:06"));
      expect(p.dropped).toBe(0);
    }
  });

  test("nothing is due before the due time", () => {
    const p = plan("all", "00:00:05", "00:00:04.900");
    expect(p.run).toEqual([]);
    expect(p.next).toEqual(at("00:00:05"));
  });

  test("a late poll within the grace period runs every tick it passed, whatever the policy", () => {
    for (const policy of ["skip", "latest", "all"] as const) {
      expect(iso(plan(policy, "00:00:05", "00:00:06.500", 2000).run)).toEqual(["00:00:05", "00:00:06"]);
    }
  });

  test("after downtime: skip drops the missed ticks, latest runs the last of them, all runs each", () => {
    // Due at :01, back at :06.2 with 1 s grace: the cutoff is :05.2, so :01–:05 were missed and :06 is on time.
    const skip = plan("skip", "00:00:01", "00:00:06.200");
    expect(iso(skip.run)).toEqual(["00:00:06"]);
    expect(skip.dropped).toBe(5);
    const latest = plan("latest", "00:00:01", "00:00:06.200");
    expect(iso(latest.run)).toEqual(["00:00:05*", "00:00:06"]);
    expect(latest.dropped).toBe(4);
    const all = plan("all", "00:00:01", "00:00:06.200");
    expect(iso(all.run)).toEqual(["00:00:01*", "00:00:02*", "00:00:03*", "00:00:04*", "00:00:05*", "00:00:06"]);
    expect(all.dropped).toBe(0);
    for (const p of [skip, latest, all]) expect(p.next).toEqual(at("00:00:07"));
  });

  test("all is bounded: only the most recent missed ticks run, and the plan says it truncated", () => {
    const p = plan("all", "00:00:00", "01:00:00.500", 1000, 10);
    expect(p.truncated).toBe(true);
    expect(iso(p.run)).toEqual([...Array.from({ length: 10 }, (_, i) => `00:59:${50 + i}*`), "01:00:00"]);
    expect(p.next).toEqual(at("01:00:01"));
  });

  test("a year of missed per-second ticks is planned without walking them", () => {
    const started = performance.now();
    const p = planTicks(everySecond, { due: new Date("2024-01-01T00:00:00Z"), now: at("00:00:00.500"), policy: "skip", graceMs: 1000, maxCatchUp: 1000 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(iso(p.run)).toEqual(["00:00:00"]);
    expect(p.dropped).toBe(1001);
    expect(p.next).toEqual(at("00:00:01"));
  });

  test("the same input gives the same plan on every engine", () => {
    const a = plan("latest", "00:00:01", "00:00:09.999", 3000);
    const b = plan("latest", "00:00:01", "00:00:09.999", 3000);
    expect(a).toEqual(b);
    expect(iso(a.run)).toEqual(["00:00:06*", "00:00:07", "00:00:08", "00:00:09"]);
  });
});
