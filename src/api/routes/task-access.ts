import { TaskNotFoundError } from "../../engine/errors.ts";
import type { Engine, TaskDetail } from "../../engine/types.ts";
import { mayAccessNamespace } from "../auth/require-permission.ts";
import type { Principal } from "../auth/principal.ts";

/**
 * Loads a task and hides it from a namespace-limited credential outside its namespaces: such a
 * caller gets task_not_found, exactly as for an id that does not exist, so ids of other
 * namespaces' tasks cannot be probed.
 *
 * @example
 *   const task = await visibleTask(engine, c.get("principal"), id);
 */
export async function visibleTask(engine: Engine, principal: Principal, taskId: string): Promise<TaskDetail> {
  const task = await engine.getTask(taskId);
  if (!mayAccessNamespace(principal, task.namespace)) throw new TaskNotFoundError(taskId);
  return task;
}

/**
 * For routes that do not otherwise load the task: checks visibility only when the credential is
 * namespace-limited, so unrestricted callers pay no extra read.
 *
 * @example
 *   await checkTaskVisible(engine, principal, id);
 */
export async function checkTaskVisible(engine: Engine, principal: Principal, taskId: string): Promise<void> {
  if (principal.namespaces !== null) await visibleTask(engine, principal, taskId);
}
