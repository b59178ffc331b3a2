-- tasker-edge initial schema. Plain Postgres 15 SQL with no extensions, so PGlite runs it too.
-- Ids are uuid v7 made by the application (Postgres 15 has no uuidv7()); they sort by creation
-- time, which keeps the primary-key indexes append-mostly.
-- Every hot statement is keyed by task id (steps, queue, transitions, events), so the schema
-- distributes by task id on a sharded Postgres.

-- One row per template version the engine has run: its DAG in CSR form (parents of each step),
-- so any process, and any later reader, sees exactly the graph a task was created with.
create table template_versions (
  namespace       text not null,
  name            text not null,
  version         text not null,
  fingerprint     text not null,
  step_names      text[] not null,
  parent_offsets  integer[] not null,
  parent_targets  integer[] not null,
  registered_at   timestamptz not null default now(),
  primary key (namespace, name, version, fingerprint)
);

create table tasks (
  id                    uuid primary key,
  namespace             text not null constraint tasks_namespace_pattern check (namespace ~ '^[a-z][a-z0-9_]{0,62}$'),
  name                  text not null constraint tasks_name_pattern check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  version               text not null,
  template_fingerprint  text not null,
  state                 text not null default 'pending' constraint tasks_state_check check (state in (
                          'pending', 'in_progress', 'waiting_for_retry', 'blocked_by_failures',
                          'complete', 'error', 'cancelled', 'resolved_manually')),
  priority              integer not null default 0,
  context               jsonb not null default '{}'::jsonb,
  -- Idempotency: the hash of the caller's key or of name+context (per the template's identity
  -- strategy); unique per task template, so a racing duplicate insert conflicts instead of
  -- creating a second task.
  identity_hash         text,
  tags                  text[] not null default '{}',
  initiator             text,
  source_system         text,
  reason                text,
  -- Child tasks (fan-out): the spawning task and step, the child's key within that step (its
  -- index in the spawn source), and when the parent's join counted it (at most once).
  parent_task_id        uuid references tasks (id) on delete cascade,
  parent_step_id        uuid,
  child_key             text,
  joined_at             timestamptz,
  step_count            integer not null constraint tasks_step_count_positive check (step_count > 0),
  -- Steps not yet in a satisfied or terminal state: finalisation happens when this reaches 0,
  -- decided by the one transaction that takes it there.
  steps_unfinished      integer not null constraint tasks_steps_unfinished_range check (steps_unfinished >= 0),
  -- Steps now in `error`. A completion in a task with failed steps re-checks (with the DAG core)
  -- whether anything can still progress; without failures that check is never needed.
  steps_failed          integer not null default 0 constraint tasks_steps_failed_nonnegative check (steps_failed >= 0),
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  started_at            timestamptz,
  completed_at          timestamptz,
  -- The completion claim: set exactly once, by the transaction that finalises the task.
  finalized_at          timestamptz
);
create unique index tasks_identity on tasks (namespace, name, identity_hash) where identity_hash is not null;
create index tasks_by_template on tasks (namespace, name, created_at desc, id desc);
create index tasks_by_state on tasks (state, created_at desc, id desc);
create index tasks_by_created on tasks (created_at desc, id desc);
create index tasks_by_parent_step on tasks (parent_step_id, state) where parent_step_id is not null;
create index tasks_by_parent_task on tasks (parent_task_id) where parent_task_id is not null;
create index tasks_unjoined on tasks (parent_step_id) where parent_step_id is not null and joined_at is null;
create index tasks_by_tag on tasks using gin (tags);

