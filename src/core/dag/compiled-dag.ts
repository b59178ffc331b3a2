/**
 * A validated DAG in the shape the cores work on: dense step indices in declaration order and
 * CSR (compressed sparse row) adjacency both ways. Immutable once built; one per template version.
 */
export interface CompiledDag {
  /** Step names in declaration order; a name's position is its step index (idx). */
  readonly names: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly size: number;
  /** Dependencies of step i are parentTargets[parentOffsets[i] .. parentOffsets[i+1]), in dependsOn order. */
  readonly parentOffsets: Int32Array;
  readonly parentTargets: Int32Array;
  /** Dependents of step i, ascending index. */
  readonly childOffsets: Int32Array;
  readonly childTargets: Int32Array;
  /** Topological order; among steps free to go next, the earliest declared comes first. */
  readonly order: Int32Array;
  /** 0 for roots, 1 + the highest level of the parents otherwise: steps of one level may run in parallel. */
  readonly levels: Int32Array;
  /** Steps with no dependencies, in declaration order. */
  readonly roots: Int32Array;
  parentsOf(i: number): Int32Array;
  childrenOf(i: number): Int32Array;
}

/** The raw arrays a CompiledDag is made of. */
export interface DagArrays {
  names: readonly string[];
  parentOffsets: Int32Array;
  parentTargets: Int32Array;
  childOffsets: Int32Array;
  childTargets: Int32Array;
  order: Int32Array;
  levels: Int32Array;
}

/**
 * Freezes already validated arrays into a CompiledDag. Does not check them: use compileDag.
 * `indexOf` may be passed when the caller has built it already (it must map names[i] to i).
 *
 * @example
 *   const dag = createCompiledDag({ names, parentOffsets, parentTargets, childOffsets, childTargets, order, levels });
 */
export function createCompiledDag(a: DagArrays, indexOf?: Map<string, number>): CompiledDag {
  const size = a.names.length;
  if (!indexOf) {
    indexOf = new Map<string, number>();
    for (let i = 0; i < size; i++) indexOf.set(a.names[i]!, i);
  }
  const roots: number[] = [];
  for (let i = 0; i < size; i++) if (a.parentOffsets[i] === a.parentOffsets[i + 1]) roots.push(i);
  const { parentOffsets, parentTargets, childOffsets, childTargets } = a;
  return Object.freeze({
    names: Object.freeze(a.names.slice()),
    indexOf,
    size,
    parentOffsets,
    parentTargets,
    childOffsets,
    childTargets,
    order: a.order,
    levels: a.levels,
    roots: Int32Array.from(roots),
    parentsOf: (i: number) => parentTargets.subarray(parentOffsets[i], parentOffsets[i + 1]),
    childrenOf: (i: number) => childTargets.subarray(childOffsets[i], childOffsets[i + 1]),
  });
}
