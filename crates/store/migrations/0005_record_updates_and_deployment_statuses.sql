-- Schema version 5: re-ingest by newest update, incident attributes, deployment statuses that
-- arrive in a file of their own.

-- When the source tool last changed a record: an older copy never overwrites a newer one.
ALTER TABLE changes ADD COLUMN updated_at TEXT;
ALTER TABLE deployments ADD COLUMN updated_at TEXT;
ALTER TABLE incidents ADD COLUMN updated_at TEXT;
-- Facts about an incident without a column of their own (assumed_zone ...), as JSON.
ALTER TABLE incidents ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';

-- Statuses a deploy tool reported for a deployment, keyed by the deployment's natural key so
-- they may be stored before the deployment itself; the latest decides its outcome.
CREATE TABLE deployment_statuses (
    id              INTEGER PRIMARY KEY,
    deployment_key  TEXT NOT NULL,
    state           TEXT NOT NULL,
    status          TEXT NOT NULL,
    at              TEXT NOT NULL,
    environment     TEXT,
    actor           TEXT,
    description     TEXT,
    log_url         TEXT,
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs(id),
    UNIQUE (deployment_key, at, state)
);
CREATE INDEX deployment_statuses_key ON deployment_statuses(deployment_key, at);
