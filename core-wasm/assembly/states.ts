// Step state codes: the index in STEP_STATES of src/core/dag/step-state.ts. Keep both in step.
export const PENDING: u8 = 0;
export const ENQUEUED: u8 = 1;
export const IN_PROGRESS: u8 = 2;
export const WAITING_FOR_RETRY: u8 = 3;
export const COMPLETE: u8 = 4;
export const ERROR: u8 = 5;
export const CANCELLED: u8 = 6;
export const RESOLVED_MANUALLY: u8 = 7;
export const SKIPPED: u8 = 8;
// Parked without a worker: waiting for child tasks (or, later, a timer or an external event).
export const WAITING: u8 = 9;
export const STATE_COUNT: u8 = 10;

const SATISFIED_MASK: u32 = (1 << COMPLETE) | (1 << RESOLVED_MANUALLY) | (1 << SKIPPED);
const ACTIVE_MASK: u32 = (1 << ENQUEUED) | (1 << IN_PROGRESS) | (1 << WAITING);

// Task outcome codes: the index in TASK_OUTCOMES of step-state.ts.
export const OUTCOME_COMPLETE: i32 = 0;
export const OUTCOME_IN_PROGRESS: i32 = 1;
export const OUTCOME_WAITING: i32 = 2;
export const OUTCOME_BLOCKED: i32 = 3;

// @ts-ignore: decorator
@inline export function isSatisfied(state: u32): bool {
  return ((SATISFIED_MASK >> state) & 1) != 0;
}

// @ts-ignore: decorator
@inline export function isActive(state: u32): bool {
  return ((ACTIVE_MASK >> state) & 1) != 0;
}

// @ts-ignore: decorator
@inline export function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function setI32(base: usize, i: i32, value: i32): void {
  store<i32>(base + (<usize>i << 2), value);
}

// @ts-ignore: decorator
@inline export function u8At(base: usize, i: i32): u32 {
  return <u32>load<u8>(base + <usize>i);
}

// @ts-ignore: decorator
@inline export function setU8(base: usize, i: i32, value: u8): void {
  store<u8>(base + <usize>i, value);
}

/** Returns -(i + 1) for the first step whose state code is unknown, 0 when all are known. */
export function firstUnknownState(n: i32, states: usize): i32 {
  for (let i = 0; i < n; i++) if (u8At(states, i) >= <u32>STATE_COUNT) return -(i + 1);
  return 0;
}
