-- Schema version 3: one merged, searchable timeline of every source's events.

-- Derived from incidents' timelines, deployments and changes; rebuilt after every ingest.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('incident', 'deployment', 'change')),
    kind        TEXT NOT NULL,
    service     TEXT,
    environment TEXT,
    actor       TEXT,
    class       TEXT,
    tool        TEXT,
    severity    TEXT,
    title       TEXT NOT NULL,
    ref_id      INTEGER NOT NULL
);
CREATE INDEX events_at ON events(at);
CREATE INDEX events_source_at ON events(source, at);
CREATE INDEX events_service_at ON events(service, at);

-- Full-text search over the events' text, kept as an external-content FTS5 index.
CREATE VIRTUAL TABLE events_fts USING fts5(title, content = 'events', content_rowid = 'id');
