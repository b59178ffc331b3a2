/** Engine tuning; every field has a default suited to one process on a laptop. */
export interface EngineOptions {
  /** Identifies this engine's worker in leases, audit rows and the workers table. */
  workerId?: string;
  /** Run a worker in this engine (the server does; an API-only process may not). */
  runWorkers?: boolean;
  /** Namespaces this engine's worker serves; default: every namespace the registry loaded. */
  namespaces?: readonly string[];
  /** Handlers running at once in this process. */
  concurrency?: number;
  /** Most messages taken by one claim statement. */
  claimBatch?: number;
  /**
   * Outcome batches recorded at once. Each completion statement keeps one database backend busy;
   * with a second in flight, the next batch does not wait for the previous one's commit.
   * Default: 2 on Postgres, 1 on PGlite (one connection, which runs one statement at a time).
   */
  recordWriters?: number;
  /** Idle workers look for work this often even without a notification (retries come due this way). */
  pollMs?: number;
  /** Step timeout when the template sets none. */
  defaultTimeoutMs?: number;
  /** Lease = step timeout + this; a worker that dies is noticed this much after its timeout. */
  leaseGraceMs?: number;
  /**
   * Children that a completion makes ready are leased to this worker in the completion's own
   * statement when it has free slots and serves their namespace (one commit per handoff instead
   * of two, and no wake-up); otherwise they wait on the queue for any worker's claim.
   */
  localHandoff?: boolean;
  /** The sweeper's period (expired last-attempt leases, heartbeats). */
  sweepMs?: number;
  /** Submissions are refused with queue_full while a namespace has more queued steps than this (0 = no limit). */
  maxQueueDepth?: number;
  /** A task still unfinished this long after creation is failed by the sweeper (0 = never). */
  maxTaskLifetimeMs?: number;
  /** Event delivery to subscribers polls this often while anyone listens. */
  eventPollMs?: number;
  /** Run the schedule loop (docs/schedules.md) in this engine; any number of engines may, each tick runs once. */
  runScheduler?: boolean;
  /** Longest sleep of the schedule loop; it otherwise wakes at the next due tick. */
  schedulerPollMs?: number;
  /** A tick at most this late is on time under every catch-up policy; older ones were missed. */
  scheduleGraceMs?: number;
  /** Most missed ticks one schedule runs after downtime under the catch-up policy `all`. */
  scheduleMaxCatchUp?: number;
  /** Randomness for backoff jitter (tests pass a seeded one). */
  random?: () => number;
  /** Named fault points for crash and race tests; never set in production. */
  faults?: FaultPoints;
}

/** Hooks called at named points of the hot path; a test may throw, delay or kill the process there. */
export interface FaultPoints {
  /** After a handler returned and before its outcome is recorded. */
  beforeRecordOutcome?: (step: { stepId: string; attempt: number; name: string }) => void | Promise<void>;
}

export type ResolvedEngineOptions = Required<Omit<EngineOptions, "namespaces" | "faults">> & Pick<EngineOptions, "namespaces" | "faults">;

export function resolveEngineOptions(o: EngineOptions, defaultWorkerId: string, backend: "pglite" | "postgres" = "postgres"): ResolvedEngineOptions {
  return {
    workerId: o.workerId ?? defaultWorkerId,
    runWorkers: o.runWorkers ?? true,
    namespaces: o.namespaces,
    concurrency: o.concurrency ?? 32,
    claimBatch: o.claimBatch ?? 32,
    recordWriters: o.recordWriters ?? (backend === "pglite" ? 1 : 2),
    pollMs: o.pollMs ?? 500,
    defaultTimeoutMs: o.defaultTimeoutMs ?? 30_000,
    leaseGraceMs: o.leaseGraceMs ?? 5_000,
    localHandoff: o.localHandoff ?? true,
    sweepMs: o.sweepMs ?? 1_000,
    maxQueueDepth: o.maxQueueDepth ?? 0,
    eventPollMs: o.eventPollMs ?? 100,
    maxTaskLifetimeMs: o.maxTaskLifetimeMs ?? 0,
    runScheduler: o.runScheduler ?? true,
    schedulerPollMs: o.schedulerPollMs ?? 1_000,
    scheduleGraceMs: o.scheduleGraceMs ?? 10_000,
    scheduleMaxCatchUp: o.scheduleMaxCatchUp ?? 1_000,
    random: o.random ?? Math.random,
    faults: o.faults,
  };
}
