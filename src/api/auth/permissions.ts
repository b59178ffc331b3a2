/**
 * Permissions are `resource:action` strings in the spirit of tasker-core. A credential holds a
 * list of grants; a grant is an exact permission, `resource:*` (every action on a resource) or
 * `*` (everything).
 */
export const PERMISSIONS = [
  "tasks:create",
  "tasks:read",
  "tasks:list",
  "tasks:cancel",
  "tasks:signal",
  "steps:read",
  "steps:resolve",
  "templates:read",
  "templates:write",
  "schedules:read",
  "schedules:write",
  "system:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const RESOURCES = new Set(PERMISSIONS.map((p) => p.split(":")[0]!));

/**
 * True when one of `grants` covers `needed`.
 *
 * @example
 *   allows(["tasks:*"], "tasks:create")  // true
 *   allows(["tasks:read"], "steps:read") // false
 */
export function allows(grants: readonly string[], needed: Permission): boolean {
  const resource = needed.slice(0, needed.indexOf(":"));
  return grants.some((g) => g === "*" || g === needed || g === `${resource}:*`);
}

/**
 * The grants in `grants` that can never match anything, so configuration mistakes (a typo such
 * as `task:create`) are reported at start instead of silently denying.
 *
 * @example
 *   unknownGrants(["tasks:*", "task:create"]) // ["task:create"]
 */
export function unknownGrants(grants: readonly string[]): string[] {
  return grants.filter((g) => {
    if (g === "*") return false;
    if ((PERMISSIONS as readonly string[]).includes(g)) return false;
    const [resource, action, ...rest] = g.split(":");
    return !(rest.length === 0 && action === "*" && RESOURCES.has(resource!));
  });
}
