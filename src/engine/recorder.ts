import type { DagCore } from "../core/dag/index.ts";
import type { Logger } from "../core/logger.ts";
import type { Db } from "../store/db.ts";
import { failSteps, satisfySteps, type SatisfyResult } from "../store/outcomes.ts";
import { reconcileTasks } from "./reconcile.ts";
import { finishDispatch } from "../store/children.ts";
import { parkSteps } from "../store/waits.ts";
import type { WaitRecord } from "../core/wait.ts";
import type { Joiner } from "./join.ts";
import type { TemplateResolver } from "./templates.ts";
import type { StepErrorRecord } from "./types.ts";
import { cancelBatchSiblings } from "../store/batches.ts";
import { recordDynamicSuccess, type BatchPlan, type DecisionOutcome } from "./dynamic.ts";
import type { ClaimedStep } from "../store/queue.ts";

export type Outcome =
  | {
      kind: "success";
      stepId: string;
      attempt: number;
      results: string;
      dynamic?: DynamicParts;
      /** Children the step has in its template: how many worker slots a local handoff may need. */
      fanout?: number;
    }
  | { kind: "spawned"; stepId: string; attempt: number; total: number; childFailure: "park" | "fail" | "ignore" }
  | { kind: "parked"; stepId: string; attempt: number; wait: WaitRecord; wakeAt: Date | null }
  | {
      kind: "failure";
      stepId: string;
      attempt: number;
      retry: boolean;
      delayMs: number;
      error: StepErrorRecord;
      /** A batch worker under `onFailure: "fail_fast"`: its final failure cancels its siblings. */
      failFast?: { taskId: string; of: number };
    };

/** A success that changes the task's shape: a decision, a batch plan, or a batch failure carried on. */
export interface DynamicParts {
  taskId: string;
  reason: string;
  decision?: DecisionOutcome;
  plans?: BatchPlan[];
  continued?: StepErrorRecord;
}

export interface RecorderDeps {
  db: Db;
  core: DagCore;
  templates: TemplateResolver;
  owner: string;
  log: Logger;
  joiner: Joiner;
  /** This engine's worker, when it runs one: children made ready by a completion are leased to it. */
  handoff?: LocalHandoff;
  /** Batches written at once (default 1). */
  writers?: number;
}

/** What the recorder needs from the local worker to hand it children in the completion statement. */
export interface LocalHandoff {
  namespaces(): readonly string[];
  defaultTimeoutMs: number;
  leaseGraceMs: number;
  /** Takes up to `max` free worker slots for the children the next completion may lease. */
  reserve(max: number): Promise<number>;
  /** Runs the leased children and gives back the `reserved` slots they did not take. */
  adopt(steps: ClaimedStep[], reserved: number): void;
}

// Deadlocks between two batches that touch the same tasks in different orders are possible
// (each batch locks child and task rows as it finds them); Postgres aborts one, which retries.
const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);
const MAX_TRIES = 8;
const MAX_BATCH = 512;

/**
 * Collects handler outcomes and records them in batches: whatever finished while the previous
 * batches were being written goes into the next one, with up to `writers` batches in flight. A
 * batch of successes is one statement (one round trip, atomic on its own); failures add a
 * transaction that also re-evaluates the task.
 */
