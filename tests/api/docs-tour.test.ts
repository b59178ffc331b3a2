import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "../support/processes.ts";
import { startServerProcess, type ServerProcess } from "./spawn-server.ts";

// docs/api.md promises a curl tour that works when pasted. This runs its shell blocks, in order,
// against `bun run server --memory`, exactly as written except for the server's address.
setDefaultTimeout(120_000);

let server: ServerProcess;
let base: string;

beforeAll(async () => {
  ({ server, base } = await startServerProcess(["--memory"], { DATABASE_URL: "" }));
});
afterAll(() => {
  server.kill("SIGKILL");
});

test("the curl tour in docs/api.md runs end to end", async () => {
  const doc = await readFile(join(ROOT, "docs/api.md"), "utf8");
  const tour = doc.slice(doc.indexOf("<!-- tour:"), doc.indexOf("\n## Routes"));
  const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const script = blocks.join("\n").replace("TASKER=http://127.0.0.1:3000", `TASKER=${base}`);
  expect(script).toContain(`TASKER=${base}`);

  const proc = Bun.spawn(["timeout", "90", "bash", "-euo", "pipefail", "-c", script], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`tour failed with ${code}\n--- stdout\n${out}\n--- stderr\n${err}`);
  expect(out).toContain('"ci_success"');
  expect(out).toContain("alice: called the service by hand");
  expect(out).toContain("alice: service restarted");
  expect(out).toMatch(/"complete": [1-9]/);
});
