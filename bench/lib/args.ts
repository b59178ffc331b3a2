import { parseArgs } from "node:util";

export type Backend = "pglite" | "postgres";

/** The flags every bench file understands; the runner passes them through. */
export interface BenchArgs {
  backend: Backend;
  /** Independent runs, each on a fresh database; the headline numbers are their medians. */
  runs: number;
  /** A tiny run that only proves the bench works (tests use it); its numbers mean nothing. */
  smoke: boolean;
  /** Everything else, by name, for the bench's own options (e.g. --concurrency 64). */
  extra: Record<string, string | boolean | undefined>;
}

/**
 * Parses `--backend pglite|postgres --runs N --smoke` plus the bench's own string options.
 *
 * @example
 *   const args = parseBenchArgs({ concurrency: "string" });
 *   const n = Number(args.extra.concurrency ?? 64);
 */
export function parseBenchArgs(own: Record<string, "string" | "boolean"> = {}, opts: { defaultRuns?: number } = {}, argv = process.argv.slice(2)): BenchArgs {
  const options: Record<string, { type: "string" | "boolean" }> = {
    backend: { type: "string" },
    runs: { type: "string" },
    smoke: { type: "boolean" },
  };
  for (const [name, type] of Object.entries(own)) options[name] = { type };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const backend = (values.backend ?? "pglite") as string;
  if (backend !== "pglite" && backend !== "postgres") throw new Error(`--backend must be pglite or postgres (got "${backend}")`);
  const smoke = values.smoke === true;
  const runs = values.runs === undefined ? (smoke ? 1 : (opts.defaultRuns ?? 3)) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be an integer 1–50 (got "${values.runs}")`);
  const extra: BenchArgs["extra"] = {};
  for (const name of Object.keys(own)) extra[name] = values[name] as string | boolean | undefined;
  return { backend, runs, smoke, extra };
}

/** An integer option with a default, refused when malformed. */
export function intOption(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.extra[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got "${String(raw)}")`);
  return n;
}
