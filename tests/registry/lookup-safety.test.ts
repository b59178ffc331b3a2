import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRegistry, InvalidNameError, TemplateNotFoundError, type Registry } from "../../src/registry/index.ts";
import { countingIo, fixtureDir, taskModule, type FixtureDir } from "./fixtures.ts";

/*
 * I7: names that arrive in requests never reach the file system. The registry reads the disk only
 * in load()/rescan(); every lookup is a Map read after a pattern check. A counting io proves it.
 */
let fx: FixtureDir;
let registry: Registry;
let calls: string[];

beforeAll(async () => {
  fx = await fixtureDir({ "shop/checkout.ts": taskModule("checkout", "1.0.0") });
  // A file outside the handlers directory that a traversal would be after.
  await fx.write("../secret.ts", taskModule("secret", "1.0.0"));
  const counting = countingIo();
  calls = counting.calls;
  registry = createRegistry({ handlersDir: fx.handlersDir, io: counting.io });
  await registry.load();
});
afterAll(() => fx.cleanup());

const ODD = [
  "../etc",
  "..",
  ".",
  "a/b",
  "a\\b",
  "/etc/passwd",
  "%2e%2e",
  "%2e%2e%2fsecret",
  "shop/../secret",
  "secret",
  "x".repeat(10_000),
  "a".repeat(64),
  "ünïcödé",
  "ѕhop", // Cyrillic "ѕ"
  "shop\u0000",
  "SHOP",
  "",
  " shop",
  "__proto__",
  "constructor",
  "toString",
];

describe("odd names in lookups", () => {
  test("find nothing and touch no file", () => {
    const before = calls.length;
    expect(before).toBeGreaterThan(0);
    for (const odd of ODD) {
      for (const attempt of [
        () => registry.resolve(odd, "checkout"),
        () => registry.resolve("shop", odd),
        () => registry.resolve("shop", "checkout", odd),
        () => registry.describe(odd, odd),
        () => registry.handlers(odd),
        () => registry.find(odd, "checkout"),
      ]) {
        let outcome: unknown;
        try {
          outcome = attempt();
        } catch (e) {
          outcome = e;
        }
        // Malformed names are refused; well-formed unknown ones ("secret", "constructor") are not
        // found (find() says undefined). Nothing else may come back.
        const refused = outcome instanceof InvalidNameError || outcome instanceof TemplateNotFoundError || outcome === undefined;
        expect(refused).toBe(true);
      }
    }
    expect(registry.find("shop", "checkout")?.name).toBe("checkout");
    expect(calls.length).toBe(before);
  });

  test("non-string names are refused too", () => {
    for (const bad of [undefined, null, 42, {}, ["shop"]]) {
      expect(() => registry.resolve(bad as never, "checkout")).toThrow(InvalidNameError);
    }
  });

  test("well-formed names that were never loaded are not found", () => {
    expect(() => registry.resolve("shop", "secret")).toThrow("no template shop/secret is loaded");
    expect(() => registry.handlers("secret")).toThrow(TemplateNotFoundError);
    expect(() => registry.resolve("constructor", "to_string")).toThrow(TemplateNotFoundError);
    expect(() => registry.resolve("__proto__", "constructor")).toThrow(InvalidNameError);
  });

  test("error messages quote a long name only in part", () => {
    try {
      registry.resolve("x".repeat(10_000), "a");
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
      expect((e as InvalidNameError).field).toBe("namespace");
    }
  });
});
