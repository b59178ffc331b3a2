import { describe, expect, test } from "bun:test";
import { cursorRanges, readPlan } from "../../src/core/template/batch.ts";

describe("cursorRanges", () => {
  test("covers [0, total) in ranges of at most size, the last one short", () => {
    expect(cursorRanges(25, 10)).toEqual([
      { start: 0, end: 10 },
      { start: 10, end: 20 },
      { start: 20, end: 25 },
    ]);
    expect(cursorRanges(0, 10)).toEqual([]);
  });

  test("refuses sizes and totals that cannot make ranges", () => {
    expect(() => cursorRanges(10, 0)).toThrow("size must be a positive integer");
    expect(() => cursorRanges(-1, 5)).toThrow("total must be a non-negative integer");
  });
});

describe("readPlan", () => {
  test("reads number and string cursors", () => {
    expect(readPlan({ batches: [{ start: "a", end: "m" }, { start: 0, end: 5 }], note: "kept" }, 10)).toEqual({
      ok: true,
      ranges: [{ start: "a", end: "m" }, { start: 0, end: 5 }],
    });
  });

  test("says what is wrong with a result that is not a plan", () => {
    const missing = readPlan({ rows: 5 }, 10);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.message).toStartWith("its result must be an object with `batches`");
    const badRange = readPlan({ batches: [{ start: 0 }] }, 10);
    if (badRange.ok) throw new Error("accepted a range without an end");
    expect(badRange.message).toContain("(at batches.0.end)");
  });

  test("refuses more ranges than the batch step allows", () => {
    const r = readPlan({ batches: cursorRanges(100, 10) }, 5);
    expect(r).toEqual({ ok: false, message: "its plan has 10 batches, more than the batch step's maxWorkers (5)" });
  });
});
