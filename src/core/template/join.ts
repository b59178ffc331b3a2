import { z } from "zod";

/**
 * What a spawning step does when a child task fails for good (blocked, cancelled or failed):
 * `park` waits until a person fixes the child (the default, as in chrono_forge); `fail` fails
 * the spawning step at once; `ignore` counts the child as failed and carries on.
 */
export type ChildFailurePolicy = "park" | "fail" | "ignore";

/** One child's outcome as the join sees it. */
export interface ChildOutcome {
  /** The child's key: its index in the spawn source. */
  readonly key: string;
  readonly taskId: string;
  readonly state: string;
  /** The child's result: its sink step's result, or an object of its sink steps' results. */
  readonly result: unknown;
}

/**
 * How a spawning step's result is formed when its children are done: `counts` ({ total,
 * complete, failed }, the default: constant size whatever the fan-out), `all` (every child's
 * outcome, in key order), or `reduce` folded over the children in key order from `initial`.
 */
export interface JoinSpec {
  onChildFailure?: ChildFailurePolicy;
  results?: "counts" | "all";
  reduce?: (acc: unknown, child: ChildOutcome) => unknown;
  initial?: unknown;
}

export interface JoinDefinition {
  readonly onChildFailure: ChildFailurePolicy;
  readonly results: "counts" | "all" | "reduce";
  readonly reduce: ((acc: unknown, child: ChildOutcome) => unknown) | undefined;
  readonly initial: unknown;
}

export const joinSpecSchema = z.strictObject({
  onChildFailure: z.enum(["park", "fail", "ignore"]).optional(),
  results: z.enum(["counts", "all"]).optional(),
  reduce: z.custom<(acc: unknown, child: ChildOutcome) => unknown>((v) => typeof v === "function", "reduce must be a function").optional(),
  initial: z.unknown().optional(),
});

export const DEFAULT_JOIN: JoinDefinition = Object.freeze({ onChildFailure: "park", results: "counts", reduce: undefined, initial: undefined });

/**
 * Applies defaults: a reducer makes the result `reduce`, otherwise `results` decides.
 *
 * @example
 *   normaliseJoin({ reduce: (sum, c) => (sum as number) + (c.result as number), initial: 0 }).results // "reduce"
 */
export function normaliseJoin(spec: JoinSpec | undefined): JoinDefinition {
  if (!spec) return DEFAULT_JOIN;
  return Object.freeze({
    onChildFailure: spec.onChildFailure ?? "park",
    results: spec.reduce ? "reduce" : (spec.results ?? "counts"),
    reduce: spec.reduce,
    initial: spec.initial,
  });
}
