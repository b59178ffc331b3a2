import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error.ts";
import type { ApiEnv } from "../api-env.ts";
import { allows, type Permission } from "./permissions.ts";
import type { Principal } from "./principal.ts";

/**
 * Route middleware that refuses a principal lacking `permission` with 403 `forbidden`. It runs
 * before the body limit, JSON parsing and validation of the route.
 *
 * @example
 *   createRoute({ method: "post", path: "/tasks", middleware: [requirePermission("tasks:create")], … })
 */
export function requirePermission(permission: Permission): MiddlewareHandler<ApiEnv> {
  return async function checkPermission(c, next) {
    const principal = c.get("principal");
    if (!principal || !allows(principal.grants, permission)) {
      const resource = permission.split(":")[0];
      throw new ApiError(
        "forbidden",
        `${principal ? `credential "${principal.subject}"` : "this request"} lacks the permission ${permission}; it needs ${permission}, ${resource}:* or *`,
        { permission },
      );
    }
    await next();
  };
}

/**
 * True when the principal may touch `namespace`.
 *
 * @example
 *   mayAccessNamespace({ …, namespaces: ["billing"] }, "ci") // false
 */
export function mayAccessNamespace(principal: Principal, namespace: string | null): boolean {
  return principal.namespaces === null || (namespace !== null && principal.namespaces.includes(namespace));
}

/**
 * Throws `namespace_forbidden` when a namespace-limited principal names a namespace outside its
 * list in the request itself (create, list filter, template lookup).
 *
 * @example
 *   assertNamespace(c.get("principal"), body.namespace);
 */
export function assertNamespace(principal: Principal, namespace: string): void {
  if (!mayAccessNamespace(principal, namespace)) {
    throw new ApiError(
      "namespace_forbidden",
      `credential "${principal.subject}" is limited to the namespaces ${principal.namespaces!.join(", ")}; "${namespace}" is not one of them`,
      { namespace, allowed: principal.namespaces },
    );
  }
}

/**
 * Throws `namespace_forbidden` when the principal is limited to namespaces at all: for the
 * operations whose effect or answer spans every namespace (the task summary, a template
 * rescan), which no namespace filter can narrow. `what` says why the operation is global;
 * `hint`, when given, what to do instead.
 *
 * @example
 *   assertUnrestricted(principal, "a rescan reloads every namespace");
 *   // credential "ci" is limited to billing → 403 `a rescan reloads every namespace, and credential "ci" is limited to billing`
 */
export function assertUnrestricted(principal: Principal, what: string, hint?: string): void {
  if (principal.namespaces === null) return;
  throw new ApiError(
    "namespace_forbidden",
    `${what}, and credential "${principal.subject}" is limited to ${principal.namespaces.join(", ")}${hint === undefined ? "" : `; ${hint}`}`,
  );
}
