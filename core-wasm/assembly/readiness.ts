import {
  CANCELLED, ERROR, firstUnknownState, i32At, isActive, isSatisfied, OUTCOME_BLOCKED, OUTCOME_COMPLETE,
  OUTCOME_IN_PROGRESS, OUTCOME_WAITING, PENDING, setI32, setU8, u8At, WAITING_FOR_RETRY,
} from "./states";

// Twins of the readiness functions in src/core/dag/reference-core.ts; see there for the rules.
// Arrays: pOff n+1 i32, pTgt i32 (parents), order n i32, states/retryDue n u8, attempts/maxAttempts n i32.

// @ts-ignore: decorator
@inline function isDead(i: i32, states: usize, attempts: usize, maxAttempts: usize): bool {
  const s = u8At(states, i);
  return s == ERROR || s == CANCELLED || (s == WAITING_FOR_RETRY && i32At(attempts, i) >= i32At(maxAttempts, i));
}

// @ts-ignore: decorator
@inline function isReady(
  i: i32, pOff: usize, pTgt: usize, states: usize, attempts: usize, maxAttempts: usize, retryDue: usize,
): bool {
  const s = u8At(states, i);
  if (s != PENDING) {
    if (s != WAITING_FOR_RETRY || u8At(retryDue, i) == 0 || i32At(attempts, i) >= i32At(maxAttempts, i)) return false;
  }
  const end = i32At(pOff, i + 1);
  for (let e = i32At(pOff, i); e < end; e++) {
    if (!isSatisfied(u8At(states, i32At(pTgt, e)))) return false;
  }
  return true;
}

/** Writes the ready steps ascending to `out`; returns their count, or -(i+1) for an unknown state at i. */
export function readySet(
  n: i32, pOff: usize, pTgt: usize, states: usize, attempts: usize, maxAttempts: usize, retryDue: usize, out: usize,
): i32 {
  const bad = firstUnknownState(n, states);
  if (bad < 0) return bad;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (isReady(i, pOff, pTgt, states, attempts, maxAttempts, retryDue)) setI32(out, count++, i);
  }
  return count;
}

/** flags[i] = 1 when i is unfinished, not failed itself, and a parent is failed or blocked. */
function markBlocked(
  n: i32, pOff: usize, pTgt: usize, order: usize, states: usize, attempts: usize, maxAttempts: usize, flags: usize,
): void {
  memory.fill(flags, 0, <usize>n);
  for (let k = 0; k < n; k++) {
    const i = i32At(order, k);
    if (isSatisfied(u8At(states, i)) || isDead(i, states, attempts, maxAttempts)) continue;
    const end = i32At(pOff, i + 1);
    for (let e = i32At(pOff, i); e < end; e++) {
      const p = i32At(pTgt, e);
      if (u8At(flags, p) != 0 || isDead(p, states, attempts, maxAttempts)) {
        setU8(flags, i, 1);
        break;
      }
    }
  }
}

/** Writes the blocked steps ascending to `out`; returns their count, or -(i+1) for an unknown state. */
export function blockedSet(
  n: i32, pOff: usize, pTgt: usize, order: usize, states: usize, attempts: usize, maxAttempts: usize,
  out: usize, flags: usize,
): i32 {
  const bad = firstUnknownState(n, states);
  if (bad < 0) return bad;
  markBlocked(n, pOff, pTgt, order, states, attempts, maxAttempts, flags);
  let count = 0;
  for (let i = 0; i < n; i++) if (u8At(flags, i) != 0) setI32(out, count++, i);
  return count;
}

/** Returns an OUTCOME_* code, or -(i+1) for an unknown state at i. */
export function outcome(
  n: i32, pOff: usize, pTgt: usize, order: usize, states: usize, attempts: usize, maxAttempts: usize,
  retryDue: usize, flags: usize,
): i32 {
  const bad = firstUnknownState(n, states);
  if (bad < 0) return bad;
  let allSatisfied = true;
  for (let i = 0; i < n; i++) {
    const s = u8At(states, i);
    if (!isSatisfied(s)) allSatisfied = false;
    if (isActive(s) || isReady(i, pOff, pTgt, states, attempts, maxAttempts, retryDue)) return OUTCOME_IN_PROGRESS;
  }
  if (allSatisfied) return OUTCOME_COMPLETE;
  markBlocked(n, pOff, pTgt, order, states, attempts, maxAttempts, flags);
  for (let i = 0; i < n; i++) {
    if (
      u8At(states, i) == WAITING_FOR_RETRY && i32At(attempts, i) < i32At(maxAttempts, i) && u8At(flags, i) == 0
    ) return OUTCOME_WAITING;
  }
  return OUTCOME_BLOCKED;
}
