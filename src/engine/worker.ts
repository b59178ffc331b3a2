import type { Logger } from "../core/logger.ts";
import { nextRetry } from "../core/retry.ts";
import { PermanentError } from "../core/handler-errors.ts";
import type { LoadedTemplate } from "../core/template/loaded-template.ts";
import type { SpawnReceipt, StepContext } from "../core/template/step-context.ts";
import type { JoinDefinition } from "../core/template/join.ts";
import { durableWaits, ParkSignal } from "../core/wait.ts";
import type { Db } from "../store/db.ts";
import { claimSteps, releaseSteps, type ClaimedStep } from "../store/queue.ts";
import type { ResolvedEngineOptions } from "./config.ts";
import type { Recorder } from "./recorder.ts";
import type { TemplateResolver } from "./templates.ts";
import type { StepErrorRecord } from "./types.ts";

export interface WorkerDeps {
  spawn: Spawner;
  db: Db;
  templates: TemplateResolver;
  recorder: Recorder;
  options: ResolvedEngineOptions;
  log: Logger;
  namespaces: () => string[];
}

type Spawner = (c: ClaimedStep, join: JoinDefinition, spec: Parameters<StepContext["spawn"]>[0]) => Promise<SpawnReceipt>;

class StepTimeoutError extends Error {
  constructor(ms: number) {
    super(`step timed out after ${ms} ms`);
    this.name = "StepTimeoutError";
  }
}

/**
 * The claim loop: claims up to the free concurrency in one statement, runs each handler with a
 * timeout and an AbortSignal, and hands outcomes to the recorder. It sleeps until woken (a local
 * enqueue or a NOTIFY) or until `pollMs` passes, which is also how due retries are found.
 */
