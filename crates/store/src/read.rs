//! Reads: the rows analysis, reports and the UI need.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store, StoreError};

/// A stored change with its attribution.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub id: i64,
    pub kind: String,
    pub natural_key: String,
    pub repo: Option<String>,
    pub title: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub committed_at: Option<String>,
    pub parents: Vec<String>,
    pub class: String,
    pub tool: Option<String>,
    pub involvement: Option<String>,
    pub confidence: f64,
    pub source_file: String,
    pub source_location: String,
    pub model: Option<String>,
    pub line_share: Option<f64>,
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
    /// The reason of the override in force, if any.
    pub override_reason: Option<String>,
}

/// One piece of attribution evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    pub change_id: i64,
    pub signal: String,
    pub location: String,
    pub matched_text: String,
    pub tool: Option<String>,
}

/// A stored deployment with its service name.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub id: i64,
    pub natural_key: String,
    pub service: String,
    pub environment: Option<String>,
    pub version: Option<String>,
    pub sha: Option<String>,
    pub status: String,
    pub actor: Option<String>,
    pub actor_type: Option<String>,
    pub action: String,
    pub at: String,
    pub attributes: BTreeMap<String, String>,
    pub source_file: String,
    pub source_location: String,
}

/// A stored incident with its service name.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub id: i64,
    pub source_system: String,
    pub source_id: String,
    pub number: Option<i64>,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub started_at: String,
    pub resolved_at: Option<String>,
    pub url: Option<String>,
    pub source_file: String,
    pub source_location: String,
    /// Facts without a column of their own, e.g. `assumed_zone`.
    pub attributes: BTreeMap<String, String>,
}

/// One event of an incident timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    pub incident_id: i64,
    pub at: String,
    pub kind: String,
    pub text: String,
    pub source_file: String,
    pub source_location: String,
}

/// A link between an incident and a deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    pub id: i64,
    pub incident_id: i64,
    pub deployment_id: i64,
    pub rank: i64,
    pub score: f64,
    pub status: String,
    pub method: String,
    pub evidence: Vec<String>,
}

/// One ingest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub path: String,
    pub content_hash: String,
    pub format: String,
    pub ingested_at: String,
    pub seen: i64,
    pub stored: i64,
    pub rejected: i64,
    pub skipped: i64,
}

/// One rejected (or skipped) record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionRow {
    pub run_id: i64,
    pub location: String,
    pub field: Option<String>,
    pub reason: String,
    pub raw: String,
    /// Kept as describing nothing to store rather than rejected as wrong.
    pub skipped: bool,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub changes: i64,
    pub deployments: i64,
    pub incidents: i64,
    pub ingest_runs: i64,
}

fn json_list(text: String) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn change_row(row: &Row<'_>) -> rusqlite::Result<ChangeRow> {
    Ok(ChangeRow {
        id: row.get(0)?,
        kind: row.get(1)?,
        natural_key: row.get(2)?,
        repo: row.get(3)?,
        title: row.get(4)?,
        author_name: row.get(5)?,
        author_email: row.get(6)?,
        committed_at: row.get(7)?,
        parents: json_list(row.get(8)?)?,
        class: row.get(9)?,
        tool: row.get(10)?,
        involvement: row.get(11)?,
        confidence: row.get(12)?,
        source_file: row.get(13)?,
        source_location: row.get(14)?,
        model: row.get(15)?,
        line_share: row.get(16)?,
        additions: row.get(17)?,
        deletions: row.get(18)?,
        override_reason: row.get(19)?,
    })
}

const CHANGE_COLUMNS: &str = "c.id, c.kind, c.natural_key, c.repo, c.title, c.author_name,
    c.author_email, c.committed_at, c.parents, c.class, c.ai_tool, c.ai_involvement,
    c.confidence, c.source_file, c.source_location, c.ai_model, c.ai_line_share, c.additions,
    c.deletions,
    (SELECT o.reason FROM attribution_overrides o
     WHERE o.change_kind = c.kind AND o.natural_key = c.natural_key AND o.revoked_at IS NULL
     ORDER BY o.id DESC LIMIT 1)";

