import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRegistry, type LoadProblem, type Registry } from "../../src/registry/index.ts";
import { fixtureDir, HEADER, taskModule, type FixtureDir } from "./fixtures.ts";

/*
 * One temp handlers directory holds a good module beside one broken module of every kind, all in
 * namespace "shop": each broken one must be refused with its file named, and the good ones served.
 */
const spec = (steps: string, name = "broken", version = "1.0.0") =>
  `${HEADER}\nexport default defineTask({ name: "${name}", version: "${version}", steps: ${steps} });\n`;
const ok = "(ctx) => 1";

const BROKEN: Record<string, [content: string, ...fragments: string[]]> = {
  "syntax_error.ts": [`${HEADER}\nexport default defineTask({ name: "x",, });\n`, "syntax error", "line 4"],
  "throws_on_import.ts": [`${HEADER}\nthrow new Error("database unreachable at import");\n`, "threw while being imported", "database unreachable at import"],
  "missing_import.ts": [`import { nothing } from "./does_not_exist.ts";\nexport default nothing;\n`, "cannot resolve an import", "does_not_exist"],
  "no_default_export.ts": [`${HEADER}\nexport const task = 1;\n`, "has no default export"],
  "number_export.ts": [`export default 42;\n`, "default export is a number, not a task definition"],
  "plain_object_export.ts": [`export default { name: "plain", version: "1.0.0", steps: { a: {} } };\n`, "steps.a.handler: handler must be a function"],
  "bad_task_name.ts": [spec(`{ a: { handler: ${ok} } }`, "Bad-Name"), "name: must be lower-case"],
  "bad_step_name.ts": [spec(`{ "step one": { handler: ${ok} } }`), 'steps.step one: step name must be lower-case'],
  "cycle.ts": [spec(`{ a: { dependsOn: ["c"], handler: ${ok} }, b: { dependsOn: ["a"], handler: ${ok} }, c: { dependsOn: ["b"], handler: ${ok} } }`), "cycle: a → b → c → a"],
  "missing_dep.ts": [spec(`{ a: { dependsOn: ["ghost"], handler: ${ok} } }`), 'step "a" depends on missing step "ghost"'],
  "duplicate_step.ts": [spec(`[{ name: "a", handler: ${ok} }, { name: "a", handler: ${ok} }]`), 'duplicate step name "a"'],
  "bad_semver.ts": [spec(`{ a: { handler: ${ok} } }`, "broken", "1.0"), "version: must be a semantic version"],
  "wrong_namespace.ts": [`${HEADER}\nexport default defineTask({ name: "w", version: "1.0.0", namespace: "billing", steps: { a: { handler: ${ok} } } });\n`, 'declares namespace "billing"', 'namespace "shop"'],
  "dup_version.ts": [taskModule("good_task", "1.0.0"), "defines shop/good_task@1.0.0, which handlers/shop/a_good.ts already defines"],
  // Tasker YAML
  "bad_yaml.yaml": ["name: x\nstep_templates: [unclosed\n", "invalid YAML"],
  "not_tasker.yaml": ["name: x\nsteps: []\n", "not a Tasker task template", "step_templates"],
  "no_handlers.yaml": ["name: lonely\nversion: 1.0.0\nstep_templates:\n  - name: only\n    handler_class: Lonely::Only\n", 'no handlers module for step "only" (handler_class Lonely::Only)', "create handlers/shop/no_handlers.handlers.ts"],
  "missing_handler.yaml": ["name: partial\nversion: 1.0.0\nstep_templates:\n  - name: one\n    handler_class: P::One\n  - name: two\n    handler_class: P::Two\n    depends_on_step: one\n", 'no handler for step "two" (handler_class P::Two)', "missing_handler.handlers.ts"],
  "yaml_cycle.yaml": ["name: loop\nversion: 1.0.0\nstep_templates:\n  - name: a\n    depends_on_step: b\n  - name: b\n    depends_on_steps: [a]\n", "cycle: a → b → a"],
  "wrong_ns.yaml": ["name: elsewhere\nnamespace_name: billing\nstep_templates:\n  - name: a\n", 'namespace_name "billing" does not match'],
};

