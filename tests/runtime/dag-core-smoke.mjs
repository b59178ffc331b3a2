// Runtime-neutral smoke checks of the DAG core, shared by the Node and Deno test files: the WASM
// module loads from its embedded bytes and agrees with the TypeScript reference. Plain JavaScript
// so that every runtime can import it as is.

/** Deterministic pseudo-random numbers (LCG), so a failure reproduces on every runtime. */
function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A random DAG of up to 40 steps declared in shuffled order, and a random state vector. */
function randomCase(rand, dag) {
  const n = 1 + Math.floor(rand() * 40);
  const rank = [...Array(n).keys()].sort(() => rand() - 0.5);
  const steps = rank.map((_, i) => ({ name: `s${i}`, dependsOn: [] }));
  for (let e = 0; e < n * 2; e++) {
    const a = Math.floor(rand() * n);
    const b = Math.floor(rand() * n);
    if (a === b) continue;
    const [from, to] = rank[a] < rank[b] ? [a, b] : [b, a];
    steps[to].dependsOn.push(`s${from}`);
  }
  const v = dag.emptyStepVector(n, 3);
  for (let i = 0; i < n; i++) {
    v.states[i] = rand() < 0.5 ? dag.StepStateCode.complete : Math.floor(rand() * dag.STEP_STATES.length);
    v.attempts[i] = Math.floor(rand() * 4);
    v.retryDue[i] = rand() < 0.5 ? 1 : 0;
  }
  const durations = Float64Array.from({ length: n }, () => Math.floor(rand() * 4));
  return { steps, v, durations };
}

const ci = [
  ["build_postgres", []],
  ["code_quality", ["build_postgres"]],
  ["workspace_compile", ["build_postgres"]],
  ["unit_tests", ["workspace_compile"]],
  ["build_workers", ["workspace_compile"]],
  ["worker_tests", ["build_workers"]],
  ["integration_tests_1", ["build_workers"]],
  ["integration_tests_2", ["build_workers"]],
  ["performance_analysis", ["worker_tests", "integration_tests_1", "integration_tests_2"]],
  ["ci_success", ["code_quality", "unit_tests", "performance_analysis"]],
].map(([name, dependsOn]) => ({ name, dependsOn }));

/**
 * @param dag the module src/core/dag/index.ts, however the runtime loaded it
 * @param assert node:assert/strict (Node and Deno both provide it)
 * @returns the number of random cases compared
 */
export async function runSmoke(dag, assert) {
  const wasm = await dag.loadWasmCore();
  const ref = dag.referenceCore();
  assert.equal(wasm.kind, "wasm");
  assert.equal((await dag.defaultCore()).kind, "wasm");

  const pipeline = dag.compileDag(ci, { core: wasm });
  const v = dag.emptyStepVector(pipeline.size, 3);
  v.states[0] = dag.StepStateCode.complete;
  assert.deepEqual([...wasm.readySet(pipeline, v)], [1, 2]);
  assert.throws(() => dag.compileDag([{ name: "a", dependsOn: ["b"] }, { name: "b", dependsOn: ["a"] }]), /cycle: a → b → a/);
  // skipClosure: of two branches that converge, choosing b skips a alone; the join still runs.
  const branches = dag.compileDag([
    { name: "d", dependsOn: [] },
    { name: "a", dependsOn: ["d"] },
    { name: "b", dependsOn: ["d"] },
    { name: "join", dependsOn: ["a", "b"] },
  ]);
  for (const core of [wasm, ref]) assert.deepEqual([...core.skipClosure(branches, new Uint8Array(4), Int32Array.of(1))], [1]);

  const rand = rng(20240601);
  const cases = 300;
  for (let k = 0; k < cases; k++) {
    const { steps, v, durations } = randomCase(rand, dag);
    const a = dag.compileDag(steps);
    const b = dag.compileDag(steps, { core: wasm });
    assert.deepEqual(b.order, a.order);
    assert.deepEqual(b.levels, a.levels);
    for (const op of ["readySet", "blockedSet", "outcome"]) assert.deepEqual(wasm[op](a, v), ref[op](a, v), op);
    assert.deepEqual(wasm.descendants(a, 0), ref.descendants(a, 0));
    assert.deepEqual(wasm.ancestors(a, a.size - 1), ref.ancestors(a, a.size - 1));
    assert.deepEqual(wasm.criticalPath(a, durations), ref.criticalPath(a, durations));
    const seeds = Int32Array.of(k % a.size);
    assert.deepEqual(wasm.skipClosure(a, new Uint8Array(a.size), seeds), ref.skipClosure(a, new Uint8Array(a.size), seeds));
  }
  return cases;
}
