import { uuidv7 } from "uuidv7";
import type { DagCore } from "../core/dag/index.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import type { Db } from "../store/db.ts";
import { expireExhaustedLeases } from "../store/outcomes.ts";
import { queueDepths, type ClaimedStep } from "../store/queue.ts";
import { countStepsByState, getStep, listSteps, recentFailures, stepTransitions, taskTransitions } from "../store/steps.ts";
import { countTasksByState, getTask, listTasks, overdueTasks } from "../store/tasks.ts";
import { heartbeatWorker, liveWorkers, registerWorker, stopWorker } from "../store/workers.ts";
import { resolveEngineOptions, type EngineOptions } from "./config.ts";
import { StepNotFoundError, TaskNotFoundError } from "./errors.ts";
import { createEventRelay } from "./event-relay.ts";
import { createManualOperations } from "./manual.ts";
import { reconcileTasks } from "./reconcile.ts";
import { createRecorder } from "./recorder.ts";
import { createJoiner } from "./join.ts";
import { createSpawner } from "./spawn.ts";
import { decidedJoins, listChildren, uncountedChildren } from "../store/children.ts";
import { deliverEvent } from "../store/waits.ts";
import { createScheduler } from "./scheduler.ts";
import { createSubmitter } from "./submit.ts";
import { createSubscriberPublisher } from "./subscribers.ts";
import type { TemplateResolver } from "./templates.ts";
import type { Engine, StepErrorRecord } from "./types.ts";
import { decodeCursor, encodeCursor, stepView, taskView, transitionView } from "./views.ts";
import { createWorker } from "./worker.ts";
import { TaskerError } from "../core/errors.ts";

export interface CreateEngineInput {
  db: Db;
  registry: TemplateResolver;
  core: DagCore;
  options?: EngineOptions;
  logger?: Logger;
  /** Host facts for the workers table (the composition root passes os.hostname() and the pid). */
  host?: { hostname: string; pid: number };
}

const WAKE_CHANNEL = "tasker_wake";
const CANCEL_CHANNEL = "tasker_cancel";

/**
 * Builds an engine over one database. Several engines may share a database, in one process or
 * many: every decision is made in Postgres under row locks, nothing correct lives in memory.
 *
 * @example
 *   const engine = createEngine({ db, registry, core: await defaultCore() });
 *   await engine.start();
 *   const { task } = await engine.submit({ namespace: "ci", name: "ci_pipeline", context: {} });
 */
