-- Schema version 11: records a file holds but that describe nothing to store.
--
-- A DevLake pipeline that never ran has a row in cicd_deployment_commits with neither a
-- start nor a finish date: no deployment happened and DevLake's own metrics leave it out.
-- Such records are kept with their location and reason, like rejections, but marked
-- `skipped` and counted apart: they are not errors in the file.
ALTER TABLE rejected_records ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN records_skipped INTEGER NOT NULL DEFAULT 0;
