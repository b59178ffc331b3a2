import type { Logger } from "../core/logger.ts";
import type { TaskEvent, TaskSubscriber } from "../core/template/task-spec.ts";
import type { Db } from "../store/db.ts";
import { claimUnpublishedEvents } from "../store/events.ts";
import type { TemplateResolver } from "./templates.ts";

/**
 * Delivers lifecycle events to the subscribers that handler modules export
 * (`subscribers: { "task.completed": fn, "step.failed": fn }`). Events come from the outbox, claimed so
 * that one engine delivers each event once, after the change that caused it has committed.
 * A subscriber that throws is logged and never affects the task.
 */
export function createSubscriberPublisher(db: Db, templates: TemplateResolver, pollMs: number, log: Logger) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;

  function subscribersOf(namespace: string, name: string, version: string): Readonly<Record<string, TaskSubscriber>> {
    try {
      return templates.resolve(namespace, name, version).subscribers;
    } catch {
      return {};
    }
  }

  async function tick(): Promise<void> {
    try {
      for (;;) {
        const events = await claimUnpublishedEvents(db, 200);
        for (const e of events) {
          if (!e.namespace || !e.task_name || !e.version || !e.task_id) continue;
          const subs = subscribersOf(e.namespace, e.task_name, e.version);
          const fn = subs[e.name];
          if (typeof fn !== "function") continue;
          const event: TaskEvent = {
            type: e.name,
            taskId: e.task_id,
            namespace: e.namespace,
            taskName: e.task_name,
            version: e.version,
            ...(typeof e.payload.step === "string" ? { stepName: e.payload.step } : {}),
            data: e.payload,
          };
          try {
            await fn(event);
          } catch (error) {
            log.warn("subscriber failed", { event: e.name, task: e.task_id, error: String(error) });
          }
        }
        if (events.length < 200) break;
      }
    } catch (error) {
      if (running) log.warn("event publishing failed", { error: String(error) });
    }
    if (running) timer = setTimeout(tick, pollMs);
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
    },
    stop(): void {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
