//! Writes: one ingest transaction per file, deployment contents and links.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use hindsight_model::{
    Attribution, Change, Deployment, DeploymentStatusUpdate, Incident, IncidentEvents, Rejection,
    TimelineEvent,
};
use rusqlite::Connection;

use crate::{format_time, PooledConnection, Result, Store};

/// Serialises the JSON columns of a change.
mod erased {
    pub trait Json {
        fn to_json(&self) -> crate::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> crate::Result<String> {
            serde_json::to_string(self).map_err(|e| crate::StoreError::Corrupt(e.to_string()))
        }
    }
}

fn insert_events(conn: &Connection, incident_id: i64, events: &[TimelineEvent]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO timeline_events(incident_id, at, kind, text,
                                               source_file, source_location)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for event in events {
        insert.execute(params![
            incident_id,
            format_time(&event.at),
            event.kind,
            event.text,
            event.source.file,
            event.source.location
        ])?;
    }
    Ok(())
}

/// The latest status of a deployment: state, status, time, description, log URL, and how many
/// statuses it has.
type LatestStatus = (String, String, String, Option<String>, Option<String>, i64);

/// Lets the latest stored status of a deployment decide its outcome, as embedded statuses do:
/// the status, the state word, and for a finished deployment its finish time (the time it went
/// live, for one a later release made `inactive`). Nothing happens while the deployment is not
/// stored, or when it already shows a later time than the latest status. Returns whether the
/// deployment was written.
fn apply_statuses(conn: &Connection, deployment_key: &str) -> Result<bool> {
    let latest: Option<LatestStatus> = conn
        .prepare_cached(
            "SELECT state, status, at, description, log_url,
                    (SELECT count(*) FROM deployment_statuses WHERE deployment_key = ?1)
             FROM deployment_statuses WHERE deployment_key = ?1
             ORDER BY at DESC, id ASC LIMIT 1",
        )?
        .query_row([deployment_key], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .optional()?;
    let Some((state, status, latest_at, description, log_url, count)) = latest else {
        return Ok(false);
    };
    let stored: Option<(String, String)> = conn
        .prepare_cached("SELECT attributes, at FROM deployments WHERE natural_key = ?1")?
        .query_row([deployment_key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((stored, stored_at)) = stored else {
        return Ok(false);
    };
    // The deployment already shows something newer (statuses embedded in its own file):
    // an older status does not take it back.
    if latest_at < stored_at {
        return Ok(false);
    }
    let finished_at = match state.as_str() {
        "inactive" => Some(
            conn.prepare_cached(
                "SELECT max(at) FROM deployment_statuses
                 WHERE deployment_key = ?1 AND state = 'success'",
            )?
            .query_row([deployment_key], |row| row.get::<_, Option<String>>(0))?
            .unwrap_or_else(|| latest_at.clone()),
        ),
        "success" | "failure" | "error" => Some(latest_at.clone()),
        _ => None,
    };
    let mut attributes: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&stored).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    attributes.insert("state".to_owned(), state);
    attributes.insert("statuses_count".to_owned(), count.to_string());
    for (key, value) in [("status_description", description), ("log_url", log_url)] {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    }
    if let Some(finished) = &finished_at {
        attributes.insert("finished_at".to_owned(), finished.clone());
    }
    let attributes = serde_json::to_string(&attributes)
        .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "UPDATE deployments SET status = ?2, at = coalesce(?3, at), attributes = ?4
         WHERE natural_key = ?1",
    )?
    .execute(params![deployment_key, status, finished_at, attributes])?;
    Ok(true)
}

/// Writes a change's class and evidence. An override in force replaces the computed class;
/// the computed evidence is kept beneath the reviewer's.
pub(crate) fn write_attribution(
    conn: &Connection,
    change_id: i64,
    computed: &Attribution,
) -> Result<()> {
    write_attribution_with(conn, change_id, computed, true, false)
}

/// [`write_attribution`]; `overrides` false says no override exists, sparing the look-up, and
/// `class_written` says the change's row already holds the computed class.
fn write_attribution_with(
    conn: &Connection,
    change_id: i64,
    computed: &Attribution,
    overrides: bool,
    class_written: bool,
) -> Result<()> {
    if !overrides {
        return write_computed(conn, change_id, computed, None, class_written);
    }
    let override_row: Option<OverrideInForce> = conn
        .prepare_cached(
            "SELECT o.id, o.class, o.tool, o.reason, o.author, o.created_at
             FROM attribution_overrides o JOIN changes c
               ON c.kind = o.change_kind AND c.natural_key = o.natural_key
             WHERE c.id = ?1 AND o.revoked_at IS NULL ORDER BY o.id DESC LIMIT 1",
        )?
        .query_row([change_id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .optional()?;
    write_computed(conn, change_id, computed, override_row, class_written)
}

/// An override in force: id, class, tool, reason, author, time.
type OverrideInForce = (i64, String, Option<String>, String, String, String);

fn write_computed(
    conn: &Connection,
    change_id: i64,
    computed: &Attribution,
    override_row: Option<OverrideInForce>,
    class_written: bool,
) -> Result<()> {
    let (class, tool, involvement, confidence) = match &override_row {
        Some((_, class, tool, ..)) => (class.clone(), tool.clone(), None, 1.0),
        None => (
            computed.class.as_str().to_owned(),
            computed.tool.clone(),
            computed.involvement.clone(),
            computed.confidence,
        ),
    };
    if override_row.is_some() || !class_written {
        conn.prepare_cached(
            "UPDATE changes SET class = ?1, ai_tool = ?2, ai_involvement = ?3, confidence = ?4,
                                ai_model = ?5, ai_line_share = ?6
             WHERE id = ?7",
        )?
        .execute(params![
            class,
            tool,
            involvement,
            confidence,
            computed.model,
            computed.line_share,
            change_id
        ])?;
    }
    conn.prepare_cached("DELETE FROM attribution_evidence WHERE change_id = ?1")?
        .execute([change_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO attribution_evidence(change_id, signal, location, matched_text, tool)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    if let Some((id, class, tool, reason, author, at)) = &override_row {
        insert.execute(params![
            change_id,
            "reviewer_override",
            format!("override {id} by {author} at {at}"),
            format!("set to {class}: {reason}"),
            tool
        ])?;
    }
    for evidence in &computed.evidence {
        insert.execute(params![
            change_id,
            evidence.signal,
            evidence.location,
            evidence.matched_text,
            evidence.tool
        ])?;
    }
    Ok(())
}

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
    /// Records kept as describing nothing to store (see [`IngestTransaction::add_skipped`]).
    pub skipped: i64,
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

/// A link as stored, compared with the linker's answer to write only what changed.
struct StoredLink {
    id: i64,
    rank: i64,
    score: f64,
    method: String,
    evidence: String,
    suspected: bool,
}

/// One file's records, written in a single transaction: all of them land, or none.
///
/// Dropping it without [`IngestTransaction::commit`] rolls everything back.
pub struct IngestTransaction<'a> {
    pub(crate) conn: PooledConnection<'a>,
    pub(crate) run_id: i64,
    pub(crate) seen: i64,
    pub(crate) stored: i64,
    rejected: i64,
    skipped: i64,
    done: bool,
    /// Whether `deployment_statuses` has rows, once asked.
    has_statuses: Option<bool>,
    /// Whether any attribution override exists, once asked: without one, a change's class is
    /// written without looking for one.
    has_overrides: Option<bool>,
    /// Service ids by name, so that a million deploy lines do not upsert their service a
    /// million times. Hashed with foldhash: std's SipHash was 2 % of the writing thread.
    services: foldhash::HashMap<String, i64>,
    /// Deployments waiting to be written together (see [`ROWS_PER_STATEMENT`]).
    pending: Vec<PreparedDeployment>,
    /// What tells whether the run's deployments were appended (see [`Appending`]).
    appending: Appending,
    /// Deployment rows written and kept for the thread that made them to free (see
    /// [`IngestTransaction::keep_written`]); `None` frees them here.
    written_rows: Option<Vec<Vec<PreparedDeployment>>>,
}

/// Deployment rows written by an ingest transaction, handed back to be freed where they were
/// made (see [`IngestTransaction::take_written`]).
pub struct WrittenRows {
    batches: Vec<Vec<PreparedDeployment>>,
}

impl WrittenRows {
    /// How many deployments' values it holds.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
}

/// What an ingest run does to the order of the deployments, tracked as it writes them: whether
/// it only appends new ones in time order after every other (`ingest_runs.deployments_appended`)
/// and so keeps their ids following time (`deployment_time_order.by_id`).
#[derive(Default)]
struct Appending {
    /// The last deployment id stored before the run began.
    before: i64,
    /// The latest time of the deployments stored before the run began.
    latest_before: Option<String>,
    /// Deployment rows the run inserted or updated.
    written: i64,
    /// The time of the last deployment given, and whether none went back before it.
    last_at: String,
    back_in_time: bool,
    /// How many times a status changed a stored deployment (its outcome, perhaps its time).
    statuses_applied: i64,
}

/// Rows written by one statement: deployments, suspect links and what deployments shipped.
/// A statement per row cost its own step and reset, and an upsert per deployment copied the
/// same pages into its statement journal again and again (a million deploy lines took twice
/// SQLite's own `INSERT … SELECT`; a batch of new deployments now opens no such journal, see
/// `deployments_insert`).
pub(crate) const ROWS_PER_STATEMENT: usize = 64;
const DEPLOYMENT_VALUES: usize = 16;

/// Where some of a deployment's values go, in the order of `DEPLOYMENT_COLUMNS`: the service
/// id and the run are filled in as it is stored, the time and key are read then.
const NATURAL_KEY: usize = 0;
const SERVICE_ID: usize = 1;
const AT: usize = 9;
const RUN_ID: usize = 13;
const APPROVED: usize = 15;

/// A deployment's column values, formatted and serialised: the work of storing it that needs
/// no connection, so that a file's parsing thread can do it while the writing thread writes.
/// The service's id and the run are filled in when it is stored.
///
/// Its texts are one block (`text`), each column a range of it, rather than a string each:
/// the writing thread copies every text it binds, and a dozen strings made on the parsing
/// thread were a dozen cache misses on the writing one. Binding took a fifth of the writing
/// thread's time on a million-line deploy log, most of it those copies.
pub struct PreparedDeployment {
    service: String,
    text: String,
    values: DeploymentValues,
}

/// One column's value in a [`PreparedDeployment`]: a text is a range of its `text`.
#[derive(Clone, Copy)]
enum Cell {
    Null,
    Integer(i64),
    Text(u32, u32),
}

impl Cell {
    /// The text this cell ranges over in `block`, if it is a text.
    fn text_in(self, block: &str) -> Option<&str> {
        match self {
            Cell::Text(start, end) => block.get(start as usize..end as usize),
            _ => None,
        }
    }
}

/// A deployment's values, in the order of `DEPLOYMENT_COLUMNS`.
type DeploymentValues = [Cell; DEPLOYMENT_VALUES];

/// A cell bound with the text it ranges over.
struct Bound<'a>(&'a str, Cell);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.1 {
            Cell::Integer(n) => ValueRef::Integer(n),
            cell => cell.text_in(self.0).map_or(ValueRef::Null, ValueRef::from),
        }))
    }
}

