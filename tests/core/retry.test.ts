import { describe, expect, test } from "bun:test";
import { PermanentError, RetryableError } from "../../src/core/handler-errors.ts";
import { backoffDelayMs, isRetryable, nextRetry } from "../../src/core/retry.ts";
import { normaliseRetryPolicy, retryPolicyInputSchema, type RetryPolicy } from "../../src/core/template/retry-policy.ts";

const noJitter = (p: Partial<RetryPolicy>) => normaliseRetryPolicy({ jitter: 0, ...p });
const schedule = (p: RetryPolicy, n: number) => Array.from({ length: n }, (_, i) => backoffDelayMs(p, i + 1, () => 0.5));

describe("backoffDelayMs schedules", () => {
  test("none retries at once", () => {
    expect(schedule(noJitter({ backoff: "none" }), 4)).toEqual([0, 0, 0, 0]);
  });
  test("linear grows by baseMs", () => {
    expect(schedule(noJitter({ backoff: "linear", baseMs: 500 }), 4)).toEqual([500, 1000, 1500, 2000]);
  });
  test("exponential doubles", () => {
    expect(schedule(noJitter({ backoff: "exponential", baseMs: 100 }), 5)).toEqual([100, 200, 400, 800, 1600]);
  });
  test("fibonacci follows 1, 1, 2, 3, 5, 8", () => {
    expect(schedule(noJitter({ backoff: "fibonacci", baseMs: 100 }), 6)).toEqual([100, 100, 200, 300, 500, 800]);
  });
  test("the default policy is exponential from one second", () => {
    expect(schedule(normaliseRetryPolicy(undefined), 3).map((d) => d > 0)).toEqual([true, true, true]);
    expect(backoffDelayMs(normaliseRetryPolicy({ jitter: 0 }), 3, () => 0)).toBe(4000);
  });
});

describe("backoffDelayMs cap", () => {
  for (const backoff of ["linear", "exponential", "fibonacci"] as const) {
    test(`${backoff} never exceeds capMs, even for huge attempt numbers`, () => {
      const p = noJitter({ backoff, baseMs: 1000, capMs: 5000 });
      for (const attempt of [1, 2, 5, 10, 64, 1025, 10_000, Number.MAX_SAFE_INTEGER]) {
        const d = backoffDelayMs(p, attempt, () => 0);
        expect(d).toBeLessThanOrEqual(5000);
        expect(Number.isFinite(d)).toBe(true);
      }
      expect(backoffDelayMs(p, 50, () => 0)).toBe(5000);
    });
  }
  test("a nonsensical attempt number is treated as the first", () => {
    const p = noJitter({ backoff: "exponential", baseMs: 100 });
    expect(backoffDelayMs(p, 0, () => 0)).toBe(100);
    expect(backoffDelayMs(p, Number.NaN, () => 0)).toBe(100);
  });
});

describe("backoffDelayMs jitter", () => {
  test("stays within [1 - jitter, 1] of the capped delay", () => {
    const p = normaliseRetryPolicy({ backoff: "exponential", baseMs: 1000, capMs: 8000, jitter: 0.25 });
    for (let attempt = 1; attempt <= 8; attempt++) {
      const full = Math.min(8000, 1000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.5, 0.999, 1]) {
        const d = backoffDelayMs(p, attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(full * 0.75));
        expect(d).toBeLessThanOrEqual(full);
      }
    }
  });
  test("random values outside [0, 1) cannot push the delay out of bounds", () => {
    const p = normaliseRetryPolicy({ backoff: "linear", baseMs: 1000, jitter: 0.5 });
    expect(backoffDelayMs(p, 1, () => 7)).toBe(500);
    expect(backoffDelayMs(p, 1, () => -3)).toBe(1000);
  });
  test("jitter spreads delays that hit the cap", () => {
    const p = normaliseRetryPolicy({ backoff: "exponential", baseMs: 1000, capMs: 2000, jitter: 0.5 });
    const values = new Set([0.1, 0.4, 0.8].map((r) => backoffDelayMs(p, 20, () => r)));
    expect(values.size).toBe(3);
  });
});

