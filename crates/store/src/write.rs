//! Writes: one ingest transaction per file, deployment contents and links.

use rusqlite::{params, OptionalExtension};

use hindsight_model::{Attribution, Change, Deployment, Incident, Rejection};

use crate::{format_time, PooledConnection, Result, Store};

/// What is known of a file before its records are stored.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub path: String,
    pub content_hash: String,
    pub format: String,
    pub ingested_at: String,
}

/// The counts of one stored ingest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub run_id: i64,
    pub seen: i64,
    pub stored: i64,
    pub rejected: i64,
}

/// A suspected trigger of an incident, as the analysis computed it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub incident_id: i64,
    pub deployment_id: i64,
    pub rank: i64,
    pub score: f64,
    pub method: String,
    pub evidence: Vec<String>,
}

/// One file's records, written in a single transaction: all of them land, or none.
///
/// Dropping it without [`IngestTransaction::commit`] rolls everything back.
pub struct IngestTransaction<'a> {
    conn: PooledConnection<'a>,
    run_id: i64,
    seen: i64,
    stored: i64,
    rejected: i64,
    done: bool,
}

impl Store {
    /// Returns the id of the run that already stored this content, if any.
    pub fn find_run(&self, content_hash: &str, format: &str) -> Result<Option<(i64, String)>> {
        let conn = self.connection()?;
        let found = conn
            .query_row(
                "SELECT id, path FROM ingest_runs WHERE content_hash = ?1 AND format = ?2",
                params![content_hash, format],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(found)
    }

    /// Starts storing one file. Its run row is written inside the same transaction.
    pub fn begin_ingest(&self, meta: &RunMeta) -> Result<IngestTransaction<'_>> {
        let conn = self.connection()?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut tx = IngestTransaction {
            conn,
            run_id: 0,
            seen: 0,
            stored: 0,
            rejected: 0,
            done: false,
        };
        tx.conn.execute(
            "INSERT INTO ingest_runs(path, content_hash, format, ingested_at,
                                     records_seen, records_stored, records_rejected)
             VALUES (?1, ?2, ?3, ?4, 0, 0, 0)",
            params![meta.path, meta.content_hash, meta.format, meta.ingested_at],
        )?;
        tx.run_id = tx.conn.last_insert_rowid();
        Ok(tx)
    }

    /// Replaces what every deployment shipped: `(deployment_id, change_id, method)`.
    pub fn replace_deployment_changes(&self, rows: &[(i64, i64, String)]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM deployment_changes", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO deployment_changes(deployment_id, change_id, method)
                 VALUES (?1, ?2, ?3)",
            )?;
            for (deployment, change, method) in rows {
                insert.execute(params![deployment, change, method])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces the suspected links; links a reviewer confirmed or rejected are kept as they are.
    pub fn replace_suspected_links(&self, links: &[NewLink]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM incident_links WHERE status = 'suspected'", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO incident_links(incident_id, deployment_id, rank, score, method, evidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(incident_id, deployment_id) DO UPDATE SET
                     rank = excluded.rank, score = excluded.score,
                     method = excluded.method, evidence = excluded.evidence",
            )?;
            for link in links {
                let evidence = serde_json::to_string(&link.evidence)
                    .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
                insert.execute(params![
                    link.incident_id,
                    link.deployment_id,
                    link.rank,
                    link.score,
                    link.method,
                    evidence
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

impl IngestTransaction<'_> {
    /// The id of the run being written.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Stores a change and its attribution, replacing an earlier copy with the same key.
    pub fn add_change(&mut self, change: &Change, attribution: &Attribution) -> Result<()> {
        self.seen += 1;
        let author = change.author.as_ref();
        let committer = change.committer.as_ref();
        let parents = serde_json::to_string(&change.parents)
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let change_id: i64 = self.conn.query_row(
            "INSERT INTO changes(kind, natural_key, repo, title, message, author_name, author_email,
                                 committer_name, committer_email, authored_at, committed_at, parents,
                                 class, ai_tool, ai_involvement, confidence,
                                 source_file, source_location, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
             ON CONFLICT(kind, natural_key) DO UPDATE SET
                 repo = excluded.repo, title = excluded.title, message = excluded.message,
                 author_name = excluded.author_name, author_email = excluded.author_email,
                 committer_name = excluded.committer_name, committer_email = excluded.committer_email,
                 authored_at = excluded.authored_at, committed_at = excluded.committed_at,
                 parents = excluded.parents, class = excluded.class, ai_tool = excluded.ai_tool,
                 ai_involvement = excluded.ai_involvement, confidence = excluded.confidence,
                 source_file = excluded.source_file, source_location = excluded.source_location,
                 run_id = excluded.run_id
             RETURNING id",
            params![
                change.kind.as_str(),
                change.natural_key,
                change.repo,
                change.title,
                change.message,
                author.map(|p| &p.name),
                author.map(|p| &p.email),
                committer.map(|p| &p.name),
                committer.map(|p| &p.email),
                change.authored_at.as_ref().map(format_time),
                change.committed_at.as_ref().map(format_time),
                parents,
                attribution.class.as_str(),
                attribution.tool,
                attribution.involvement,
                attribution.confidence,
                change.source.file,
                change.source.location,
                self.run_id,
            ],
            |row| row.get(0),
        )?;
        self.conn.execute(
            "DELETE FROM attribution_evidence WHERE change_id = ?1",
            [change_id],
        )?;
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO attribution_evidence(change_id, signal, location, matched_text, tool)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for evidence in &attribution.evidence {
            insert.execute(params![
                change_id,
                evidence.signal,
                evidence.location,
                evidence.matched_text,
                evidence.tool
            ])?;
        }
        self.stored += 1;
        Ok(())
    }

    /// Stores a deployment, replacing an earlier copy with the same key.
    pub fn add_deployment(&mut self, deployment: &Deployment) -> Result<()> {
        self.seen += 1;
        let service_id = self.service_id(&deployment.service)?;
        let attributes = serde_json::to_string(&deployment.attributes)
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO deployments(natural_key, service_id, environment, version, sha, status,
                                     actor, actor_type, action, at, attributes,
                                     source_file, source_location, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(natural_key) DO UPDATE SET
                 service_id = excluded.service_id, environment = excluded.environment,
                 version = excluded.version, sha = excluded.sha, status = excluded.status,
                 actor = excluded.actor, actor_type = excluded.actor_type, action = excluded.action,
                 at = excluded.at, attributes = excluded.attributes,
                 source_file = excluded.source_file, source_location = excluded.source_location,
                 run_id = excluded.run_id",
            params![
                deployment.natural_key,
                service_id,
                deployment.environment,
                deployment.version,
                deployment.sha,
                deployment.status.as_str(),
                deployment.actor,
                deployment.actor_type,
                deployment.action,
                format_time(&deployment.at),
                attributes,
                deployment.source.file,
                deployment.source.location,
                self.run_id,
            ],
        )?;
        self.stored += 1;
        Ok(())
    }

    /// Stores an incident with its timeline, replacing an earlier copy with the same tool id.
    pub fn add_incident(&mut self, incident: &Incident) -> Result<()> {
        self.seen += 1;
        let service_id = match &incident.service {
            Some(name) => Some(self.service_id(name)?),
            None => None,
        };
        let incident_id: i64 = self.conn.query_row(
            "INSERT INTO incidents(source_system, source_id, number, title, status, severity,
                                   service_id, started_at, resolved_at, url,
                                   source_file, source_location, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(source_system, source_id) DO UPDATE SET
                 number = excluded.number, title = excluded.title, status = excluded.status,
                 severity = excluded.severity, service_id = excluded.service_id,
                 started_at = excluded.started_at, resolved_at = excluded.resolved_at,
                 url = excluded.url, source_file = excluded.source_file,
                 source_location = excluded.source_location, run_id = excluded.run_id
             RETURNING id",
            params![
                incident.source_system,
                incident.source_id,
                incident.number,
                incident.title,
                incident.status,
                incident.severity,
                service_id,
                format_time(&incident.started_at),
                incident.resolved_at.as_ref().map(format_time),
                incident.url,
                incident.source.file,
                incident.source.location,
                self.run_id,
            ],
            |row| row.get(0),
        )?;
        let mut insert = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO timeline_events(incident_id, at, kind, text,
                                                   source_file, source_location)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for event in &incident.events {
            insert.execute(params![
                incident_id,
                format_time(&event.at),
                event.kind,
                event.text,
                event.source.file,
                event.source.location
            ])?;
        }
        self.stored += 1;
        Ok(())
    }

    /// Keeps a record the ingester could not accept.
    pub fn add_rejection(&mut self, rejection: &Rejection) -> Result<()> {
        self.seen += 1;
        self.rejected += 1;
        self.conn.execute(
            "INSERT INTO rejected_records(run_id, location, field, reason, raw)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                self.run_id,
                rejection.location,
                rejection.field,
                rejection.reason,
                rejection.raw
            ],
        )?;
        Ok(())
    }

    /// Makes the whole file visible at once.
    pub fn commit(mut self) -> Result<RunSummary> {
        self.conn.execute(
            "UPDATE ingest_runs SET records_seen = ?1, records_stored = ?2, records_rejected = ?3
             WHERE id = ?4",
            params![self.seen, self.stored, self.rejected, self.run_id],
        )?;
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        Ok(RunSummary {
            run_id: self.run_id,
            seen: self.seen,
            stored: self.stored,
            rejected: self.rejected,
        })
    }

    fn service_id(&mut self, name: &str) -> Result<i64> {
        let id = self.conn.query_row(
            "INSERT INTO services(name) VALUES (?1)
             ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id",
            [name],
            |row| row.get(0),
        )?;
        Ok(id)
    }
}

impl Drop for IngestTransaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing of a file that failed part-way may stay behind.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
