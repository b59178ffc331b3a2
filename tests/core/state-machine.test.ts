import { expect, test } from "bun:test";
import { STEP_STATES } from "../../src/core/dag/index.ts";
import { isStepTransition, isTaskTransition, STEP_TRANSITIONS, stepStatesLeadingTo, TASK_TRANSITIONS, TERMINAL_TASK_STATES } from "../../src/core/state-machine.ts";
import { TASK_STATES } from "../../src/engine/types.ts";

test("the tables cover exactly the states of the schema", () => {
  expect(Object.keys(STEP_TRANSITIONS).sort()).toEqual([...STEP_STATES, "null"].sort());
  expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...TASK_STATES, "null"].sort());
  for (const targets of Object.values(STEP_TRANSITIONS)) for (const t of targets) expect(STEP_STATES).toContain(t);
});

test("terminal task states have no way out", () => {
  for (const s of TERMINAL_TASK_STATES) expect(TASK_TRANSITIONS[s]).toEqual([]);
  expect(isTaskTransition("complete", "in_progress")).toBe(false);
  expect(isTaskTransition("blocked_by_failures", "in_progress")).toBe(true);
});

test("satisfied steps are final; a failed step can only be reset or settled by hand", () => {
  expect(STEP_TRANSITIONS.complete).toEqual([]);
  expect(STEP_TRANSITIONS.resolved_manually).toEqual([]);
  expect([...STEP_TRANSITIONS.error].sort()).toEqual(["complete", "enqueued", "pending", "resolved_manually", "skipped"]);
  expect(isStepTransition(null, "enqueued")).toBe(true);
  expect(isStepTransition("complete", "error")).toBe(false);
  expect(stepStatesLeadingTo("cancelled").sort()).toEqual(["enqueued", "in_progress", "pending", "waiting", "waiting_for_retry"]);
});
