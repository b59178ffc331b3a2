/**
 * Recurring schedules, pure: cron expressions with seconds and time zones (over croner), the
 * catch-up plan after downtime, and the schedule declarations a handler module may export.
 */
export { compileCron, cronProblem, isTimeZone, MAX_CRON_LENGTH, type CronSchedule } from "./cron.ts";
export { CATCH_UP_POLICIES, planTicks, type CatchUpPolicy, type PlannedTick, type PlanInput, type TickPlan } from "./catch-up.ts";
export { declareSchedules, schedulesSchema, toScheduleDefinition, type ScheduleDefinition, type ScheduleSpec } from "./schedule-spec.ts";
export { ScheduleConflictError, ScheduleInvalidError, ScheduleNotFoundError } from "./errors.ts";
