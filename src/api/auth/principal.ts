/** Who is making a request, as the auth middleware established it. */
export interface Principal {
  /** JWT `sub`, or the API key's name; recorded as the actor of cancels and manual step changes. */
  readonly subject: string;
  readonly via: "jwt" | "api_key" | "none";
  readonly grants: readonly string[];
  /** Namespaces this credential may touch; null means all. */
  readonly namespaces: readonly string[] | null;
}

/** The principal of every request when auth is disabled: may do anything. */
export const ANONYMOUS: Principal = Object.freeze({ subject: "anonymous", via: "none", grants: Object.freeze(["*"]), namespaces: null });
