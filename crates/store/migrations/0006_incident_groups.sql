-- Reviewer decisions about incidents, append-only and keyed by the incidents' natural keys
-- (source_system, source_id) so they outlive re-ingest and every rebuild.

-- Merging two incidents into one, or splitting one out of its group. Applied in id order;
-- an undone decision keeps its row with revoked_at/revoked_by set.
CREATE TABLE incident_group_reviews (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL CHECK (action IN ('merge', 'split')),
    a_source_system TEXT NOT NULL,
    a_source_id     TEXT NOT NULL,
    b_source_system TEXT,
    b_source_id     TEXT,
    reason          TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_by      TEXT
);

-- A reviewer's word on what caused an incident; the newest row not revoked is in force and
-- beats the text classifier.
CREATE TABLE incident_cause_reviews (
    id                     INTEGER PRIMARY KEY,
    incident_source_system TEXT NOT NULL,
    incident_source_id     TEXT NOT NULL,
    decision               TEXT NOT NULL
                           CHECK (decision IN ('not_change_caused', 'change_caused')),
    category               TEXT,
    reason                 TEXT NOT NULL,
    reviewer               TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    revoked_at             TEXT,
    revoked_by             TEXT
);
CREATE INDEX incident_cause_reviews_key
    ON incident_cause_reviews(incident_source_system, incident_source_id);
