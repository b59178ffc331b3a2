import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newHandler, ScaffoldConflictError } from "../../src/cli/commands/new-handler.ts";
import { createRegistry, InvalidNameError } from "../../src/registry/index.ts";
import { appProject, REPO } from "./fixtures.ts";

/** Runs `bun test <file>` in `cwd` as a separate process, as a user would. */
function bunTest(cwd: string, file: string) {
  const proc = Bun.spawnSync([process.execPath, "test", file], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, output: `${proc.stdout.toString()}${proc.stderr.toString()}` };
}

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

async function newApp(): Promise<string> {
  const root = await appProject();
  roots.push(root);
  return root;
}

/** A copy of the tasker-edge layout, where the scaffold must import the source by relative path. */
async function repoCopy(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "tasker-repo-"));
  roots.push(root);
  await writeFile(join(root, "package.json"), JSON.stringify({ name: "tasker-edge", type: "module" }));
  await symlink(join(REPO, "src"), join(root, "src"));
  await symlink(join(REPO, "node_modules"), join(root, "node_modules"));
  return root;
}

describe("tasker new handler", () => {
  let app: string;
  let files: string[];
  beforeAll(async () => {
    app = await newApp();
    ({ files } = await newHandler({ namespace: "billing", name: "invoice_customer", dir: app }));
  });

  test("writes the module and its test", async () => {
    expect(files).toEqual([join(app, "handlers/billing/invoice_customer.ts"), join(app, "tests/handlers/billing/invoice_customer.test.ts")]);
    expect(await readFile(files[0]!, "utf8")).toContain('from "tasker-edge"');
  });

  test("the generated test passes without edits", () => {
    const { code, output } = bunTest(app, "tests/handlers/billing/invoice_customer.test.ts");
    expect(output).toContain("4 pass");
    expect(output).toContain("0 fail");
    expect(code).toBe(0);
  }, 30_000);

  test("the generated module loads in the registry", async () => {
    const registry = createRegistry({ handlersDir: join(app, "handlers") });
    expect((await registry.load()).problems).toEqual([]);
    expect(registry.describe("billing", "invoice_customer").dependency_graph.execution_order).toEqual(["validate", "compute", "report"]);
  });

  test("refuses to overwrite, unless forced", async () => {
    await writeFile(files[0]!, "// edited by hand\n");
    const again = newHandler({ namespace: "billing", name: "invoice_customer", dir: app });
    await expect(again).rejects.toBeInstanceOf(ScaffoldConflictError);
    await expect(again).rejects.toThrow("handlers/billing/invoice_customer.ts, tests/handlers/billing/invoice_customer.test.ts");
    expect(await readFile(files[0]!, "utf8")).toBe("// edited by hand\n");
    await newHandler({ namespace: "billing", name: "invoice_customer", dir: app, force: true });
    expect(await readFile(files[0]!, "utf8")).toContain("defineTask");
  });

  test.each([
    ["Billing", "x"],
    ["../etc", "x"],
    ["billing", "a/b"],
    ["billing", "Invoice-Customer"],
    ["billing", ""],
  ])("refuses the names %p / %p and writes nothing", async (namespace, name) => {
    const dir = await newApp();
    await expect(newHandler({ namespace, name, dir })).rejects.toBeInstanceOf(InvalidNameError);
    expect(await Bun.file(join(dir, "handlers")).exists()).toBe(false);
  });

  test("inside the tasker-edge repository the files import the source and pass their test", async () => {
    const repo = await repoCopy();
    const out = await newHandler({ namespace: "examples", name: "scaffolded", dir: repo });
    expect(await readFile(out.files[0]!, "utf8")).toContain('from "../../src/index.ts"');
    expect(await readFile(out.files[1]!, "utf8")).toContain('from "../../../src/index.ts"');
    const { code, output } = bunTest(repo, "tests/handlers/examples/scaffolded.test.ts");
    expect(output).toContain("0 fail");
    expect(code).toBe(0);
  }, 30_000);
});