const COMPANIONS: Record<string, string> = {
  "missing_handler.handlers.ts": `export const handlers = { "P::One": () => 1 };\n`,
  "yaml_cycle.handlers.ts": `export const handlers = { a: () => 1, b: () => 2 };\n`,
  "orphan.handlers.ts": `export const handlers = {};\n`,
};

let fx: FixtureDir;
let registry: Registry;
let problems: LoadProblem[];

beforeAll(async () => {
  fx = await fixtureDir({
    "shop/a_good.ts": taskModule("good_task", "1.0.0"),
    "shop/z_good.ts": taskModule("other_task", "1.0.0"),
    "shop/_helper.ts": `throw new Error("helpers are never imported as templates");\n`,
    "shop/a_good.test.ts": `throw new Error("tests are not templates");\n`,
    "Bad-Namespace/task.ts": taskModule("anything", "1.0.0"),
    "billing/extra.yaml": "name: extra\nstep_templates:\n  - name: a\n    handler_class: E::A\n",
    "billing/extra.handlers.ts": `export const handlers = { "E::A": () => 1, "E::Stale": () => 2 };\n`,
  });
  for (const [file, [content]] of Object.entries(BROKEN)) await fx.write(`shop/${file}`, content);
  for (const [file, content] of Object.entries(COMPANIONS)) await fx.write(`shop/${file}`, content);
  registry = createRegistry({ handlersDir: fx.handlersDir });
  problems = (await registry.load()).problems;
});
afterAll(() => fx.cleanup());

const problemFor = (file: string) => problems.find((p) => p.file === file);

describe("broken modules are refused, naming the file and the problem", () => {
  test.each(Object.entries(BROKEN))("%s", (file, [, ...fragments]) => {
    const p = problemFor(`handlers/shop/${file}`);
    expect(p).toBeDefined();
    expect(p!.message.startsWith(`handlers/shop/${file}: `)).toBe(true);
    for (const fragment of fragments) expect(p!.message).toContain(fragment);
  });

  test("a namespace folder with an invalid name", () => {
    expect(problemFor("handlers/Bad-Namespace")!.message).toContain("not a valid namespace");
    expect(registry.namespaces().map((n) => n.name)).not.toContain("Bad-Namespace");
  });

  test("a handlers module without its YAML template", () => {
    expect(problemFor("handlers/shop/orphan.handlers.ts")!.message).toContain("expected orphan.yaml beside it");
  });

  test("a handlers module exporting a handler no step uses", () => {
    expect(problemFor("handlers/billing/extra.handlers.ts")!.message).toContain('match no step name or handler_class of handlers/billing/extra.yaml: "E::Stale"');
  });

  test("nothing else is reported, and helpers and tests are not imported", () => {
    expect(problems).toHaveLength(Object.keys(BROKEN).length + 3);
    expect(problems.some((p) => p.message.includes("helpers are never imported") || p.message.includes("tests are not templates"))).toBe(false);
  });
});

describe("the rest of a namespace with broken modules still loads", () => {
  test("the good modules resolve and run", async () => {
    expect(registry.handlers("shop").map((h) => h.name)).toEqual(["good_task", "other_task"]);
    const t = registry.resolve("shop", "good_task");
    expect(await t.steps[0]!.handler({ context: { n: 21 } } as never)).toEqual({ doubled: 42, version: "1.0.0" });
    expect(registry.problems()).toEqual(problems);
  });

  test("a namespace whose only module is broken is listed with no handlers", () => {
    expect(registry.namespaces()).toContainEqual({ name: "billing", handlerCount: 0 });
  });

  test("a missing handlers directory is a problem, not a crash", async () => {
    const r = createRegistry({ handlersDir: `${fx.root}/nowhere` });
    const report = await r.load();
    expect(report.problems).toEqual([{ file: "nowhere", message: "nowhere: the handlers directory does not exist" }]);
    expect(r.namespaces()).toEqual([]);
  });
});
