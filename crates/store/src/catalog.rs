//! The service catalog: entities keyed by entity ref, their aliases and dependencies.

use std::collections::BTreeMap;

use hindsight_model::CatalogEntity;
use rusqlite::params;

use crate::{IngestTransaction, Result, Store};

/// A stored catalog entity with its aliases (`(alias, origin)`, sorted) and dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    pub id: i64,
    pub entity_ref: String,
    pub kind: String,
    /// The canonical service name.
    pub name: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub aliases: Vec<(String, String)>,
    /// Entity refs this entity depends on, sorted.
    pub depends_on: Vec<String>,
    pub source_file: String,
    pub source_location: String,
}

impl IngestTransaction<'_> {
    /// Stores a catalog entity, replacing an earlier copy with the same entity ref (its
    /// aliases and dependencies included).
    pub fn add_catalog_entity(&mut self, entity: &CatalogEntity) -> Result<()> {
        self.seen += 1;
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO catalog_services(entity_ref, kind, name, title, owner, system,
                                              source_file, source_location, run_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(entity_ref) DO UPDATE SET
                     kind = excluded.kind, name = excluded.name, title = excluded.title,
                     owner = excluded.owner, system = excluded.system,
                     source_file = excluded.source_file,
                     source_location = excluded.source_location, run_id = excluded.run_id
                 RETURNING id",
            )?
            .query_row(
                params![
                    entity.entity_ref,
                    entity.kind,
                    entity.name,
                    entity.title,
                    entity.owner,
                    entity.system,
                    entity.source.file,
                    entity.source.location,
                    self.run_id,
                ],
                |row| row.get(0),
            )?;
        self.conn
            .prepare_cached("DELETE FROM service_aliases WHERE service_id = ?1")?
            .execute([id])?;
        self.conn
            .prepare_cached("DELETE FROM service_dependencies WHERE service_id = ?1")?
            .execute([id])?;
        for alias in &entity.aliases {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO service_aliases(alias, service_id, origin)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![alias.alias, id, alias.origin])?;
        }
        for upstream in &entity.depends_on {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO service_dependencies(service_id, depends_on_ref)
                     VALUES (?1, ?2)",
                )?
                .execute(params![id, upstream])?;
        }
        self.stored += 1;
        Ok(())
    }
}

