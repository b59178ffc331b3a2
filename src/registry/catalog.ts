import semver from "semver";
import type { LoadedTemplate, TemplateSource } from "../core/template/loaded-template.ts";

/** A namespace as discovery lists it; handlerCount counts task names, not versions. */
export interface NamespaceSummary {
  name: string;
  handlerCount: number;
}

/** A task in a namespace as discovery lists it; `version` is the one resolved by default. */
export interface HandlerSummary {
  namespace: string;
  name: string;
  version: string;
  /** Every loaded version, highest first. */
  versions: string[];
  description: string | null;
  stepCount: number;
  source: TemplateSource;
}

/**
 * The version "latest" means: the highest release by semver precedence; prereleases only when the
 * task has no release at all, so publishing 3.0.0-rc.1 does not move traffic off 2.4.0.
 */
function latestOf(sortedDesc: readonly LoadedTemplate[]): LoadedTemplate | undefined {
  return sortedDesc.find((t) => semver.prerelease(t.version) === null) ?? sortedDesc[0];
}

/**
 * An immutable snapshot of loaded templates: namespace → task name → versions, highest first.
 * Lookups are Map reads and nothing else, so no request-supplied string can reach the file
 * system or a prototype chain.
 */
export class Catalog {
  private constructor(private readonly byNamespace: ReadonlyMap<string, ReadonlyMap<string, readonly LoadedTemplate[]>>) {}

  static readonly empty = new Catalog(new Map());

  /**
   * Groups templates; `namespaces` lists every valid namespace folder, even one whose modules all
   * failed, so it still shows up (with zero handlers) next to its load problems.
   *
   * @example
   *   const catalog = Catalog.build(["ci"], [templateA, templateB]);
   */
  static build(namespaces: readonly string[], templates: readonly LoadedTemplate[]): Catalog {
    const byNamespace = new Map<string, Map<string, LoadedTemplate[]>>();
    for (const ns of namespaces) byNamespace.set(ns, new Map());
    for (const t of templates) {
      let names = byNamespace.get(t.namespace);
      if (!names) byNamespace.set(t.namespace, (names = new Map()));
      const versions = names.get(t.name) ?? [];
      versions.push(t);
      names.set(t.name, versions);
    }
    for (const names of byNamespace.values()) {
      for (const versions of names.values()) versions.sort((a, b) => semver.rcompare(a.version, b.version));
    }
    return new Catalog(byNamespace);
  }

  /** The exact version, or "latest" when version is undefined. */
  find(namespace: string, name: string, version?: string): LoadedTemplate | undefined {
    const versions = this.byNamespace.get(namespace)?.get(name);
    if (!versions) return undefined;
    return version === undefined ? latestOf(versions) : versions.find((t) => t.version === version);
  }

  versions(namespace: string, name: string): string[] {
    return (this.byNamespace.get(namespace)?.get(name) ?? []).map((t) => t.version);
  }

  hasNamespace(namespace: string): boolean {
    return this.byNamespace.has(namespace);
  }

  namespaces(): NamespaceSummary[] {
    return [...this.byNamespace].map(([name, names]) => ({ name, handlerCount: names.size })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  handlers(namespace: string): HandlerSummary[] | undefined {
    const names = this.byNamespace.get(namespace);
    if (!names) return undefined;
    const out: HandlerSummary[] = [];
    for (const [name, versions] of names) {
      const latest = latestOf(versions)!;
      out.push({
        namespace,
        name,
        version: latest.version,
        versions: versions.map((t) => t.version),
        description: latest.description ?? null,
        stepCount: latest.steps.length,
        source: latest.source,
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  all(): LoadedTemplate[] {
    return [...this.byNamespace.values()].flatMap((names) => [...names.values()].flat());
  }
}
