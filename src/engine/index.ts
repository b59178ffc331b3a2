export { createEngine, type CreateEngineInput } from "./engine.ts";
export type { EngineOptions, FaultPoints } from "./config.ts";
export type { TemplateResolver } from "./templates.ts";
export * from "./types.ts";
export * from "./errors.ts";
