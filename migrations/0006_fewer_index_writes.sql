-- Fewer index entries per step on the hot path. Each one is a B-tree insert and a WAL record on
-- every insert and every non-HOT update of its row; a single-step task wrote about 36 of them.
--
-- A step's name is unique within its task by construction: templates with duplicate step names
-- are refused at load, and batch workers are named <step>__<n> from the template's own names.
-- The (task_id, idx) key stays, and lookups by name go through it (a task's steps are adjacent).
alter table steps drop constraint steps_task_name;
-- A claim only moves a message's visibility and read count, none of them indexed: with room on
-- its page the update is HOT and writes no index entry (rows come and go, so the room is reused).
alter table queue_messages set (fillfactor = 50);
-- event_id is a random uuid made by gen_random_uuid() and never looked up.
alter table events drop constraint events_event_id_key;
-- A step's audit is read with its task id, which step_transitions_by_task covers.
drop index step_transitions_by_step;
-- Most tasks have no tags; only tagged tasks need a GIN entry (the list filter says tags <> '{}').
drop index tasks_by_tag;
create index tasks_by_tag on tasks using gin (tags) where tags <> '{}';
