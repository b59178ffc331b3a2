-- Every index on a hot table is written on each insert; these are the ones no reader needs.
--
-- Nothing reads the queue archive by task: its rows are kept for operators, keyed by message id.
drop index queue_archive_by_task;
-- Events are read by transaction range (the relay and the subscribers: ordered by tx, then id)
-- and by task. With (tx, id) as the primary key one B-tree serves both the key and the range
-- reads, instead of an id key plus a (tx, id) index written for every event.
alter table events drop constraint events_pkey;
alter table events add constraint events_pkey primary key (tx, id);
drop index events_by_tx;
-- The claim's queue list. unnest() of a parameter is estimated at 10 rows, so the cached generic
-- plan of the claim looked ten times dearer than a plan made for each call, and Postgres planned
-- every claim afresh (≈ 0.35 ms each). A set-returning function estimated at one row (strict, so
-- it is not inlined) keeps the generic plan as cheap as the custom one, and it is reused.
create function queue_names(names text[]) returns setof text
  language sql stable strict rows 1
  as 'select unnest(names)';
