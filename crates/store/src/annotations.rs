//! Incident annotations: an append-only log of key moments, stars and notes, keyed by the
//! incident's natural key and the event's identity so that it outlives re-ingest.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

/// One edit of an incident's annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationRow {
    pub id: i64,
    pub event_key: Option<String>,
    /// `star`, `moment` or `note`.
    pub kind: String,
    pub value: String,
    pub author: String,
    pub created_at: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

/// A new edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnotation<'a> {
    pub event_key: Option<&'a str>,
    pub kind: &'a str,
    pub value: &'a str,
    pub author: &'a str,
    pub at: &'a str,
}

impl Store {
    fn incident_key(&self, incident_id: i64) -> Result<(String, String)> {
        let conn = self.connection()?;
        conn.query_row(
            "SELECT source_system, source_id FROM incidents WHERE id = ?1",
            [incident_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("incident {incident_id}")))
    }

    /// Appends an edit to an incident's annotations; returns its id.
    pub fn add_annotation(&self, incident_id: i64, edit: &NewAnnotation<'_>) -> Result<i64> {
        let (system, source_id) = self.incident_key(incident_id)?;
        let conn = self.connection()?;
        conn.execute(
            "INSERT INTO incident_annotations(incident_source_system, incident_source_id,
                                              event_key, kind, value, author, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                system,
                source_id,
                edit.event_key,
                edit.kind,
                edit.value,
                edit.author,
                edit.at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Marks one edit of an incident undone; `false` when it was already undone.
    pub fn undo_annotation(
        &self,
        incident_id: i64,
        edit_id: i64,
        by: &str,
        at: &str,
    ) -> Result<bool> {
        let (system, source_id) = self.incident_key(incident_id)?;
        let conn = self.connection()?;
        let undone: Option<Option<String>> = conn
            .query_row(
                "SELECT undone_at FROM incident_annotations
                 WHERE id = ?1 AND incident_source_system = ?2 AND incident_source_id = ?3",
                params![edit_id, system, source_id],
                |row| row.get(0),
            )
            .optional()?;
        match undone {
            None => Err(StoreError::NotFound(format!(
                "annotation {edit_id} of incident {incident_id}"
            ))),
            Some(Some(_)) => Ok(false),
            Some(None) => {
                conn.execute(
                    "UPDATE incident_annotations SET undone_at = ?1, undone_by = ?2
                     WHERE id = ?3 AND undone_at IS NULL",
                    params![at, by, edit_id],
                )?;
                Ok(true)
            }
        }
    }

    /// Every edit of an incident's annotations, oldest first, undone ones included.
    pub fn annotations_of(&self, incident_id: i64) -> Result<Vec<AnnotationRow>> {
        let (system, source_id) = self.incident_key(incident_id)?;
        let conn = self.connection()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, event_key, kind, value, author, created_at, undone_at, undone_by
             FROM incident_annotations
             WHERE incident_source_system = ?1 AND incident_source_id = ?2 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![system, source_id], |row| {
                Ok(AnnotationRow {
                    id: row.get(0)?,
                    event_key: row.get(1)?,
                    kind: row.get(2)?,
                    value: row.get(3)?,
                    author: row.get(4)?,
                    created_at: row.get(5)?,
                    undone_at: row.get(6)?,
                    undone_by: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The incidents with at least one annotation (undone ones included), in one read.
    pub fn annotated_incidents(&self) -> Result<HashSet<i64>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT DISTINCT i.id FROM incidents i
             JOIN incident_annotations a
               ON a.incident_source_system = i.source_system
              AND a.incident_source_id = i.source_id",
        )?;
        let ids = stmt
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<HashSet<i64>>>()?;
        Ok(ids)
    }

    /// The deployments of a service between two instants (inclusive), oldest first.
    pub fn deployment_ids_of_service_between(
        &self,
        service: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<i64>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare_cached(
            "SELECT d.id FROM deployments d JOIN services s ON s.id = d.service_id
             WHERE s.name = ?1 AND d.at >= ?2 AND d.at <= ?3 ORDER BY d.at, d.id",
        )?;
        let rows = stmt
            .query_map(params![service, from, to], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_incident() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        let id = {
            let conn = store.connection().expect("conn");
            conn.execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('x', 'h', 'pagerduty', '2024-01-01T00:00:00.000Z', 1, 1, 0);
                 INSERT INTO incidents(source_system, source_id, title, status, started_at,
                                       source_file, source_location, run_id)
                 VALUES ('pagerduty', 'PD1', 'Checkout down', 'resolved',
                         '2024-01-01T10:00:00.000Z', 'x', '/0', 1);",
            )
            .expect("seed");
            conn.last_insert_rowid()
        };
        (dir, store, id)
    }

    #[test]
    fn edits_are_appended_and_undo_only_marks_them() {
        let (_dir, store, incident) = store_with_incident();
        let star = store
            .add_annotation(
                incident,
                &NewAnnotation {
                    event_key: Some("deployment:d-1"),
                    kind: "star",
                    value: "on",
                    author: "ana",
                    at: "2024-01-02T09:00:00.000Z",
                },
            )
            .expect("star");
        assert!(store
            .undo_annotation(incident, star, "bo", "2024-01-02T09:05:00.000Z")
            .expect("undo"));
        assert!(!store
            .undo_annotation(incident, star, "bo", "2024-01-02T09:06:00.000Z")
            .expect("undo twice"));
        let rows = store.annotations_of(incident).expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].author, "ana");
        assert_eq!(rows[0].undone_by.as_deref(), Some("bo"));
        assert_eq!(
            rows[0].undone_at.as_deref(),
            Some("2024-01-02T09:05:00.000Z")
        );
    }

    #[test]
    fn annotations_follow_the_incident_natural_key_across_reingest() {
        let (_dir, store, incident) = store_with_incident();
        assert!(store.annotated_incidents().expect("annotated").is_empty());
        store
            .add_annotation(
                incident,
                &NewAnnotation {
                    event_key: None,
                    kind: "note",
                    value: "pager fired late",
                    author: "ana",
                    at: "2024-01-02T09:00:00.000Z",
                },
            )
            .expect("note");
        assert_eq!(
            store.annotated_incidents().expect("annotated"),
            HashSet::from([incident])
        );
        // The incident row is deleted and ingested again with a new id.
        let conn = store.connection().expect("conn");
        conn.execute_batch(
            "DELETE FROM incidents;
             INSERT INTO incidents(id, source_system, source_id, title, status, started_at,
                                   source_file, source_location, run_id)
             VALUES (42, 'pagerduty', 'PD1', 'Checkout down', 'resolved',
                     '2024-01-01T10:00:00.000Z', 'x', '/0', 1);",
        )
        .expect("reingest");
        drop(conn);
        assert_eq!(
            store.annotated_incidents().expect("annotated"),
            HashSet::from([42])
        );
        let rows = store.annotations_of(42).expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].value, "pager fired late");
        assert!(matches!(
            store.undo_annotation(42, 999, "bo", "2024-01-02T09:00:00.000Z"),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.annotations_of(7),
            Err(StoreError::NotFound(_))
        ));
    }
}
