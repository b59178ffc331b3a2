import type { DagCore } from "./dag-core.ts";
import { referenceCore } from "./reference-core.ts";

/**
 * The core the engine should use.
 *
 * @example
 *   const core = await defaultCore();
 */
export async function defaultCore(): Promise<DagCore> {
  return referenceCore();
}
