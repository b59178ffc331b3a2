import type { LoadedTemplate } from "../core/template/loaded-template.ts";

/** What the engine needs from the registry: exact lookups and the list of namespaces. */
export interface TemplateResolver {
  /** The exact version, or the latest when `version` is undefined; throws a typed not-found error. */
  resolve(namespace: string, name: string, version?: string): LoadedTemplate;
  namespaces(): ReadonlyArray<{ name: string }>;
  /** Every loaded template (to find those whose modules export subscribers). */
  templates(): readonly LoadedTemplate[];
}
