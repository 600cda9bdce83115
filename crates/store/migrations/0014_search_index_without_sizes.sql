-- Schema version 14: the timeline's search index keeps no per-event token counts.
--
-- FTS5 stores each row's token count (its `docsize` table) for ranking by bm25. Search here
-- orders matches by time, never by rank, so that table cost one more write per event for
-- nothing (about a tenth of a large ingest's time). The index is made again without it.
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(title, content = 'events', content_rowid = 'id',
                                           columnsize = 0);
INSERT INTO events_fts(events_fts) VALUES ('rebuild');
