import { TaskerError } from "../errors.ts";

/** No schedule with that id (or none the caller may see). */
export class ScheduleNotFoundError extends TaskerError {
  constructor(readonly scheduleId: string) {
    super("schedule_not_found", `no schedule with id "${scheduleId}"`, { scheduleId });
  }
}

/**
 * The change conflicts with an existing schedule: the name is taken for that task, or the
 * schedule is declared in a handler module (which would bring a deleted one back at the next
 * start; pause it, or remove it from the module).
 */
export class ScheduleConflictError extends TaskerError {
  constructor(message: string, details: Record<string, unknown>) {
    super("schedule_conflict", message, details);
  }
}

/** A cron expression or time zone that cannot be scheduled; `field` says which. */
export class ScheduleInvalidError extends TaskerError {
  constructor(readonly field: "cron" | "timezone" | "name" | "catch_up", message: string) {
    super("validation_failed", `${field}: ${message}`, { issues: [{ location: "body", path: field, message }] });
  }
}