create table steps (
  id                  uuid primary key,
  task_id             uuid not null references tasks (id) on delete cascade,
  -- Dense position within the task (declaration order of the template), so a task's step
  -- states map onto the typed arrays the DAG core works on.
  idx                 integer not null constraint steps_idx_nonnegative check (idx >= 0),
  name                text not null constraint steps_name_pattern check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  state               text not null default 'pending' constraint steps_state_check check (state in (
                        'pending', 'enqueued', 'in_progress', 'waiting_for_retry', 'complete',
                        'error', 'cancelled', 'resolved_manually', 'skipped', 'waiting')),
  attempts            integer not null default 0 constraint steps_attempts_nonnegative check (attempts >= 0),
  max_attempts        integer not null default 1 constraint steps_max_attempts_positive check (max_attempts >= 1),
  retry_policy        jsonb,
  timeout_ms          integer,
  -- Parents not yet satisfied. Each parent's completion decrements its children's counts in the
  -- same transaction; the one decrement that reaches 0 enqueues the child, so a step whose
  -- parents finish in different processes at once is enqueued exactly once.
  unfinished_parents  integer not null default 0 constraint steps_unfinished_parents_nonnegative check (unfinished_parents >= 0),
  -- The step's neighbours in the template DAG (by idx), copied at submit so that one statement
  -- can decrement children and gather dependency results without a second round trip.
  parents             integer[] not null default '{}',
  children            integer[] not null default '{}',
  -- Not before: backoff after a failure, or a durable sleep.
  run_at              timestamptz,
  -- The lease of the worker running the current attempt; outcomes are recorded only while the
  -- recorder still holds it (fence on owner + attempt).
  lease_owner         text,
  lease_expires_at    timestamptz,
  -- Fan-out: children dispatched so far (the resume cursor), the total once dispatch is done,
  -- and the children the join has counted; the step waits (holding no worker) until they add up.
  children_dispatched integer not null default 0,
  children_total      integer,
  children_complete   integer not null default 0,
  children_failed     integer not null default 0,
  child_failure       text constraint steps_child_failure_check check (child_failure in ('park', 'fail', 'ignore')),
  -- A durable wait the handler asked for (sleep until a time, or an external event with an
  -- optional deadline), and what arrived for it; the re-run after the wake reads it.
  wait                jsonb,
  inputs              jsonb,
  results             jsonb,
  error               jsonb,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  started_at          timestamptz,
  completed_at        timestamptz,
  constraint steps_task_idx unique (task_id, idx),
  constraint steps_task_name unique (task_id, name)
);
create index steps_retry_due on steps (run_at) where state = 'waiting_for_retry';
create index steps_lease_expiry on steps (lease_expires_at) where state = 'in_progress';
create index steps_failed on steps (updated_at desc) where state = 'error';
create index steps_waiting on steps (updated_at) where state = 'waiting';
create index steps_waiting_for_event on steps ((wait->>'event'), (wait->>'key')) where state = 'waiting' and wait is not null;

-- Audit and queue rows carry no foreign keys: they are written on the hot path (several per
-- step), where the referential-integrity triggers cost about a quarter of a completion batch
-- (measured: ~2 ms of 8 ms for 64 steps); every writer takes the ids from rows it just read.
create table task_transitions (
  id          bigint generated always as identity primary key,
  task_id     uuid not null,
  from_state  text,
  to_state    text not null,
  reason      text,
  actor       text not null default 'system',
  metadata    jsonb,
  created_at  timestamptz not null default now()
);
create index task_transitions_by_task on task_transitions (task_id, id);

create table step_transitions (
  id          bigint generated always as identity primary key,
  task_id     uuid not null,
  step_id     uuid not null,
  from_state  text,
  to_state    text not null,
  attempt     integer not null default 0,
  reason      text,
  actor       text not null default 'system',
  metadata    jsonb,
  created_at  timestamptz not null default now()
);
create index step_transitions_by_step on step_transitions (step_id, id);
create index step_transitions_by_task on step_transitions (task_id, id);

-- The work queue, pgmq-like in plain SQL: one logical queue per namespace; a message is
-- invisible until visible_at (the visibility timeout doubles as the claim lease); read_count
-- counts deliveries; finished messages move to queue_archive.
create table queue_messages (
  msg_id       bigint generated always as identity primary key,
  queue        text not null,
  task_id      uuid not null,
  step_id      uuid not null,
  step_idx     integer not null,
  attempt      integer not null,
  priority     integer not null default 0,
  visible_at   timestamptz not null default now(),
  read_count   integer not null default 0,
  enqueued_at  timestamptz not null default now(),
  last_read_at timestamptz,
  -- At most one live message per step: a second enqueue of the same step conflicts.
  constraint queue_messages_one_per_step unique (step_id)
);
create index queue_messages_claim on queue_messages (queue, priority desc, msg_id);

create table queue_archive (
  msg_id       bigint primary key,
  queue        text not null,
  task_id      uuid not null,
  step_id      uuid not null,
  attempt      integer not null,
  read_count   integer not null,
  enqueued_at  timestamptz not null,
  archived_at  timestamptz not null default now(),
  outcome      text not null
);
create index queue_archive_by_task on queue_archive (task_id);

-- Lifecycle events, written in the same transaction as the change that causes them.
create table events (
  id            bigint generated always as identity primary key,
  event_id      uuid not null unique,
  name          text not null,
  namespace     text,
  task_id       uuid,
  step_id       uuid,
  payload       jsonb not null default '{}'::jsonb,
  created_at    timestamptz not null default now(),
  published_at  timestamptz,
  -- The writing transaction: readers page by transaction id below the oldest one still running,
  -- so an event whose transaction commits late is never skipped (identity values are not in
  -- commit order).
  tx            xid8 not null default pg_current_xact_id()
);
-- A task's terminal event exists at most once, whatever races above it.
create unique index events_terminal_once on events (task_id, name)
  where name in ('task.completed', 'task.cancelled');
create index events_by_task on events (task_id, id);
create index events_by_tx on events (tx, id);
create index events_unpublished on events (id) where published_at is null;

create table workers (
  id            text primary key,
  hostname      text not null,
  pid           integer not null,
  namespaces    text[] not null,
  concurrency   integer not null,
  started_at    timestamptz not null default now(),
  heartbeat_at  timestamptz not null default now(),
  stopped_at    timestamptz
);
