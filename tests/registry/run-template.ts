import { nextRetry } from "../../src/core/retry.ts";
import type { LoadedTemplate } from "../../src/registry/index.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs a template's steps in topological order in memory, retrying as the policy says (without
 * waiting). Results pass through JSON as they would through the database. Enough to show that a
 * template and its handlers work; the real engine is tested elsewhere.
 */
export async function runTemplate(t: LoadedTemplate, input: unknown, taskId = "task-1") {
  const context = t.contextSchema.parse(input);
  const results: Record<string, unknown> = {};
  const attempts: Record<string, number> = {};
  for (const idx of t.dag.order) {
    const step = t.steps[idx]!;
    const deps = Object.fromEntries(Array.from(t.dag.parentsOf(idx), (p) => [t.steps[p]!.name, results[t.steps[p]!.name]]));
    for (let attempt = 1; ; attempt++) {
      attempts[step.name] = attempt;
      try {
        const out = await step.handler({
          context,
          deps,
          attempt,
          maxAttempts: step.retry.maxAttempts,
          signal: new AbortController().signal,
          log: quiet,
          taskId,
          stepId: `${taskId}:${idx}`,
          stepName: step.name,
          namespace: t.namespace,
          taskName: t.name,
          version: t.version,
          spawn: () => Promise.reject(new Error("child tasks need the engine")),
          sleep: async () => {},
          sleepUntil: async () => {},
          waitForEvent: () => Promise.reject(new Error("events need the engine")),
          choose: () => {},
          batch: null,
        });
        results[step.name] = JSON.parse(JSON.stringify(out ?? null));
        break;
      } catch (err) {
        const decision = nextRetry(step.retry, attempt, err, Math.random);
        if (!decision.retry) throw Object.assign(err as Error, { step: step.name, reason: decision.reason, attempt });
      }
    }
  }
  return { results, attempts };
}
