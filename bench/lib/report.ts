import type { Backend } from "./args.ts";
import { machine, runtime } from "./machine.ts";

/**
 * Prints rows as an aligned text table.
 *
 * @example
 *   table(["run", "steps/s"], [[1, 9000], [2, 9100]]);
 */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  const line = (r: readonly (string | number)[]) => r.map((c, i) => String(c).padStart(widths[i]!)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}

function cell(v: string | number): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "n/a";
  if (Number.isInteger(v)) return v.toLocaleString("en");
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : v.toFixed(2);
}

/**
 * A progress line on stderr, at most every `everyMs`, so long runs show they are alive without
 * burying the table (stdout stays for the table and the JSON line).
 */
export function progress(label: string, everyMs = 1000): (done: number, total: number) => void {
  let last = 0;
  const started = performance.now();
  return (done, total) => {
    const now = performance.now();
    if (now - last < everyMs && done < total) return;
    last = now;
    const secs = (now - started) / 1000;
    process.stderr.write(`  ${label}: ${done.toLocaleString("en")}/${total.toLocaleString("en")} (${secs.toFixed(1)} s)\n`);
  };
}

export function heading(text: string): void {
  console.log(`\n== ${text}`);
}

/** The one machine-readable line a bench ends with; bench/run.ts picks it up. */
export function emitResult(bench: string, backend: Backend | "none", metrics: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, backend, runtime: runtime(), metrics, machine: machine() }));
}
