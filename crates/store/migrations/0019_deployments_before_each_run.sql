-- Schema version 19: the last deployment id stored before each ingest run began.
--
-- A deployment stored again keeps its id and takes the run's id. With this, the deployments
-- a run inserted (ids after it) are told from those it updated (ids up to it), which
-- `Store::appended_deployments` needs: only new deployments after every other leave what the
-- others shipped, their links and their timeline events as they were. Runs stored before this
-- version have none, and are never taken as appended.
ALTER TABLE ingest_runs ADD COLUMN deployments_before INTEGER;
