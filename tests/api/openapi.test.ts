import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describeEachBackend } from "../support/backends.ts";
import { startApi, type TestApp } from "./api-fixture.ts";

setDefaultTimeout(30_000);

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describeEachBackend("OpenAPI document and docs page", (t) => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let app: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    api = await startApi(t.db, { auth: { apiKeys: [{ name: "ops", key: "k", permissions: ["*"] }] } });
    app = api.app;
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(() => api.close());

  test("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    expect(result.valid).toBe(true);
  });

  test("contains every route the app serves, with the same method", () => {
    const served = app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(new Set(served)).toEqual(new Set(documented));
    expect(new Set(served).size).toBe(23);
  });

  test("protected routes declare both credential schemes and their 401/403 answers", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["apiKey", "bearerAuth"]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        const isPublic = path.startsWith("/health/l") || path.startsWith("/health/r") || path === "/openapi.json" || path === "/docs";
        expect(op.security !== undefined).toBe(!isPublic);
        if (!isPublic) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
  });

  test("request and response bodies refer to named schemas generated from the zod schemas", () => {
    for (const name of ["CreateTaskRequest", "Task", "TaskDetail", "TaskPage", "Step", "StepAction", "StepAudit", "TemplateDescription", "DependencyGraph", "Error"]) {
      expect(doc.components.schemas[name]).toBeDefined();
    }
    const create = doc.components.schemas.CreateTaskRequest as { additionalProperties: boolean; required: string[] };
    expect(create.additionalProperties).toBe(false);
    expect(create.required.sort()).toEqual(["name", "namespace"]);
  });

  test("/docs renders every operation and schema without scripts or external assets", async () => {
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path}</code>`);
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});
