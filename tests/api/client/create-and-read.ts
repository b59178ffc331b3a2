import createClient from "openapi-fetch";
import type { components, paths } from "./tasker-api.ts";

type Task = components["schemas"]["Task"];
type TaskDetail = components["schemas"]["TaskDetail"];

/**
 * What a user of the generated client writes: create a task, then read it back with its steps.
 * Compiled on its own by tsc (tests/api/client/tsconfig.json), so a document that generates
 * unusable types fails the build.
 *
 * @example
 *   const { created, detail } = await createAndRead("http://127.0.0.1:3000", { commit_sha: "4f2a9c1", branch: "main" });
 */
export async function createAndRead(baseUrl: string, context: Record<string, unknown>, apiKey?: string): Promise<{ status: number; created: Task; detail: TaskDetail }> {
  const client = createClient<paths>({ baseUrl, headers: apiKey ? { "X-API-Key": apiKey } : {} });
  const create = await client.POST("/v1/tasks", {
    body: { namespace: "ci", name: "ci_pipeline", context, tags: ["generated-client"] },
  });
  if (create.error) throw new Error(`create failed: ${create.error.error.code}: ${create.error.error.message}`);
  const read = await client.GET("/v1/tasks/{id}", { params: { path: { id: create.data.id } } });
  if (read.error) throw new Error(`read failed: ${read.error.error.code}`);
  const steps: string[] = read.data.steps.map((s) => `${s.name}:${s.state}`);
  if (steps.length !== read.data.step_count) throw new Error("step count mismatch");
  return { status: create.response.status, created: create.data, detail: read.data };
}
