/**
 * The handler registry: discovers handlers/<namespace>/ modules and Tasker YAML templates,
 * validates and compiles them, and serves lookups from memory.
 */
export { createRegistry, type LoadReport, type Registry, type RegistryOptions } from "./create-registry.ts";
export { InvalidNameError, TemplateLoadError, TemplateNotFoundError } from "./errors.ts";
export type { HandlerSummary, NamespaceSummary } from "./catalog.ts";
export type { LoadProblem } from "./load-files.ts";
export { nodeRegistryIo, type DirEntry, type RegistryIo } from "./registry-io.ts";
export type { LoadedStep, LoadedTemplate } from "../core/template/loaded-template.ts";
export type { TemplateDescription, DependencyGraph } from "../core/template/describe-template.ts";
