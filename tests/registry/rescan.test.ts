import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRegistry, type LoadedTemplate, type Registry } from "../../src/registry/index.ts";
import { fixtureDir, HEADER, taskModule, type FixtureDir } from "./fixtures.ts";

/** A one-step task whose handler returns `label`, so a reload of changed code is observable. */
const labelled = (name: string, version: string, label: string) =>
  `${HEADER}\nexport default defineTask({ name: "${name}", version: "${version}", steps: { only: { handler: () => ({ label: "${label}" }) } } });\n`;
const run = (t: LoadedTemplate) => t.steps[0]!.handler({} as never);

let fx: FixtureDir;
let registry: Registry;
let before: { changed: LoadedTemplate; stable: LoadedTemplate };

beforeAll(async () => {
  fx = await fixtureDir({
    "shop/changed.ts": labelled("changed", "1.0.0", "old code"),
    "shop/stable.ts": taskModule("stable", "1.0.0"),
    "shop/broken.ts": "export default {",
  });
  registry = createRegistry({ handlersDir: fx.handlersDir });
  await registry.load();
  before = { changed: registry.resolve("shop", "changed"), stable: registry.resolve("shop", "stable") };
});
afterAll(() => fx.cleanup());

describe("rescan", () => {
  test("starts from one broken module and two good ones", () => {
    expect(registry.problems().map((p) => p.file)).toEqual(["handlers/shop/broken.ts"]);
    expect(() => registry.resolve("shop", "fresh")).toThrow("no template shop/fresh is loaded");
  });

  test("picks up new, changed and fixed modules and leaves the rest alone", async () => {
    await fx.write("shop/fresh.ts", taskModule("fresh", "1.0.0"));
    await fx.write("ops/fresh_ns.ts", taskModule("cleanup", "0.2.0"));
    await fx.write("shop/changed.ts", labelled("changed", "1.0.0", "new code"));
    await fx.write("shop/broken.ts", labelled("repaired", "1.0.0", "fixed"));

    const report = await registry.rescan();
    expect(report.added.sort()).toEqual(["ops/cleanup@0.2.0", "shop/fresh@1.0.0", "shop/repaired@1.0.0"]);
    expect(report.replaced).toEqual(["shop/changed@1.0.0"]);
    expect(report.removed).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(registry.problems()).toEqual([]);

    expect(registry.resolve("shop", "fresh").name).toBe("fresh");
    expect(registry.resolve("ops", "cleanup").version).toBe("0.2.0");
    expect(await run(registry.resolve("shop", "changed"))).toEqual({ label: "new code" });
    expect(await run(registry.resolve("shop", "repaired"))).toEqual({ label: "fixed" });
  });

  test("an unchanged module keeps the very same template object", () => {
    expect(registry.resolve("shop", "stable")).toBe(before.stable);
  });

  test("a template resolved before the rescan is intact: its own code, frozen", async () => {
    const old = before.changed;
    expect(registry.resolve("shop", "changed")).not.toBe(old);
    expect(await run(old)).toEqual({ label: "old code" });
    expect(Object.isFrozen(old)).toBe(true);
    expect(Object.isFrozen(old.steps[0])).toBe(true);
    expect(() => {
      (old as { version: string }).version = "9.9.9";
    }).toThrow();
    expect(old.version).toBe("1.0.0");
  });

  test("a deleted module disappears; a newly broken one is reported and the rest still serve", async () => {
    await fx.remove("shop/fresh.ts");
    await fx.write("shop/changed.ts", labelled("changed", "not-semver", "x"));
    const report = await registry.rescan();
    expect(report.removed.sort()).toEqual(["shop/changed@1.0.0", "shop/fresh@1.0.0"]);
    expect(report.problems.map((p) => p.file)).toEqual(["handlers/shop/changed.ts"]);
    expect(registry.find("shop", "fresh")).toBeUndefined();
    expect(registry.resolve("shop", "stable")).toBe(before.stable);
  });

  test("concurrent rescans run one after another and agree", async () => {
    await fx.write("shop/later.ts", taskModule("later", "1.0.0"));
    const [a, b] = await Promise.all([registry.rescan(), registry.rescan()]);
    expect(a.added).toEqual(["shop/later@1.0.0"]);
    expect(b.added).toEqual([]);
    expect(b.templates).toBe(a.templates);
  });
});
