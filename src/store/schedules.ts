import type { Queryable, Row } from "./db.ts";

/** A schedules row (migrations/0002_schedules.sql). */
export interface ScheduleRow extends Row {
  id: string;
  namespace: string;
  task_name: string;
  name: string;
  version: string | null;
  cron: string;
  timezone: string;
  context: Record<string, unknown>;
  catch_up: "skip" | "latest" | "all";
  paused: boolean;
  source: "module" | "api";
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_task_id: string | null;
  last_error: string | null;
  claimed_by: string | null;
  claim_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A claimed row with the database clock at the claim, which the tick plan is computed against. */
export interface ClaimedScheduleRow extends ScheduleRow {
  db_now: Date;
}

export interface NewSchedule {
  id: string;
  namespace: string;
  taskName: string;
  name: string;
  version: string | null;
  cron: string;
  timezone: string;
  context: Record<string, unknown>;
  catchUp: "skip" | "latest" | "all";
  source: "module" | "api";
  nextRunAt: Date | null;
}

/** (namespace, task) pairs as two parallel arrays, for `(namespace, task_name) in (unnest …)`. */
export interface TaskPairs {
  namespaces: readonly string[];
  tasks: readonly string[];
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Inserts a schedule; null when the name is taken for that task. */
export async function insertSchedule(q: Queryable, s: NewSchedule): Promise<ScheduleRow | null> {
  const [row] = await q.query<ScheduleRow>(
    `insert into schedules (id, namespace, task_name, name, version, cron, timezone, context, catch_up, source, next_run_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11::timestamptz)
     on conflict (namespace, task_name, name) do nothing
     returning *`,
    [s.id, s.namespace, s.taskName, s.name, s.version, s.cron, s.timezone, JSON.stringify(s.context), s.catchUp, s.source, iso(s.nextRunAt)],
  );
  return row ?? null;
}

/**
 * Upserts the schedules handler modules declare, in one statement. An unchanged schedule is not
 * written at all, so its `next_run_at` (and the ticks missed while no engine ran) survive a
 * restart; a changed expression or time zone starts over from the given `nextRunAt`; `paused`
 * is never touched (an operator's pause outlives restarts). Returns the rows written.
 */
export async function upsertDeclaredSchedules(q: Queryable, list: readonly NewSchedule[]): Promise<ScheduleRow[]> {
  if (list.length === 0) return [];
  return q.query<ScheduleRow>(
    `insert into schedules (id, namespace, task_name, name, version, cron, timezone, context, catch_up, source, next_run_at)
     select x.id, x.namespace, x.task_name, x.name, x.version, x.cron, x.timezone, x.context::jsonb, x.catch_up, 'module', x.next_run_at
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
            as x(id, namespace, task_name, name, version, cron, timezone, context, catch_up, next_run_at)
     on conflict (namespace, task_name, name) do update set
       next_run_at = case when schedules.cron <> excluded.cron or schedules.timezone <> excluded.timezone
                          then excluded.next_run_at else schedules.next_run_at end,
       cron = excluded.cron, timezone = excluded.timezone, version = excluded.version, context = excluded.context,
       catch_up = excluded.catch_up, source = 'module', last_error = null, updated_at = now()
     where (schedules.cron, schedules.timezone, schedules.version, schedules.context, schedules.catch_up, schedules.source)
           is distinct from (excluded.cron, excluded.timezone, excluded.version, excluded.context, excluded.catch_up, excluded.source)
     returning *`,
    [
      list.map((s) => s.id),
      list.map((s) => s.namespace),
      list.map((s) => s.taskName),
      list.map((s) => s.name),
      list.map((s) => s.version),
      list.map((s) => s.cron),
      list.map((s) => s.timezone),
      list.map((s) => JSON.stringify(s.context)),
      list.map((s) => s.catchUp),
      list.map((s) => iso(s.nextRunAt)),
    ],
  );
}

/**
 * Deletes module-declared schedules of the given tasks that their modules no longer declare
 * (`declared` lists the names that remain, as "namespace/task/name"). Schedules of tasks not in
 * `tasks` (not loaded here) and schedules created over the API are left alone.
 */
export async function deleteUndeclaredSchedules(q: Queryable, tasks: TaskPairs, declared: readonly string[]): Promise<ScheduleRow[]> {
  if (tasks.namespaces.length === 0) return [];
  return q.query<ScheduleRow>(
    `delete from schedules
      where source = 'module'
        and (namespace, task_name) in (select * from unnest($1::text[], $2::text[]))
        and not (namespace || '/' || task_name || '/' || name = any($3::text[]))
      returning *`,
    [tasks.namespaces, tasks.tasks, declared],
  );
}

/**
 * Claims up to `limit` due, unpaused schedules of the given tasks for `leaseMs`, skipping rows
 * another engine holds (locked now, or claimed and not yet expired). The claim is what makes a
 * tick run on one engine: the others find it claimed, and once it is advanced, not due.
 */
export async function claimDueSchedules(
  q: Queryable,
  input: { owner: string; leaseMs: number; tasks: TaskPairs; limit: number },
): Promise<ClaimedScheduleRow[]> {
  if (input.tasks.namespaces.length === 0) return [];
  return q.query<ClaimedScheduleRow>(
    `with due as (
       select id from schedules
        where not paused and next_run_at <= now()
          and (claim_expires_at is null or claim_expires_at < now())
          and (namespace, task_name) in (select * from unnest($3::text[], $4::text[]))
        order by next_run_at
        limit $5
        for update skip locked
     )
     update schedules s set claimed_by = $1, claim_expires_at = now() + $2 * interval '1 millisecond'
       from due where s.id = due.id
     returning s.*, now() as db_now`,
    [input.owner, input.leaseMs, input.tasks.namespaces, input.tasks.tasks, input.limit],
  );
}

/**
 * Moves a claimed schedule past the ticks just submitted and releases the claim. Fenced on the
 * claim owner and on the tick it was claimed at: when the claim was lost (it expired and another
 * engine took over) or the schedule changed meanwhile (resumed, deleted), nothing is written and
 * false is returned; the tasks already submitted are deduplicated by their idempotency keys.
 */
export async function advanceSchedule(
  q: Queryable,
  input: { id: string; owner: string; due: Date; next: Date | null; lastRunAt: Date | null; lastTaskId: string | null },
): Promise<boolean> {
  const rows = await q.query(
    `update schedules
        set next_run_at = $4::timestamptz, last_run_at = coalesce($5::timestamptz, last_run_at),
            last_task_id = coalesce($6::uuid, last_task_id), last_error = null,
            claimed_by = null, claim_expires_at = null, updated_at = now()
      where id = $1 and claimed_by = $2 and next_run_at = $3::timestamptz
      returning id`,
    [input.id, input.owner, iso(input.due), iso(input.next), iso(input.lastRunAt), input.lastTaskId],
  );
  return rows.length === 1;
}

/**
 * Records why a claimed schedule's ticks could not be submitted. The claim is kept until it
 * expires, which is the back-off before any engine tries again.
 */
export async function recordScheduleError(q: Queryable, id: string, owner: string, message: string): Promise<void> {
  await q.query("update schedules set last_error = $3, updated_at = now() where id = $1 and claimed_by = $2", [id, owner, message.slice(0, 2000)]);
}

/**
 * Milliseconds from the database's now to the earliest next tick of an unpaused, unclaimed
 * schedule of the given tasks (0 when one is due), or null when there is none.
 */
export async function msUntilNextDue(q: Queryable, tasks: TaskPairs): Promise<number | null> {
  if (tasks.namespaces.length === 0) return null;
  const [row] = await q.query<{ ms: number | null }>(
    // greatest() ignores NULL: without the case an empty result would read as "due now".
    `select case when min(next_run_at) is null then null
                 else greatest(0, extract(epoch from min(next_run_at) - now()) * 1000)::float8 end as ms
       from schedules
      where not paused and next_run_at is not null
        and (claim_expires_at is null or claim_expires_at < now())
        and (namespace, task_name) in (select * from unnest($1::text[], $2::text[]))`,
    [tasks.namespaces, tasks.tasks],
  );
  return row?.ms ?? null;
}

export async function getSchedule(q: Queryable, id: string): Promise<ScheduleRow | null> {
  const [row] = await q.query<ScheduleRow>("select * from schedules where id = $1", [id]);
  return row ?? null;
}

/**
 * Schedules ordered by namespace, task and name. `namespaces` (a credential's allowed list)
 * and `namespace` / `taskName` (filters) combine with AND; null or undefined means no limit.
 */
export async function listSchedules(
  q: Queryable,
  filter: { namespaces?: readonly string[] | null; namespace?: string; taskName?: string; limit: number },
): Promise<ScheduleRow[]> {
  return q.query<ScheduleRow>(
    `select * from schedules
      where ($1::text[] is null or namespace = any($1::text[]))
        and ($2::text is null or namespace = $2)
        and ($3::text is null or task_name = $3)
      order by namespace, task_name, name
      limit $4`,
    [filter.namespaces ?? null, filter.namespace ?? null, filter.taskName ?? null, filter.limit],
  );
}

/** Pauses a schedule (idempotent). */
export async function pauseSchedule(q: Queryable, id: string): Promise<ScheduleRow | null> {
  const [row] = await q.query<ScheduleRow>(
    "update schedules set paused = true, updated_at = now() where id = $1 returning *",
    [id],
  );
  return row ?? null;
}

/**
 * Resumes a paused schedule at `nextRunAt` (the first tick after now: ticks that fell while it
 * was paused are not caught up) and drops any claim. Resuming a running schedule changes nothing.
 */
export async function resumeSchedule(q: Queryable, id: string, nextRunAt: Date | null): Promise<ScheduleRow | null> {
  const [row] = await q.query<ScheduleRow>(
    `update schedules
        set next_run_at = case when paused then $2::timestamptz else next_run_at end,
            claimed_by = case when paused then null else claimed_by end,
            claim_expires_at = case when paused then null else claim_expires_at end,
            updated_at = case when paused then now() else updated_at end,
            paused = false
      where id = $1 returning *`,
    [id, iso(nextRunAt)],
  );
  return row ?? null;
}

export async function deleteSchedule(q: Queryable, id: string): Promise<ScheduleRow | null> {
  const [row] = await q.query<ScheduleRow>("delete from schedules where id = $1 returning *", [id]);
  return row ?? null;
}
