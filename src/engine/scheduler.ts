import semver from "semver";
import { uuidv7 } from "uuidv7";
import { compileCron, cronProblem, planTicks, type CatchUpPolicy, type PlannedTick } from "../core/schedule/index.ts";
import { ScheduleConflictError, ScheduleInvalidError, ScheduleNotFoundError } from "../core/schedule/errors.ts";
import { isValidName } from "../core/template/names.ts";
import type { Logger } from "../core/logger.ts";
import type { Db } from "../store/db.ts";
import {
  advanceSchedule,
  claimDueSchedules,
  deleteSchedule,
  deleteUndeclaredSchedules,
  getSchedule,
  insertSchedule,
  listSchedules,
  msUntilNextDue,
  pauseSchedule,
  recordScheduleError,
  resumeSchedule,
  upsertDeclaredSchedules,
  type ClaimedScheduleRow,
  type NewSchedule,
  type ScheduleRow,
  type TaskPairs,
} from "../store/schedules.ts";
import { ContextInvalidError } from "./errors.ts";
import type { TemplateResolver } from "./templates.ts";
import type { Engine, SubmitRequest, SubmitResult } from "./types.ts";

export interface SchedulerOptions {
  /** Identifies this engine in claims (its worker id). */
  owner: string;
  /** Longest sleep between looks at the table; the loop otherwise wakes at the next due tick. */
  pollMs: number;
  /** A tick at most this late is on time under every catch-up policy (see planTicks). */
  graceMs: number;
  /** Most ticks one schedule submits at once after downtime under `all`. */
  maxCatchUp: number;
  /** How long a claim protects a schedule from other engines; after a crash, the takeover delay. */
  claimMs?: number;
}

/** Named fault points for crash tests; never set in production. */
export interface SchedulerFaults {
  /** After a schedule's ticks were submitted and before the schedule is advanced. */
  afterSubmit?: (schedule: { id: string; name: string }, ticks: readonly PlannedTick[]) => void | Promise<void>;
}

export interface SchedulerDeps {
  db: Db;
  templates: TemplateResolver;
  submitMany: (requests: readonly SubmitRequest[]) => Promise<SubmitResult[]>;
  log: Logger;
  options: SchedulerOptions;
  faults?: SchedulerFaults;
}

const CLAIM_BATCH = 32;
const SUBMIT_CHUNK = 100;

/**
 * The idempotency key of a tick's task: the same on every engine that computes the tick, so a
 * tick submitted twice (an engine died after submitting, before advancing) yields one task.
 *
 * @example
 *   tickKey("0190…", new Date("2025-01-01T02:00:00Z")) // "schedule:0190…:2025-01-01T02:00:00.000Z"
 */
export function tickKey(scheduleId: string, at: Date): string {
  return `schedule:${scheduleId}:${at.toISOString()}`;
}

/**
 * The schedule loop of one engine: claims due schedules in the database (one engine per tick),
 * submits a task per tick with an idempotency key derived from schedule id and tick time, then
 * advances the schedule past those ticks and releases the claim. At start, and whenever the
 * registry's templates change, it upserts the schedules handler modules declare.
 *
 * @example
 *   const scheduler = createScheduler({ db, templates: registry, submitMany, log, options: { owner, pollMs: 1000, graceMs: 2000, maxCatchUp: 1000 } });
 *   await scheduler.start();
 */
