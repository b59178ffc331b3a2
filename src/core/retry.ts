import { PermanentError, RetryableError } from "./handler-errors.ts";
import type { RetryPolicy } from "./template/retry-policy.ts";

/*
 * Pure retry arithmetic. Randomness is a parameter so the engine can pass Math.random and tests a
 * fixed sequence; nothing here reads a clock.
 */

/** The multiplier of baseMs for the retry after `attempt` failed, stopping early once past `limit`. */
function growth(kind: RetryPolicy["backoff"], attempt: number, limit: number): number {
  switch (kind) {
    case "none":
      return 0;
    case "linear":
      return attempt;
    case "exponential":
      // 2^1023 is the last finite power; Math.min with the cap follows anyway.
      return 2 ** Math.min(attempt - 1, 1023);
    case "fibonacci": {
      // 1, 1, 2, 3, 5, 8 … ; the loop stops once the factor passes the cap, so a huge attempt
      // number costs nothing.
      let prev = 0;
      let cur = 1;
      for (let i = 1; i < attempt && cur <= limit; i++) [prev, cur] = [cur, prev + cur];
      return cur;
    }
  }
}

/**
 * The delay before the next attempt, after attempt number `attempt` (1-based) failed.
 * Schedules for baseMs = 1000: linear 1 s, 2 s, 3 s …; exponential 1 s, 2 s, 4 s …;
 * fibonacci 1 s, 1 s, 2 s, 3 s, 5 s …; none 0. The result is capped at capMs, then jitter removes a
 * random part: with jitter 0.1 the delay lies in [90 %, 100 %] of the capped value. Jitter only
 * shortens, so the cap holds and retries that hit the cap still spread out instead of piling up.
 *
 * @example
 *   backoffDelayMs({ maxAttempts: 5, backoff: "exponential", baseMs: 1000, capMs: 60000, jitter: 0 }, 3, Math.random)
 *   // 4000
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const limit = policy.baseMs > 0 ? policy.capMs / policy.baseMs : 0;
  const raw = policy.baseMs * growth(policy.backoff, n, limit);
  const capped = Math.min(policy.capMs, raw);
  const r = Math.min(1, Math.max(0, random()));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(capped * (1 - jitter * r));
}

/**
 * Whether an error thrown by a handler deserves another attempt (attempts left aside):
 * PermanentError never, RetryableError always, anything else as `policy.retryOn` says (default yes).
 * A `retryOn` that itself throws counts as "no", so a bug in the predicate surfaces as a failed step
 * instead of a retry loop.
 *
 * @example
 *   isRetryable(policy, new PermanentError("card declined")) // false
 */
export function isRetryable(policy: RetryPolicy, err: unknown): boolean {
  if (PermanentError.is(err)) return false;
  if (RetryableError.is(err)) return true;
  if (!policy.retryOn) return true;
  try {
    return policy.retryOn(err) === true;
  } catch {
    return false;
  }
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: "permanent" | "not_retryable" | "exhausted" };

/**
 * Combines {@link isRetryable}, the attempt budget and the delay. A RetryableError's `retryAfterMs`
 * replaces the computed backoff (still capped by capMs, the author's ceiling on any wait).
 *
 * @example
 *   nextRetry(policy, 1, new RetryableError("429", { retryAfterMs: 5000 }), Math.random)
 *   // { retry: true, delayMs: 5000 }
 */
export function nextRetry(policy: RetryPolicy, attempt: number, err: unknown, random: () => number): RetryDecision {
  if (PermanentError.is(err)) return { retry: false, reason: "permanent" };
  if (!isRetryable(policy, err)) return { retry: false, reason: "not_retryable" };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: "exhausted" };
  if (RetryableError.is(err) && err.retryAfterMs !== undefined) {
    return { retry: true, delayMs: Math.min(policy.capMs, Math.round(err.retryAfterMs)) };
  }
  return { retry: true, delayMs: backoffDelayMs(policy, attempt, random) };
}
