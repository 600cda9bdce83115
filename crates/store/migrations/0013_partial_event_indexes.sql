-- Schema version 13: the timeline's per-column filter indexes leave out events without a value.
--
-- A deployment has no class, AI tool or severity; a change no environment or severity; an
-- incident update no environment, actor, class, tool or approval. A filter asks for values
-- (`column IN (...)`), never for "none", so those entries were never read, yet every event
-- written paid for them: a million deploy lines wrote three index entries each for nothing.
-- Facets seek the distinct values with `column IS NOT NULL`, which these indexes answer.
DROP INDEX events_environment_at;
CREATE INDEX events_environment_at ON events(environment, at) WHERE environment IS NOT NULL;
DROP INDEX events_class_at;
CREATE INDEX events_class_at ON events(class, at) WHERE class IS NOT NULL;
DROP INDEX events_tool_at;
CREATE INDEX events_tool_at ON events(tool, at) WHERE tool IS NOT NULL;
DROP INDEX events_severity_at;
CREATE INDEX events_severity_at ON events(severity, at) WHERE severity IS NOT NULL;
DROP INDEX events_actor_at;
CREATE INDEX events_actor_at ON events(actor, at) WHERE actor IS NOT NULL;
DROP INDEX events_approval_at;
CREATE INDEX events_approval_at ON events(approval, at) WHERE approval IS NOT NULL;
