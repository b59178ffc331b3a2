import { uuidv7 } from "uuidv7";
import type { DagCore } from "../core/dag/index.ts";
import { batchWorkerName, type CursorRange } from "../core/template/batch.ts";
import type { LoadedTemplate } from "../core/template/loaded-template.ts";
import { insertBatchWorkers } from "../store/batches.ts";
import type { Queryable } from "../store/db.ts";
import { decisionStates, lockTaskForOutcome, skipForDecision, type StepFence } from "../store/decisions.ts";
import { satisfySteps, type SatisfyResult } from "../store/outcomes.ts";

/** What a decision step chose: the branches (step indices) that do NOT run. */
export interface DecisionOutcome {
  template: LoadedTemplate;
  stepIdx: number;
  unchosen: number[];
}

/** What a planner's result asked of a batch step: one worker per range. */
export interface BatchPlan {
  template: LoadedTemplate;
  plannerIdx: number;
  batchIdx: number;
  ranges: CursorRange[];
}

export interface DynamicSuccess {
  taskId: string;
  fence: StepFence;
  results: string;
  reason: string;
  decision?: DecisionOutcome;
  plans?: BatchPlan[];
  /** A batch worker that failed for good under `onFailure: "continue"`: its error record. */
  continued?: unknown;
}

/**
 * Records a success that changes the task's shape, in the caller's transaction: lock the task,
 * check the lease, skip what a decision did not choose (the skip closure comes from the DAG
 * core) or create the workers a plan asks for, then satisfy the step as usual. Returns null
 * when the lease was lost (nothing written).
 */
export async function recordDynamicSuccess(tx: Queryable, core: DagCore, o: DynamicSuccess, actor: string): Promise<SatisfyResult | null> {
  if (!(await lockTaskForOutcome(tx, o.taskId, o.fence))) return null;
  const extra: SatisfyResult["ready"] = [];
  if (o.decision) {
    for (const r of await applyDecision(tx, core, o.taskId, o.decision, actor)) extra.push({ id: r.id, task_id: o.taskId, namespace: r.namespace });
  }
  for (const plan of o.plans ?? []) {
    for (const r of await createWorkers(tx, o.taskId, o.fence, plan, actor)) extra.push({ id: r.id, task_id: o.taskId, namespace: r.namespace });
  }
  const r = await satisfySteps(tx, {
    stepIds: [o.fence.stepId],
    attempts: [o.fence.attempt],
    results: [o.results],
    owner: o.fence.owner,
    to: "complete",
    from: ["in_progress"],
    actor,
    reason: o.reason,
  });
  if (o.continued !== undefined) {
    await tx.query("update steps set error = $2::text::jsonb where id = $1", [o.fence.stepId, JSON.stringify(o.continued)]);
  }
  r.ready.push(...extra);
  return r;
}

async function applyDecision(tx: Queryable, core: DagCore, taskId: string, d: DecisionOutcome, actor: string) {
  const dag = d.template.dag;
  const decision = dag.names[d.stepIdx]!;
  const states = await decisionStates(tx, taskId);
  const skipped = new Uint8Array(dag.size);
  const pending = new Uint8Array(dag.size);
  for (const s of states) {
    if (s.idx >= dag.size) continue; // batch workers are not part of the template's graph
    if (s.state === "skipped" && s.by_decision) skipped[s.idx] = 1;
    if (s.state === "pending") pending[s.idx] = 1;
  }
  const closure = Array.from(core.skipClosure(dag, skipped, Int32Array.from(d.unchosen))).filter((i) => pending[i] === 1);
  if (closure.length === 0) return [];
  const inClosure = new Set(closure);
  const unchosen = new Set(d.unchosen);
  const satisfied = new Map<number, number>();
  for (const i of closure) {
    for (const c of dag.childrenOf(i)) if (!inClosure.has(c)) satisfied.set(c, (satisfied.get(c) ?? 0) + 1);
  }
  return skipForDecision(tx, {
    taskId,
    decision,
    actor,
    skip: {
      idx: closure,
      reasons: closure.map((i) =>
        unchosen.has(i) ? `not chosen by decision step "${decision}"` : `all dependencies skipped (decision step "${decision}")`,
      ),
    },
    satisfied: { idx: [...satisfied.keys()], n: [...satisfied.values()] },
  });
}

async function createWorkers(tx: Queryable, taskId: string, fence: StepFence, plan: BatchPlan, actor: string) {
  const step = plan.template.steps[plan.batchIdx]!;
  const count = plan.ranges.length;
  return insertBatchWorkers(tx, {
    taskId,
    planner: { ...fence, idx: plan.plannerIdx },
    batchIdx: plan.batchIdx,
    ids: plan.ranges.map(() => uuidv7()),
    names: plan.ranges.map((_, i) => batchWorkerName(step.name, i)),
    ranges: plan.ranges.map((r, index) => JSON.stringify({ of: plan.batchIdx, index, count, start: r.start, end: r.end })),
    maxAttempts: step.retry.maxAttempts,
    retryPolicy: JSON.stringify(step.retry),
    timeoutMs: step.timeoutMs,
    actor,
  });
}
