-- Ids follow time (migration 10), so reads by time search the ids (`time_seek.rs`): the index
-- on `events(at)` only cost writes: about a second of the four-second timeline refresh after
-- a million-line deploy log.
DROP INDEX IF EXISTS events_at;
