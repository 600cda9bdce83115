-- Schema version 10: the merged timeline's ids follow time.
--
-- From this version on, `events.id` increases with `at` (ties in insertion order):
-- `rebuild_events` inserts in time order, and full-text search walks the FTS5 index in
-- rowid order, so it can stop after the first page's matches and turn a time window into a
-- rowid range. Events stored by an earlier version are renumbered here once.
CREATE TEMP TABLE events_in_order AS
    SELECT at, source, kind, service, environment, actor, class, tool, severity, title, ref_id
    FROM events ORDER BY at, id;
DELETE FROM events;
INSERT INTO events(at, source, kind, service, environment, actor, class, tool, severity, title,
                   ref_id)
    SELECT at, source, kind, service, environment, actor, class, tool, severity, title, ref_id
    FROM events_in_order ORDER BY rowid;
DROP TABLE events_in_order;
INSERT INTO events_fts(events_fts) VALUES ('rebuild');
