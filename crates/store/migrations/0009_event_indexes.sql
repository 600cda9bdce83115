-- Schema version 9: an index for the timeline explorer's most common filter pair.

-- Source and environment together (e.g. deployments in production) followed by the explorer's
-- `ORDER BY at, id` (the rowid ends every index): a page and its capped count read only the
-- index entries they need. Single-column filters have their (column, at) indexes since
-- versions 3 and 7.
CREATE INDEX events_source_environment_at ON events(source, environment, at);
