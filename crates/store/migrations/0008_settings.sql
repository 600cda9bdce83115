-- Schema version: the user's settings (time zone, link window, suspect threshold, rules file,
-- theme ...), one row per key. Values are text; `api` owns their meaning and validation.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
