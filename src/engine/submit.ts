import { uuidv7 } from "uuidv7";
import type { LoadedTemplate } from "../core/template/loaded-template.ts";
import type { Db } from "../store/db.ts";
import { queueDepth } from "../store/queue.ts";
import { findTaskByIdentity, insertTasks, type NewTaskWithSteps } from "../store/tasks.ts";
import type { ResolvedEngineOptions } from "./config.ts";
import { BackpressureError, ContextInvalidError } from "./errors.ts";
import { identityHash } from "./identity.ts";
import type { TemplateResolver } from "./templates.ts";
import type { SubmitRequest, SubmitResult } from "./types.ts";
import { taskView } from "./views.ts";

export interface SubmitterDeps {
  db: Db;
  templates: TemplateResolver;
  options: ResolvedEngineOptions;
  actor: string;
  onEnqueued: (namespaces: Set<string>) => void;
}

/** What every task of a template version starts with, computed once per template. */
interface TemplateShape {
  names: readonly string[];
  maxAttempts: readonly number[];
  retryPolicies: readonly string[];
  timeoutsMs: readonly number[];
  parentIdx: ReadonlyArray<readonly number[]>;
  parents: readonly string[];
  children: readonly string[];
  /** Some step has a skipIf: states and counts depend on the context. */
  conditional: boolean;
  /** States and unfinished-parent counts when nothing is skipped. */
  states: readonly string[];
  unfinishedParents: readonly number[];
}

// Keyed by the loaded template object: a reloaded module is a new object, so a stale shape is
// never used (and is collected with its template).
const shapes = new WeakMap<LoadedTemplate, TemplateShape>();

function shapeOf(template: LoadedTemplate): TemplateShape {
  let shape = shapes.get(template);
  if (shape) return shape;
  const dag = template.dag;
  const parentIdx = Array.from({ length: dag.size }, (_, i) => Array.from(dag.parentsOf(i)));
  shape = {
    names: template.steps.map((s) => s.name),
    maxAttempts: template.steps.map((s) => s.retry.maxAttempts),
    retryPolicies: template.steps.map((s) => JSON.stringify(s.retry)),
    timeoutsMs: template.steps.map((s) => s.timeoutMs),
    parentIdx,
    parents: parentIdx.map((p) => `{${p.join(",")}}`),
    children: Array.from({ length: dag.size }, (_, i) => `{${dag.childrenOf(i).join(",")}}`),
    conditional: template.steps.some((s) => s.skipIf !== undefined),
    states: parentIdx.map((p) => (p.length === 0 ? "enqueued" : "pending")),
    unfinishedParents: parentIdx.map((p) => p.length),
  };
  shapes.set(template, shape);
  return shape;
}

/**
 * Submission: validate the context against the template's schema, then write the task, its
 * steps, the audit rows, `task.started` and the root steps' queue messages in one statement.
 * Idempotent on the identity hash, also when duplicates race.
 */
/** A validated request and the rows it becomes. */
export interface Prepared {
  template: LoadedTemplate;
  item: NewTaskWithSteps;
}

