#!/usr/bin/env bun
/**
 * The `tasker` command line: argument parsing only; everything else is the engine's.
 *
 *   tasker serve [--port N] [--memory]        the server (same as `bun run server`)
 *   tasker work [--namespace a,b]             a worker process on the same database, no HTTP
 *   tasker migrate                            bring the database schema up to date
 *   tasker submit <ns>/<name> [json] [--version V] [--key K]
 *   tasker get <task-id>          tasker list [--namespace N] [--state S]
 *   tasker children <task-id> [--state S]     the child tasks a task's steps spawned
 *   tasker retry <task-id> <step-id> --reason R [--actor A]
 *   tasker visualize <ns>/<name> [--version V]  the DAG as a Mermaid flowchart
 *   tasker new handler <ns>/<name> [--force]  scaffold a handler module and its test
 */
import { parseArgs } from "node:util";
import { loadConfig, describeDatabase, type ConfigOverrides } from "../config/index.ts";
import { TaskerError } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { fail, serve, serverOverrides } from "../main.ts";
import { buildRuntime } from "../runtime.ts";
import { loadMigrations, migrate } from "../store/migrator.ts";
import { openDb } from "../store/open.ts";
import { newHandler } from "./commands/new-handler.ts";
import { mermaid } from "./commands/visualize.ts";
import { createRegistry } from "../registry/index.ts";
import { defaultCore } from "../core/dag/index.ts";

const USAGE = `usage: tasker <serve|work|migrate|submit|get|list|children|retry|visualize|new handler> [options]`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      memory: { type: "boolean" },
      "data-dir": { type: "string" },
      handlers: { type: "string" },
      namespace: { type: "string" },
      state: { type: "string" },
      version: { type: "string" },
      key: { type: "string" },
      reason: { type: "string" },
      actor: { type: "string" },
      force: { type: "boolean" },
      "no-auth": { type: "boolean" },
    },
  });
  const [command, ...rest] = positionals;
  const overrides = serverOverrides(values);

  switch (command) {
    case "serve":
      return serve(overrides);
    case "work": {
      if (values.namespace) overrides.namespaces = values.namespace.split(",").map((s) => s.trim());
      const rt = await buildRuntime(overrides, { runWorkers: true, applicationName: "tasker-edge-worker" });
      await rt.engine.start();
      rt.log.info("worker started", { database: describeDatabase(rt.config), namespaces: (rt.config.engine.namespaces ?? rt.registry.namespaces().map((n) => n.name)).join(",") });
      const stop = async () => {
        await rt.engine.stop({ drainMs: 10_000 });
        await rt.close();
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop());
      process.on("SIGINT", () => void stop());
      return;
    }
    case "migrate": {
      const config = loadConfig(process.env, overrides);
      const db = await openDb(config, "tasker-edge-migrate");
      const log = createLogger(config.logLevel);
      const result = await migrate(db, await loadMigrations(), { onApplied: (m) => log.info("applied", { version: m.version, name: m.name }) });
      console.log(`schema at version ${result.current} (${result.applied.length} applied) on ${describeDatabase(config)}`);
      await db.close();
      return;
    }
    case "submit":
    case "get":
    case "list":
    case "children":
    case "retry":
      return withEngine(command, rest, values, overrides);
    case "visualize": {
      // Needs the handler modules only, not the database.
      const config = loadConfig(process.env, overrides);
      const registry = createRegistry({ handlersDir: config.handlersDir, core: await defaultCore() });
      await registry.load();
      const [namespace, name] = (rest[0] ?? "").split("/");
      if (!namespace || !name) throw new TaskerError("usage", "usage: tasker visualize <namespace>/<name> [--version V]");
      console.log(mermaid(registry.resolve(namespace, name, values.version)));
      return;
    }
    case "new": {
      const [what, target] = rest;
      if (what !== "handler" || !target?.includes("/")) throw new TaskerError("usage", "usage: tasker new handler <namespace>/<name> [--force]");
      const [namespace, name] = target.split("/") as [string, string];
      const { files } = await newHandler({ namespace, name, dir: process.cwd(), force: values.force ?? false });
      for (const f of files) console.log(`wrote ${f}`);
      return;
    }
    default:
      throw new TaskerError("usage", USAGE);
  }
}

async function withEngine(command: string, args: string[], values: Record<string, string | boolean | undefined>, overrides: ConfigOverrides): Promise<void> {
  const rt = await buildRuntime(overrides, { runWorkers: false, applicationName: "tasker-edge-cli" });
  try {
    const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
    const target = (s: string | undefined) => {
      if (!s?.includes("/")) throw new TaskerError("usage", `expected <namespace>/<name>, got "${s ?? ""}"`);
      return s.split("/") as [string, string];
    };
    if (command === "submit") {
      const [namespace, name] = target(args[0]);
      const context = args[1] ? JSON.parse(args[1]) : {};
      const version = values.version as string | undefined;
      const key = values.key as string | undefined;
      print(await rt.engine.submit({ namespace, name, context, ...(version ? { version } : {}), ...(key ? { idempotencyKey: key } : {}), initiator: "cli" }));
    } else if (command === "get") {
      print(await rt.engine.getTask(args[0] ?? ""));
    } else if (command === "list") {
      const ns = values.namespace as string | undefined;
      const state = values.state as string | undefined;
      print(await rt.engine.listTasks({ ...(ns ? { namespace: ns } : {}), ...(state ? { state: state as never } : {}) }));
    } else if (command === "children") {
      const state = values.state as string | undefined;
      print(await rt.engine.listChildren(args[0] ?? "", { ...(state ? { state: state as never } : {}), limit: 500 }));
    } else if (command === "retry") {
      if (!values.reason) throw new TaskerError("usage", "retry needs --reason");
      print(await rt.engine.resetStep(args[0] ?? "", args[1] ?? "", { actor: (values.actor as string) ?? "cli", reason: values.reason as string }));
    }
  } finally {
    await rt.close();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch(fail);
}
