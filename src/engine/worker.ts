import type { Logger } from "../core/logger.ts";
import { nextRetry } from "../core/retry.ts";
import { PermanentError } from "../core/handler-errors.ts";
import type { LoadedStep, LoadedTemplate } from "../core/template/loaded-template.ts";
import type { SpawnReceipt, StepContext } from "../core/template/step-context.ts";
import type { JoinDefinition } from "../core/template/join.ts";
import { durableWaits, ParkSignal } from "../core/wait.ts";
import type { Db } from "../store/db.ts";
import { claimSteps, releaseSteps, type BatchRecord, type ClaimedStep } from "../store/queue.ts";
import type { ResolvedEngineOptions } from "./config.ts";
import type { Recorder } from "./recorder.ts";
import type { TemplateResolver } from "./templates.ts";
import type { StepErrorRecord } from "./types.ts";
import { batchWorkerName, readPlan, type BatchContext, type BatchOutcome } from "../core/template/batch.ts";
import { batchWorkerRows, saveCheckpoint } from "../store/batches.ts";
import { LeaseLostError } from "./errors.ts";
import type { BatchPlan } from "./dynamic.ts";
import type { DynamicParts } from "./recorder.ts";

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
  // Slots promised to a claim in flight and to completions that may lease children locally.
  let claiming = 0;
  let claimSettled: Promise<unknown> | null = null;
  // The last claim found fewer messages than it asked for: the queue is (nearly) drained.
  let queueDrained = true;
  let reserved = 0;
  // The loop sleeps because every slot is taken: a slot coming free must wake it.
  let starved = false;
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

  function freeSlots(): number {
    return options.concurrency - running.size - claiming - reserved;
  }

  function slotFreed(): void {
    if (starved && freeSlots() > 0) {
      starved = false;
      wake();
    }
  }

  async function run(): Promise<void> {
    while (active) {
      const free = freeSlots();
      const namespaces = deps.namespaces();
      if (free <= 0 || namespaces.length === 0) {
        starved = free <= 0;
        await sleep(options.pollMs);
        continue;
      }
      let claimed: ClaimedStep[] = [];
      const asked = Math.min(free, options.claimBatch);
      claiming = asked;
      try {
        const claim = claimSteps(deps.db, namespaces, asked, options.workerId, options.defaultTimeoutMs, options.leaseGraceMs);
        claimSettled = claim.catch(() => {});
        claimed = await claim;
      } catch (error) {
        claiming = 0;
        if (!active) break;
        log.error("claim failed", { error: String(error) });
        await sleep(options.pollMs);
        continue;
      }
      claiming = 0;
      queueDrained = claimed.length < asked;
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
    const worker = batchWorkerOf(c);
    let template: LoadedTemplate | null = null;
    try {
      template = deps.templates.resolve(c.namespace, c.task_name, c.version);
      const step = templateStep(template, c);
      if (!step) throw new PermanentError(`template ${template.key} has no step "${c.name}" at index ${c.idx}`);
      if (step.batch && !worker) {
        // The batch step's own row: its workers are all done; its result is theirs, in plan order.
        deps.recorder.record({ kind: "success", stepId: c.step_id, attempt: c.attempts, results: toJson(await gatherBatch(c)), fanout: template.dag.childrenOf(c.idx).length });
        return;
      }
      const timeoutMs = c.timeout_ms ?? options.defaultTimeoutMs;
      let spawned: Promise<SpawnReceipt> | null = null;
      const chosen = new Set<number>();
      let choseAny = false;
      const fence = { stepId: c.step_id, attempt: c.attempts, owner: options.workerId };
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
          // Its result would be the children's join, decided later: no place for a choice or a plan.
          if (step.branches.length > 0 || worker || feedsBatch(template!, c.idx)) {
            return Promise.reject(new PermanentError(`step "${c.name}" cannot spawn child tasks: decision steps, planners and batch workers complete with their own result`));
          }
          spawned = deps.spawn(c, step.join, spec as Parameters<StepContext["spawn"]>[0]);
          return spawned;
        },
        choose: (...names) => {
          if (step.branches.length === 0) throw new PermanentError(`ctx.choose: step "${step.name}" is not a decision point (it declares no branches)`);
          for (const name of names) {
            const idx = template!.dag.indexOf.get(name);
            if (idx === undefined || !step.branches.includes(idx)) {
              const allowed = step.branches.map((b) => template!.dag.names[b]).join(", ");
              throw new PermanentError(`ctx.choose: "${name}" is not a branch of decision step "${step.name}" (its branches: ${allowed})`);
            }
            chosen.add(idx);
          }
          choseAny = true;
        },
        batch: worker ? batchContext(worker, c, fence) : null,
      };
      const result = await withTimeout(Promise.resolve().then(() => step.handler(ctx)), timeoutMs, controller);
      if (step.branches.length > 0 && !choseAny) {
        throw new PermanentError(`decision step "${step.name}" returned without choosing: call ctx.choose(...) with the branches to run (none is allowed)`);
      }
      const results = toJson(result);
      // A worker's result is one batch's; only a template step's own result can be a plan.
      const plans = spawned || worker ? [] : batchPlans(template, c.idx, result);
      await options.faults?.beforeRecordOutcome?.({ stepId: c.step_id, attempt: c.attempts, name: c.name });
      if (entry.released) return;
      if (spawned) {
        // The step now waits for its children; the handler's own return value is not its result.
        const receipt: SpawnReceipt = await spawned;
        deps.recorder.record({ kind: "spawned", stepId: c.step_id, attempt: c.attempts, total: receipt.total, childFailure: step.join.onChildFailure });
      } else if (step.branches.length > 0 || plans.length > 0) {
        const dynamic: DynamicParts = { taskId: c.task_id, reason: "handler succeeded" };
        if (step.branches.length > 0) {
          dynamic.decision = { template, stepIdx: c.idx, unchosen: step.branches.filter((b) => !chosen.has(b)) };
          dynamic.reason = `handler succeeded; chose ${[...chosen].map((b) => template!.dag.names[b]).join(", ") || "no branch"}`;
        }
        if (plans.length > 0) dynamic.plans = plans;
        deps.recorder.record({ kind: "success", stepId: c.step_id, attempt: c.attempts, results, dynamic });
      } else {
        // A batch worker's row is outside the template: its completion leases nothing locally.
        const fanout = worker ? 0 : template.dag.childrenOf(c.idx).length;
        deps.recorder.record({ kind: "success", stepId: c.step_id, attempt: c.attempts, results, fanout });
      }
    } catch (error) {
      await options.faults?.beforeRecordOutcome?.({ stepId: c.step_id, attempt: c.attempts, name: c.name });
      if (entry.released) return;
      if (error instanceof ParkSignal) {
        deps.recorder.record({ kind: "parked", stepId: c.step_id, attempt: c.attempts, wait: error.wait, wakeAt: error.wakeAt });
        return;
      }
      const step = template ? templateStep(template, c) : null;
      const policy = step?.retry;
      // A batch worker's batch step says what its final failure does to the other batches.
      const onFailure = worker ? step?.batch?.onFailure : undefined;
      const decision = policy
        ? nextRetry({ ...policy, maxAttempts: c.max_attempts }, c.attempts, error, options.random)
        : ({ retry: false, reason: "permanent" } as const);
      const record = errorRecord(error, c.attempts, decision.retry ? null : decision.reason);
      if (!decision.retry && onFailure === "continue") {
        // onFailure "continue": the failure becomes this batch's entry and the others carry on.
        const dynamic: DynamicParts = { taskId: c.task_id, reason: "batch failed for good; onFailure continue carries on", continued: { ...record, continued: true } };
        deps.recorder.record({ kind: "success", stepId: c.step_id, attempt: c.attempts, results: "null", dynamic });
        return;
      }
      deps.recorder.record({
        kind: "failure",
        stepId: c.step_id,
        attempt: c.attempts,
        retry: decision.retry,
        delayMs: decision.retry ? decision.delayMs : 0,
        error: record,
        ...(worker && onFailure === "fail_fast" ? { failFast: { taskId: c.task_id, of: worker.of } } : {}),
      });
    } finally {
      running.delete(c.step_id);
      slotFreed();
    }
  }

  /** A batch worker's view of its range, with durable checkpoints fenced on its lease. */
  function batchContext(w: BatchWorkerRecord, c: ClaimedStep, fence: { stepId: string; attempt: number; owner: string }): BatchContext {
    return {
      index: w.index,
      count: w.count,
      start: w.start,
      end: w.end,
      checkpoint: c.checkpoint,
      save: async (cursor, state) => {
        const saved = await saveCheckpoint(deps.db, fence, JSON.stringify({ cursor, state: state ?? null }));
        if (!saved) throw new LeaseLostError(c.step_id, c.attempts);
      },
    };
  }

  /** The entries of a batch step's result: each worker's range and result (or error, under continue). */
  async function gatherBatch(c: ClaimedStep): Promise<BatchOutcome[]> {
    const join = c.batch && "first" in c.batch ? c.batch : null;
    if (!join) return []; // the planner was skipped: no plan, no workers
    const rows = await batchWorkerRows(deps.db, c.task_id, join.first, join.count);
    return rows.map((r) => {
      const error = r.error as { continued?: boolean } | null;
      const failed = r.state === "complete" && error?.continued === true;
      const base = { index: r.batch.index, start: r.batch.start, end: r.batch.end };
      return failed ? { ...base, ok: false, error: r.error } : { ...base, ok: true, result: r.results ?? null };
    });
  }

  return {
    wake,
    runningCount: () => running.size,
    /**
     * Takes up to `max` free slots for children a completion statement may lease to this worker.
     * None while the last claim came back full: older messages are waiting on the queue, and
     * children must not overtake them (there, claims are batched anyway). A claim in flight holds
     * every slot it asked for; when that leaves too few, its answer (most likely short, within a
     * round trip) is awaited rather than sending the children through the queue.
     */
    async reserve(max: number): Promise<number> {
      if (!active || !queueDrained) return 0;
      // A few rounds at most: the loop may send its next claim before this resumes.
      for (let round = 0; round < 3 && queueDrained && freeSlots() < max && claiming > 0; round++) await claimSettled;
      if (!active || !queueDrained) return 0;
      const n = Math.max(0, Math.min(max, freeSlots()));
      reserved += n;
      return n;
    },
    /** Runs children leased to this worker by a completion; gives back the reserved slots they did not take. */
    adopt(steps: ClaimedStep[], slots: number): void {
      reserved -= slots;
      for (const step of steps) void execute(step);
      if (steps.length < slots) slotFreed();
    },
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
      // A completion in flight may still hand this worker leased children: they join the drain.
      await deps.recorder.flushed();
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

type BatchWorkerRecord = Extract<BatchRecord, { of: number }>;

/** A batch worker's range, or null for a row that is a step of the template itself. */
function batchWorkerOf(c: ClaimedStep): BatchWorkerRecord | null {
  return c.batch && "of" in c.batch ? c.batch : null;
}

/**
 * The template step a claimed row runs — its own, or for a batch worker its batch step's — or
 * null when the row does not match the template (name and index disagree).
 */
function templateStep(template: LoadedTemplate, c: ClaimedStep): LoadedStep | null {
  const worker = batchWorkerOf(c);
  const step = template.steps[worker ? worker.of : c.idx];
  const expected = step && worker ? batchWorkerName(step.name, worker.index) : step?.name;
  return step && expected === c.name ? step : null;
}

function feedsBatch(template: LoadedTemplate, idx: number): boolean {
  return Array.from(template.dag.childrenOf(idx)).some((child) => template.steps[child]!.batch !== null);
}

/**
 * The batch workers a planner's result asks for: one plan per batch step that depends on the
 * step. A result that is not a valid plan fails the planner permanently, saying why.
 */
function batchPlans(template: LoadedTemplate, idx: number, result: unknown): BatchPlan[] {
  const plans: BatchPlan[] = [];
  for (const child of template.dag.childrenOf(idx)) {
    const batch = template.steps[child]!.batch;
    if (!batch) continue;
    const plan = readPlan(result, batch.maxWorkers);
    if (!plan.ok) throw new PermanentError(`step "${template.steps[idx]!.name}" plans the batch step "${template.steps[child]!.name}": ${plan.message}`);
    plans.push({ template, plannerIdx: idx, batchIdx: child, ranges: plan.ranges });
  }
  return plans;
}
