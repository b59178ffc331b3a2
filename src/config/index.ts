import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

/**
 * The whole runtime configuration, validated once and frozen. This module is the only place that
 * reads the environment: everything below receives a `Config` and never looks at `process.env`.
 *
 * With no variables set the defaults suit a newcomer: PGlite in `./.tasker/pgdata`, HTTP on
 * 127.0.0.1:3000, handlers from `./handlers`.
 */
export interface Config {
  readonly database:
    | { readonly kind: "pglite"; readonly dataDir: string | null /* null = in memory */ }
    | { readonly kind: "postgres"; readonly url: string; readonly poolSize: number };
  readonly http: { readonly host: string; readonly port: number };
  readonly handlersDir: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}

/** Options that come from the command line rather than the environment (they win). */
export interface ConfigOverrides {
  memory?: boolean;
  port?: number;
  host?: string;
  dataDir?: string;
  handlersDir?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());

function integer(variable: string, raw: string, min: number, max: number, what: string): number {
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
  if (!parsed.success) throw new ConfigError(variable, `${variable} must be ${what} (got "${raw}")`);
  return parsed.data;
}

function postgresUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `${variable} is not a postgres:// URL (got "${redact(raw)}")`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(variable, `${variable} is not a postgres:// URL (got scheme "${url.protocol}")`);
  }
  return raw;
}

/** Never echo a password back into a log line. */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * Reads and validates the configuration. Throws `ConfigError` whose message is one line naming
 * the variable, e.g. `PORT must be 1–65535 (got "0")`.
 *
 * @example
 *   const config = loadConfig(process.env, { memory: true });
 *   config.database.kind // "pglite"
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  const dataDir = overrides.dataDir ?? nonEmpty(env.TASKER_DATA_DIR) ?? "./.tasker/pgdata";
  const memory = overrides.memory ?? (nonEmpty(env.TASKER_MEMORY) === "1" || nonEmpty(env.TASKER_MEMORY) === "true");

  const rawPort = nonEmpty(env.PORT);
  const port = overrides.port ?? (rawPort === undefined ? 3000 : integer("PORT", rawPort, 1, 65535, "1–65535"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError("--port", `--port must be 1–65535 (got "${port}")`);
  }
  const rawPool = nonEmpty(env.DATABASE_POOL_SIZE);
  const poolSize = rawPool === undefined ? 10 : integer("DATABASE_POOL_SIZE", rawPool, 1, 1000, "an integer 1–1000");

  const rawLevel = nonEmpty(env.LOG_LEVEL) ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    throw new ConfigError("LOG_LEVEL", `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${rawLevel}")`);
  }

  const config: Config = {
    database: databaseUrl
      ? { kind: "postgres", url: postgresUrl("DATABASE_URL", databaseUrl), poolSize }
      : { kind: "pglite", dataDir: memory ? null : dataDir },
    http: { host: overrides.host ?? nonEmpty(env.HOST) ?? "127.0.0.1", port },
    handlersDir: overrides.handlersDir ?? nonEmpty(env.TASKER_HANDLERS_DIR) ?? "./handlers",
    logLevel: rawLevel as Config["logLevel"],
  };
  return deepFreeze(config);
}

/** A description of the database safe to log (no password). */
export function describeDatabase(config: Config): string {
  const db = config.database;
  if (db.kind === "postgres") return `postgres ${redact(db.url)}`;
  return db.dataDir === null ? "pglite (in memory)" : `pglite ${db.dataDir}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
