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
  /** Garbage (MiB of JS heap) the server lets pile up before it collects; 0 leaves it to the runtime. */
  readonly heapHeadroomMb: number;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  readonly auth: {
    readonly disabled: boolean;
    readonly jwtSecret: string | null;
    readonly jwtPublicKey: string | null;
    readonly apiKeys: ReadonlyArray<{ name: string; key: string; permissions: string[]; namespaces?: string[] }>;
  };
  readonly engine: {
    readonly concurrency: number;
    readonly namespaces: readonly string[] | null;
    readonly maxQueueDepth: number;
    readonly leaseGraceMs: number;
    readonly pollMs: number;
  };
}

/** Options that come from the command line rather than the environment (they win). */
export interface ConfigOverrides {
  memory?: boolean;
  noAuth?: boolean;
  namespaces?: string[];
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

  const rawHeadroom = nonEmpty(env.TASKER_HEAP_HEADROOM_MB);
  const heapHeadroomMb = rawHeadroom === undefined ? 24 : integer("TASKER_HEAP_HEADROOM_MB", rawHeadroom, 0, 65_536, "a non-negative integer of MiB (0 = leave collection to the runtime)");

  const rawLevel = nonEmpty(env.LOG_LEVEL) ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    throw new ConfigError("LOG_LEVEL", `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${rawLevel}")`);
  }

  const rawConcurrency = nonEmpty(env.TASKER_CONCURRENCY);
  const concurrency = rawConcurrency === undefined ? 32 : integer("TASKER_CONCURRENCY", rawConcurrency, 1, 10_000, "an integer 1–10000");
  const rawDepth = nonEmpty(env.TASKER_MAX_QUEUE_DEPTH);
  const maxQueueDepth = rawDepth === undefined ? 0 : integer("TASKER_MAX_QUEUE_DEPTH", rawDepth, 0, 1e9, "a non-negative integer (0 = no limit)");
  const rawGrace = nonEmpty(env.TASKER_LEASE_GRACE_MS);
  const leaseGraceMs = rawGrace === undefined ? 5_000 : integer("TASKER_LEASE_GRACE_MS", rawGrace, 0, 3_600_000, "an integer number of milliseconds");
  const rawPoll = nonEmpty(env.TASKER_POLL_MS);
  const pollMs = rawPoll === undefined ? 500 : integer("TASKER_POLL_MS", rawPoll, 1, 60_000, "an integer 1–60000");
  const rawNamespaces = overrides.namespaces ?? nonEmpty(env.TASKER_NAMESPACES)?.split(",").map((n) => n.trim()).filter(Boolean);
  for (const ns of rawNamespaces ?? []) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(ns)) throw new ConfigError("TASKER_NAMESPACES", `TASKER_NAMESPACES has an invalid namespace "${ns}" (lowercase letters, digits, _)`);
  }
  const host = overrides.host ?? nonEmpty(env.HOST) ?? "127.0.0.1";
  const auth = {
    disabled: overrides.noAuth ?? flag(env.TASKER_AUTH_DISABLED),
    jwtSecret: nonEmpty(env.TASKER_JWT_SECRET) ?? null,
    jwtPublicKey: nonEmpty(env.TASKER_JWT_PUBLIC_KEY) ?? null,
    apiKeys: apiKeys(nonEmpty(env.TASKER_API_KEYS)),
  };
  const hasCredentials = auth.jwtSecret !== null || auth.jwtPublicKey !== null || auth.apiKeys.length > 0;
  if (!hasCredentials && !auth.disabled && !isLoopback(host)) {
    throw new ConfigError(
      "HOST",
      `HOST ${host} is reachable from other machines but no credentials are configured: set TASKER_JWT_SECRET or TASKER_API_KEYS, or TASKER_AUTH_DISABLED=1 to run without auth`,
    );
  }

  const config: Config = {
    database: databaseUrl
      ? { kind: "postgres", url: postgresUrl("DATABASE_URL", databaseUrl), poolSize }
      : { kind: "pglite", dataDir: memory ? null : dataDir },
    http: { host, port },
    handlersDir: overrides.handlersDir ?? nonEmpty(env.TASKER_HANDLERS_DIR) ?? "./handlers",
    heapHeadroomMb,
    logLevel: rawLevel as Config["logLevel"],
    auth,
    engine: { concurrency, namespaces: rawNamespaces ?? null, maxQueueDepth, leaseGraceMs, pollMs },
  };
  return deepFreeze(config);
}

function flag(v: string | undefined): boolean {
  const t = nonEmpty(v)?.toLowerCase();
  return t === "1" || t === "true" || t === "yes";
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const apiKeySchema = z.array(
  z.strictObject({
    name: z.string().min(1),
    key: z.string().min(16),
    permissions: z.array(z.string().min(1)).min(1),
    namespaces: z.array(z.string()).optional(),
  }),
);

/** TASKER_API_KEYS: a JSON array of { name, key (≥ 16 chars), permissions, namespaces? }. */
function apiKeys(raw: string | undefined) {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError("TASKER_API_KEYS", 'TASKER_API_KEYS is not JSON; expected [{"name":"ci","key":"…16+ chars…","permissions":["tasks:*"]}]');
  }
  const result = apiKeySchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError("TASKER_API_KEYS", `TASKER_API_KEYS is invalid at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
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
