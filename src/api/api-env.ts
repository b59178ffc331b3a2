import type { Principal } from "./auth/principal.ts";

/** The Hono environment of the API app: what middleware stores on the context. */
export interface ApiEnv {
  Variables: {
    principal: Principal;
  };
}
