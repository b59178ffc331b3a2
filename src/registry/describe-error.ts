/** A Bun build message carries the position of a syntax error. */
interface Positioned {
  message: string;
  position?: { line?: number; column?: number } | null;
}

function positioned(e: unknown): e is Positioned {
  return typeof e === "object" && e !== null && "message" in e && "position" in e;
}

/**
 * One line that says why importing a module failed, with the line and column of a syntax error
 * when the runtime reports them (Bun rejects with an AggregateError of positioned build messages).
 *
 * @example
 *   describeImportError(err) // "syntax error: Expected identifier but found \",\" (line 2, column 13)"
 */
export function describeImportError(err: unknown): string {
  const inner = err instanceof AggregateError ? err.errors : [err];
  // Bun reports an unresolvable import as a positioned ResolveMessage too; it is not a syntax error.
  // Node says so with the code ERR_MODULE_NOT_FOUND.
  const unresolved = (e: unknown) => e instanceof Error && (e.name === "ResolveMessage" || (e as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND");
  if (inner.some(unresolved)) {
    return `cannot resolve an import: ${inner.map((e) => (e as Error).message).join("; ")}`;
  }
  if (inner.length > 0 && inner.every(positioned)) {
    const parts = inner.map((e) => {
      const p = e.position;
      return p?.line ? `${e.message} (line ${p.line}, column ${p.column ?? 0})` : e.message;
    });
    return `syntax error: ${parts.join("; ")}`;
  }
  if (err instanceof SyntaxError) return `syntax error: ${err.message}`;
  return `threw while being imported: ${describeThrown(err)}`;
}

/**
 * "Name: message" for an Error, a JSON-ish rendering for anything else a module might throw.
 *
 * @example
 *   describeThrown(new TypeError("x is undefined")) // "TypeError: x is undefined"
 */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return `non-error value ${JSON.stringify(err)}`;
  } catch {
    return `non-error value ${String(err)}`;
  }
}