describe("isRetryable and nextRetry", () => {
  const p = noJitter({ maxAttempts: 3, backoff: "linear", baseMs: 100, capMs: 10_000 });

  test("PermanentError is never retried", () => {
    expect(isRetryable(p, new PermanentError("declined"))).toBe(false);
    expect(nextRetry(p, 1, new PermanentError("declined"), Math.random)).toEqual({ retry: false, reason: "permanent" });
  });
  test("RetryableError is retried even when retryOn says no", () => {
    const strict = normaliseRetryPolicy({ retryOn: () => false });
    expect(isRetryable(strict, new RetryableError("busy"))).toBe(true);
    expect(isRetryable(strict, new Error("boom"))).toBe(false);
  });
  test("plain errors follow retryOn, defaulting to retry", () => {
    expect(isRetryable(p, new Error("boom"))).toBe(true);
    const onlyTimeouts = normaliseRetryPolicy({ retryOn: (e) => e instanceof Error && e.message.includes("timeout") });
    expect(isRetryable(onlyTimeouts, new Error("timeout after 5s"))).toBe(true);
    expect(isRetryable(onlyTimeouts, new Error("bad request"))).toBe(false);
  });
  test("a retryOn that throws counts as not retryable", () => {
    const buggy = normaliseRetryPolicy({ retryOn: () => { throw new Error("oops"); } });
    expect(nextRetry(buggy, 1, new Error("x"), Math.random)).toEqual({ retry: false, reason: "not_retryable" });
  });
  test("errors branded by another copy of the package are recognised", () => {
    const foreign = Object.assign(new Error("declined"), { [Symbol.for("tasker-edge.PermanentError")]: true });
    expect(isRetryable(p, foreign)).toBe(false);
  });
  test("attempts run out at maxAttempts", () => {
    expect(nextRetry(p, 2, new Error("x"), () => 0)).toEqual({ retry: true, delayMs: 200 });
    expect(nextRetry(p, 3, new Error("x"), () => 0)).toEqual({ retry: false, reason: "exhausted" });
  });
  test("retryAfterMs replaces the backoff but respects the cap", () => {
    expect(nextRetry(p, 1, new RetryableError("429", { retryAfterMs: 2500 }), () => 0)).toEqual({ retry: true, delayMs: 2500 });
    expect(nextRetry(p, 1, new RetryableError("429", { retryAfterMs: 99_999 }), () => 0)).toEqual({ retry: true, delayMs: 10_000 });
    expect(new RetryableError("x", { retryAfterMs: -5 }).retryAfterMs).toBeUndefined();
  });
});

describe("retry policy schema", () => {
  test("normalised policies are JSON apart from retryOn", () => {
    const policy = normaliseRetryPolicy({ maxAttempts: 5, retryOn: () => true });
    expect(JSON.parse(JSON.stringify(policy))).toEqual({ maxAttempts: 5, backoff: "exponential", baseMs: 1000, capMs: 60_000, jitter: 0.1 });
    expect(Object.isFrozen(policy)).toBe(true);
  });
  test("refuses misspelt keys and out-of-range values", () => {
    expect(retryPolicyInputSchema.safeParse({ maxAttempt: 3 }).success).toBe(false);
    expect(retryPolicyInputSchema.safeParse({ maxAttempts: 0 }).success).toBe(false);
    expect(retryPolicyInputSchema.safeParse({ jitter: 1.5 }).success).toBe(false);
    expect(retryPolicyInputSchema.safeParse({ backoff: "quadratic" }).success).toBe(false);
    expect(retryPolicyInputSchema.safeParse({ baseMs: 5000, capMs: 1000 }).success).toBe(false);
    expect(retryPolicyInputSchema.safeParse({ maxAttempts: 2, backoff: "fibonacci", jitter: 0 }).success).toBe(true);
  });
});
