import { expect, test } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";

describeEachBackend("db adapter", (t) => {
  test("parameterised queries return typed rows with parity across backends", async () => {
    const [row] = await t.db.query<{ n: number; big: number; doc: { a: number[] }; arr: string[]; at: Date }>(
      "select $1::int as n, 9007199254740991::bigint as big, $2::jsonb as doc, $3::text[] as arr, now() as at",
      [42, { a: [1, 2] }, ["x", "y"]],
    );
    expect(row).toBeDefined();
    expect(row!.n).toBe(42);
    expect(row!.big).toBe(Number.MAX_SAFE_INTEGER);
    expect(row!.doc).toEqual({ a: [1, 2] });
    expect(row!.arr).toEqual(["x", "y"]);
    expect(row!.at).toBeInstanceOf(Date);
  });

  test("json parameters are encoded the same way on both backends, JS strings included", async () => {
    const [row] = await t.db.query<{ o: unknown; s: unknown; n: unknown; a: unknown }>(
      "select $1::jsonb as o, $2::jsonb as s, $3::jsonb as n, $4::jsonb as a",
      [{ x: [1, { y: null }] }, "plain string", 5, [1, "two"]],
    );
    expect(row).toEqual({ o: { x: [1, { y: null }] }, s: "plain string", n: 5, a: [1, "two"] });
  });

  test("parameters are never interpolated into the statement", async () => {
    const hostile = "'); drop table tasks; --";
    const [row] = await t.db.query<{ v: string }>("select $1::text as v", [hostile]);
    expect(row!.v).toBe(hostile);
    const [count] = await t.db.query<{ n: number }>("select count(*)::int as n from tasks");
    expect(count!.n).toBe(0);
  });

  test("a transaction commits when its function resolves", async () => {
    await t.db.exec("create table if not exists adapter_tx (v int primary key)");
    await t.db.transaction(async (tx) => {
      await tx.query("insert into adapter_tx values ($1)", [1]);
      await tx.query("insert into adapter_tx values ($1)", [2]);
    });
    const rows = await t.db.query<{ v: number }>("select v from adapter_tx order by v");
    expect(rows.map((r) => r.v)).toEqual([1, 2]);
  });

  test("a transaction rolls back entirely when its function throws, and the connection stays usable", async () => {
    await t.db.exec("create table if not exists adapter_rb (v int primary key)");
    const failing = t.db.transaction(async (tx) => {
      await tx.query("insert into adapter_rb values ($1)", [1]);
      await tx.query("insert into adapter_rb values ($1)", [1]); // duplicate key
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    const rows = await t.db.query<{ n: number }>("select count(*)::int as n from adapter_rb");
    expect(rows[0]!.n).toBe(0);
  });

  test("a failed statement does not poison the next one", async () => {
    await expect(t.db.query("select * from no_such_table")).rejects.toThrow(/no_such_table/);
    await expect(t.db.query("select 1/0")).rejects.toThrow(/division by zero/);
    const [row] = await t.db.query<{ ok: number }>("select 1 as ok");
    expect(row!.ok).toBe(1);
  });

  test("concurrent transactions do not interleave on one database", async () => {
    await t.db.exec("create table if not exists adapter_counter (id int primary key, n int not null); insert into adapter_counter values (1, 0) on conflict do nothing");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.db.transaction(async (tx) => {
          const [r] = await tx.query<{ n: number }>("select n from adapter_counter where id = 1 for update");
          await tx.query("update adapter_counter set n = $1 where id = 1", [r!.n + 1]);
        }),
      ),
    );
    const [row] = await t.db.query<{ n: number }>("select n from adapter_counter where id = 1");
    expect(row!.n).toBe(20);
  });

  test("notifications reach a listener, including pg_notify sent inside a committed transaction", async () => {
    const received: string[] = [];
    const stop = await t.db.listen("tasker_test_wake", (p) => received.push(p));
    await t.db.notify("tasker_test_wake", "direct");
    await t.db.transaction(async (tx) => {
      await tx.query("select pg_notify($1, $2)", ["tasker_test_wake", "from-tx"]);
    });
    await t.db.transaction(async (tx) => {
      await tx.query("select pg_notify($1, $2)", ["tasker_test_wake", "rolled-back"]);
      throw new Error("abort");
    }).catch(() => {});
    for (let i = 0; i < 100 && received.length < 2; i++) await Bun.sleep(20);
    await Bun.sleep(50);
    expect(received).toEqual(["direct", "from-tx"]);
    await stop();
  });
});
