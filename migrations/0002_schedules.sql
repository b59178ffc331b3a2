-- Recurring schedules: a cron expression (with seconds and a time zone) that submits a task on
-- each tick. The row is the only coordinator between engines: a tick is run by the engine that
-- claims the row while it is due, and `next_run_at` moves past a tick only after that tick's task
-- was submitted (with an idempotency key derived from schedule id + tick time, so an engine that
-- dies between the two cannot cause a second task for the tick).

create table schedules (
  id                uuid primary key,
  namespace         text not null constraint schedules_namespace_pattern check (namespace ~ '^[a-z][a-z0-9_]{0,62}$'),
  task_name         text not null constraint schedules_task_name_pattern check (task_name ~ '^[a-z][a-z0-9_]{0,62}$'),
  name              text not null constraint schedules_name_pattern check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- Exact template version to submit; null means the latest loaded version at each tick.
  version           text,
  cron              text not null,
  timezone          text not null default 'UTC',
  context           jsonb not null default '{}'::jsonb,
  -- What happens to ticks missed while no engine ran: skip them, run only the latest, or run all.
  catch_up          text not null default 'skip' constraint schedules_catch_up_check check (catch_up in ('skip', 'latest', 'all')),
  paused            boolean not null default false,
  -- 'module': declared by a handler module (upserted at engine start); 'api': created over HTTP.
  source            text not null constraint schedules_source_check check (source in ('module', 'api')),
  -- The first tick not yet run; null when the expression has no future tick.
  next_run_at       timestamptz,
  -- The most recent tick whose task was submitted, and that task.
  last_run_at       timestamptz,
  last_task_id      uuid,
  last_error        text,
  -- The engine running the due ticks now, until the claim expires (then another may take over).
  claimed_by        text,
  claim_expires_at  timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  constraint schedules_name_unique unique (namespace, task_name, name)
);
create index schedules_due on schedules (next_run_at) where not paused and next_run_at is not null;
