import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import type { Registry } from "../registry/index.ts";
import type { ScheduleService } from "../engine/scheduler.ts";
import type { AuthOptions } from "./auth/auth-options.ts";

/** What readiness checks report: each must be true for /health/ready to answer 200. */
export interface ReadinessChecks {
  database: boolean;
  migrations: boolean;
  handlers: boolean;
}

/** The part of the registry the API uses (discovery and rescan). */
export type ApiRegistry = Pick<Registry, "namespaces" | "handlers" | "describe" | "problems" | "rescan">;

export interface ApiOptions {
  /** Credentials; auth is on whenever some are configured (see AuthOptions). */
  auth?: AuthOptions;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Readiness probe for /health/ready; the default checks that `engine.status()` answers. */
  ready?: () => Promise<ReadinessChecks>;
  logger?: Logger;
  /** Serve /metrics without credentials even when auth is on (a scraper on a private network). */
  publicMetrics?: boolean;
  /** Aborting it ends open event streams and the app's event subscription (server shutdown). */
  signal?: AbortSignal;
  /** Interval of SSE keep-alive comments, so proxies keep idle streams open (default 15 s). */
  sseHeartbeatMs?: number;
  /** The API version shown in the OpenAPI document. */
  version?: string;
  /** Schedule management (createScheduleService); without it the /v1/schedules routes are not served. */
  schedules?: ScheduleService;
}

export interface ResolvedApiOptions {
  auth: AuthOptions | undefined;
  maxBodyBytes: number;
  ready: (() => Promise<ReadinessChecks>) | undefined;
  logger: Logger;
  publicMetrics: boolean;
  signal: AbortSignal | undefined;
  sseHeartbeatMs: number;
  version: string;
  schedules: ScheduleService | undefined;
}

/**
 * Defaults applied once, so routes never repeat them.
 *
 * @example
 *   resolveApiOptions({}).maxBodyBytes // 1048576
 */
export function resolveApiOptions(o: ApiOptions): ResolvedApiOptions {
  return {
    auth: o.auth,
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
    ready: o.ready,
    logger: o.logger ?? silentLogger,
    publicMetrics: o.publicMetrics ?? false,
    signal: o.signal,
    sseHeartbeatMs: o.sseHeartbeatMs ?? 15_000,
    version: o.version ?? "0.1.0",
    schedules: o.schedules,
  };
}
