import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createRegistry, type Registry } from "../../src/registry/index.ts";
import { appProject, REPO } from "./fixtures.ts";
import { runTemplate } from "./run-template.ts";

/*
 * docs/handlers.md promises that its example module works when pasted. This pastes it, as is,
 * into an application that depends on tasker-edge, loads it and runs it.
 */
const MARKER = /<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/;

let root: string;
let registry: Registry;

beforeAll(async () => {
  const doc = await readFile(join(REPO, "docs/handlers.md"), "utf8");
  const [, path, source] = MARKER.exec(doc) ?? [];
  expect(path).toBe("handlers/shop/checkout.ts");
  root = await appProject();
  await mkdir(dirname(join(root, path!)), { recursive: true });
  await writeFile(join(root, path!), source!);
  registry = createRegistry({ handlersDir: join(root, "handlers") });
  await registry.load();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("the documented example module", () => {
  test("loads without problems", () => {
    expect(registry.problems()).toEqual([]);
    expect(registry.describe("shop", "checkout").dependency_graph.levels).toEqual([["price_cart"], ["charge_card", "reserve_stock"], ["confirm"]]);
  });

  test("runs with the documented context", async () => {
    const { results } = await runTemplate(registry.resolve("shop", "checkout"), { cart_id: "c-1", items: [{ sku: "pen", qty: 2, price: 1.5 }] });
    expect(results.confirm).toEqual({ message: "cart c-1: charged 3.00" });
  });
});
