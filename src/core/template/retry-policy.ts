import { z } from "zod";

/** How the wait between attempts grows. */
export type BackoffKind = "none" | "linear" | "exponential" | "fibonacci";

/**
 * A step's retry policy after defaults are applied. Everything except `retryOn` is plain JSON, so
 * the engine can store the policy with each step row (JSON.stringify drops the function).
 */
export interface RetryPolicy {
  /** Total attempts including the first; 1 means never retry. */
  readonly maxAttempts: number;
  readonly backoff: BackoffKind;
  /** The first retry's delay (linear, exponential, fibonacci grow from it). */
  readonly baseMs: number;
  /** No computed delay exceeds this, whatever the attempt. */
  readonly capMs: number;
  /** Fraction 0..1 of each delay that is randomised away, so failed steps do not retry in lockstep. */
  readonly jitter: number;
  /** Decides for errors that are neither PermanentError nor RetryableError; absent means retry. */
  readonly retryOn?: (err: unknown) => boolean;
}

/** What an author writes: every field optional, see {@link DEFAULT_RETRY_POLICY}. */
export type RetryPolicyInput = Partial<RetryPolicy>;

/** Defaults: 3 attempts, exponential from 1 s, capped at 60 s, 10 % jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  backoff: "exponential",
  baseMs: 1000,
  capMs: 60_000,
  jitter: 0.1,
});

/** Upper bounds keep a typo (maxAttempts: 1e9) from turning into a step that never settles. */
const MAX_ATTEMPTS_LIMIT = 1000;
const ONE_WEEK_MS = 7 * 24 * 3600 * 1000;

/** zod schema of {@link RetryPolicyInput}; unknown keys are refused so a misspelt field is noticed. */
export const retryPolicyInputSchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).optional(),
    backoff: z.enum(["none", "linear", "exponential", "fibonacci"]).optional(),
    baseMs: z.number().int().min(0).max(ONE_WEEK_MS).optional(),
    capMs: z.number().int().min(0).max(ONE_WEEK_MS).optional(),
    jitter: z.number().min(0).max(1).optional(),
    retryOn: z.custom<(err: unknown) => boolean>((v) => typeof v === "function", "retryOn must be a function").optional(),
  })
  .refine((p) => (p.capMs ?? DEFAULT_RETRY_POLICY.capMs) >= (p.baseMs ?? DEFAULT_RETRY_POLICY.baseMs), {
    message: "capMs must be at least baseMs",
    path: ["capMs"],
  });

/**
 * Applies defaults to a validated policy input and freezes the result. `fallback` lets a template
 * format supply its own defaults (a Tasker YAML step's `default_retry_limit`).
 *
 * @example
 *   normaliseRetryPolicy({ maxAttempts: 5 })
 *   // { maxAttempts: 5, backoff: "exponential", baseMs: 1000, capMs: 60000, jitter: 0.1 }
 */
export function normaliseRetryPolicy(input: RetryPolicyInput | undefined, fallback: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPolicy {
  const merged: RetryPolicy = {
    maxAttempts: input?.maxAttempts ?? fallback.maxAttempts,
    backoff: input?.backoff ?? fallback.backoff,
    baseMs: input?.baseMs ?? fallback.baseMs,
    capMs: input?.capMs ?? fallback.capMs,
    jitter: input?.jitter ?? fallback.jitter,
    ...((input?.retryOn ?? fallback.retryOn) ? { retryOn: input?.retryOn ?? fallback.retryOn } : {}),
  };
  return Object.freeze(merged);
}