impl PreparedDeployment {
    pub fn new(deployment: Deployment) -> Result<Self> {
        let attributes = serde_json::to_string(&deployment.attributes)
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let approved = hindsight_model::approved(&deployment.attributes);
        let at = format_time(&deployment.at);
        let updated_at = deployment.updated_at.as_ref().map(format_time);
        let texts: [Option<&str>; DEPLOYMENT_VALUES] = [
            Some(&deployment.natural_key),
            None,
            deployment.environment.as_deref(),
            deployment.version.as_deref(),
            deployment.sha.as_deref(),
            Some(deployment.status.as_str()),
            deployment.actor.as_deref(),
            deployment.actor_type.as_deref(),
            Some(&deployment.action),
            Some(&at),
            Some(&attributes),
            Some(&deployment.source.file),
            Some(&deployment.source.location),
            None,
            updated_at.as_deref(),
            None,
        ];
        let mut text = String::with_capacity(texts.iter().flatten().map(|t| t.len()).sum());
        let mut values = [Cell::Null; DEPLOYMENT_VALUES];
        for (value, part) in values.iter_mut().zip(texts) {
            if let Some(part) = part {
                let start = text.len();
                text.push_str(part);
                *value = Cell::Text(offset(start)?, offset(text.len())?);
            }
        }
        if let Some(approved) = approved {
            values[APPROVED] = Cell::Integer(approved.into());
        }
        Ok(Self {
            service: deployment.service,
            text,
            values,
        })
    }

