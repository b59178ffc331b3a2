/** A structured, levelled logger; the sink is injected so that core code performs no I/O itself. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, line: string) => void;

/** Writes warnings and errors to stderr, the rest to stdout (through `console`). */
export const consoleSink: LogSink = (level, line) => (RANK[level] >= RANK.warn ? console.error(line) : console.log(line));

/**
 * A logger that writes one line per record: `level message key=value …`.
 *
 * @example
 *   const log = createLogger("info");
 *   log.info("listening", { url: "http://127.0.0.1:3000" });
 */
export function createLogger(level: LogLevel = "info", sink: LogSink = consoleSink, bound: Record<string, unknown> = {}): Logger {
  const write = (at: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    const all = { ...bound, ...fields };
    const rest = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(" ");
    sink(at, rest ? `${at.padEnd(5)} ${msg} ${rest}` : `${at.padEnd(5)} ${msg}`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger(level, sink, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests, benches). */
export const silentLogger: Logger = createLogger("error", () => {});
