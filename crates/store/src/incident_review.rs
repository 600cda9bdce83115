//! Reviewer decisions about incidents: merging and splitting groups, and the cause.
//! Append-only, keyed by (source_system, source_id); undo revokes the newest decision.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

/// One merge or split decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReviewRow {
    pub id: i64,
    /// `merge` or `split`.
    pub action: String,
    pub a: (String, String),
    /// The second incident of a merge.
    pub b: Option<(String, String)>,
    pub reason: String,
    pub reviewer: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// One decision on an incident's cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseReviewRow {
    pub id: i64,
    pub incident: (String, String),
    /// `not_change_caused` or `change_caused`.
    pub decision: String,
    /// provider, hardware, capacity or other, for `not_change_caused`.
    pub category: Option<String>,
    pub reason: String,
    pub reviewer: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

impl Store {
    /// The natural key (source_system, source_id) of an incident.
    pub fn incident_identity(&self, incident_id: i64) -> Result<(String, String)> {
        let conn = self.connection()?;
        conn.query_row(
            "SELECT source_system, source_id FROM incidents WHERE id = ?1",
            [incident_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("incident {incident_id}")))
    }

    /// Records a merge (`b` given) or split decision; returns its id.
    pub fn add_group_review(
        &self,
        action: &str,
        a: &(String, String),
        b: Option<&(String, String)>,
        reason: &str,
        reviewer: &str,
        at: &str,
    ) -> Result<i64> {
        let conn = self.connection()?;
        conn.execute(
            "INSERT INTO incident_group_reviews(action, a_source_system, a_source_id,
                 b_source_system, b_source_id, reason, reviewer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                action,
                a.0,
                a.1,
                b.map(|b| b.0.as_str()),
                b.map(|b| b.1.as_str()),
                reason,
                reviewer,
                at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Revokes the newest decision in force that names the incident; `None` when there is none.
    pub fn revoke_group_review(
        &self,
        incident: &(String, String),
        by: &str,
        at: &str,
    ) -> Result<Option<i64>> {
        let conn = self.connection()?;
        let id: Option<i64> = conn
            .query_row(
                "SELECT id FROM incident_group_reviews WHERE revoked_at IS NULL
                   AND ((a_source_system = ?1 AND a_source_id = ?2)
                     OR (b_source_system = ?1 AND b_source_id = ?2))
                 ORDER BY id DESC LIMIT 1",
                params![incident.0, incident.1],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            conn.execute(
                "UPDATE incident_group_reviews SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3",
                params![at, by, id],
            )?;
        }
        Ok(id)
    }

    /// Every merge and split decision, oldest first, revoked ones included (the audit trail).
    pub fn group_reviews(&self) -> Result<Vec<GroupReviewRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, action, a_source_system, a_source_id, b_source_system, b_source_id,
                    reason, reviewer, created_at, revoked_at, revoked_by
             FROM incident_group_reviews ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |row| {
                let b_system: Option<String> = row.get(4)?;
                let b_id: Option<String> = row.get(5)?;
                Ok(GroupReviewRow {
                    id: row.get(0)?,
                    action: row.get(1)?,
                    a: (row.get(2)?, row.get(3)?),
                    b: b_system.zip(b_id),
                    reason: row.get(6)?,
                    reviewer: row.get(7)?,
                    created_at: row.get(8)?,
                    revoked_at: row.get(9)?,
                    revoked_by: row.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records a decision on an incident's cause; returns its id.
    pub fn add_cause_review(
        &self,
        incident: &(String, String),
        decision: &str,
        category: Option<&str>,
        reason: &str,
        reviewer: &str,
        at: &str,
    ) -> Result<i64> {
        let conn = self.connection()?;
        conn.execute(
            "INSERT INTO incident_cause_reviews(incident_source_system, incident_source_id,
                 decision, category, reason, reviewer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![incident.0, incident.1, decision, category, reason, reviewer, at],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Revokes the cause decision in force for an incident; `false` when there was none.
    pub fn revoke_cause_review(
        &self,
        incident: &(String, String),
        by: &str,
        at: &str,
    ) -> Result<bool> {
        let conn = self.connection()?;
        let n = conn.execute(
            "UPDATE incident_cause_reviews SET revoked_at = ?1, revoked_by = ?2
             WHERE id = (SELECT id FROM incident_cause_reviews
                         WHERE incident_source_system = ?3 AND incident_source_id = ?4
                           AND revoked_at IS NULL ORDER BY id DESC LIMIT 1)",
            params![at, by, incident.0, incident.1],
        )?;
        Ok(n > 0)
    }

    /// Every cause decision, oldest first, revoked ones included.
    pub fn cause_reviews(&self) -> Result<Vec<CauseReviewRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, incident_source_system, incident_source_id, decision, category, reason,
                    reviewer, created_at, revoked_at, revoked_by
             FROM incident_cause_reviews ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |row| {
                Ok(CauseReviewRow {
                    id: row.get(0)?,
                    incident: (row.get(1)?, row.get(2)?),
                    decision: row.get(3)?,
                    category: row.get(4)?,
                    reason: row.get(5)?,
                    reviewer: row.get(6)?,
                    created_at: row.get(7)?,
                    revoked_at: row.get(8)?,
                    revoked_by: row.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    fn key(id: &str) -> (String, String) {
        ("pagerduty".to_owned(), id.to_owned())
    }

    #[test]
    fn group_and_cause_decisions_are_kept_and_undone_newest_first() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        let merge = store
            .add_group_review(
                "merge",
                &key("P1"),
                Some(&key("P2")),
                "same outage",
                "ana",
                "t1",
            )
            .expect("merge");
        let split = store
            .add_group_review("split", &key("P2"), None, "two causes", "bo", "t2")
            .expect("split");
        assert_eq!(
            store
                .revoke_group_review(&key("P2"), "ana", "t3")
                .expect("undo"),
            Some(split)
        );
        let rows = store.group_reviews().expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, merge);
        assert_eq!(rows[0].b, Some(key("P2")));
        assert_eq!(rows[0].revoked_at, None);
        assert_eq!(rows[1].revoked_by.as_deref(), Some("ana"));
        assert_eq!(
            store
                .revoke_group_review(&key("P9"), "ana", "t4")
                .expect("none"),
            None
        );

        store
            .add_cause_review(
                &key("P1"),
                "not_change_caused",
                Some("provider"),
                "AWS",
                "ana",
                "t1",
            )
            .expect("cause");
        store
            .add_cause_review(&key("P1"), "change_caused", None, "bad config", "bo", "t2")
            .expect("cause");
        assert!(store
            .revoke_cause_review(&key("P1"), "ana", "t3")
            .expect("undo"));
        let rows = store.cause_reviews().expect("rows");
        assert_eq!(rows[0].revoked_at, None);
        assert_eq!(rows[1].revoked_at.as_deref(), Some("t3"));
        assert!(!store
            .revoke_cause_review(&key("P7"), "ana", "t4")
            .expect("none"));
    }
}
