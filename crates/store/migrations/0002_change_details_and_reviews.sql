-- Schema version 2: what attribution and linking need beyond version 1, and reviewer decisions.

-- Everything a change record carries, so that rule changes re-classify without re-ingesting.
ALTER TABLE changes ADD COLUMN additions INTEGER;
ALTER TABLE changes ADD COLUMN deletions INTEGER;
ALTER TABLE changes ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE changes ADD COLUMN reviews TEXT NOT NULL DEFAULT '[]';
ALTER TABLE changes ADD COLUMN related TEXT NOT NULL DEFAULT '[]';
ALTER TABLE changes ADD COLUMN notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE changes ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE changes ADD COLUMN ai_model TEXT;
ALTER TABLE changes ADD COLUMN ai_line_share REAL;

-- A reviewer's correction of a change's class. Append-only: the newest row of a change that
-- is not revoked is in force. Keyed by natural key, so it survives re-ingest and rule changes.
CREATE TABLE attribution_overrides (
    id          INTEGER PRIMARY KEY,
    change_kind TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    class       TEXT NOT NULL CHECK (class IN ('ai', 'human', 'automation', 'unknown')),
    tool        TEXT,
    reason      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);
CREATE INDEX attribution_overrides_key ON attribution_overrides(change_kind, natural_key);

-- A reviewer's decision on a suspect link, append-only like overrides. Keyed by the incident's
-- tool id and the deployment's natural key, so decisions survive re-ingest and re-linking.
CREATE TABLE link_reviews (
    id                     INTEGER PRIMARY KEY,
    incident_source_system TEXT NOT NULL,
    incident_source_id     TEXT NOT NULL,
    deployment_key         TEXT NOT NULL,
    decision               TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected', 'suspected')),
    reason                 TEXT NOT NULL,
    reviewer               TEXT NOT NULL,
    created_at             TEXT NOT NULL
);
CREATE INDEX link_reviews_key ON link_reviews(incident_source_system, incident_source_id, deployment_key);
