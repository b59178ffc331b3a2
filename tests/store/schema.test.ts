import { expect, test } from "bun:test";
import { uuidv7 } from "uuidv7";
import { describeEachBackend } from "../support/backends.ts";
import type { Queryable } from "../../src/store/db.ts";

async function insertTask(q: Queryable, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = uuidv7();
  const v = { namespace: "orders", name: "fulfil", state: "pending", identity_hash: null, ...overrides };
  await q.query(
    `insert into tasks (id, namespace, name, version, template_fingerprint, state, step_count, steps_unfinished, identity_hash)
     values ($1, $2, $3, '1.0.0', 'fp', $4, 1, 1, $5)`,
    [id, v.namespace, v.name, v.state, v.identity_hash],
  );
  return id;
}

describeEachBackend("schema", (t) => {
  test("task and step states outside the state machine are refused", async () => {
    await expect(insertTask(t.db, { state: "done" })).rejects.toThrow(/tasks_state_check/);
    const taskId = await insertTask(t.db);
    await expect(
      t.db.query("insert into steps (id, task_id, idx, name, state) values ($1, $2, 0, 'a', 'finished')", [uuidv7(), taskId]),
    ).rejects.toThrow(/steps_state_check/);
  });

  test("names that do not match the strict pattern are refused", async () => {
    await expect(insertTask(t.db, { namespace: "../etc" })).rejects.toThrow(/tasks_namespace_pattern/);
    await expect(insertTask(t.db, { name: "Robert'); drop" })).rejects.toThrow(/tasks_name_pattern/);
  });

  test("names are a lower-case letter and up to 62 of [a-z0-9_]: 63 characters at most", async () => {
    const longest = `a${"b_9".repeat(20)}cc`;
    expect(longest).toHaveLength(63);
    const taskId = await insertTask(t.db, { namespace: longest, name: longest });
    await expect(insertTask(t.db, { namespace: `${longest}x` })).rejects.toThrow(/tasks_namespace_pattern/);
    await expect(insertTask(t.db, { name: `${longest}x` })).rejects.toThrow(/tasks_name_pattern/);
    for (const bad of ["9lives", "_x", "", "a-b", "aB"]) await expect(insertTask(t.db, { name: bad })).rejects.toThrow(/tasks_name_pattern/);
    await t.db.query("insert into steps (id, task_id, idx, name) values ($1, $2, 0, $3)", [uuidv7(), taskId, longest]);
    await expect(
      t.db.query("insert into steps (id, task_id, idx, name) values ($1, $2, 1, $3)", [uuidv7(), taskId, `${longest}x`]),
    ).rejects.toThrow(/steps_name_pattern/);
  });

  test("one task per identity hash within a template", async () => {
    await insertTask(t.db, { identity_hash: "abc" });
    await expect(insertTask(t.db, { identity_hash: "abc" })).rejects.toThrow(/tasks_identity/);
    await insertTask(t.db, { identity_hash: "abc", name: "other" });
  });

  test("a step index is unique within a task; a step has at most one live queue message", async () => {
    const taskId = await insertTask(t.db);
    const stepId = uuidv7();
    await t.db.query("insert into steps (id, task_id, idx, name) values ($1, $2, 0, 'a')", [stepId, taskId]);
    await expect(t.db.query("insert into steps (id, task_id, idx, name) values ($1, $2, 0, 'b')", [uuidv7(), taskId])).rejects.toThrow(/steps_task_idx/);
    const enqueue = () =>
      t.db.query("insert into queue_messages (queue, task_id, step_id, step_idx, attempt) values ('orders', $1, $2, 0, 1)", [taskId, stepId]);
    await enqueue();
    await expect(enqueue()).rejects.toThrow(/queue_messages_one_per_step/);
  });

  test("queue pages keep room for a claim's update to stay on the page (HOT, no index writes)", async () => {
    const [row] = await t.db.query<{ reloptions: string[] | null }>("select reloptions from pg_class where relname = 'queue_messages'");
    expect(row!.reloptions).toContain("fillfactor=50");
  });

  test("the claim's queue list is estimated at one row (unnest of a parameter: 10), so the claim's generic plan is kept", async () => {
    const estimate = async (from: string) => {
      const [row] = await t.db.query<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(`explain (format json) select * from ${from}`);
      return row!["QUERY PLAN"][0]!.Plan["Plan Rows"];
    };
    expect(await estimate("queue_names(array['a', 'b', 'c'])")).toBe(1);
    expect(await estimate("unnest(array['a', 'b', 'c'])")).toBe(3);
    expect((await t.db.query<{ q: string }>("select q from queue_names(array['a', 'b']) as q")).map((r) => r.q)).toEqual(["a", "b"]);
  });

  test("a task's terminal event can be written only once", async () => {
    const taskId = await insertTask(t.db);
    const emit = () => t.db.query("insert into events (event_id, name, task_id) values ($1, 'task.completed', $2)", [uuidv7(), taskId]);
    await emit();
    await expect(emit()).rejects.toThrow(/events_terminal_once/);
  });
});