/// Hands each deployment `sql` selects ([`DEPLOYMENT_COLUMNS`]) to `each`, in its order.
pub(crate) fn each_row<E: From<StoreError>>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    each: &mut dyn FnMut(DeploymentRow) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut stmt = conn.prepare(sql).map_err(StoreError::from)?;
    let mut rows = stmt.query(params).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        each(deployment_row(row).map_err(StoreError::from)?)?;
    }
    Ok(())
}

pub(crate) fn deployment_row(row: &Row<'_>) -> rusqlite::Result<DeploymentRow> {
    let attributes: String = row.get(11)?;
    Ok(DeploymentRow {
        id: row.get(0)?,
        natural_key: row.get(1)?,
        service: row.get(2)?,
        environment: row.get(3)?,
        version: row.get(4)?,
        sha: row.get(5)?,
        status: row.get(6)?,
        actor: row.get(7)?,
        actor_type: row.get(8)?,
        action: row.get(9)?,
        at: row.get(10)?,
        attributes: serde_json::from_str(&attributes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e))
        })?,
        source_file: row.get(12)?,
        source_location: row.get(13)?,
    })
}

pub(crate) const DEPLOYMENT_COLUMNS: &str =
    "d.id, d.natural_key, s.name, d.environment, d.version, d.sha,
    d.status, d.actor, d.actor_type, d.action, d.at, d.attributes, d.source_file,
    d.source_location";

fn incident_row(row: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: row.get(0)?,
        source_system: row.get(1)?,
        source_id: row.get(2)?,
        number: row.get(3)?,
        title: row.get(4)?,
        status: row.get(5)?,
        severity: row.get(6)?,
        service: row.get(7)?,
        started_at: row.get(8)?,
        resolved_at: row.get(9)?,
        url: row.get(10)?,
        source_file: row.get(11)?,
        source_location: row.get(12)?,
        attributes: {
            let text: String = row.get(13)?;
            serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    13,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?
        },
    })
}

const INCIDENT_COLUMNS: &str = "i.id, i.source_system, i.source_id, i.number, i.title, i.status,
    i.severity, s.name, i.started_at, i.resolved_at, i.url, i.source_file, i.source_location,
    i.attributes";

fn link_row(row: &Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        id: row.get(0)?,
        incident_id: row.get(1)?,
        deployment_id: row.get(2)?,
        rank: row.get(3)?,
        score: row.get(4)?,
        status: row.get(5)?,
        method: row.get(6)?,
        evidence: json_list(row.get(7)?)?,
    })
}

/// What linking reads of a change's text: id, title, message, lines added and deleted.
pub type ChangeText = (i64, String, String, Option<i64>, Option<i64>);

impl Store {
    /// Title, message and size of every change, without the rest of the record (labels,
    /// reviews, notes, attributes) that [`Store::load_changes`] decodes.
    pub fn change_texts(&self) -> Result<Vec<ChangeText>> {
        let conn = self.connection()?;
        let mut stmt = conn
            .prepare("SELECT id, title, message, additions, deletions FROM changes ORDER BY id")?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every change, ordered by commit time then key.
    pub fn changes(&self) -> Result<Vec<ChangeRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c ORDER BY c.committed_at, c.natural_key"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], change_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// One change by id.
    pub fn change(&self, id: i64) -> Result<ChangeRow> {
        let conn = self.connection()?;
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM changes c WHERE c.id = ?1");
        conn.query_row(&sql, [id], change_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("change {id}")))
    }

