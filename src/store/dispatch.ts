import type { Queryable } from "./db.ts";
import { INSERT_STEPS_AND_MESSAGES, insertTasksCte, type NewTaskWithSteps, rowParams } from "./task-rows.ts";

/**
 * Writes of child tasks are fenced on the spawning step's lease (a worker that lost it writes
 * nothing) and move the step's dispatch cursor in the same statement.
 */
export interface DispatchFence {
  stepId: string;
  attempt: number;
  owner: string;
  /** The cursor after this chunk: children dispatched so far. */
  cursor: number;
  childFailure: "park" | "fail" | "ignore";
}

/** What the chunk's audit row names: the children's template and the chunk's first key. */
export interface ChunkTemplate {
  namespace: string;
  name: string;
  version: string;
  first: number;
}

/**
 * One chunk of a fan-out in ONE statement: moves the spawning step's dispatch cursor (only while
 * the step's lease holds — otherwise nothing is written), inserts the children with their steps
 * and root-step queue messages (a child whose key exists already is skipped: children are
 * identified by parent step and key), and audits the chunk once — a transition on the spawning
 * step and a `step.children_spawned` event naming the keys — instead of a transition pair and a
 * `task.started` event per child: 3 rows per child instead of 6, and 41 ms of execution per
 * 1,000 children instead of 59 (EXPLAIN ANALYZE over 20 chunks, one sitting, busy machine). A
 * child's own audit starts from its task and step rows, which record when, by whom and from which
 * step it was made (see `taskTransitions`). Returns only the id and namespace of the children
 * actually inserted: parsing 1,000 whole task rows back cost the dispatcher more JavaScript than
 * preparing them.
 *
 * @example
 *   const rows = await insertChildChunk(db, prepared, owner, { stepId, attempt, owner, cursor: 2000, childFailure: "park" },
 *     { namespace: "etl", name: "row", version: "1.0.0", first: 1000 });
 *   if (rows.length === 0) … // every child existed, or the lease is gone
 */
export async function insertChildChunk(
  q: Queryable,
  items: readonly NewTaskWithSteps[],
  actor: string,
  fence: DispatchFence,
  chunk: ChunkTemplate,
): Promise<Array<{ id: string; namespace: string }>> {
  return q.query<{ id: string; namespace: string }>(
    `with cursor_moved as (
       update steps set children_dispatched = $31, child_failure = $34, updated_at = now()
        where id = $30::uuid and attempts = $32 and lease_owner = $33 and state = 'in_progress'
       returning id, task_id, name
     ), t as (
       ${insertTasksCte("exists (select 1 from cursor_moved)", "id, namespace, name, version, priority, state")}
     ), ${INSERT_STEPS_AND_MESSAGES}, done as (
       insert into events (event_id, name, namespace, task_id, payload)
       select gen_random_uuid(), 'task.completed', t.namespace, t.id, jsonb_build_object('name', t.name, 'version', t.version)
         from t where t.state = 'complete'
     ), n as (
       select count(*)::int as n from t
     ), audit as (
       insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor, metadata)
       select c.task_id, c.id, 'in_progress', 'in_progress', $32,
              'spawned ' || n.n || ' child tasks (' || $36::text || '/' || $37::text || ' ' || $38::text || ', keys ' || $35::int || '–' || ($31::int - 1) || ')',
              $29, jsonb_build_object('spawned', jsonb_build_object('first', $35::int, 'last', $31::int - 1, 'count', n.n,
                                                                     'namespace', $36::text, 'name', $37::text, 'version', $38::text))
         from cursor_moved c, n where n.n > 0
     ), ev as (
       insert into events (event_id, name, namespace, task_id, step_id, payload)
       select gen_random_uuid(), 'step.children_spawned', p.namespace, c.task_id, c.id,
              jsonb_build_object('step', c.name, 'first', $35::int, 'last', $31::int - 1, 'count', n.n,
                                 'namespace', $36::text, 'name', $37::text, 'version', $38::text)
         from cursor_moved c join tasks p on p.id = c.task_id, n where n.n > 0
     )
     select id, namespace from t`,
    [...rowParams(items), actor, fence.stepId, fence.cursor, fence.attempt, fence.owner, fence.childFailure,
      chunk.first, chunk.namespace, chunk.name, chunk.version],
  );
}
