import type { DagCore } from "../core/dag/index.ts";
import type { Logger } from "../core/logger.ts";
import type { ChildOutcome } from "../core/template/join.ts";
import { childOutcomes, countSettledChildren, type JoinCount } from "../store/children.ts";
import type { Db } from "../store/db.ts";
import { satisfySteps, type SatisfyResult } from "../store/outcomes.ts";
import { getTask } from "../store/tasks.ts";
import { reconcileTasks } from "./reconcile.ts";
import type { TemplateResolver } from "./templates.ts";

export interface JoinerDeps {
  db: Db;
  core: DagCore;
  templates: TemplateResolver;
  owner: string;
  log: Logger;
  onEnqueued: (namespaces: Set<string>) => void;
}

const PAGE = 1000;

/**
 * Everything that follows a change of task or step state outside the plain completion path:
 * enqueue notices, re-checks of tasks with failed steps, and the joins of spawning steps.
 * Join detection is event-driven — a child's finalisation counts it towards its parent step
 * (one indexed update) — and never re-runs the parent's handler.
 */
export function createJoiner(deps: JoinerDeps) {
  const { db } = deps;

  /** Follow-up of a satisfySteps call: notices, stalled-task checks, joins of finished children. */
  async function afterSatisfy(r: SatisfyResult): Promise<void> {
    if (r.ready.length > 0) deps.onEnqueued(new Set(r.ready.map((s) => s.namespace)));
    if (r.stalled.length > 0) {
      const blocked = await db.transaction((tx) => reconcileTasks(tx, deps.core, deps.templates, r.stalled, deps.owner));
      await settle(blocked);
    }
    await settle(r.finished.filter((f) => f.parent_step_id !== null).map((f) => f.id));
  }

  /** Counts settled child tasks (complete, failed, cancelled, blocked) towards their parents' joins. */
  async function settle(childTaskIds: readonly string[]): Promise<void> {
    if (childTaskIds.length === 0) return;
    for (const parent of await countSettledChildren(db, childTaskIds)) await evaluate(parent);
  }

  /** Decides a waiting parent step once its counters say so (also right after its dispatch ends). */
  async function evaluate(p: JoinCount): Promise<void> {
    if (p.state !== "waiting") return;
    if (p.child_failure === "fail" && p.children_failed > 0) return failParent(p);
    if (p.children_total === null || p.children_complete + p.children_failed < p.children_total) return;
    const task = await getTask(db, p.task_id);
    if (!task) return;
    const template = deps.templates.resolve(task.namespace, task.name, task.version);
    const join = template.steps[p.idx]!.join;
    const results = await aggregate(p, join.results, join.reduce, join.initial);
    const r = await satisfySteps(db, {
      stepIds: [p.id],
      attempts: [0],
      results: [JSON.stringify(results ?? null)],
      owner: null,
      to: "complete",
      from: ["waiting"],
      actor: deps.owner,
      reason: `all ${p.children_total} child tasks done`,
    });
    await afterSatisfy(r);
  }

  async function aggregate(
    p: JoinCount,
    kind: "counts" | "all" | "reduce",
    reduce: ((acc: unknown, child: ChildOutcome) => unknown) | undefined,
    initial: unknown,
  ): Promise<unknown> {
    const counts = { total: p.children_total, complete: p.children_complete, failed: p.children_failed };
    if (kind === "counts") return counts;
    const all: ChildOutcome[] = [];
    // A fresh copy per join: a reducer that mutates its accumulator must not leak into the next.
    let acc = structuredClone(initial);
    for (let after = -1; ; ) {
      const page = await childOutcomes(db, p.id, after, PAGE);
      for (const row of page) {
        const sinks = row.sinks ?? {};
        const names = Object.keys(sinks);
        const child: ChildOutcome = { key: row.child_key, taskId: row.id, state: row.state, result: names.length === 1 ? sinks[names[0]!] : sinks };
        if (kind === "all") all.push(child);
        else acc = reduce!(acc, child);
      }
      if (page.length < PAGE) break;
      after = Number(page.at(-1)!.child_key);
    }
    return kind === "all" ? { ...counts, children: all } : acc;
  }

  /** Under `onChildFailure: "fail"`, the first failed child fails the spawning step for good. */
  async function failParent(p: JoinCount): Promise<void> {
    const blocked = await db.transaction(async (tx) => {
      const failed = await tx.query<{ task_id: string }>(
        `with s as (
           update steps set state = 'error', completed_at = now(), updated_at = now(),
                  error = jsonb_build_object('message', $2::text, 'name', 'ChildTaskFailed', 'kind', 'permanent', 'attempt', attempts)
            where id = $1 and state = 'waiting'
           returning id, task_id, attempts
         ), t as (
           update tasks set steps_failed = steps_failed + 1, updated_at = now() where id in (select task_id from s)
         ), tr as (
           insert into step_transitions (task_id, step_id, from_state, to_state, attempt, reason, actor)
           select task_id, id, 'waiting', 'error', attempts, $2, $3 from s
         )
         select task_id from s`,
        [p.id, `${p.children_failed} of ${p.children_total ?? "?"} child tasks failed`, deps.owner],
      );
      return reconcileTasks(tx, deps.core, deps.templates, failed.map((f) => f.task_id), deps.owner);
    });
    await settle(blocked);
  }

  return { afterSatisfy, settle, evaluate };
}

export type Joiner = ReturnType<typeof createJoiner>;