    /// The changes whose natural key is `key` or starts with it (a short SHA).
    pub fn find_changes(&self, key: &str) -> Result<Vec<ChangeRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c
             WHERE c.natural_key = ?1 OR (length(?1) >= 7 AND substr(c.natural_key, 1, length(?1)) = ?1)
             ORDER BY c.natural_key LIMIT 20"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([key], change_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The changes a deployment shipped, ordered by commit time then key.
    pub fn changes_of_deployment(&self, deployment_id: i64) -> Result<Vec<ChangeRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c
             JOIN deployment_changes dc ON dc.change_id = c.id
             WHERE dc.deployment_id = ?1 ORDER BY c.committed_at, c.natural_key"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([deployment_id], change_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every piece of attribution evidence, grouped by change id.
    pub fn evidence(&self) -> Result<BTreeMap<i64, Vec<EvidenceRow>>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT change_id, signal, location, matched_text, tool FROM attribution_evidence
             ORDER BY change_id, id",
        )?;
        let mut grouped: BTreeMap<i64, Vec<EvidenceRow>> = BTreeMap::new();
        let rows = stmt.query_map([], |row| {
            Ok(EvidenceRow {
                change_id: row.get(0)?,
                signal: row.get(1)?,
                location: row.get(2)?,
                matched_text: row.get(3)?,
                tool: row.get(4)?,
            })
        })?;
        for row in rows {
            let row = row?;
            grouped.entry(row.change_id).or_default().push(row);
        }
        Ok(grouped)
    }

    /// Every deployment, ordered by time then key.
    pub fn deployments(&self) -> Result<Vec<DeploymentRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments d JOIN services s ON s.id = d.service_id
             ORDER BY d.at, d.natural_key"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], deployment_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every deployment in time order (ties by id), handed to `each` one at a time so that a
    /// million of them are never held at once.
    pub fn for_each_deployment<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(DeploymentRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let conn = self.connection()?;
        // One snapshot: the order known and the rows read are of the same deployments.
        let read = conn.unchecked_transaction().map_err(StoreError::from)?;
        let (follows_time, last_run): (bool, i64) = read
            .query_row(
                "SELECT (SELECT by_id FROM deployment_time_order),
                        (SELECT coalesce(max(id), 0) FROM ingest_runs)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(StoreError::from)?;
        if follows_time {
            // Their ids follow time (every file appended its deployments in time order after
            // the others'): read by id, they come in time order with no sort.
            let sql = format!(
                "SELECT {DEPLOYMENT_COLUMNS} FROM deployments d JOIN services s ON s.id = d.service_id
                 ORDER BY d.id"
            );
            return each_row(&read, &sql, [], &mut each);
        }
        // No index follows time: the ids alone are sorted first, into a temporary table, and
        // the rows read by id in that order. Sorting whole rows cost twice as much.
        read.execute_batch(
            "DROP TABLE IF EXISTS temp.deployment_order;
             CREATE TEMP TABLE deployment_order AS
                 SELECT id FROM deployments ORDER BY at, id;",
        )
        .map_err(StoreError::from)?;
        let mut previous = i64::MIN;
        let mut ids_follow_time = true;
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM temp.deployment_order o
             CROSS JOIN deployments d ON d.id = o.id JOIN services s ON s.id = d.service_id
             ORDER BY o.rowid"
        );
        let walked = each_row(&read, &sql, [], &mut |row: DeploymentRow| {
            ids_follow_time &= row.id > previous;
            previous = row.id;
            each(row)
        });
        let dropped = read.execute_batch("DROP TABLE temp.deployment_order;");
        walked?;
        dropped.map_err(StoreError::from)?;
        read.commit().map_err(StoreError::from)?;
        if ids_follow_time {
            // They do follow time now (a file out of order was stored again in order, say):
            // the next walk reads them by id, unless a run was stored since this one read them.
            conn.execute(
                "UPDATE deployment_time_order SET by_id = 1
                 WHERE (SELECT coalesce(max(id), 0) FROM ingest_runs) = ?1",
                [last_run],
            )
            .map_err(StoreError::from)?;
        }
        Ok(())
    }

    /// The deployment stored under a natural key, if any.
    pub fn deployment_by_key(&self, key: &str) -> Result<Option<DeploymentRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments d JOIN services s ON s.id = d.service_id
             WHERE d.natural_key = ?1"
        );
        Ok(conn.query_row(&sql, [key], deployment_row).optional()?)
    }

    /// One deployment by id.
    pub fn deployment(&self, id: i64) -> Result<DeploymentRow> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments d JOIN services s ON s.id = d.service_id
             WHERE d.id = ?1"
        );
        conn.query_row(&sql, [id], deployment_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("deployment {id}")))
    }

    /// Every incident, ordered by start then tool id.
    pub fn incidents(&self) -> Result<Vec<IncidentRow>> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents i LEFT JOIN services s ON s.id = i.service_id
             ORDER BY i.started_at, i.source_system, i.source_id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], incident_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Whether any incident is stored.
    pub fn has_incidents(&self) -> Result<bool> {
        let conn = self.connection()?;
        Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM incidents)", [], |r| r.get(0))?)
    }

    /// One incident by id.
    pub fn incident(&self, id: i64) -> Result<IncidentRow> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents i LEFT JOIN services s ON s.id = i.service_id
             WHERE i.id = ?1"
        );
        conn.query_row(&sql, [id], incident_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))
    }

    /// The timeline of one incident, oldest first.
    pub fn timeline(&self, incident_id: i64) -> Result<Vec<TimelineRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT incident_id, at, kind, text, source_file, source_location
             FROM timeline_events WHERE incident_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt
            .query_map([incident_id], |row| {
                Ok(TimelineRow {
                    incident_id: row.get(0)?,
                    at: row.get(1)?,
                    kind: row.get(2)?,
                    text: row.get(3)?,
                    source_file: row.get(4)?,
                    source_location: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every incident's timeline in one read, keyed by incident id, each as
    /// [`timeline`](Self::timeline) answers it: oldest first.
    pub fn timelines(&self) -> Result<HashMap<i64, Vec<TimelineRow>>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT incident_id, at, kind, text, source_file, source_location
             FROM timeline_events ORDER BY incident_id, at, id",
        )?;
        let mut grouped: HashMap<i64, Vec<TimelineRow>> = HashMap::new();
        let rows = stmt.query_map([], |row| {
            Ok(TimelineRow {
                incident_id: row.get(0)?,
                at: row.get(1)?,
                kind: row.get(2)?,
                text: row.get(3)?,
                source_file: row.get(4)?,
                source_location: row.get(5)?,
            })
        })?;
        for row in rows {
            let row = row?;
            grouped.entry(row.incident_id).or_default().push(row);
        }
        Ok(grouped)
    }

    /// The links of one incident, best rank first; rejected links are included.
    pub fn links_of_incident(&self, incident_id: i64) -> Result<Vec<LinkRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, incident_id, deployment_id, rank, score, status, method, evidence
             FROM incident_links WHERE incident_id = ?1 ORDER BY rank, deployment_id",
        )?;
        let rows = stmt
            .query_map([incident_id], link_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every `(deployment_id, change_id)` pair of what deployments shipped.
    pub fn deployment_change_pairs(&self) -> Result<Vec<(i64, i64)>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT deployment_id, change_id FROM deployment_changes ORDER BY deployment_id, change_id",
        )?;
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every link of every incident.
    pub fn all_links(&self) -> Result<Vec<LinkRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, incident_id, deployment_id, rank, score, status, method, evidence
             FROM incident_links ORDER BY incident_id, rank, deployment_id",
        )?;
        let rows = stmt
            .query_map([], link_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every ingest run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT id, path, content_hash, format, ingested_at, records_seen, records_stored,
                    records_rejected, records_skipped FROM ingest_runs ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |row| {
                Ok(RunRow {
                    id: row.get(0)?,
                    path: row.get(1)?,
                    content_hash: row.get(2)?,
                    format: row.get(3)?,
                    ingested_at: row.get(4)?,
                    seen: row.get(5)?,
                    stored: row.get(6)?,
                    rejected: row.get(7)?,
                    skipped: row.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The records one run rejected, in file order.
    pub fn rejections(&self, run_id: i64) -> Result<Vec<RejectionRow>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(
            "SELECT run_id, location, field, reason, raw, skipped FROM rejected_records
             WHERE run_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![run_id], |row| {
                Ok(RejectionRow {
                    run_id: row.get(0)?,
                    location: row.get(1)?,
                    field: row.get(2)?,
                    reason: row.get(3)?,
                    raw: row.get(4)?,
                    skipped: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Counts of the main tables.
    pub fn overview(&self) -> Result<Overview> {
        let conn = self.connection()?;
        let count = |table: &str| -> Result<i64> {
            Ok(
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })?,
            )
        };
        Ok(Overview {
            changes: count("changes")?,
            deployments: count("deployments")?,
            incidents: count("incidents")?,
            ingest_runs: count("ingest_runs")?,
        })
    }
}