    /// The text of column `index`, if it holds one.
    fn text(&self, index: usize) -> Option<&str> {
        self.values[index].text_in(&self.text)
    }

    /// Its values, each with the text it ranges over, to bind.
    fn bound(&self) -> impl Iterator<Item = Bound<'_>> {
        self.values.iter().map(|cell| Bound(&self.text, *cell))
    }
}

/// A position in a deployment's text block.
fn offset(position: usize) -> Result<u32> {
    u32::try_from(position)
        .map_err(|_| crate::StoreError::Corrupt("a deployment of more than 4 GB of text".into()))
}

/// The columns `PreparedDeployment` gives values for, in their order.
const DEPLOYMENT_COLUMNS: &str = "natural_key, service_id, environment, version, sha, status, \
     actor, actor_type, action, at, attributes, source_file, source_location, run_id, updated_at, \
     approved";

/// The placeholders of `rows` rows of `columns` values each, for one statement's `VALUES`.
fn placeholder_rows(columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// Inserts `rows` deployments at once, the new ones only: a key already stored is left as it
/// is (see `IngestTransaction::flush_deployments`).
///
/// Neither this statement nor the ingest's connection can abort part-way (no update, `OR
/// FAIL`, foreign keys off while a file is written), so SQLite opens no statement journal
/// for it. The upsert below opens one, since its update may fail a `NOT NULL`: copying
/// every page the statement changed into that journal was about a fifth of a million-line
/// deploy log's writing.
///
/// The statement of a full batch is made once: made at every batch, its text was about 1 % of
/// the writing thread's time on a million-line deploy log.
fn deployments_insert(rows: usize) -> std::borrow::Cow<'static, str> {
    let make = |rows| {
        format!(
            "INSERT OR FAIL INTO deployments({DEPLOYMENT_COLUMNS}) VALUES {}
             ON CONFLICT(natural_key) DO NOTHING",
            placeholder_rows(DEPLOYMENT_VALUES, rows)
        )
    };
    static FULL_BATCH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if rows == ROWS_PER_STATEMENT {
        FULL_BATCH.get_or_init(|| make(rows)).as_str().into()
    } else {
        make(rows).into()
    }
}

