import type { JoinDefinition } from "../core/template/join.ts";
import type { SpawnReceipt, SpawnSpec } from "../core/template/step-context.ts";
import type { Db } from "../store/db.ts";
import type { ClaimedStep } from "../store/queue.ts";
import { insertChildChunk } from "../store/dispatch.ts";
import { LeaseLostError } from "./errors.ts";
import type { createSubmitter, Prepared } from "./submit.ts";

export interface SpawnerDeps {
  db: Db;
  submitter: ReturnType<typeof createSubmitter>;
  owner: string;
  onEnqueued: (namespaces: Set<string>) => void;
}

const DEFAULT_CHUNK = 1000;
const MAX_CHUNK = 10_000;

/**
 * Dispatches a step's child tasks: one statement per chunk writes the chunk's tasks, steps,
 * queue messages and one audit row for the chunk AND moves the step's dispatch cursor, fenced on
 * the step's lease. A re-run after a crash reads the cursor and continues from there (an array is sliced;
 * a source function is asked to start at the cursor), and each child is keyed by its index, so
 * no child is ever created twice.
 */
export function createSpawner(deps: SpawnerDeps) {
  return async function spawn<I>(c: ClaimedStep, join: JoinDefinition, spec: SpawnSpec<I>): Promise<SpawnReceipt> {
    const chunkSize = Math.min(Math.max(Math.floor(spec.chunkSize ?? DEFAULT_CHUNK), 1), MAX_CHUNK);
    const [row] = await deps.db.query<{ children_dispatched: number }>("select children_dispatched from steps where id = $1", [c.step_id]);
    const cursor = row?.children_dispatched ?? 0;
    const source = typeof spec.items === "function" ? spec.items(cursor) : spec.items.slice(cursor);
    let index = cursor;
    let dispatched = 0;
    let chunk: I[] = [];
    // Preparing a chunk (validation, ids) overlaps the previous chunk's insert; inserts stay in
    // order, so the persisted cursor only ever moves past children that exist.
    let inFlight: Promise<void> | null = null;

    // One template for the whole dispatch, resolved once (a "latest" lookup compares versions).
    const template = deps.submitter.resolve(spec.namespace ?? c.namespace, spec.name, spec.version);
    const prepare = (items: I[], first: number): Prepared[] =>
      items.map((item, j) => {
        const context = spec.context ? spec.context(item, first + j) : (item as Record<string, unknown>);
        return deps.submitter.prepareChild(
          template,
          { namespace: template.namespace, name: template.name, version: template.version, context, initiator: deps.owner },
          { taskId: c.task_id, stepId: c.step_id, key: String(first + j) },
        );
      });

    const insert = async (prepared: Prepared[], next: number) => {
      if (prepared.length === 0) return;
      await deps.submitter.recordTemplate(template);
      const rows = await insertChildChunk(
        deps.db,
        prepared.map((p) => p.item),
        deps.owner,
        { stepId: c.step_id, attempt: c.attempts, owner: deps.owner, cursor: next, childFailure: join.onChildFailure },
        { namespace: template.namespace, name: template.name, version: template.version, first: next - prepared.length },
      );
      if (rows.length === 0) {
        // Either every child of the chunk already existed, or the lease is gone: tell them apart.
        const [lease] = await deps.db.query<{ ok: boolean }>(
          "select (attempts = $2 and lease_owner = $3 and state = 'in_progress') as ok from steps where id = $1",
          [c.step_id, c.attempts, deps.owner],
        );
        if (!lease?.ok) throw new LeaseLostError(c.step_id, c.attempts);
      }
      dispatched += rows.length;
      if (rows.length > 0) deps.onEnqueued(new Set(rows.map((r) => r.namespace)));
    };

    const flush = async () => {
      const items = chunk;
      const first = index;
      chunk = [];
      index += items.length;
      const prepared = prepare(items, first);
      if (inFlight) await inFlight;
      inFlight = insert(prepared, first + items.length);
      // Surface a failed insert at the next flush or at the end, never as an unhandled rejection.
      inFlight.catch(() => {});
    };

    for await (const item of source as AsyncIterable<I>) {
      chunk.push(item);
      if (chunk.length >= chunkSize) await flush();
    }
    if (chunk.length > 0) await flush();
    if (inFlight) await inFlight;
    return { dispatched, total: index };
  };
}
