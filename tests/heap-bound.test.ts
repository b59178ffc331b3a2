import { expect, test } from "bun:test";
import { boundGarbage } from "../src/heap-bound.ts";

const MiB = 1024 * 1024;

test("collects once the heap grew past the headroom since the last collection, and not before", async () => {
  let heap = 10 * MiB;
  const collections: number[] = [];
  const stop = boundGarbage(24, { heapUsed: () => heap, collect: () => { collections.push(heap); heap = 12 * MiB; } }, 5);
  heap = 30 * MiB; // 20 MiB of growth: within the headroom
  await Bun.sleep(30);
  expect(collections).toEqual([]);
  heap = 40 * MiB; // 30 MiB past the floor of 10
  await Bun.sleep(30);
  expect(collections).toEqual([40 * MiB]);
  heap = 30 * MiB; // 18 MiB past the new floor of 12
  await Bun.sleep(30);
  expect(collections).toHaveLength(1);
  stop();
  heap = 500 * MiB;
  await Bun.sleep(30);
  expect(collections).toHaveLength(1);
});

test("a headroom of 0 leaves collection to the runtime", async () => {
  let calls = 0;
  const stop = boundGarbage(0, { heapUsed: () => (calls++, 1e12), collect: () => { throw new Error("must not collect"); } }, 5);
  await Bun.sleep(20);
  expect(calls).toBe(0);
  stop();
});
