-- Schema version 17: which ingest runs' derived data is not written yet.
--
-- A file's records commit in one transaction; what follows from them (what deployments
-- shipped, the suspect links, the timeline) is written after it, in transactions of its own.
-- A process killed in between left that file's records without their timeline events, and
-- the same file ingested again is a no-op: nothing ever wrote them. A run is now stored
-- with `updated = 0` in its file's transaction and set to 1 once the update after it is
-- written; opening the store finishes the update of any run still at 0. Runs already stored
-- were updated.
ALTER TABLE ingest_runs ADD COLUMN updated INTEGER NOT NULL DEFAULT 1;
