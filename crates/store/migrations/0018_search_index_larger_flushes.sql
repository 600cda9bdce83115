-- Schema version 18: the timeline's search index holds more of a large write in memory.
--
-- FTS5 keeps the terms of rows written in a transaction in memory and writes them out as a
-- new segment whenever they pass `hashsize` (1 MB by default); segments are then merged
-- again and again as more arrive. A million-line deploy log's titles made hundreds of small
-- segments, and much of the index's build went into merging them. With 16 MB the same build
-- writes a few large segments: 0.66–1.06 s instead of 1.15–1.79 s (sqlite3 CLI, a million
-- deployment titles, five alternating runs each), for about 8 MB more memory while it runs.
-- The setting is kept in the index's own `events_fts_config` table, for every connection.
INSERT INTO events_fts(events_fts, rank) VALUES ('hashsize', 16777216);
