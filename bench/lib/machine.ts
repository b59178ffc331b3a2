import { cpus, loadavg, totalmem } from "node:os";

export interface Machine {
  cpus: number;
  model: string;
  memGiB: number;
  date: string;
  /** 1/5/15-minute load averages when the result was written: numbers from a busy machine are noisier. */
  loadAvg: number[];
}

/** What every result line records beside its numbers: the machine and when. */
export function machine(): Machine {
  const cpu = cpus();
  return { cpus: cpu.length, model: cpu[0]?.model ?? "unknown", memGiB: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString(), loadAvg: loadavg().map((l) => Math.round(l * 100) / 100) };
}

export function runtime(): string {
  return typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.version}`;
}