/// Inserts `rows` deployments at once; a copy with the same key is replaced unless the stored
/// one was updated later.
fn deployments_upsert(rows: usize) -> String {
    format!(
        "INSERT INTO deployments({DEPLOYMENT_COLUMNS}) VALUES {}
         ON CONFLICT(natural_key) DO UPDATE SET
             service_id = excluded.service_id, environment = excluded.environment,
             version = excluded.version, sha = excluded.sha, status = excluded.status,
             actor = excluded.actor, actor_type = excluded.actor_type, action = excluded.action,
             at = excluded.at, attributes = excluded.attributes, approved = excluded.approved,
             source_file = excluded.source_file, source_location = excluded.source_location,
             run_id = excluded.run_id,
             updated_at = coalesce(excluded.updated_at, deployments.updated_at)
         WHERE excluded.updated_at IS NULL OR deployments.updated_at IS NULL
            OR excluded.updated_at >= deployments.updated_at",
        placeholder_rows(DEPLOYMENT_VALUES, rows)
    )
}

/// Inserts `rows` with `head` (an `INSERT … INTO table(columns)` without its values) by
/// statements of up to [`ROWS_PER_STATEMENT`] rows: a statement per row cost its own step and
/// reset (200,000 links: 0.65–0.76 s instead of 0.95–1.02 s, measured in SQLite alone).
fn insert_batched<'a, const N: usize>(
    conn: &Connection,
    head: &str,
    rows: impl IntoIterator<Item = [&'a dyn rusqlite::ToSql; N]>,
) -> Result<()> {
    let mut batch: Vec<[&'a dyn rusqlite::ToSql; N]> = Vec::with_capacity(ROWS_PER_STATEMENT);
    let flush = |batch: &mut Vec<[&'a dyn rusqlite::ToSql; N]>| -> Result<()> {
        if !batch.is_empty() {
            conn.prepare_cached(&format!(
                "{head} VALUES {}",
                placeholder_rows(N, batch.len())
            ))?
            .execute(rusqlite::params_from_iter(batch.iter().flatten()))?;
            batch.clear();
        }
        Ok(())
    };
    for row in rows {
        batch.push(row);
        if batch.len() == ROWS_PER_STATEMENT {
            flush(&mut batch)?;
        }
    }
    flush(&mut batch)
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
        // Each upsert's statement journal in memory rather than in a temporary file (a third
        // of a large deploy log's time). Only while a file is written: with temporary storage
        // in memory, sorting a million rows (the timeline's rebuild) would hold them all.
        //
        // Foreign keys are off while a file is written: SQLite opens a statement journal for
        // any statement of several rows that an immediate foreign key may abort, which is
        // every batch of deployments (`deployments_insert`). Every reference a file's records
        // hold is one its transaction has just read or written (the run's id, the ids of
        // `service_id`), and nothing it deletes relies on a cascade. `end_ingest` turns them
        // on again, whether the file was committed or rolled back.
        conn.execute_batch(&format!(
            "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF; {} BEGIN IMMEDIATE",
            crate::LARGE_CACHE
        ))?;
        let mut tx = IngestTransaction {
            conn,
            run_id: 0,
            seen: 0,
            stored: 0,
            rejected: 0,
            skipped: 0,
            done: false,
            has_statuses: None,
            has_overrides: None,
            services: foldhash::HashMap::default(),
            pending: Vec::with_capacity(ROWS_PER_STATEMENT),
            appending: Appending::default(),
            written_rows: None,
        };
        tx.conn
            .prepare_cached(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at,
                                     records_seen, records_stored, records_rejected, updated,
                                     deployments_before)
             VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0,
                     (SELECT coalesce(max(id), 0) FROM deployments))",
            )?
            .execute(params![
                meta.path,
                meta.content_hash,
                meta.format,
                meta.ingested_at
            ])?;
        tx.run_id = tx.conn.last_insert_rowid();
        // Read now, each service's latest through its time index: at the commit, the run's
        // own rows would have to be skipped on the way.
        (tx.appending.before, tx.appending.latest_before) = tx.conn.query_row(
            "SELECT deployments_before,
                    (SELECT max((SELECT max(d.at) FROM deployments d WHERE d.service_id = s.id))
                     FROM services s)
             FROM ingest_runs WHERE id = ?1",
            [tx.run_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(tx)
    }

    /// Replaces what the deployments shipped with `rows`, `(deployment_id, change_id, method)`:
    /// every deployment's, or with `first_id` only those from that id on (see
    /// [`Store::appended_deployments`]; the others' stay).
    pub fn replace_deployment_changes(
        &self,
        first_id: Option<i64>,
        rows: &[(i64, i64, &str)],
    ) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        match first_id {
            // Without a condition SQLite drops the table's pages at once.
            None => tx.execute("DELETE FROM deployment_changes", [])?,
            Some(first_id) => tx.execute(
                "DELETE FROM deployment_changes WHERE deployment_id >= ?1",
                [first_id],
            )?,
        };
        insert_batched(
            &tx,
            "INSERT OR IGNORE INTO deployment_changes(deployment_id, change_id, method)",
            rows.iter().map(|(deployment, change, method)| {
                [deployment as &dyn rusqlite::ToSql, change, method]
            }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the suspected links with `links`. A link found again keeps its id and status
    /// (its rank, score and evidence are updated); a suspect no longer found goes; a link a
    /// reviewer confirmed or rejected stays, found again or not.
    pub fn replace_suspected_links(&self, links: &[NewLink]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        // Links are written in place, so that each keeps its id while it stays a suspect: ids
        // are how a reviewer names a link (`hindsight link confirm ID`), and deleting and
        // inserting them all again numbered them anew on every ingest. The stored links are
        // read first; only the ones that changed are written.
        let mut stored: HashMap<(i64, i64), StoredLink> = HashMap::new();
        {
            let mut read = tx.prepare(
                "SELECT incident_id, deployment_id, id, rank, score, method, evidence, status
                 FROM incident_links",
            )?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                stored.insert(
                    (row.get(0)?, row.get(1)?),
                    StoredLink {
                        id: row.get(2)?,
                        rank: row.get(3)?,
                        score: row.get(4)?,
                        method: row.get(5)?,
                        evidence: row.get(6)?,
                        suspected: row.get_ref(7)?.as_str().ok() == Some("suspected"),
                    },
                );
            }
        }
        // New links, with their evidence as JSON, inserted a batch at a time (all of them at
        // once would hold a second copy of a dense log's evidence).
        let mut new: Vec<(&NewLink, String)> = Vec::with_capacity(ROWS_PER_STATEMENT);
        let insert_new = |new: &mut Vec<(&NewLink, String)>| -> Result<()> {
            insert_batched(
                &tx,
                "INSERT INTO incident_links(incident_id, deployment_id, rank, score, method, evidence)",
                new.iter().map(|(link, evidence)| {
                    [
                        &link.incident_id as &dyn rusqlite::ToSql,
                        &link.deployment_id,
                        &link.rank,
                        &link.score,
                        &link.method,
                        evidence,
                    ]
                }),
            )?;
            new.clear();
            Ok(())
        };
        {
            let mut update = tx.prepare(
                "UPDATE incident_links SET rank = ?2, score = ?3, method = ?4, evidence = ?5
                 WHERE id = ?1",
            )?;
            for link in links {
                let evidence = serde_json::to_string(&link.evidence)
                    .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
                match stored.remove(&(link.incident_id, link.deployment_id)) {
                    None => {
                        new.push((link, evidence));
                        if new.len() == ROWS_PER_STATEMENT {
                            insert_new(&mut new)?;
                        }
                    }
                    Some(old)
                        if old.rank == link.rank
                            && old.score == link.score
                            && old.method == link.method
                            && old.evidence == evidence => {}
                    Some(old) => {
                        update.execute(params![
                            old.id,
                            link.rank,
                            link.score,
                            link.method,
                            evidence
                        ])?;
                    }
                }
            }
            // Before the suspects that go are deleted: a new link's id then follows every
            // stored link's, so none takes the id of a suspect deleted here.
            insert_new(&mut new)?;
            // Suspects the linker no longer finds go; decided links stay with their decision.
            let mut delete = tx.prepare("DELETE FROM incident_links WHERE id = ?1")?;
            for old in stored.values().filter(|old| old.suspected) {
                delete.execute([old.id])?;
            }
        }
        // Reviewer decisions, kept by natural keys, win over whatever the linker computed.
        tx.execute(
            "UPDATE incident_links SET status = (
                 SELECT r.decision FROM link_reviews r
                 JOIN incidents i ON i.source_system = r.incident_source_system
                                 AND i.source_id = r.incident_source_id
                 JOIN deployments d ON d.natural_key = r.deployment_key
                 WHERE i.id = incident_links.incident_id AND d.id = incident_links.deployment_id
                 ORDER BY r.id DESC LIMIT 1)
             WHERE EXISTS (
                 SELECT 1 FROM link_reviews r
                 JOIN incidents i ON i.source_system = r.incident_source_system
                                 AND i.source_id = r.incident_source_id
                 JOIN deployments d ON d.natural_key = r.deployment_key
                 WHERE i.id = incident_links.incident_id AND d.id = incident_links.deployment_id)",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The runs whose files are stored but whose update (what deployments shipped, the
    /// links, the timeline) was not written: a process stopped between the two. With each
    /// run's format, oldest first.
    pub fn runs_awaiting_update(&self) -> Result<Vec<(i64, String)>> {
        let conn = self.connection()?;
        let mut stmt =
            conn.prepare("SELECT id, format FROM ingest_runs WHERE updated = 0 ORDER BY id")?;
        let runs = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(runs)
    }

    /// Records that the update after the runs `ids` is written.
    pub fn mark_runs_updated(&self, ids: &[i64]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        {
            let mut mark = tx.prepare("UPDATE ingest_runs SET updated = 1 WHERE id = ?1")?;
            for id in ids {
                mark.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

impl IngestTransaction<'_> {
    /// Sets the run's content hash, worked out while its file was being stored.
    pub fn set_content_hash(&mut self, hash: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE ingest_runs SET content_hash = ?1 WHERE id = ?2")?
            .execute(params![hash, self.run_id])?;
        Ok(())
    }

    /// The id of the run being written.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Stores a change and its attribution, replacing an earlier copy with the same key. A
    /// reviewer's override in force for the change wins over `attribution`.
    pub fn add_change(&mut self, change: &Change, attribution: &Attribution) -> Result<()> {
        self.seen += 1;
        let author = change.author.as_ref();
        let committer = change.committer.as_ref();
        let json = |value: &dyn erased::Json| value.to_json();
        let change_id: Option<i64> = self.conn.prepare_cached(
            "INSERT INTO changes(kind, natural_key, repo, title, message, author_name, author_email,
                                 committer_name, committer_email, authored_at, committed_at, parents,
                                 additions, deletions, labels, reviews, related, notes, attributes,
                                 source_file, source_location, run_id, updated_at,
                                 class, ai_tool, ai_involvement, confidence, ai_model,
                                 ai_line_share)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
             ON CONFLICT(kind, natural_key) DO UPDATE SET
                 repo = excluded.repo, title = excluded.title, message = excluded.message,
                 author_name = excluded.author_name, author_email = excluded.author_email,
                 committer_name = excluded.committer_name, committer_email = excluded.committer_email,
                 authored_at = excluded.authored_at, committed_at = excluded.committed_at,
                 parents = excluded.parents, additions = excluded.additions,
                 deletions = excluded.deletions, labels = excluded.labels,
                 reviews = excluded.reviews, related = excluded.related, notes = excluded.notes,
                 attributes = excluded.attributes,
                 source_file = excluded.source_file, source_location = excluded.source_location,
                 run_id = excluded.run_id,
                 updated_at = coalesce(excluded.updated_at, changes.updated_at),
                 class = excluded.class, ai_tool = excluded.ai_tool,
                 ai_involvement = excluded.ai_involvement, confidence = excluded.confidence,
                 ai_model = excluded.ai_model, ai_line_share = excluded.ai_line_share
             WHERE excluded.updated_at IS NULL OR changes.updated_at IS NULL
                OR excluded.updated_at >= changes.updated_at
             RETURNING id",
        )?
        .query_row(
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
                json(&change.parents)?,
                change.additions,
                change.deletions,
                json(&change.labels)?,
                json(&change.reviews)?,
                json(&change.related)?,
                json(&change.notes)?,
                json(&change.attributes)?,
                change.source.file,
                change.source.location,
                self.run_id,
                change.updated_at.as_ref().map(format_time),
                attribution.class.as_str(),
                attribution.tool,
                attribution.involvement,
                attribution.confidence,
                attribution.model,
                attribution.line_share,
            ],
            |row| row.get(0),
        )
        .optional()?;
        // No id: the stored copy was updated later than this one, which therefore loses.
        let Some(change_id) = change_id else {
            return Ok(());
        };
        let overrides = match self.has_overrides {
            Some(known) => known,
            None => {
                let known: bool = self.conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM attribution_overrides)",
                    [],
                    |row| row.get(0),
                )?;
                self.has_overrides = Some(known);
                known
            }
        };
        // The row already holds the computed class; an override in force rewrites it.
        write_attribution_with(&self.conn, change_id, attribution, overrides, true)?;
        self.stored += 1;
        Ok(())
    }

    /// Adds timeline events to an incident stored earlier; `false` when no such incident is
    /// stored (the caller keeps the record as rejected).
    pub fn add_incident_events(&mut self, record: &IncidentEvents) -> Result<bool> {
        self.seen += 1;
        let incident_id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM incidents WHERE source_system = ?1 AND source_id = ?2",
                params![record.source_system, record.source_id],
                |row| row.get(0),
            )
            .optional()?;
        let Some(incident_id) = incident_id else {
            self.seen -= 1;
            return Ok(false);
        };
        insert_events(&self.conn, incident_id, &record.events)?;
        self.stored += 1;
        Ok(true)
    }

    /// Stores a deployment, replacing an earlier copy with the same key (unless that copy was
    /// updated later). Written in batches: the last ones when the file is committed.
    pub fn add_deployment(&mut self, deployment: Deployment) -> Result<()> {
        self.add_prepared_deployment(PreparedDeployment::new(deployment)?)
    }

    /// [`Self::add_deployment`] of a deployment whose values were made ready beforehand,
    /// possibly on another thread.
    pub fn add_prepared_deployment(&mut self, mut deployment: PreparedDeployment) -> Result<()> {
        self.seen += 1;
        deployment.values[SERVICE_ID] = Cell::Integer(self.service_id(&deployment.service)?);
        deployment.values[RUN_ID] = Cell::Integer(self.run_id);
        if let Some(at) = deployment.text(AT) {
            let appending = &mut self.appending;
            // Text order is time order (`format_time`).
            appending.back_in_time |= at < appending.last_at.as_str();
            appending.last_at.clear();
            appending.last_at.push_str(at);
        }
        self.pending.push(deployment);
        // A stored status decides its deployment's outcome, so each is written at once then.
        if self.pending.len() == ROWS_PER_STATEMENT || self.statuses_stored()? {
            self.flush_deployments()?;
        }
        Ok(())
    }

    /// Writes the deployments waiting in `pending`.
    fn flush_deployments(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let values = || rusqlite::params_from_iter(rows.iter().flat_map(PreparedDeployment::bound));
        let inserted = self
            .conn
            .prepare_cached(&deployments_insert(rows.len()))?
            .execute(values())?;
        // Some keys were stored already (an export ingested again, or a key twice in the
        // batch): the whole batch again as an upsert. The rows just inserted meet themselves
        // and are written again with the same values, so the upsert's count is what one
        // upsert alone would have written: each row inserted or updated.
        let written = if inserted == rows.len() {
            inserted
        } else {
            self.conn
                .prepare_cached(&deployments_upsert(rows.len()))?
                .execute(values())?
        };
        // A copy older than the stored one is not written, and not counted as stored.
        self.stored += written as i64;
        self.appending.written += written as i64;
        if self.statuses_stored()? {
            for row in &rows {
                if let Some(key) = row.text(NATURAL_KEY) {
                    self.appending.statuses_applied += i64::from(apply_statuses(&self.conn, key)?);
                }
            }
        }
        self.pending = match &mut self.written_rows {
            Some(kept) => {
                kept.push(rows);
                Vec::with_capacity(ROWS_PER_STATEMENT)
            }
            None => {
                let mut rows = rows;
                rows.clear();
                rows
            }
        };
        Ok(())
    }

    /// Keeps the values of the deployments written, for [`Self::take_written`] to hand back to
    /// the thread that made them ([`PreparedDeployment::new`]). Freed on the writing thread,
    /// the slower of the two, their memory went back to the other thread's heap the slow way
    /// (mimalloc's cross-thread free): a million-line deploy log took 4.41–5.10 s
    /// against 4.08–4.50 s with them handed back.
    pub fn keep_written(&mut self) {
        self.written_rows.get_or_insert_with(Vec::new);
    }

    /// The values of the deployments written since the last call (see
    /// [`Self::keep_written`]).
    pub fn take_written(&mut self) -> WrittenRows {
        WrittenRows {
            batches: self
                .written_rows
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default(),
        }
    }

    /// Stores a deployment status under its deployment's key and, when that deployment is
    /// stored, lets the latest status decide its outcome. A status that arrives first waits
    /// for its deployment.
    pub fn add_deployment_status(&mut self, status: &DeploymentStatusUpdate) -> Result<()> {
        self.flush_deployments()?;
        self.seen += 1;
        self.conn
            .prepare_cached(
                "INSERT INTO deployment_statuses(deployment_key, state, status, at, environment,
                                                 actor, description, log_url,
                                                 source_file, source_location, run_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(deployment_key, at, state) DO UPDATE SET
                     status = excluded.status, environment = excluded.environment,
                     actor = excluded.actor, description = excluded.description,
                     log_url = excluded.log_url, source_file = excluded.source_file,
                     source_location = excluded.source_location, run_id = excluded.run_id",
            )?
            .execute(params![
                status.deployment_key,
                status.state,
                status.status.as_str(),
                format_time(&status.at),
                status.environment,
                status.actor,
                status.description,
                status.log_url,
                status.source.file,
                status.source.location,
                self.run_id,
            ])?;
        self.has_statuses = Some(true);
        self.appending.statuses_applied +=
            i64::from(apply_statuses(&self.conn, &status.deployment_key)?);
        self.stored += 1;
        Ok(())
    }

    /// Whether any deployment status is stored, asked once per file: most deployments never
    /// have statuses of their own, and a query per record would slow large deploy logs.
    fn statuses_stored(&mut self) -> Result<bool> {
        if let Some(known) = self.has_statuses {
            return Ok(known);
        }
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM deployment_statuses)",
            [],
            |row| row.get(0),
        )?;
        self.has_statuses = Some(known);
        Ok(known)
    }

    /// Stores an incident with its timeline, replacing an earlier copy with the same tool id.
    pub fn add_incident(&mut self, incident: &Incident) -> Result<()> {
        self.seen += 1;
        let service_id = match &incident.service {
            Some(name) => Some(self.service_id(name)?),
            None => None,
        };
        let attributes = serde_json::to_string(&incident.attributes)
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let incident_id: Option<i64> = self
            .conn
            .prepare_cached(
                "INSERT INTO incidents(source_system, source_id, number, title, status, severity,
                                   service_id, started_at, resolved_at, url,
                                   source_file, source_location, run_id, updated_at, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(source_system, source_id) DO UPDATE SET
                 number = excluded.number, title = excluded.title, status = excluded.status,
                 severity = excluded.severity, service_id = excluded.service_id,
                 started_at = excluded.started_at, resolved_at = excluded.resolved_at,
                 url = excluded.url, source_file = excluded.source_file,
                 source_location = excluded.source_location, run_id = excluded.run_id,
                 updated_at = coalesce(excluded.updated_at, incidents.updated_at),
                 attributes = excluded.attributes
             WHERE excluded.updated_at IS NULL OR incidents.updated_at IS NULL
                OR excluded.updated_at >= incidents.updated_at
             RETURNING id",
            )?
            .query_row(
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
                    incident.updated_at.as_ref().map(format_time),
                    attributes,
                ],
                |row| row.get(0),
            )
            .optional()?;
        // No id: the stored copy was updated later; its timeline stays as it is.
        let Some(incident_id) = incident_id else {
            return Ok(());
        };
        insert_events(&self.conn, incident_id, &incident.events)?;
        self.stored += 1;
        Ok(())
    }

    /// Keeps a record the ingester could not accept.
    pub fn add_rejection(&mut self, rejection: &Rejection) -> Result<()> {
        self.seen += 1;
        self.rejected += 1;
        self.conn
            .prepare_cached(
                "INSERT INTO rejected_records(run_id, location, field, reason, raw)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                self.run_id,
                rejection.location,
                rejection.field,
                rejection.reason,
                rejection.raw
            ])?;
        Ok(())
    }

    /// Keeps a record that describes nothing to store (a DevLake pipeline that never ran),
    /// with its location and reason like a rejection, counted as skipped.
    pub fn add_skipped(&mut self, skipped: &Rejection) -> Result<()> {
        self.seen += 1;
        self.skipped += 1;
        self.conn
            .prepare_cached(
                "INSERT INTO rejected_records(run_id, location, field, reason, raw, skipped)
             VALUES (?1, ?2, ?3, ?4, ?5, 1)",
            )?
            .execute(params![
                self.run_id,
                skipped.location,
                skipped.field,
                skipped.reason,
                skipped.raw
            ])?;
        Ok(())
    }

    /// Makes the whole file visible at once.
    pub fn commit(mut self) -> Result<RunSummary> {
        self.flush_deployments()?;
        let (appended, keeps_order) = self.appended()?;
        self.conn.prepare_cached(
            "UPDATE ingest_runs SET records_seen = ?1, records_stored = ?2, records_rejected = ?3,
                                    records_skipped = ?4, deployments_appended = ?5,
                                    deployments_written = ?6
             WHERE id = ?7",
        )?
        .execute(params![
            self.seen,
            self.stored,
            self.rejected,
            self.skipped,
            appended,
            self.appending.written + self.appending.statuses_applied,
            self.run_id
        ])?;
        if !keeps_order {
            self.conn
                .execute_batch("UPDATE deployment_time_order SET by_id = 0")?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        end_ingest(&self.conn)?;
        Ok(RunSummary {
            run_id: self.run_id,
            seen: self.seen,
            stored: self.stored,
            rejected: self.rejected,
            skipped: self.skipped,
        })
    }

    /// Whether the run stored only deployments, each new, in time order and at or after
    /// every deployment stored before it (appended); and whether the deployments' ids still
    /// follow time after it (it appended, or wrote no deployment).
    fn appended(&self) -> Result<(bool, bool)> {
        let a = &self.appending;
        if a.written == 0 && a.statuses_applied == 0 {
            return Ok((false, true));
        }
        let after: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM deployments", [], |row| {
                    row.get(0)
                })?;
        let new = after - a.before;
        // New rows take the ids after the last one; a row written again keeps its own.
        if a.back_in_time || a.statuses_applied > 0 || new == 0 || a.written != new {
            return Ok((false, false));
        }
        let first_at: Option<String> = self
            .conn
            .query_row(
                "SELECT at FROM deployments WHERE id = ?1 + 1",
                [a.before],
                |row| row.get(0),
            )
            .optional()?;
        match (first_at, &a.latest_before) {
            (Some(first), Some(latest)) if *latest > first => Ok((false, false)),
            (Some(_), _) => Ok((self.stored == new, true)),
            // The first new id is not there: nothing is known of the order.
            (None, _) => Ok((false, false)),
        }
    }

    fn service_id(&mut self, name: &str) -> Result<i64> {
        if let Some(id) = self.services.get(name) {
            return Ok(*id);
        }
        let id = self
            .conn
            .prepare_cached(
                "INSERT INTO services(name) VALUES (?1)
             ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id",
            )?
            .query_row([name], |row| row.get(0))?;
        // Bounded, so that a file of endless distinct names cannot grow it without limit.
        if self.services.len() < 10_000 {
            self.services.insert(name.to_owned(), id);
        }
        Ok(id)
    }
}

impl Drop for IngestTransaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing of a file that failed part-way may stay behind.
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = end_ingest(&self.conn);
        }
    }
}

/// Gives the connection back the settings `begin_ingest` changed for a file's transaction,
/// once it has ended: foreign keys on (a no-op while a transaction is open), temporary storage
/// on disk and the small page cache.
fn end_ingest(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA temp_store = DEFAULT; {} PRAGMA shrink_memory;",
        crate::SMALL_CACHE
    ))?;
    Ok(())
}
