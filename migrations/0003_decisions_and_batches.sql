-- Dynamic DAGs: decision points and batch workers.
--
-- A decision step chooses which of its declared branches run; the others, and every step all of
-- whose dependencies end up skipped, are skipped by the decision's transaction. `skipped_by`
-- names the decision step (null for a step skipped by its condition or by a person), so a later
-- decision knows which skips propagate; `skip_reason` says why, for people.
alter table steps add column skipped_by text;
alter table steps add column skip_reason text;

-- Batch workers: a batch step's row becomes the join of the worker steps its planner's result
-- asked for ({"first": idx, "count": n}); each worker row carries its cursor range
-- ({"of": idx of the batch step, "index": i, "start": …, "end": …}) and the progress its handler
-- last checkpointed, from which a retry resumes.
alter table steps add column batch jsonb;
alter table steps add column checkpoint jsonb;
