-- Hindsight store, schema version 1. Never edit once shipped: add a new numbered file.

-- One row per file (or git repository) ingested. The content hash makes re-ingest a no-op.
CREATE TABLE ingest_runs (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    format          TEXT NOT NULL,
    ingested_at     TEXT NOT NULL,
    records_seen    INTEGER NOT NULL,
    records_stored  INTEGER NOT NULL,
    records_rejected INTEGER NOT NULL,
    UNIQUE (content_hash, format)
);

-- Records an ingester could not accept, kept with their location and reason.
CREATE TABLE rejected_records (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE,
    location    TEXT NOT NULL,
    field       TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL
);
CREATE INDEX rejected_records_run ON rejected_records(run_id);

CREATE TABLE services (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE
);

-- Commits, pull requests and change tickets, keyed by (kind, natural_key).
CREATE TABLE changes (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('commit', 'pull_request', 'ticket')),
    natural_key     TEXT NOT NULL,
    repo            TEXT,
    title           TEXT NOT NULL,
    message         TEXT NOT NULL,
    author_name     TEXT,
    author_email    TEXT,
    committer_name  TEXT,
    committer_email TEXT,
    authored_at     TEXT,
    committed_at    TEXT,
    parents         TEXT NOT NULL DEFAULT '[]',
    class           TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (class IN ('ai', 'human', 'automation', 'unknown')),
    ai_tool         TEXT,
    ai_involvement  TEXT,
    confidence      REAL NOT NULL DEFAULT 0,
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs(id),
    UNIQUE (kind, natural_key)
);
CREATE INDEX changes_repo_time ON changes(repo, committed_at);

-- Why a change got its class: one row per observation.
CREATE TABLE attribution_evidence (
    id           INTEGER PRIMARY KEY,
    change_id    INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    signal       TEXT NOT NULL,
    location     TEXT NOT NULL,
    matched_text TEXT NOT NULL,
    tool         TEXT
);
CREATE INDEX attribution_evidence_change ON attribution_evidence(change_id);

-- Deployments and other operations on environments (delete, recreate, scale ...).
CREATE TABLE deployments (
    id              INTEGER PRIMARY KEY,
    natural_key     TEXT NOT NULL UNIQUE,
    service_id      INTEGER NOT NULL REFERENCES services(id),
    environment     TEXT,
    version         TEXT,
    sha             TEXT,
    status          TEXT NOT NULL,
    actor           TEXT,
    actor_type      TEXT,
    action          TEXT NOT NULL,
    at              TEXT NOT NULL,
    attributes      TEXT NOT NULL DEFAULT '{}',
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs(id)
);
CREATE INDEX deployments_service_time ON deployments(service_id, at);

-- Which changes each deployment shipped, and how that was worked out.
CREATE TABLE deployment_changes (
    deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    change_id     INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    method        TEXT NOT NULL,
    PRIMARY KEY (deployment_id, change_id)
);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    source_system   TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    number          INTEGER,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL,
    severity        TEXT,
    service_id      INTEGER REFERENCES services(id),
    started_at      TEXT NOT NULL,
    resolved_at     TEXT,
    url             TEXT,
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs(id),
    UNIQUE (source_system, source_id)
);

CREATE TABLE timeline_events (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    text            TEXT NOT NULL,
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    UNIQUE (incident_id, at, kind, text)
);

-- Suspected triggers of an incident. change_id is NULL for a link to the deployment as a whole.
CREATE TABLE incident_links (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    deployment_id   INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    rank            INTEGER NOT NULL,
    score           REAL NOT NULL,
    status          TEXT NOT NULL DEFAULT 'suspected'
                    CHECK (status IN ('suspected', 'confirmed', 'rejected')),
    method          TEXT NOT NULL,
    evidence        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (incident_id, deployment_id)
);
