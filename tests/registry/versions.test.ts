import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRegistry, InvalidNameError, TemplateNotFoundError, type Registry } from "../../src/registry/index.ts";
import { fixtureDir, taskModule, type FixtureDir } from "./fixtures.ts";

let fx: FixtureDir;
let registry: Registry;

beforeAll(async () => {
  fx = await fixtureDir({
    // File names sort 9 before 10 as strings, and "9.0.0" > "10.0.0" as strings: semver must win.
    "pay/charge_v9.ts": taskModule("charge", "9.0.0"),
    "pay/charge_v10.ts": taskModule("charge", "10.0.0"),
    "pay/charge_v2.ts": taskModule("charge", "2.0.0"),
    "pay/charge_rc.ts": taskModule("charge", "11.0.0-rc.1"),
    "pay/preview.ts": taskModule("preview", "0.1.0-beta.2"),
    "pay/preview_b3.ts": taskModule("preview", "0.1.0-beta.10"),
  });
  registry = createRegistry({ handlersDir: fx.handlersDir });
  expect((await registry.load()).problems).toEqual([]);
});
afterAll(() => fx.cleanup());

describe("several versions of one task", () => {
  test("coexist", () => {
    expect(registry.handlers("pay")).toContainEqual(
      expect.objectContaining({ name: "charge", version: "10.0.0", versions: ["11.0.0-rc.1", "10.0.0", "9.0.0", "2.0.0"] }),
    );
    expect(registry.namespaces()).toEqual([{ name: "pay", handlerCount: 2 }]);
  });

  test("latest is the highest release by semver, not by string, and skips prereleases", () => {
    expect(registry.resolve("pay", "charge").version).toBe("10.0.0");
    expect(registry.resolve("pay", "charge", "latest").version).toBe("10.0.0");
  });

  test("a task with only prereleases resolves to the highest of them", () => {
    expect(registry.resolve("pay", "preview").version).toBe("0.1.0-beta.10");
  });

  test("an exact version resolves to that version's own code", async () => {
    for (const v of ["2.0.0", "9.0.0", "10.0.0", "11.0.0-rc.1"]) {
      const t = registry.resolve("pay", "charge", v);
      expect(t.version).toBe(v);
      expect(t.key).toBe(`pay/charge@${v}`);
      expect(await t.steps[0]!.handler({ context: { n: 1 } } as never)).toEqual({ doubled: 2, version: v });
    }
  });

  test("an unknown version is not found, and the error lists the loaded ones", () => {
    expect(() => registry.resolve("pay", "charge", "3.0.0")).toThrow(TemplateNotFoundError);
    expect(() => registry.resolve("pay", "charge", "3.0.0")).toThrow("no template pay/charge@3.0.0 is loaded (loaded versions: 11.0.0-rc.1, 10.0.0, 9.0.0, 2.0.0)");
    expect(registry.find("pay", "charge", "3.0.0")).toBeUndefined();
  });

  test("a malformed version is refused before lookup", () => {
    for (const v of ["10", "v10.0.0", ">=2.0.0", "^1.0.0", "*", "10.0.0 || 2.0.0"]) {
      expect(() => registry.resolve("pay", "charge", v)).toThrow(InvalidNameError);
    }
  });

  test("describe follows the same resolution", () => {
    expect(registry.describe("pay", "charge").version).toBe("10.0.0");
    expect(registry.describe("pay", "charge", "2.0.0").version).toBe("2.0.0");
  });
});