export function createScheduler(deps: SchedulerDeps) {
  const { db, templates, log, options } = deps;
  const claimMs = options.claimMs ?? 30_000;
  let running = false;
  let loop: Promise<void> | null = null;
  let sleeping: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;
  let synced: readonly unknown[] = [];

  /** The (namespace, task) pairs this engine can submit: schedules of other tasks wait for an engine that has them. */
  function servedTasks(): TaskPairs {
    const seen = new Set<string>();
    const pairs: TaskPairs = { namespaces: [], tasks: [] };
    for (const t of templates.templates()) {
      if (seen.has(`${t.namespace}/${t.name}`)) continue;
      seen.add(`${t.namespace}/${t.name}`);
      (pairs.namespaces as string[]).push(t.namespace);
      (pairs.tasks as string[]).push(t.name);
    }
    return pairs;
  }

  /** Upserts declared schedules (the highest version declaring a name wins and is pinned). */
  async function syncDeclared(): Promise<void> {
    const loaded = templates.templates();
    synced = [...loaded];
    const chosen = new Map<string, NewSchedule>();
    const now = new Date();
    for (const t of loaded) {
      for (const s of t.schedules ?? []) {
        const key = `${t.namespace}/${t.name}/${s.name}`;
        const previous = chosen.get(key);
        if (previous && semver.gte(previous.version!, t.version)) continue;
        chosen.set(key, {
          id: uuidv7(), namespace: t.namespace, taskName: t.name, name: s.name, version: t.version, cron: s.cron,
          timezone: s.timezone, context: { ...s.context }, catchUp: s.catchUp, source: "module",
          nextRunAt: compileCron(s.cron, s.timezone).next(now),
        });
      }
    }
    const written = await upsertDeclaredSchedules(db, [...chosen.values()]);
    for (const row of written) log.info("schedule declared", { schedule: `${row.namespace}/${row.task_name}/${row.name}`, cron: row.cron, next: row.next_run_at?.toISOString() });
    const removed = await deleteUndeclaredSchedules(db, servedTasks(), [...chosen.keys()]);
    for (const row of removed) log.info("schedule no longer declared; deleted", { schedule: `${row.namespace}/${row.task_name}/${row.name}` });
  }

  function request(row: ScheduleRow, tick: PlannedTick): SubmitRequest {
    const at = tick.at.toISOString();
    return {
      namespace: row.namespace,
      name: row.task_name,
      ...(row.version !== null ? { version: row.version } : {}),
      context: row.context,
      idempotencyKey: tickKey(row.id, tick.at),
      initiator: `schedule:${row.name}`,
      sourceSystem: "scheduler",
      reason: tick.catchUp ? `catch-up of missed tick ${at}` : `scheduled tick ${at}`,
    };
  }

  async function runClaimed(row: ClaimedScheduleRow): Promise<number> {
    const label = `${row.namespace}/${row.task_name}/${row.name}`;
    try {
      const plan = planTicks(compileCron(row.cron, row.timezone), {
        due: row.next_run_at!,
        now: row.db_now,
        policy: row.catch_up,
        graceMs: options.graceMs,
        maxCatchUp: options.maxCatchUp,
      });
      if (plan.truncated) log.warn("schedule missed more ticks than the catch-up maximum; the oldest were dropped", { schedule: label, max: options.maxCatchUp, dropped: plan.dropped });
      else if (plan.dropped > 0) log.info("schedule skipped missed ticks", { schedule: label, policy: row.catch_up, skipped: plan.dropped });
      let lastTaskId: string | null = null;
      for (let i = 0; i < plan.run.length; i += SUBMIT_CHUNK) {
        const results = await deps.submitMany(plan.run.slice(i, i + SUBMIT_CHUNK).map((t) => request(row, t)));
        lastTaskId = results.at(-1)?.task.id ?? lastTaskId;
      }
      await deps.faults?.afterSubmit?.({ id: row.id, name: row.name }, plan.run);
      const lastRunAt = plan.run.at(-1)?.at ?? null;
      const advanced = await advanceSchedule(db, { id: row.id, owner: options.owner, due: row.next_run_at!, next: plan.next, lastRunAt, lastTaskId });
      if (!advanced) log.debug("schedule changed or was taken over while its ticks were submitted", { schedule: label });
      return plan.run.length;
    } catch (error) {
      // The claim stays until it expires: the back-off before this or another engine retries.
      log.warn("schedule tick failed; retrying after the claim expires", { schedule: label, error: String(error), retry_in_ms: claimMs });
      await recordScheduleError(db, row.id, options.owner, String(error)).catch(() => {});
      return 0;
    }
  }

  /** One pass: claims due schedules and runs their ticks. Returns the number of ticks submitted. */
  async function runDue(): Promise<{ claimed: number; ticks: number }> {
    const rows = await claimDueSchedules(db, { owner: options.owner, leaseMs: claimMs, tasks: servedTasks(), limit: CLAIM_BATCH });
    let ticks = 0;
    for (const row of rows) ticks += await runClaimed(row);
    return { claimed: rows.length, ticks };
  }

  function changed(): boolean {
    const now = templates.templates();
    return now.length !== synced.length || now.some((t, i) => t !== synced[i]);
  }

  async function pass(): Promise<number> {
    if (changed()) await syncDeclared();
    const { claimed } = await runDue();
    if (claimed === CLAIM_BATCH) return 0;
    const until = await msUntilNextDue(db, servedTasks());
    // +1 ms: wake just after the tick, not a hair before it by the database's clock.
    return until === null ? options.pollMs : Math.min(options.pollMs, Math.max(5, Math.ceil(until) + 1));
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleeping = null;
        resolve();
      }, ms);
      sleeping = { timer, resolve };
    });
  }

  return {
    runDue,
    syncDeclared,
    /** Upserts the declared schedules, then runs the loop until stop(). */
    async start(): Promise<void> {
      if (running) return;
      await syncDeclared();
      running = true;
      loop = (async () => {
        while (running) {
          const wait = await pass().catch((error) => {
            log.warn("scheduler pass failed", { error: String(error) });
            return options.pollMs;
          });
          if (running) await sleep(wait);
        }
      })();
    },
    /** Stops the loop; a pass in progress finishes first (its ticks are submitted and advanced). */
    async stop(): Promise<void> {
      running = false;
      if (sleeping) {
        clearTimeout(sleeping.timer);
        sleeping.resolve();
        sleeping = null;
      }
      await loop;
      loop = null;
    },
  };
}

