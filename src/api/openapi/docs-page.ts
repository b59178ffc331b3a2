import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { OpenApiDocument } from "./document.ts";

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name?: string; in?: string; required?: boolean; description?: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
.op{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.m{display:inline-block;min-width:4.2rem;font:600 13px monospace;text-transform:uppercase}
.get{color:#0969da}.post{color:#1a7f37}.patch{color:#9a6700}.delete{color:#cf222e}
code,pre{font:13px ui-monospace,monospace;background:#f6f8fa;border-radius:4px}
pre{padding:.5rem;overflow:auto;max-height:18rem}summary{cursor:pointer}
table{border-collapse:collapse}td{padding:.1rem .6rem .1rem 0;vertical-align:top}
.lock{font-size:12px;color:#57606a}`;

function schemaRef(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? ref.replace("#/components/schemas/", "") : JSON.stringify(schema);
}

function operation(method: string, path: string, op: Operation): HtmlEscapedString | Promise<HtmlEscapedString> {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  return html`<div class="op" id="${method}-${path}">
    <div><span class="m ${method}">${method}</span><code>${path}</code> ${op.summary ?? ""}
      ${op.security?.length ? html`<span class="lock">(auth)</span>` : ""}</div>
    ${op.description ? html`<p>${op.description}</p>` : ""}
    ${params.length
      ? html`<table>${params.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}${p.required ? ", required" : ""}</td><td><code>${schemaRef(p.schema)}</code></td></tr>`)}</table>`
      : ""}
    ${body ? html`<p>Body: <a href="#schema-${schemaRef(body)}"><code>${schemaRef(body)}</code></a></p>` : ""}
    <table>${Object.entries(op.responses ?? {}).map(([status, r]) => html`<tr><td><code>${status}</code></td><td>${r.description ?? ""}</td></tr>`)}</table>
  </div>`;
}

/**
 * A self-contained HTML rendering of the OpenAPI document: every operation grouped by tag, with
 * parameters, body schema and responses, and every component schema as JSON. No scripts and no
 * CDN, so it works offline and behind any firewall.
 *
 * @example
 *   c.html(renderDocsPage(openApiDocument(app, "0.1.0")))
 */
export function renderDocsPage(doc: OpenApiDocument): HtmlEscapedString | Promise<HtmlEscapedString> {
  const byTag = new Map<string, Array<[string, string, Operation]>>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push([method, path, op]);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${doc.info.title} API</title><style>${raw(STYLE)}</style></head>
<body>
<h1>${doc.info.title} API <small>${doc.info.version}</small></h1>
<p>${doc.info.description ?? ""}</p>
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI ${doc.openapi}).</p>
${[...byTag].map(([tag, ops]) => html`<h2>${tag}</h2>${ops.map(([m, p, op]) => operation(m, p, op))}`)}
<h2>Schemas</h2>
${schemas.map(([name, schema]) => html`<details id="schema-${name}"><summary><code>${name}</code></summary><pre>${JSON.stringify(schema, null, 2)}</pre></details>`)}
</body></html>`;
}