export function createWorker(deps: WorkerDeps) {
  const { options, log } = deps;
  // `released`: handed back at shutdown, so whatever the handler does next is not recorded.
  const running = new Map<string, { taskId: string; attempt: number; controller: AbortController; released: boolean }>();
  let active = false;
  let loop: Promise<void> | null = null;
  let wakeFlag = false;
  let wakeResolve: (() => void) | null = null;

  function wake(): void {
    wakeFlag = true;
    wakeResolve?.();
  }

  function sleep(ms: number): Promise<void> {
    if (wakeFlag) {
      wakeFlag = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeResolve = null;
        wakeFlag = false;
        resolve();
      }
      wakeResolve = done;
    });
  }

  async function run(): Promise<void> {
    while (active) {
      const free = options.concurrency - running.size;
      const namespaces = deps.namespaces();
      if (free <= 0 || namespaces.length === 0) {
        await sleep(options.pollMs);
        continue;
      }
      let claimed: ClaimedStep[] = [];
      const asked = Math.min(free, options.claimBatch);
      try {
        claimed = await claimSteps(deps.db, namespaces, asked, options.workerId, options.defaultTimeoutMs, options.leaseGraceMs);
      } catch (error) {
        if (!active) break;
        log.error("claim failed", { error: String(error) });
        await sleep(options.pollMs);
        continue;
      }
      for (const step of claimed) void execute(step);
      // Fewer than asked means the queue is drained for now: wait for a wake-up (a local enqueue,
      // a NOTIFY, a freed slot) or the poll period instead of sending an empty claim at once.
      if (claimed.length < asked) await sleep(options.pollMs);
    }
  }

  async function execute(c: ClaimedStep): Promise<void> {
    const controller = new AbortController();
    const entry = { taskId: c.task_id, attempt: c.attempts, controller, released: false };
    running.set(c.step_id, entry);
    let template: LoadedTemplate | null = null;
    try {
      template = deps.templates.resolve(c.namespace, c.task_name, c.version);
      const step = template.steps[c.idx];
      if (!step || step.name !== c.name) throw new PermanentError(`template ${template.key} has no step "${c.name}" at index ${c.idx}`);
      const timeoutMs = c.timeout_ms ?? options.defaultTimeoutMs;
      let spawned: Promise<SpawnReceipt> | null = null;
      const ctx: StepContext = {
        context: c.context,
        deps: c.deps,
        attempt: c.attempts,
        maxAttempts: c.max_attempts,
        signal: controller.signal,
        log: log.child({ task: c.task_id, step: c.name, attempt: c.attempts }),
        taskId: c.task_id,
        stepId: c.step_id,
        stepName: c.name,
        namespace: c.namespace,
        taskName: c.task_name,
        version: c.version,
        ...durableWaits(c.wait, () => new Date()),
        spawn: (spec) => {
          if (spawned) return Promise.reject(new PermanentError("ctx.spawn may be called once per attempt"));
          spawned = deps.spawn(c, step.join, spec as Parameters<StepContext["spawn"]>[0]);
          return spawned;
        },
      };
      const result = await withTimeout(Promise.resolve().then(() => step.handler(ctx)), timeoutMs, controller);
      await options.faults?.beforeRecordOutcome?.({ stepId: c.step_id, attempt: c.attempts, name: c.name });
      if (entry.released) return;
      if (spawned) {
        // The step now waits for its children; the handler's own return value is not its result.
        const receipt: SpawnReceipt = await spawned;
        deps.recorder.record({ kind: "spawned", stepId: c.step_id, attempt: c.attempts, total: receipt.total, childFailure: step.join.onChildFailure });
      } else {
        deps.recorder.record({ kind: "success", stepId: c.step_id, attempt: c.attempts, results: toJson(result) });
      }
    } catch (error) {
      await options.faults?.beforeRecordOutcome?.({ stepId: c.step_id, attempt: c.attempts, name: c.name });
      if (entry.released) return;
      if (error instanceof ParkSignal) {
        deps.recorder.record({ kind: "parked", stepId: c.step_id, attempt: c.attempts, wait: error.wait, wakeAt: error.wakeAt });
        return;
      }
      const policy = template?.steps[c.idx]?.retry;
      const decision = policy
        ? nextRetry({ ...policy, maxAttempts: c.max_attempts }, c.attempts, error, options.random)
        : ({ retry: false, reason: "permanent" } as const);
      deps.recorder.record({
        kind: "failure",
        stepId: c.step_id,
        attempt: c.attempts,
        retry: decision.retry,
        delayMs: decision.retry ? decision.delayMs : 0,
        error: errorRecord(error, c.attempts, decision.retry ? null : decision.reason),
      });
    } finally {
      running.delete(c.step_id);
      if (running.size === options.concurrency - 1) wake();
    }
  }

  return {
    wake,
    runningCount: () => running.size,
    start(): void {
      if (active) return;
      active = true;
      loop = run();
    },
    /** Aborts the running handlers of one task (cancel); their outcomes are fenced out anyway. */
    abortTask(taskId: string, reason: string): number {
      let n = 0;
      for (const r of running.values()) {
        if (r.taskId === taskId) {
          r.controller.abort(new Error(reason));
          n++;
        }
      }
      return n;
    },
    /** Stops claiming, waits up to drainMs for running handlers, then aborts and releases the rest. */
    async stop(drainMs: number): Promise<void> {
      active = false;
      wake();
      await loop;
      const deadline = Date.now() + drainMs;
      while (running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const left = [...running.entries()];
      if (left.length > 0) {
        for (const [, r] of left) r.released = true;
        const released = await releaseSteps(deps.db, options.workerId, left.map(([id]) => id), left.map(([, r]) => r.attempt)).catch(() => 0);
        for (const [, r] of left) r.controller.abort(new Error("worker shutting down"));
        log.warn("released unfinished steps at shutdown", { steps: left.length, released });
      }
      await deps.recorder.flushed();
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

function withTimeout<T>(work: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  return Promise.race([work, timeout, aborted]).finally(() => clearTimeout(timer));
}

function toJson(result: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    throw new PermanentError(`the step's result is not JSON-serialisable: ${String(error)}`);
  }
  return text ?? "null";
}

/** Anything a handler throws becomes a plain, JSON-safe error record. */
function errorRecord(error: unknown, attempt: number, finalReason: string | null): StepErrorRecord {
  const e = error instanceof Error ? error : new Error(typeof error === "string" ? error : JSON.stringify(error) ?? String(error));
  const kind: StepErrorRecord["kind"] =
    e instanceof StepTimeoutError ? "timeout" : PermanentError.is(e) || finalReason === "permanent" || finalReason === "not_retryable" ? "permanent" : "retryable";
  const record: StepErrorRecord = { message: e.message, name: e.name, kind, attempt };
  if (e.stack) record.stack = e.stack.split("\n").slice(0, 8).join("\n");
  return record;
}
