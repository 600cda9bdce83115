-- Schema version 19: which ingest runs appended their deployments after every other, and
-- whether the deployments' ids follow time.
--
-- A deployment stored again keeps its id and takes the run's id. `deployments_before` is the
-- last deployment id stored before a run began: the deployments a run inserted have ids after
-- it. `deployments_appended` is 1 when the run stored only deployments, each new, in time
-- order, at or after every deployment stored before it (`Store::appended_deployments`): what
-- the others shipped, their links and their timeline events then stay as they were, unless a
-- later run wrote deployments too: `deployments_written` counts the deployments a run inserted
-- or updated, and those a status it stored changed. Runs stored before this version have
-- none of these, and are never taken as appended.
ALTER TABLE ingest_runs ADD COLUMN deployments_before INTEGER;
ALTER TABLE ingest_runs ADD COLUMN deployments_appended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN deployments_written INTEGER;

-- Whether reading the deployments by id reads them in time order (ties by id): a walk in time
-- order then needs no sort of a million ids. Cleared by a run that writes deployments out of
-- that order; set again by a walk that finds them in it (`Store::for_each_deployment`).
CREATE TABLE deployment_time_order (by_id INTEGER NOT NULL);
INSERT INTO deployment_time_order(by_id)
    SELECT NOT EXISTS (
        SELECT 1 FROM (SELECT at < lag(at) OVER (ORDER BY id) AS back FROM deployments)
        WHERE back
    );
