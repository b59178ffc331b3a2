import type { LoadedTemplate } from "../../src/core/template/loaded-template.ts";
import type { Db } from "../../src/store/db.ts";

/*
 * Measurement queries, run after a bench's work is done (never during it). Times come from the
 * engine's own rows: a step_transitions row's created_at is now() of the statement that made the
 * change, i.e. the start of its transaction — one clock, the database's, for every process.
 */

/**
 * The drain window on the database clock: the first claim of any step to the last task completion.
 * Used when every task was submitted before the workers started.
 */
export async function drainWindowMs(db: Db): Promise<number> {
  const [row] = await db.query<{ ms: number }>(
    `select (extract(epoch from (select max(completed_at) from tasks) - (select min(created_at) from step_transitions where to_state = 'in_progress')) * 1000)::float8 as ms`,
  );
  return row?.ms ?? Number.NaN;
}

/**
 * Handoff per child step as the audit trail records it: the child's first `in_progress`
 * transition minus the latest `complete` transition among its parents. Both are statement start
 * times, so this spans: the parent's completion statement running and committing, the wake-up,
 * and the child's claim statement starting.
 */
export async function transitionHandoffsMs(db: Db, taskIds: readonly string[] | null = null): Promise<number[]> {
  const rows = await db.query<{ ms: number }>(
    `with child_start as (
       select step_id, min(created_at) as t from step_transitions where to_state = 'in_progress' group by step_id
     ), parent_done as (
       select c.id, max(pt.created_at) as t
         from steps c
         join steps p on p.task_id = c.task_id and p.idx = any(c.parents)
         join step_transitions pt on pt.task_id = p.task_id and pt.step_id = p.id and pt.to_state = 'complete'
        where cardinality(c.parents) > 0 and ($1::uuid[] is null or c.task_id = any($1::uuid[]))
        group by c.id
     )
     select (extract(epoch from cs.t - pd.t) * 1000)::float8 as ms
       from parent_done pd join child_start cs on cs.step_id = pd.id`,
    [taskIds],
  );
  return rows.map((r) => r.ms);
}

/** Per task: completed_at − created_at (submit transaction start to finalisation), database clock. */
export async function taskLatenciesMs(db: Db): Promise<number[]> {
  const rows = await db.query<{ ms: number }>(
    `select (extract(epoch from completed_at - created_at) * 1000)::float8 as ms from tasks where completed_at is not null`,
  );
  return rows.map((r) => r.ms);
}

/** First task created to last task completed, database clock (end-to-end window). */
export async function endToEndWindowMs(db: Db): Promise<number> {
  const [row] = await db.query<{ ms: number }>(`select (extract(epoch from max(completed_at) - min(created_at)) * 1000)::float8 as ms from tasks`);
  return row?.ms ?? Number.NaN;
}

/**
 * Handoff as the handlers saw it (in-process benches only): when the child's handler started
 * minus when the last of its parents' handlers ran, from the probe's marks. This is the latency
 * a user's code observes — it includes recording the parent's outcome and claiming the child.
 */
export function handlerHandoffsMs(marks: Map<string, number>, template: LoadedTemplate, taskIds: readonly string[]): number[] {
  const out: number[] = [];
  const names = template.steps.map((s) => s.name);
  for (const id of taskIds) {
    for (let i = 0; i < names.length; i++) {
      const parents = template.dag.parentsOf(i);
      if (parents.length === 0) continue;
      const child = marks.get(`${id}/${names[i]}`);
      let last = -Infinity;
      for (const p of parents) last = Math.max(last, marks.get(`${id}/${names[p]}`) ?? Number.NaN);
      if (child !== undefined && Number.isFinite(last)) out.push(child - last);
    }
  }
  return out;
}
