import { z } from "zod";
import { nameSchema } from "../template/names.ts";
import { CATCH_UP_POLICIES, type CatchUpPolicy } from "./catch-up.ts";
import { cronProblem } from "./cron.ts";

/** A schedule as a handler module declares it, beside its steps. */
export interface ScheduleSpec {
  /** Unique per task; names the schedule in the API and in the tasks it submits. */
  name: string;
  /** 5 fields (minute precision), 6 (leading seconds) or 7 (trailing year), or @daily etc. */
  cron: string;
  /** IANA time zone the expression is read in; default UTC. */
  timezone?: string;
  /** The context of every task it submits; validated against the task's context schema. */
  context?: Record<string, unknown>;
  /** Ticks missed while no engine ran: `skip` (default), `latest` or `all`. */
  catchUp?: CatchUpPolicy;
}

/** A declared schedule after validation, defaults applied. */
export interface ScheduleDefinition {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly catchUp: CatchUpPolicy;
}

const scheduleSpecSchema = z
  .strictObject({
    name: nameSchema,
    cron: z.string().min(1),
    timezone: z.string().min(1).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    catchUp: z.enum(CATCH_UP_POLICIES).optional(),
  })
  .superRefine((s, ctx) => {
    const problem = cronProblem(s.cron, s.timezone ?? "UTC");
    if (problem) ctx.addIssue({ code: "custom", path: [problem.startsWith("unknown time zone") ? "timezone" : "cron"], message: problem });
  });

/**
 * The `schedules` option of defineTask: an array of schedules with distinct names.
 *
 * @example
 *   schedulesSchema.parse([{ name: "nightly", cron: "0 2 * * *", timezone: "Europe/Berlin" }])
 */
export const schedulesSchema = z.array(scheduleSpecSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate schedule name "${s.name}"` });
    seen.add(s.name);
  });
});

/**
 * Applies defaults and freezes a validated schedule.
 *
 * @example
 *   toScheduleDefinition({ name: "nightly", cron: "0 2 * * *" }).catchUp // "skip"
 */
export function toScheduleDefinition(s: ScheduleSpec): ScheduleDefinition {
  return Object.freeze({
    name: s.name,
    cron: s.cron.trim(),
    timezone: s.timezone ?? "UTC",
    context: Object.freeze({ ...(s.context ?? {}) }),
    catchUp: s.catchUp ?? "skip",
  });
}

/**
 * Validated schedules of a task definition, each context checked against the task's context
 * schema, so a schedule that could never submit is a load error naming it, not a failure at 2 am.
 *
 * @example
 *   const { schedules, issues } = declareSchedules(spec.schedules, contextSchema);
 *   if (issues.length > 0) throw new TemplateValidationError(task, issues);
 */
export function declareSchedules(
  specs: readonly ScheduleSpec[] | undefined,
  contextSchema: z.ZodType,
): { schedules: readonly ScheduleDefinition[]; issues: Array<{ path: string; message: string }> } {
  const schedules = (specs ?? []).map(toScheduleDefinition);
  const issues: Array<{ path: string; message: string }> = [];
  schedules.forEach((s, i) => {
    const parsed = contextSchema.safeParse(s.context);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const at = issue.path.map(String).join(".");
      issues.push({ path: `schedules.${i}.context${at ? `.${at}` : ""}`, message: `schedule "${s.name}": ${issue.message}` });
    }
  });
  return { schedules: Object.freeze(schedules), issues };
}