/** A schedule as the engine and API see it. */
export interface ScheduleView {
  id: string;
  namespace: string;
  task: string;
  name: string;
  version: string | null;
  cron: string;
  timezone: string;
  context: Record<string, unknown>;
  catchUp: CatchUpPolicy;
  paused: boolean;
  source: "module" | "api";
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastTaskId: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewScheduleInput {
  namespace: string;
  task: string;
  name: string;
  /** Exact version; omitted means the latest loaded version at each tick. */
  version?: string;
  cron: string;
  timezone?: string;
  context?: Record<string, unknown>;
  catchUp?: CatchUpPolicy;
}

/** What the HTTP API calls to manage schedules (built by createScheduleService). */
export interface ScheduleService {
  list(filter?: { namespaces?: readonly string[] | null; namespace?: string; task?: string; limit?: number }): Promise<ScheduleView[]>;
  get(id: string): Promise<ScheduleView>;
  create(input: NewScheduleInput): Promise<ScheduleView>;
  pause(id: string): Promise<ScheduleView>;
  resume(id: string): Promise<ScheduleView>;
  /** Submits one task now with the schedule's template and context; the schedule's own ticks are unaffected. */
  triggerNow(id: string, by: { actor: string }): Promise<SubmitResult>;
  /** Deletes a schedule created over the API; a module-declared one is refused (pause it instead). */
  delete(id: string): Promise<ScheduleView>;
}

function scheduleView(r: ScheduleRow): ScheduleView {
  return {
    id: r.id, namespace: r.namespace, task: r.task_name, name: r.name, version: r.version, cron: r.cron, timezone: r.timezone,
    context: r.context, catchUp: r.catch_up, paused: r.paused, source: r.source, nextRunAt: r.next_run_at, lastRunAt: r.last_run_at,
    lastTaskId: r.last_task_id, lastError: r.last_error, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Schedule management over one database: create, list, get, pause, resume, trigger now, delete.
 * Every engine on the database sees the change at its next pass.
 *
 * @example
 *   const schedules = createScheduleService({ db, engine, templates: registry });
 *   await schedules.create({ namespace: "ci", task: "ci_pipeline", name: "nightly", cron: "0 2 * * *", timezone: "Europe/Berlin" });
 */
export function createScheduleService(deps: { db: Db; engine: Pick<Engine, "submit">; templates: TemplateResolver }): ScheduleService {
  const { db, engine, templates } = deps;

  async function load(id: string): Promise<ScheduleRow> {
    const row = UUID.test(id) ? await getSchedule(db, id) : null;
    if (!row) throw new ScheduleNotFoundError(id);
    return row;
  }

  return {
    async list(filter = {}) {
      const rows = await listSchedules(db, {
        namespaces: filter.namespaces ?? null,
        ...(filter.namespace !== undefined ? { namespace: filter.namespace } : {}),
        ...(filter.task !== undefined ? { taskName: filter.task } : {}),
        limit: Math.min(Math.max(filter.limit ?? 500, 1), 1000),
      });
      return rows.map(scheduleView);
    },

    get: async (id) => scheduleView(await load(id)),

    async create(input) {
      if (!isValidName(input.name)) throw new ScheduleInvalidError("name", "must be lower-case letters, digits and underscores, start with a letter, at most 63 characters");
      const timezone = input.timezone ?? "UTC";
      const problem = cronProblem(input.cron, timezone);
      if (problem) throw new ScheduleInvalidError(problem.startsWith("unknown time zone") ? "timezone" : "cron", problem);
      const template = templates.resolve(input.namespace, input.task, input.version);
      const context = input.context ?? {};
      const parsed = template.contextSchema.safeParse(context);
      if (!parsed.success) throw new ContextInvalidError(parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
      const row = await insertSchedule(db, {
        id: uuidv7(), namespace: template.namespace, taskName: template.name, name: input.name, version: input.version ?? null,
        cron: input.cron.trim(), timezone, context, catchUp: input.catchUp ?? "skip", source: "api",
        nextRunAt: compileCron(input.cron, timezone).next(new Date()),
      });
      if (!row) {
        throw new ScheduleConflictError(`task ${input.namespace}/${input.task} already has a schedule named "${input.name}"`, {
          namespace: input.namespace, task: input.task, name: input.name,
        });
      }
      return scheduleView(row);
    },

    async pause(id) {
      await load(id);
      const row = await pauseSchedule(db, id);
      if (!row) throw new ScheduleNotFoundError(id);
      return scheduleView(row);
    },

    async resume(id) {
      const current = await load(id);
      const row = await resumeSchedule(db, id, compileCron(current.cron, current.timezone).next(new Date()));
      if (!row) throw new ScheduleNotFoundError(id);
      return scheduleView(row);
    },

    async triggerNow(id, by) {
      const row = await load(id);
      return engine.submit({
        namespace: row.namespace,
        name: row.task_name,
        ...(row.version !== null ? { version: row.version } : {}),
        context: row.context,
        idempotencyKey: `schedule:${row.id}:trigger:${uuidv7()}`,
        initiator: `schedule:${row.name}`,
        sourceSystem: "scheduler",
        reason: `triggered by hand by ${by.actor}`,
      });
    },

    async delete(id) {
      const current = await load(id);
      if (current.source === "module") {
        throw new ScheduleConflictError(
          `schedule "${current.name}" is declared in the handler module of ${current.namespace}/${current.task_name} and would return at the next start; pause it, or remove it from the module`,
          { id, source: "module" },
        );
      }
      const row = await deleteSchedule(db, id);
      if (!row) throw new ScheduleNotFoundError(id);
      return scheduleView(row);
    },
  };
}
