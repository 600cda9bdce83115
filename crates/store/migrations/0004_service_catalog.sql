-- Schema version 4: the service catalog (Backstage entities, DevLake projects).
--
-- `services` (version 1) keeps every name a record was stored under; the catalog lives beside
-- it, keyed by entity ref, because one catalog name may belong to two kinds (a System and a
-- Component both called `payments`).

-- One catalog entity: its canonical (normalised) name, title, kind, owning team and system.
CREATE TABLE catalog_services (
    id              INTEGER PRIMARY KEY,
    entity_ref      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    title           TEXT,
    owner           TEXT,
    system          TEXT,
    source_file     TEXT NOT NULL,
    source_location TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES ingest_runs(id)
);
CREATE INDEX catalog_services_name ON catalog_services(name);

-- Every name a tool uses for a catalog entity (normalised), and the field that gave it.
CREATE TABLE service_aliases (
    alias       TEXT NOT NULL,
    service_id  INTEGER NOT NULL REFERENCES catalog_services(id) ON DELETE CASCADE,
    origin      TEXT NOT NULL,
    PRIMARY KEY (alias, service_id, origin)
);
CREATE INDEX service_aliases_service ON service_aliases(service_id);

-- `spec.dependsOn`: the entity refs a catalog entity depends on (its upstreams).
CREATE TABLE service_dependencies (
    service_id      INTEGER NOT NULL REFERENCES catalog_services(id) ON DELETE CASCADE,
    depends_on_ref  TEXT NOT NULL,
    PRIMARY KEY (service_id, depends_on_ref)
);