impl Store {
    /// Every catalog entity, by entity ref.
    pub fn catalog(&self) -> Result<Vec<CatalogRow>> {
        let conn = self.connection()?;
        let mut aliases: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
        let mut statement = conn.prepare(
            "SELECT service_id, alias, origin FROM service_aliases ORDER BY alias, origin",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (id, alias, origin): (i64, String, String) = row?;
            aliases.entry(id).or_default().push((alias, origin));
        }
        let mut depends: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        let mut statement = conn.prepare(
            "SELECT service_id, depends_on_ref FROM service_dependencies ORDER BY depends_on_ref",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (id, upstream): (i64, String) = row?;
            depends.entry(id).or_default().push(upstream);
        }
        let mut statement = conn.prepare(
            "SELECT id, entity_ref, kind, name, title, owner, system, source_file,
                    source_location
             FROM catalog_services ORDER BY entity_ref",
        )?;
        let rows = statement.query_map([], |r| {
            let id: i64 = r.get(0)?;
            Ok(CatalogRow {
                id,
                entity_ref: r.get(1)?,
                kind: r.get(2)?,
                name: r.get(3)?,
                title: r.get(4)?,
                owner: r.get(5)?,
                system: r.get(6)?,
                aliases: Vec::new(),
                depends_on: Vec::new(),
                source_file: r.get(7)?,
                source_location: r.get(8)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let mut row = row?;
            row.aliases = aliases.remove(&row.id).unwrap_or_default();
            row.depends_on = depends.remove(&row.id).unwrap_or_default();
            out.push(row);
        }
        Ok(out)
    }

    /// The owning team of every catalog service that names one: canonical service name ->
    /// owner. When two entities share a name, a Component's owner wins, then the first by
    /// entity ref.
    pub fn service_owners(&self) -> Result<BTreeMap<String, String>> {
        let mut owners: BTreeMap<String, (bool, String)> = BTreeMap::new();
        for row in self.catalog()? {
            let Some(owner) = row.owner else { continue };
            let component = row.kind == "component";
            match owners.get(&row.name) {
                Some((true, _)) => {}
                Some((false, _)) if !component => {}
                _ => {
                    owners.insert(row.name, (component, owner));
                }
            }
        }
        Ok(owners
            .into_iter()
            .map(|(name, (_, owner))| (name, owner))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use hindsight_model::{ServiceAlias, SourceRef};

    use crate::{RunMeta, Store};

    use super::*;

    fn entity(
        entity_ref: &str,
        name: &str,
        owner: Option<&str>,
        aliases: &[&str],
    ) -> CatalogEntity {
        CatalogEntity {
            entity_ref: entity_ref.to_owned(),
            kind: entity_ref
                .split(':')
                .next()
                .unwrap_or("component")
                .to_owned(),
            name: name.to_owned(),
            title: Some(format!("{name} title")),
            owner: owner.map(str::to_owned),
            system: Some("commerce".to_owned()),
            depends_on: vec!["resource:default/orders-db".to_owned()],
            aliases: aliases
                .iter()
                .map(|a| ServiceAlias {
                    alias: (*a).to_owned(),
                    origin: "argocd/app-name".to_owned(),
                })
                .collect(),
            source: SourceRef::pointer("catalog-info.yaml", "/1"),
        }
    }

    fn store_entities(store: &Store, hash: &str, entities: &[CatalogEntity]) {
        let meta = RunMeta {
            path: "catalog-info.yaml".to_owned(),
            content_hash: hash.to_owned(),
            format: "backstage".to_owned(),
            ingested_at: "2026-11-20T00:00:00.000Z".to_owned(),
        };
        let mut tx = store.begin_ingest(&meta).expect("begin");
        for e in entities {
            tx.add_catalog_entity(e).expect("add");
        }
        tx.commit().expect("commit");
    }

    #[test]
    fn catalog_round_trip_and_reingest_upserts_by_entity_ref() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        store_entities(
            &store,
            "a",
            &[
                entity(
                    "component:default/payments",
                    "payments",
                    Some("team-a"),
                    &["payments-prod", "pq1"],
                ),
                entity("system:default/payments", "payments", Some("team-sys"), &[]),
                entity("resource:default/orders-db", "orders-db", None, &[]),
            ],
        );
        let rows = store.catalog().expect("catalog");
        assert_eq!(rows.len(), 3);
        let payments = &rows[0];
        assert_eq!(payments.entity_ref, "component:default/payments");
        assert_eq!(payments.title.as_deref(), Some("payments title"));
        assert_eq!(payments.system.as_deref(), Some("commerce"));
        assert_eq!(
            payments.aliases,
            vec![
                ("payments-prod".to_owned(), "argocd/app-name".to_owned()),
                ("pq1".to_owned(), "argocd/app-name".to_owned())
            ]
        );
        assert_eq!(payments.depends_on, vec!["resource:default/orders-db"]);
        assert_eq!(
            store.service_owners().expect("owners"),
            BTreeMap::from([("payments".to_owned(), "team-a".to_owned())])
        );

        // A changed catalog replaces the entity, its aliases and its dependencies.
        let mut changed = entity(
            "component:default/payments",
            "payments",
            Some("team-b"),
            &["payments-eu"],
        );
        changed.depends_on.clear();
        store_entities(&store, "b", &[changed]);
        let rows = store.catalog().expect("catalog");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].owner.as_deref(), Some("team-b"));
        assert_eq!(
            rows[0].aliases,
            vec![("payments-eu".to_owned(), "argocd/app-name".to_owned())]
        );
        assert!(rows[0].depends_on.is_empty());
    }
}