export function createRecorder(deps: RecorderDeps) {
  let buffer: Outcome[] = [];
  let scheduled = false;
  const waiters: Array<() => void> = [];

  async function writeBatch(batch: Outcome[]): Promise<void> {
    const successes = batch.filter((o): o is Extract<Outcome, { kind: "success" }> => o.kind === "success");
    const ok = successes.filter((o) => !o.dynamic);
    const bad = batch.filter((o): o is Extract<Outcome, { kind: "failure" }> => o.kind === "failure");
    const spawned = batch.filter((o): o is Extract<Outcome, { kind: "spawned" }> => o.kind === "spawned");
    const parked = batch.filter((o): o is Extract<Outcome, { kind: "parked" }> => o.kind === "parked");
    if (parked.length > 0) {
      const accepted = await retrying(() => parkSteps(deps.db, deps.owner, parked));
      if (accepted.length < parked.length) deps.log.warn("parks rejected: lease lost", { rejected: parked.length - accepted.length });
    }
    if (ok.length > 0) {
      const handoff = deps.handoff;
      const fanout = ok.reduce((n, o) => n + (o.fanout ?? 0), 0);
      const slots = handoff && fanout > 0 ? await handoff.reserve(fanout) : 0;
      let r: SatisfyResult;
      try {
        r = await retrying(() =>
          satisfySteps(deps.db, {
            stepIds: ok.map((o) => o.stepId),
            attempts: ok.map((o) => o.attempt),
            results: ok.map((o) => o.results),
            owner: deps.owner,
            to: "complete",
            from: ["in_progress"],
            actor: deps.owner,
            reason: "handler succeeded",
            lease: handoff && slots > 0
              ? { owner: deps.owner, queues: handoff.namespaces(), limit: slots, defaultTimeoutMs: handoff.defaultTimeoutMs, graceMs: handoff.leaseGraceMs }
              : null,
          }),
        );
      } catch (error) {
        handoff?.adopt([], slots);
        throw error;
      }
      // The leased children start now, before the follow-up work below.
      handoff?.adopt(r.leased, slots);
      if (r.done.length < ok.length) {
        deps.log.warn("outcomes rejected: lease lost or step changed meanwhile", { rejected: ok.length - r.done.length });
      }
      // Enqueue notices; a branch finishing where another failed for good; children finishing.
      await retrying(() => deps.joiner.afterSatisfy(r));
    }
    for (const o of successes) {
      if (!o.dynamic) continue;
      const d = o.dynamic;
      const fence = { stepId: o.stepId, attempt: o.attempt, owner: deps.owner };
      const r = await retrying(() =>
        deps.db.transaction((tx) => recordDynamicSuccess(tx, deps.core, { ...d, fence, results: o.results }, deps.owner)),
      );
      if (r) await retrying(() => deps.joiner.afterSatisfy(r));
      else deps.log.warn("outcome rejected: lease lost or step changed meanwhile", { step: o.stepId });
    }
    for (const o of spawned) {
      const parent = await retrying(() => finishDispatch(deps.db, { stepId: o.stepId, attempt: o.attempt, owner: deps.owner }, o.total, o.childFailure));
      // Children may all have finished while dispatch was still running.
      if (parent) await retrying(() => deps.joiner.evaluate(parent));
      else deps.log.warn("dispatch result rejected: lease lost", { step: o.stepId });
    }
    if (bad.length > 0) {
      const input = {
        stepIds: bad.map((o) => o.stepId),
        attempts: bad.map((o) => o.attempt),
        retry: bad.map((o) => o.retry),
        delayMs: bad.map((o) => Math.round(o.delayMs)),
        errors: bad.map((o) => JSON.stringify(o.error)),
        owner: deps.owner,
      };
      if (bad.every((o) => o.retry)) {
        // Only retries: the task's progress cannot change, so one statement suffices.
        await retrying(() => failSteps(deps.db, input));
      } else {
        const blocked = await retrying(() =>
          deps.db.transaction(async (tx) => {
            const failed = (await failSteps(tx, input)).filter((s) => s.state === "error");
            const failedIds = new Set(failed.map((s) => s.id));
            for (const o of bad) {
              if (!o.failFast || !failedIds.has(o.stepId)) continue;
              const reason = "a sibling batch failed for good (onFailure: fail_fast)";
              await cancelBatchSiblings(tx, o.failFast.taskId, o.failFast.of, deps.owner, reason);
            }
            const failedTasks = [...new Set(failed.map((s) => s.task_id))];
            return reconcileTasks(tx, deps.core, deps.templates, failedTasks, deps.owner);
          }),
        );
        await retrying(() => deps.joiner.settle(blocked));
      }
    }
  }

  async function retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_TRIES || !code || !RETRYABLE_SQLSTATES.has(code)) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  // Batches written at once: a completion statement keeps one database backend busy, and with
  // one writer the next batch waits for its commit. Concurrent batches are as safe as two
  // engines recording at once (row locks order them; a deadlock is retried).
  const maxWriters = Math.max(1, deps.writers ?? 1);
  let writers = 0;

  async function writer(): Promise<void> {
    while (buffer.length > 0) {
      // Bounded batches: a completion statement's cost grows faster than its size, and an
      // unbounded batch would make the next one bigger still.
      const batch = buffer.splice(0, MAX_BATCH);
      try {
        await writeBatch(batch);
      } catch (error) {
        // The leases stay with the steps; when they expire the steps run again (nothing is lost).
        deps.log.error("recording outcomes failed; their steps will be retried when the leases expire", {
          error: String(error),
          outcomes: batch.length,
        });
      }
    }
    writers--;
    settle();
  }

  function startWriters(): void {
    scheduled = false;
    while (writers < maxWriters && buffer.length > 0) {
      writers++;
      void writer();
    }
    settle();
  }

  function idle(): boolean {
    return writers === 0 && !scheduled && buffer.length === 0;
  }

  function settle(): void {
    if (idle()) for (const w of waiters.splice(0)) w();
  }

  return {
    /** Queues one outcome; it is written with the next batch. */
    record(outcome: Outcome): void {
      buffer.push(outcome);
      if (!scheduled && writers < maxWriters) {
        scheduled = true;
        queueMicrotask(startWriters);
      }
    },
    /** Resolves once everything recorded so far is written (or failed to write). */
    async flushed(): Promise<void> {
      if (idle()) return;
      await new Promise<void>((r) => waiters.push(r));
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