export function createEngine(input: CreateEngineInput): Engine & { workerId: string; wake: () => void; inFlight: () => number } {
  const { db, registry, core } = input;
  const host = input.host ?? { hostname: "localhost", pid: 0 };
  const options = resolveEngineOptions(input.options ?? {}, `${host.hostname}:${host.pid}:${uuidv7().slice(-12)}`, input.db.kind);
  const log = (input.logger ?? silentLogger).child({ worker: options.workerId });
  const namespaces = () => [...(options.namespaces ?? registry.namespaces().map((n) => n.name))];

  let lastNotify = 0;
  let notifyTimer: ReturnType<typeof setTimeout> | null = null;
  const pendingNamespaces = new Set<string>();
  // Wake-ups across processes are coalesced: Postgres serialises commits that NOTIFY, so at
  // most one NOTIFY per 2 ms carries every namespace that got work in between.
  function announce(ns: Set<string>): void {
    for (const n of ns) pendingNamespaces.add(n);
    worker.wake();
    if (notifyTimer) return;
    const wait = Math.max(0, lastNotify + 2 - Date.now());
    notifyTimer = setTimeout(() => {
      notifyTimer = null;
      lastNotify = Date.now();
      const payload = [...pendingNamespaces].join(",");
      pendingNamespaces.clear();
      db.notify(WAKE_CHANNEL, payload).catch((e) => log.debug("notify failed", { error: String(e) }));
    }, wait);
  }

  const joiner = createJoiner({ db, core, templates: registry, owner: options.workerId, log, onEnqueued: announce });
  // The worker is built below; the recorder reaches it only once outcomes arrive, i.e. after start().
  const handoff = options.runWorkers && options.localHandoff
    ? {
        namespaces,
        defaultTimeoutMs: options.defaultTimeoutMs,
        leaseGraceMs: options.leaseGraceMs,
        reserve: (max: number) => worker.reserve(max),
        adopt: (steps: ClaimedStep[], reserved: number) => worker.adopt(steps, reserved),
      }
    : undefined;
  const recorder = createRecorder({ db, core, templates: registry, owner: options.workerId, log, joiner, handoff, writers: options.recordWriters });
  const submitter = createSubmitter({ db, templates: registry, options, actor: options.workerId, onEnqueued: announce });
  const spawn = createSpawner({ db, submitter, owner: options.workerId, onEnqueued: announce });
  const worker = createWorker({ db, templates: registry, recorder, options, log, namespaces, spawn });
  const relay = createEventRelay(db, options.eventPollMs, log);
  const manual = createManualOperations({ db, core, templates: registry, joiner, onEnqueued: announce, onCancelled: (taskIds) => {
    for (const id of taskIds) worker.abortTask(id, "task cancelled");
    // NOTIFY payloads are limited to 8000 bytes: ~200 ids per notification.
    for (let i = 0; i < taskIds.length; i += 200) db.notify(CANCEL_CHANNEL, taskIds.slice(i, i + 200).join(",")).catch(() => {});
  } });

  const stops: Array<() => Promise<void> | void> = [];
  let started = false;

  async function sweep(): Promise<void> {
    const expired = await expireExhaustedLeases(db, options.workerId, 500);
    if (expired.length > 0) {
      const blocked = await db.transaction((tx) => reconcileTasks(tx, core, registry, expired, options.workerId));
      await joiner.settle(blocked);
      log.warn("failed steps whose last lease expired", { tasks: expired.length });
    }
    // Joins a crashed process left half-done: children settled but not counted, or counted
    // but not decided. Both repairs are idempotent, so every engine's sweeper may run them.
    await joiner.settle(await uncountedChildren(db, 1000));
    for (const parent of await decidedJoins(db, 100)) await joiner.evaluate(parent);
    if (options.maxTaskLifetimeMs > 0) {
      for (const taskId of await overdueTasks(db, options.maxTaskLifetimeMs, 100)) {
        // Another engine's sweeper may get there first: its cancel wins, this one is refused.
        await manual
          .cancel(taskId, { actor: options.workerId, reason: `still unfinished after the maximum task lifetime (${options.maxTaskLifetimeMs} ms)` }, "error")
          .catch((e) => log.debug("overdue task already settled", { task: taskId, error: String(e) }));
      }
    }
    if (options.runWorkers) await heartbeatWorker(db, options.workerId);
  }

  async function loadTask(taskId: string) {
    if (!isUuid(taskId)) throw new TaskNotFoundError(taskId);
    const row = await getTask(db, taskId);
    if (!row) throw new TaskNotFoundError(taskId);
    return row;
  }

  return {
    workerId: options.workerId,
    wake: () => worker.wake(),
    /** Handlers this engine is running right now (its occupied worker slots). */
    inFlight: () => worker.runningCount(),
    submit: (req) => submitter.submit(req),
    submitMany: (reqs) => submitter.submitMany(reqs),

    async getTask(taskId) {
      const row = await loadTask(taskId);
      const steps = await listSteps(db, taskId);
      const names = steps.map((s) => s.name);
      return { ...taskView(row), steps: steps.map((s) => stepView(s, names)) };
    },

    async listTasks(filter) {
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
      const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
      if (after === null) throw new TaskerError("invalid_cursor", "the cursor is not one this API returned; start again without it");
      const rows = await listTasks(db, { ...filter, after, limit: limit + 1 });
      const page = rows.slice(0, limit).map(taskView);
      const last = page.at(-1);
      return { tasks: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    cancelTask: (taskId, audit) => manual.cancel(taskId, audit),

    async listSteps(taskId) {
      await loadTask(taskId);
      const steps = await listSteps(db, taskId);
      const names = steps.map((s) => s.name);
      return steps.map((s) => stepView(s, names));
    },

    async getStep(taskId, stepId) {
      await loadTask(taskId);
      if (!isUuid(stepId)) throw new StepNotFoundError(taskId, stepId);
      const step = await getStep(db, taskId, stepId);
      if (!step) throw new StepNotFoundError(taskId, stepId);
      const names = (await listSteps(db, taskId)).map((s) => s.name);
      return stepView(step, names);
    },

    resetStep: (taskId, stepId, audit) => manual.reset(taskId, stepId, audit),
    resolveStep: (taskId, stepId, audit) => manual.resolve(taskId, stepId, audit, "resolved_manually", null),
    completeStep: (taskId, stepId, audit) => manual.resolve(taskId, stepId, audit, "complete", audit.results),
    skipStep: (taskId, stepId, audit) => manual.resolve(taskId, stepId, audit, "skipped", null),

    async stepAudit(taskId, stepId) {
      await loadTask(taskId);
      if (!isUuid(stepId)) throw new StepNotFoundError(taskId, stepId);
      const rows = await stepTransitions(db, taskId, stepId);
      if (rows.length === 0) throw new StepNotFoundError(taskId, stepId);
      return rows.map(transitionView);
    },

    async taskAudit(taskId) {
      await loadTask(taskId);
      return (await taskTransitions(db, taskId)).map(transitionView);
    },

    async listChildren(taskId, filter) {
      await loadTask(taskId);
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
      const after = filter.cursor === undefined ? -1 : Number(filter.cursor);
      if (!Number.isInteger(after) || after < -1) throw new TaskerError("invalid_cursor", "the cursor is not one this API returned; start again without it");
      const rows = await listChildren(db, taskId, filter.state ?? null, after, limit + 1);
      const page = rows.slice(0, limit);
      return { tasks: page.map(taskView), nextCursor: rows.length > limit ? page.at(-1)!.child_key : null };
    },

    async sendEvent(target, event, payload) {
      if ("taskId" in target) await loadTask(target.taskId);
      const woken = await deliverEvent(db, target, event, payload);
      if (woken.length > 0) announce(new Set(woken.map((w) => w.namespace)));
      return { delivered: woken.length };
    },

    onEvent: (listener, filter) => relay.subscribe(listener, filter),

    async status() {
      const [queues, workers, tasksByState, stepsByState, failures] = await Promise.all([
        queueDepths(db),
        liveWorkers(db, Math.max(options.sweepMs * 10, 15_000)),
        countTasksByState(db),
        countStepsByState(db),
        recentFailures(db, 20),
      ]);
      return {
        queues: queues.map((q) => ({ namespace: q.namespace, depth: q.depth, oldestAgeMs: Math.round(q.oldest_age_ms) })),
        workers: workers.map((w) => ({ id: w.id, hostname: w.hostname, pid: w.pid, namespaces: w.namespaces, concurrency: w.concurrency, startedAt: w.started_at, heartbeatAt: w.heartbeat_at })),
        tasksByState,
        stepsByState,
        recentFailures: failures.map((f) => ({ taskId: f.task_id, stepId: f.step_id, step: f.step, namespace: f.namespace, error: f.error as StepErrorRecord | null, at: f.at })),
      };
    },

    async start() {
      if (started) return;
      started = true;
      await relay.start();
      stops.push(() => relay.stop());
      if (registry.templates().some((t) => Object.keys(t.subscribers).length > 0)) {
        const publisher = createSubscriberPublisher(db, registry, options.eventPollMs, log);
        publisher.start();
        stops.push(() => publisher.stop());
      }
      const unlistenCancel = await db.listen(CANCEL_CHANNEL, (ids) => {
        for (const id of ids.split(",")) worker.abortTask(id, "task cancelled");
      });
      stops.push(unlistenCancel);
      if (options.runWorkers) {
        await registerWorker(db, { id: options.workerId, hostname: host.hostname, pid: host.pid, namespaces: namespaces(), concurrency: options.concurrency });
        const unlistenWake = await db.listen(WAKE_CHANNEL, (payload) => {
          const served = namespaces();
          if (payload === "" || payload.split(",").some((n) => served.includes(n))) worker.wake();
        });
        stops.push(unlistenWake);
        worker.start();
      }
      let sweeping = true;
      const sweepLoop = (async () => {
        while (sweeping) {
          await new Promise((r) => setTimeout(r, options.sweepMs));
          if (!sweeping) break;
          await sweep().catch((e) => log.warn("sweep failed", { error: String(e) }));
        }
      })();
      stops.push(async () => {
        sweeping = false;
        await sweepLoop;
      });
      if (options.runScheduler) {
        const scheduler = createScheduler({
          db, templates: registry, submitMany: (reqs) => submitter.submitMany(reqs), log,
          options: { owner: options.workerId, pollMs: options.schedulerPollMs, graceMs: options.scheduleGraceMs, maxCatchUp: options.scheduleMaxCatchUp },
        });
        await scheduler.start();
        stops.push(() => scheduler.stop());
      }
    },

    async stop(stopOptions = {}) {
      if (!started) return;
      started = false;
      await worker.stop(stopOptions.drainMs ?? 10_000);
      if (notifyTimer) clearTimeout(notifyTimer);
      for (const stop of stops.splice(0).reverse()) await stop();
      if (options.runWorkers) await stopWorker(db, options.workerId).catch(() => {});
    },
  };
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
