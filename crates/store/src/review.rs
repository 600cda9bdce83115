//! Reviewer decisions (attribution overrides, link reviews) and re-classification.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use hindsight_model::{Attribution, Change, ChangeKind, Person, Review, SourceRef};

use crate::write::write_attribution;
use crate::{parse_time, Result, Store, StoreError};

/// One row of a change's override history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRow {
    pub id: i64,
    pub class: String,
    pub tool: Option<String>,
    pub reason: String,
    pub author: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// A change's id, reviews and attributes: what approval findings read of it.
pub type ChangeReviews = (i64, Vec<Review>, BTreeMap<String, String>);

/// One reviewer decision on a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReviewRow {
    pub decision: String,
    pub reason: String,
    pub reviewer: String,
    pub created_at: String,
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// Every change as the ingester produced it, with its id: the input of re-classification.
    pub fn load_changes(&self) -> Result<Vec<(i64, Change)>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, kind, natural_key, repo, title, message, author_name, author_email,
                    committer_name, committer_email, authored_at, committed_at, parents,
                    additions, deletions, labels, reviews, related, notes, attributes,
                    source_file, source_location
             FROM changes ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let kind: String = row.get(1)?;
            let kind = ChangeKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("change kind {kind:?}")))?;
            let person = |name: Option<String>, email: Option<String>| match (name, email) {
                (None, None) => None,
                (name, email) => Some(Person {
                    name: name.unwrap_or_default(),
                    email: email.unwrap_or_default(),
                }),
            };
            let time = |text: Option<String>| text.as_deref().map(parse_time).transpose();
            let mut change = Change::new(
                kind,
                row.get::<_, String>(2)?,
                SourceRef {
                    file: row.get(20)?,
                    location: row.get(21)?,
                },
            );
            change.repo = row.get(3)?;
            change.title = row.get(4)?;
            change.message = row.get(5)?;
            change.author = person(row.get(6)?, row.get(7)?);
            change.committer = person(row.get(8)?, row.get(9)?);
            change.authored_at = time(row.get(10)?)?;
            change.committed_at = time(row.get(11)?)?;
            change.parents = json(&row.get::<_, String>(12)?, "parents")?;
            change.additions = row.get(13)?;
            change.deletions = row.get(14)?;
            change.labels = json(&row.get::<_, String>(15)?, "labels")?;
            change.reviews = json::<Vec<Review>>(&row.get::<_, String>(16)?, "reviews")?;
            change.related = json(&row.get::<_, String>(17)?, "related")?;
            change.notes = json::<BTreeMap<String, String>>(&row.get::<_, String>(18)?, "notes")?;
            change.attributes = json(&row.get::<_, String>(19)?, "attributes")?;
            out.push((row.get(0)?, change));
        }
        Ok(out)
    }

    /// Every change's reviews and attributes by id, without the rest of the record (message,
    /// parents, labels, notes) that [`Store::load_changes`] decodes.
    pub fn change_reviews(&self) -> Result<Vec<ChangeReviews>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare("SELECT id, reviews, attributes FROM changes ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push((
                row.get(0)?,
                json::<Vec<Review>>(&row.get::<_, String>(1)?, "reviews")?,
                json(&row.get::<_, String>(2)?, "attributes")?,
            ));
        }
        Ok(out)
    }

    /// Replaces the attribution of many changes in one transaction; overrides in force win.
    pub fn update_attributions(&self, attributions: &[(i64, Attribution)]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        for (change_id, attribution) in attributions {
            write_attribution(&tx, *change_id, attribution)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The kind and natural key of a change.
    pub fn change_identity(&self, change_id: i64) -> Result<(String, String)> {
        let conn = self.connection()?;
        conn.query_row(
            "SELECT kind, natural_key FROM changes WHERE id = ?1",
            [change_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("change {change_id}")))
    }

    /// Records an override of a change's class; it applies from the next classification on.
    pub fn add_override(
        &self,
        change_id: i64,
        class: &str,
        tool: Option<&str>,
        reason: &str,
        author: &str,
        at: &str,
    ) -> Result<i64> {
        let (kind, key) = self.change_identity(change_id)?;
        let conn = self.connection()?;
        conn.execute(
            "INSERT INTO attribution_overrides(change_kind, natural_key, class, tool, reason,
                                               author, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![kind, key, class, tool, reason, author, at],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Revokes the overrides in force for a change; `false` when there was none.
    pub fn revoke_override(&self, change_id: i64, by: &str, at: &str) -> Result<bool> {
        let (kind, key) = self.change_identity(change_id)?;
        let conn = self.connection()?;
        let n = conn.execute(
            "UPDATE attribution_overrides SET revoked_at = ?1, revoked_by = ?2
             WHERE change_kind = ?3 AND natural_key = ?4 AND revoked_at IS NULL",
            params![at, by, kind, key],
        )?;
        Ok(n > 0)
    }

    /// The whole override history of a change, oldest first: the audit trail.
    pub fn overrides_of(&self, change_id: i64) -> Result<Vec<OverrideRow>> {
        let (kind, key) = self.change_identity(change_id)?;
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, class, tool, reason, author, created_at, revoked_at, revoked_by
             FROM attribution_overrides WHERE change_kind = ?1 AND natural_key = ?2 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![kind, key], |row| {
                Ok(OverrideRow {
                    id: row.get(0)?,
                    class: row.get(1)?,
                    tool: row.get(2)?,
                    reason: row.get(3)?,
                    author: row.get(4)?,
                    created_at: row.get(5)?,
                    revoked_at: row.get(6)?,
                    revoked_by: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records a reviewer's decision on a link and applies it; returns the incident's id.
    /// `suspected` undoes an earlier decision.
    pub fn review_link(
        &self,
        link_id: i64,
        decision: &str,
        reason: &str,
        reviewer: &str,
        at: &str,
    ) -> Result<i64> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        let (incident_id, system, source_id, deployment_key): (i64, String, String, String) = tx
            .query_row(
                "SELECT l.incident_id, i.source_system, i.source_id, d.natural_key
                 FROM incident_links l JOIN incidents i ON i.id = l.incident_id
                 JOIN deployments d ON d.id = l.deployment_id WHERE l.id = ?1",
                [link_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("link {link_id}")))?;
        tx.execute(
            "INSERT INTO link_reviews(incident_source_system, incident_source_id, deployment_key,
                                      decision, reason, reviewer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                system,
                source_id,
                deployment_key,
                decision,
                reason,
                reviewer,
                at
            ],
        )?;
        tx.execute(
            "UPDATE incident_links SET status = ?1 WHERE id = ?2",
            params![decision, link_id],
        )?;
        tx.commit()?;
        Ok(incident_id)
    }

    /// The newest decision on a link, if any.
    pub fn latest_link_review(&self, link_id: i64) -> Result<Option<LinkReviewRow>> {
        let conn = self.connection()?;
        Ok(conn
            .query_row(
                "SELECT r.decision, r.reason, r.reviewer, r.created_at
                 FROM incident_links l JOIN incidents i ON i.id = l.incident_id
                 JOIN deployments d ON d.id = l.deployment_id
                 JOIN link_reviews r ON r.incident_source_system = i.source_system
                   AND r.incident_source_id = i.source_id AND r.deployment_key = d.natural_key
                 WHERE l.id = ?1 ORDER BY r.id DESC LIMIT 1",
                [link_id],
                |row| {
                    Ok(LinkReviewRow {
                        decision: row.get(0)?,
                        reason: row.get(1)?,
                        reviewer: row.get(2)?,
                        created_at: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
