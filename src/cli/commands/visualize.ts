import type { LoadedTemplate } from "../../core/template/loaded-template.ts";

/**
 * A template's DAG as a Mermaid flowchart, nodes in execution order.
 *
 * @example
 *   mermaid(registry.resolve("ci", "ci_pipeline")) // "flowchart TD\n  build_postgres --> code_quality\n…"
 */
export function mermaid(t: LoadedTemplate): string {
  const lines = [`flowchart TD`, `  %% ${t.key}`];
  for (const i of t.dag.order) {
    const step = t.steps[i]!;
    if (step.dependsOn.length === 0) lines.push(`  ${step.name}`);
    for (const dep of step.dependsOn) lines.push(`  ${dep} --> ${step.name}`);
  }
  return lines.join("\n");
}