export function createSubmitter(deps: SubmitterDeps) {
  const recorded = new Set<string>();

  async function recordTemplate(t: LoadedTemplate): Promise<void> {
    if (recorded.has(t.key + t.fingerprint)) return;
    await deps.db.query(
      `insert into template_versions (namespace, name, version, fingerprint, step_names, parent_offsets, parent_targets)
       values ($1, $2, $3, $4, $5::text[], $6::int[], $7::int[]) on conflict do nothing`,
      [t.namespace, t.name, t.version, t.fingerprint, [...t.dag.names], [...t.dag.parentOffsets], [...t.dag.parentTargets]],
    );
    recorded.add(t.key + t.fingerprint);
  }

  /** Validates one request's context against its template's schema. */
  function validContext(template: LoadedTemplate, req: SubmitRequest): Record<string, unknown> {
    const parsed = template.contextSchema.safeParse(req.context ?? {});
    if (!parsed.success) {
      throw new ContextInvalidError(parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
    }
    return (parsed.data ?? {}) as Record<string, unknown>;
  }

  /** Validates one request and builds its rows, identified per the template's identity strategy. */
  async function prepare(req: SubmitRequest): Promise<Prepared> {
    const template = deps.templates.resolve(req.namespace, req.name, req.version);
    const context = validContext(template, req);
    const hash = await identityHash(template.identity, { version: template.version, context, idempotencyKey: req.idempotencyKey });
    return build(template, req, context, hash);
  }

  /**
   * The same for a child task of a template the spawner resolved once for the whole dispatch. A
   * child is identified by its parent step and key, whatever its template's identity strategy:
   * unique already (no hash needed), so a re-dispatch after a crash can never create it twice.
   */
  function prepareChild(template: LoadedTemplate, req: SubmitRequest, parent: { taskId: string; stepId: string; key: string }): Prepared {
    return build(template, req, validContext(template, req), `child:${parent.stepId}:${parent.key}`, parent);
  }

  function build(
    template: LoadedTemplate,
    req: SubmitRequest,
    context: Record<string, unknown>,
    hash: string | null,
    parent?: { taskId: string; stepId: string; key: string },
  ): Prepared {
    const shape = shapeOf(template);
    const n = shape.names.length;
    // Steps whose skipIf holds for this context start skipped; they count as satisfied parents.
    // Without any skipIf, every task of the template starts alike: its arrays are shared.
    let skipped: boolean[] | null = null;
    let states = shape.states;
    let unfinished = shape.unfinishedParents;
    if (shape.conditional) {
      const sk = template.steps.map((s) => {
        try {
          return s.skipIf?.(context) === true;
        } catch (error) {
          throw new ContextInvalidError([{ path: "", message: `step "${s.name}" skipIf threw: ${String(error)}` }]);
        }
      });
      skipped = sk;
      const waitingOn = shape.parentIdx.map((p) => p.filter((parent) => !sk[parent]).length);
      unfinished = waitingOn;
      states = waitingOn.map((w, i) => (sk[i] ? "skipped" : w === 0 ? "enqueued" : "pending"));
    }
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(uuidv7());
    return {
      template,
      item: {
        task: {
          id: uuidv7(),
          namespace: template.namespace,
          name: template.name,
          version: template.version,
          fingerprint: template.fingerprint,
          priority: req.priority ?? 0,
          context,
          identityHash: hash,
          tags: req.tags ?? [],
          initiator: req.initiator ?? null,
          sourceSystem: req.sourceSystem ?? null,
          reason: req.reason ?? null,
          stepCount: n,
          stepsUnfinished: skipped ? n - skipped.filter(Boolean).length : n,
          ...(parent ? { parent } : {}),
        },
        steps: {
          ids,
          names: shape.names,
          states,
          maxAttempts: shape.maxAttempts,
          retryPolicies: shape.retryPolicies,
          timeoutsMs: shape.timeoutsMs,
          unfinishedParents: unfinished,
          parents: shape.parents,
          children: shape.children,
        },
      },
    };
  }

  async function checkBackpressure(namespaces: Iterable<string>): Promise<void> {
    if (deps.options.maxQueueDepth <= 0) return;
    for (const ns of new Set(namespaces)) {
      const depth = await queueDepth(deps.db, ns);
      if (depth > deps.options.maxQueueDepth) throw new BackpressureError(ns, depth, 5);
    }
  }

  /** Writes prepared tasks in one statement and answers each: created, or the existing task. */
  async function write(prepared: readonly Prepared[], actor: string): Promise<SubmitResult[]> {
    for (const p of new Set(prepared.map((x) => x.template))) await recordTemplate(p);
    const inserted = await insertTasks(deps.db, prepared.map((p) => p.item), actor);
    const byId = new Map(inserted.map((r) => [r.id, r]));
    if (inserted.length > 0) deps.onEnqueued(new Set(inserted.map((r) => r.namespace)));
    const results: SubmitResult[] = [];
    for (const p of prepared) {
      const row = byId.get(p.item.task.id);
      if (row) {
        results.push({ task: taskView(row), created: true });
        continue;
      }
      // The identity exists: return the task that holds it (the insert waited for its commit).
      const t = p.item.task;
      const existing = await findTaskByIdentity(deps.db, t.namespace, t.name, t.identityHash!);
      if (!existing) throw new Error("identity conflict without a visible task");
      results.push({ task: taskView(existing), created: false });
    }
    return results;
  }

  /**
   * Submits many tasks in one statement (one round trip, one commit): every request is
   * validated first, and any invalid one fails the whole call before anything is written.
   */
  async function submitMany(requests: readonly SubmitRequest[]): Promise<SubmitResult[]> {
    if (requests.length === 0) return [];
    const prepared = await Promise.all(requests.map((r) => prepare(r)));
    await checkBackpressure(prepared.map((p) => p.template.namespace));
    return write(prepared, requests[0]?.initiator ?? "api");
  }

  // Single submissions that arrive while a write is in flight are written together by the next
  // one (one statement, one commit for all of them): under concurrent HTTP creates a commit per
  // request, not the SQL, is what limits the rate.
  const waiting: Array<{ prepared: Prepared; actor: string; resolve: (r: SubmitResult) => void; reject: (e: unknown) => void }> = [];
  let writing = false;

  async function pump(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      // Let requests that are already on the wire queue up first: on PGlite, whose queries run on
      // this thread, nothing else is read during a write, so without this every batch is one.
      await new Promise((r) => setTimeout(r, 0));
      const batch = waiting.splice(0, 500);
      const actors = new Set(batch.map((b) => b.actor));
      try {
        const results = await write(batch.map((b) => b.prepared), actors.size === 1 ? batch[0]!.actor : "api");
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    writing = false;
  }

  async function submit(req: SubmitRequest): Promise<SubmitResult> {
    // Validation and backpressure answer this request alone, before it joins a batch.
    const prepared = await prepare(req);
    await checkBackpressure([prepared.template.namespace]);
    return new Promise<SubmitResult>((resolve, reject) => {
      waiting.push({ prepared, actor: req.initiator ?? "api", resolve, reject });
      if (!writing) void pump();
    });
  }

  return { submit, submitMany, prepareChild, recordTemplate, resolve: deps.templates.resolve.bind(deps.templates) };
}
