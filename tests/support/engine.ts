import { join } from "node:path";
import { defaultCore, type DagCore } from "../../src/core/dag/index.ts";
import { createEngine, type EngineOptions } from "../../src/engine/index.ts";
import type { Engine, TaskDetail } from "../../src/engine/types.ts";
import { createRegistry, type Registry } from "../../src/registry/index.ts";
import type { Db } from "../../src/store/db.ts";

export const HANDLERS_DIR = join(import.meta.dir, "../../handlers");

let core: Promise<DagCore> | null = null;
export const testCore = () => (core ??= defaultCore());

/** A registry over `dir` (the shipped handlers by default), loaded. */
export async function loadRegistry(dir = HANDLERS_DIR): Promise<Registry> {
  const registry = createRegistry({ handlersDir: dir, core: await testCore() });
  await registry.load();
  return registry;
}

/** An engine with fast polling for tests; stop it in afterAll/afterEach. */
export async function testEngine(db: Db, registry: Registry, options: EngineOptions = {}) {
  return createEngine({
    db,
    registry,
    core: await testCore(),
    options: { pollMs: 50, sweepMs: 200, eventPollMs: 20, ...options },
  });
}

const TERMINAL: readonly string[] = ["complete", "error", "cancelled", "resolved_manually", "blocked_by_failures"];

/** Polls until the task reaches one of `states` (default: any settled state) or fails after timeoutMs. */
export async function waitForTask(
  engine: Pick<Engine, "getTask">,
  taskId: string,
  states: readonly string[] = TERMINAL,
  timeoutMs = 20_000,
): Promise<TaskDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await engine.getTask(taskId);
    if (states.includes(task.state)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Polls `check` every 20 ms until it holds; throws after `timeoutMs`.
 *
 * @example
 *   await waitUntil(async () => (await engine.getTask(id)).steps[0]!.state === "in_progress", 10_000);
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
}
