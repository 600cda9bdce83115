-- Incident annotations: key moments, stars and notes a reviewer puts on an incident's timeline.
-- Append-only edit log: an edit is never changed except to mark it undone (with who and when).
-- Keyed by the incident tool's id and the event's identity (e.g. `deployment:<natural key>`),
-- never by row ids, so annotations outlive re-ingest and every rebuild of derived tables.
CREATE TABLE incident_annotations (
    id                     INTEGER PRIMARY KEY,
    incident_source_system TEXT NOT NULL,
    incident_source_id     TEXT NOT NULL,
    -- The annotated event's identity; NULL for a note on the incident as a whole.
    event_key              TEXT,
    -- star: value 'on' or 'off'; moment: 'detection', 'diagnosis', 'repair' or '' (cleared);
    -- note: the note's text.
    kind                   TEXT NOT NULL CHECK (kind IN ('star', 'moment', 'note')),
    value                  TEXT NOT NULL,
    author                 TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    undone_at              TEXT,
    undone_by              TEXT
);
CREATE INDEX incident_annotations_key
    ON incident_annotations(incident_source_system, incident_source_id);

-- Also in this version: indexes for the timeline explorer's equality filters, which otherwise
-- count their matches by scanning every event (hundreds of ms at a million events; measured
-- by `tests/benches/events.rs`). Service, source and time already have theirs (version 3).
CREATE INDEX events_environment_at ON events(environment, at);
CREATE INDEX events_class_at ON events(class, at);
CREATE INDEX events_tool_at ON events(tool, at);
CREATE INDEX events_severity_at ON events(severity, at);
CREATE INDEX events_actor_at ON events(actor, at);
