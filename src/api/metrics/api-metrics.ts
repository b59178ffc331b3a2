import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Engine, LifecycleEvent } from "../../engine/types.ts";

/** The metrics one API app exports; each app owns its registry (no global default registry). */
export interface ApiMetrics {
  readonly registry: Registry;
  /** Records one HTTP request; `route` is the matched pattern, never the raw path. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** Feeds event-derived metrics (step durations, event counts). */
  observeEvent(event: LifecycleEvent): void;
  /** Refreshes the state gauges from `engine.status()` and renders the text format. */
  render(): Promise<string>;
  readonly contentType: string;
}

// Steps range from milliseconds (in-process checks) to many minutes (builds, deploys).
const STEP_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Builds the app's Prometheus metrics. Task, step, queue and worker gauges are read from
 * `engine.status()` at scrape time, so every process reports the shared database's truth; step
 * durations come from `step.completed` events, HTTP latency from the middleware.
 *
 * @example
 *   const metrics = createApiMetrics(engine);
 *   engine.onEvent(metrics.observeEvent);
 *   await metrics.render() // "# HELP tasker_tasks …"
 */
export function createApiMetrics(engine: Pick<Engine, "status">): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  const tasks = new Gauge({ name: "tasker_tasks", help: "Tasks by state", labelNames: ["state"], registers });
  const steps = new Gauge({ name: "tasker_steps", help: "Steps by state", labelNames: ["state"], registers });
  const queueDepth = new Gauge({ name: "tasker_queue_depth", help: "Visible messages per namespace queue", labelNames: ["namespace"], registers });
  const queueAge = new Gauge({
    name: "tasker_queue_oldest_age_seconds",
    help: "Age of the oldest visible message per namespace queue",
    labelNames: ["namespace"],
    registers,
  });
  const workers = new Gauge({ name: "tasker_workers", help: "Workers with a live heartbeat", registers });
  const stepDuration = new Histogram({
    name: "tasker_step_duration_seconds",
    help: "Handler run time of completed steps",
    labelNames: ["namespace", "step"],
    buckets: STEP_BUCKETS,
    registers,
  });
  const events = new Counter({
    name: "tasker_events_total",
    help: "Lifecycle events seen by this process (claims, retries, failures, completions) by name",
    labelNames: ["name"],
    registers,
  });
  const http = new Histogram({
    name: "tasker_http_request_duration_seconds",
    help: "HTTP request latency by method, matched route and status",
    labelNames: ["method", "route", "status"],
    buckets: HTTP_BUCKETS,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    observeHttp(method, route, status, seconds) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
    observeEvent(event) {
      events.inc({ name: event.name });
      if (event.name !== "step.completed") return;
      const durationMs = event.payload.durationMs;
      if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0) return;
      const step = event.payload.step ?? event.payload.stepName ?? event.payload.name;
      stepDuration.observe({ namespace: event.namespace ?? "", step: typeof step === "string" ? step : "" }, durationMs / 1000);
    },
    async render() {
      const status = await engine.status();
      // reset() drops label sets that vanished (a drained namespace, a state now at zero rows).
      for (const g of [tasks, steps, queueDepth, queueAge]) g.reset();
      for (const [state, n] of Object.entries(status.tasksByState)) tasks.set({ state }, n);
      for (const [state, n] of Object.entries(status.stepsByState)) steps.set({ state }, n);
      for (const q of status.queues) {
        queueDepth.set({ namespace: q.namespace }, q.depth);
        queueAge.set({ namespace: q.namespace }, q.oldestAgeMs / 1000);
      }
      workers.set(status.workers.length);
      return registry.metrics();
    },
  };
}
