//! The only code in Hindsight that speaks SQL.
//!
//! One SQLite file, opened with WAL, `synchronous=NORMAL`, foreign keys and a busy timeout on
//! every connection. The schema is a list of numbered migrations in `migrations/`, applied at
//! open and tracked in `PRAGMA user_version`. Connections come from a small pool so that
//! readers never wait on one global lock.

mod annotations;
mod appended;
mod catalog;
mod checkpoint;
mod columns;
mod events;
mod histogram;
mod incident_review;
mod pool;
mod read;
mod review;
mod settings;
mod time_seek;
mod write;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

pub use annotations::{AnnotationRow, NewAnnotation};
pub use appended::AppendedDeployments;
pub use catalog::CatalogRow;
pub use events::{EventFacets, EventFilter, EventPage, EventRow};
pub use incident_review::{CauseReviewRow, GroupReviewRow};
pub use pool::PooledConnection;
pub use read::{
    ChangeRow, ChangeText, DeploymentRow, EvidenceRow, IncidentRow, LinkRow, Overview,
    RejectionRow, RunRow, TimelineRow,
};
pub use review::{ChangeReviews, LinkReviewRow, OverrideRow};
pub use write::{IngestTransaction, NewLink, PreparedDeployment, RunMeta, RunSummary, WrittenRows};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this Hindsight knows ({known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    BadQuery(String),
    #[error("checkpoint of the database file: {0}")]
    Checkpoint(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The numbered migrations, in order. Index + 1 is the schema version each one produces.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_change_details_and_reviews.sql"),
    include_str!("../migrations/0003_timeline_events.sql"),
    include_str!("../migrations/0004_service_catalog.sql"),
    include_str!("../migrations/0005_record_updates_and_deployment_statuses.sql"),
    include_str!("../migrations/0006_incident_groups.sql"),
    include_str!("../migrations/0007_incident_annotations.sql"),
    include_str!("../migrations/0008_settings.sql"),
    include_str!("../migrations/0009_event_indexes.sql"),
    include_str!("../migrations/0010_events_in_time_order.sql"),
    include_str!("../migrations/0011_skipped_records.sql"),
    include_str!("../migrations/0012_event_approvals.sql"),
    include_str!("../migrations/0013_partial_event_indexes.sql"),
    include_str!("../migrations/0014_search_index_without_sizes.sql"),
    include_str!("../migrations/0015_timeline_filters_in_memory.sql"),
    include_str!("../migrations/0016_events_without_time_index.sql"),
    include_str!("../migrations/0017_runs_awaiting_update.sql"),
    include_str!("../migrations/0018_search_index_larger_flushes.sql"),
    include_str!("../migrations/0019_deployments_before_each_run.sql"),
    include_str!("../migrations/0020_deployment_approvals.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A Hindsight database.
pub struct Store {
    path: PathBuf,
    pool: pool::Pool,
    /// The timeline's filterable columns, read once per generation of the events table.
    timeline: std::sync::Mutex<Option<std::sync::Arc<columns::EventColumns>>>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() && !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                    path: path.to_owned(),
                    source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
                })?;
            }
        }
        let mut conn = open_connection(path)?;
        migrate(&mut conn, path)?;
        let checkpointer = checkpoint::Checkpointer::start(open_connection(path)?)?;
        // The migrations just committed.
        checkpointer.request();
        let pool = pool::Pool::new(path.to_owned(), conn, checkpointer);
        Ok(Self {
            path: path.to_owned(),
            pool,
            timeline: std::sync::Mutex::new(None),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection from the pool; it goes back when dropped.
    pub fn connection(&self) -> Result<PooledConnection<'_>> {
        self.pool.get()
    }

    /// Waits until everything committed so far is in the database file itself, not only in
    /// its WAL (see `checkpoint.rs`: checkpoints otherwise run in the background).
    pub fn checkpoint(&self) -> Result<()> {
        self.pool.checkpointer().flush()
    }
}

/// Opens one connection with the PRAGMAs every Hindsight connection uses.
fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(PAGE_SIZE)?;
    // journal_mode returns a row, so it is read rather than executed.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    // A 16 MB page cache (2 MB by default); bulk writes take a larger one while they run
    // (`LARGE_CACHE`). No checkpoint as a commit returns: the store's checkpoint thread runs
    // them (`checkpoint.rs`).
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;
         {SMALL_CACHE}"
    ))?;
    Ok(conn)
}

/// The page size of a new store (SQLite's default is 4 KB). Set before anything is written,
/// since a store in WAL mode keeps the size it was created with; a store that exists keeps
/// its own. Larger pages make shallower B-trees with fewer splits: SQLite's own INSERT …
/// SELECT of a million deployments into this schema took 3.1 s instead of 4.3–4.8 s, and the
/// ingest bench's million-line deploy log 6.16 s instead of 6.65–6.89 s (with `LARGE_CACHE`
/// at 32 MB, alternating runs). The timeline's filters and searches kept their p95; the
/// histogram of a rare word's matches took 12–13 ms instead of 8–9 ms (`--bench events`).
const PAGE_SIZE: &str = "PRAGMA page_size = 16384;";

/// The page cache of every connection at rest: each pooled connection keeps its own, so a
/// large one each would add up.
pub(crate) const SMALL_CACHE: &str = "PRAGMA cache_size = -16384;";

/// The page cache while a file of a million records or the timeline is written (32 MB):
/// smaller, pages spill to the WAL row after row. Given back afterwards (`SMALL_CACHE`, then
/// `shrink_memory`). With 16 KB pages a 64 MB cache was no faster and raised the ingest
/// bench's peak memory from 258–272 MB to 295–310 MB in the process that links incidents
/// (what SQLite's page allocations leave in the C heap); 32 MB gave 246–274 MB.
pub(crate) const LARGE_CACHE: &str = "PRAGMA cache_size = -32768;";

/// Runs a bulk write on `conn` with the large page cache, then gives the memory back.
pub(crate) fn with_large_cache<T>(
    conn: &mut Connection,
    write: impl FnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    conn.execute_batch(LARGE_CACHE)?;
    let result = write(conn);
    let restored = conn.execute_batch(&format!("{SMALL_CACHE} PRAGMA shrink_memory;"));
    let value = result?;
    restored?;
    Ok(value)
}

/// Applies every migration newer than the file's `user_version`, each in its own transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

fn migrate_to(conn: &mut Connection, path: &Path, target: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(current as usize)
        .take((target - current).max(0) as usize)
    {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// The one text form of instants in the store: UTC, millisecond precision, so that text order
/// is time order.
pub fn format_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads an instant written by [`format_time`].
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

#[cfg(test)]
mod refresh_tests;

#[cfg(test)]
mod updates_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_applies_migrations_and_pragmas() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/h.sqlite");
        let store = Store::open(&path).expect("open");
        let conn = store.connection().expect("conn");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("v");
        assert_eq!(version, SCHEMA_VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("m");
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(fk, 1);
    }

    fn page_size(store: &Store) -> i64 {
        let conn = store.connection().expect("conn");
        conn.query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size")
    }

    #[test]
    fn a_new_store_has_16_kb_pages_and_one_created_before_keeps_its_4_kb() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = Store::open(&dir.path().join("new.sqlite")).expect("open new");
        assert_eq!(page_size(&new), 16384);

        // A store as earlier versions created it: SQLite's default pages, WAL, schema 1.
        let old_path = dir.path().join("old.sqlite");
        {
            let mut conn = Connection::open(&old_path).expect("create");
            conn.execute_batch("PRAGMA page_size = 4096;")
                .expect("page size");
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .expect("wal");
            assert_eq!(mode, "wal");
            migrate_to(&mut conn, &old_path, 1).expect("schema 1");
            conn.execute("INSERT INTO services(name) VALUES ('checkout')", [])
                .expect("insert");
        }
        let old = Store::open(&old_path).expect("open old");
        assert_eq!(page_size(&old), 4096);
        let conn = old.connection().expect("conn");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        let names: String = conn
            .query_row("SELECT group_concat(name) FROM services", [], |r| r.get(0))
            .expect("names");
        assert_eq!(names, "checkout");
    }

    #[test]
    fn reopening_an_up_to_date_file_keeps_its_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite");
        {
            let store = Store::open(&path).expect("open");
            let conn = store.connection().expect("conn");
            conn.execute("INSERT INTO services(name) VALUES ('checkout')", [])
                .expect("insert");
        }
        let store = Store::open(&path).expect("reopen");
        let conn = store.connection().expect("conn");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM services", [], |r| r.get(0))
            .expect("n");
        assert_eq!(n, 1);
    }

    /// A store file at schema `version` in a new temporary directory, with `fill` run on it
    /// before it is closed: what an older build left behind, for `Store::open` to migrate.
    fn file_at_version(
        version: i64,
        fill: impl FnOnce(&Connection),
    ) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("v{version}.sqlite"));
        let mut conn = open_connection(&path).expect("open");
        migrate_to(&mut conn, &path, version).expect("older schema");
        fill(&conn);
        (dir, path)
    }

    #[test]
    fn a_version_1_database_is_migrated_with_its_data() {
        let (_dir, path) = file_at_version(1, |conn| {
            conn.execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('a.gitlog', 'h', 'git-log', '2026-11-01T00:00:00.000Z', 1, 1, 0);
                 INSERT INTO changes(kind, natural_key, title, message, class, source_file,
                                     source_location, run_id)
                 VALUES ('commit', 'abc', 'old change', 'old change', 'human', 'a.gitlog',
                         'line 1', 1);",
            )
            .expect("v1 data");
        });
        let store = Store::open(&path).expect("migrate");
        let conn = store.connection().expect("conn");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("v");
        assert_eq!(version, SCHEMA_VERSION);
        let (title, labels): (String, String) = conn
            .query_row(
                "SELECT title, labels FROM changes WHERE natural_key = 'abc'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row kept");
        assert_eq!((title.as_str(), labels.as_str()), ("old change", "[]"));
        let overrides: i64 = conn
            .query_row("SELECT count(*) FROM attribution_overrides", [], |r| {
                r.get(0)
            })
            .expect("new table");
        assert_eq!(overrides, 0);
    }

    #[test]
    fn a_version_16_store_counts_its_runs_updated_and_its_search_index_flushes_in_16_mb() {
        let (_dir, path) = file_at_version(16, |conn| {
            conn.execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('a.gitlog', 'h', 'git-log', '2026-11-01T00:00:00.000Z', 1, 1, 0);",
            )
            .expect("v16 run");
        });
        let store = Store::open(&path).expect("migrate");
        // A run stored before runs were marked had its update written with it.
        assert_eq!(store.runs_awaiting_update().expect("runs"), []);
        let conn = store.connection().expect("conn");
        let hashsize: i64 = conn
            .query_row(
                "SELECT v FROM events_fts_config WHERE k = 'hashsize'",
                [],
                |r| r.get(0),
            )
            .expect("the search index's setting");
        assert_eq!(hashsize, 16 << 20);
    }

    #[test]
    fn a_version_18_store_knows_whether_its_deployment_ids_follow_time() {
        for (times, follows) in [
            (
                ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
                true,
            ),
            (
                ["2026-01-02T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
                false,
            ),
        ] {
            let (_dir, path) = file_at_version(18, |conn| {
                conn.execute_batch(
                    "INSERT INTO ingest_runs(path, content_hash, format, ingested_at,
                                             records_seen, records_stored, records_rejected)
                     VALUES ('d.log', 'h', 'deploylog-logfmt', '2026-11-01T00:00:00.000Z', 2, 2,
                             0);
                     INSERT INTO services(name) VALUES ('checkout');",
                )
                .expect("v18 run");
                for (n, at) in times.iter().enumerate() {
                    conn.execute(
                        "INSERT INTO deployments(natural_key, service_id, status, action, at,
                                                 source_file, source_location, run_id)
                         VALUES (?1, 1, 'succeeded', 'deploy', ?2, 'd.log', 'line 1', 1)",
                        rusqlite::params![format!("d-{n}"), at],
                    )
                    .expect("v18 deployment");
                }
            });
            let store = Store::open(&path).expect("migrate");
            let by_id: bool = store
                .connection()
                .expect("conn")
                .query_row("SELECT by_id FROM deployment_time_order", [], |r| r.get(0))
                .expect("order");
            assert_eq!(by_id, follows, "{times:?}");
            // Runs stored before are never taken as appended.
            assert_eq!(store.appended_deployments(&[1]).expect("appended"), None);
        }
    }

    #[test]
    fn a_version_19_store_has_its_approvals_read_by_the_rule_the_ingest_writes_them_with() {
        // Each `approvals` text, and none: what the migration's SQL makes of them must be what
        // `hindsight_model::approved` makes of them, which new deployments are written with.
        let texts = [
            Some("2"),
            Some("0"),
            Some(" 3 "),
            Some("\t1\n"),
            Some("+4"),
            Some("007"),
            Some("-1"),
            Some("1.5"),
            Some("3 of 4"),
            Some("yes"),
            Some(""),
            Some("++1"),
            Some("4294967295"),
            Some("4294967296"),
            Some("00000000000000000001"),
            None,
        ];
        let (_dir, path) = file_at_version(19, |conn| {
            conn.execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('d.log', 'h', 'deploylog-logfmt', '2026-11-01T00:00:00.000Z', 1, 1, 0);
                 INSERT INTO services(name) VALUES ('checkout');",
            )
            .expect("v19 run");
            for (n, text) in texts.iter().enumerate() {
                let attributes: std::collections::BTreeMap<&str, &str> =
                    text.iter().map(|t| ("approvals", *t)).collect();
                conn.execute(
                    "INSERT INTO deployments(natural_key, service_id, status, action, at,
                                             attributes, source_file, source_location, run_id)
                     VALUES (?1, 1, 'succeeded', 'deploy', '2026-11-01T00:00:00.000Z', ?2,
                             'd.log', 'line 1', 1)",
                    rusqlite::params![
                        format!("d-{n}"),
                        serde_json::to_string(&attributes).expect("json")
                    ],
                )
                .expect("v19 deployment");
            }
            // Their events as the version 19 timeline made them, with SQLite's own cast of
            // the JSON: "1.5" and "3 of 4" were approved.
            conn.execute_batch(
                "INSERT INTO events(at, source, kind, service, title, ref_id, approval)
                 SELECT d.at, 'deployment', d.action, 'checkout', 'deploy', d.id,
                        CASE WHEN CAST(json_extract(d.attributes, '$.approvals') AS INTEGER) > 0
                                 THEN 'approved'
                             WHEN json_extract(d.attributes, '$.approvals') IS NOT NULL
                                 THEN 'not approved'
                        END
                 FROM deployments d ORDER BY d.id",
            )
            .expect("v19 events");
        });
        let store = Store::open(&path).expect("migrate");
        let conn = store.connection().expect("conn");
        for (n, text) in texts.iter().enumerate() {
            let expected = text.map(|t| {
                hindsight_model::approved(&[("approvals".to_owned(), t.to_owned())].into())
                    == Some(true)
            });
            let (stored, event): (Option<bool>, Option<String>) = conn
                .query_row(
                    "SELECT d.approved, e.approval FROM deployments d
                     JOIN events e ON e.source = 'deployment' AND e.ref_id = d.id
                     WHERE d.natural_key = ?1",
                    [format!("d-{n}")],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .expect("row");
            assert_eq!(stored, expected, "approvals {text:?}");
            let expected_event = expected.map(|a| if a { "approved" } else { "not approved" });
            assert_eq!(
                event.as_deref(),
                expected_event,
                "event of approvals {text:?}"
            );
        }
    }

    #[test]
    fn a_version_14_timeline_loses_its_indexes_and_still_filters_by_value_and_time() {
        let indexes = |conn: &Connection| -> Vec<String> {
            conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'
                 AND sql IS NOT NULL ORDER BY name",
            )
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("names")
        };
        let (_dir, path) = file_at_version(14, |conn| {
            conn.execute_batch(
                "INSERT INTO events(at, source, kind, service, environment, title, ref_id)
                 VALUES ('2026-11-01T00:00:00.000Z', 'deployment', 'deploy', 'checkout',
                         'production', 'deploy 1', 1),
                        ('2026-11-01T00:01:00.000Z', 'deployment', 'deploy', 'search',
                         'staging', 'deploy 2', 2);",
            )
            .expect("v14 events");
            assert_eq!(indexes(conn).len(), 10, "{:?}", indexes(conn));
        });
        let store = Store::open(&path).expect("migrate");
        assert!(indexes(&store.connection().expect("conn")).is_empty());
        let staging = EventFilter {
            environments: vec!["staging".into()],
            ..EventFilter::default()
        };
        let page = store.search_events(&staging, 0, 10, 10).expect("search");
        assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
        let from_the_second = EventFilter {
            from: Some("2026-11-01T00:00:30.000Z".into()),
            ..EventFilter::default()
        };
        let page = store
            .search_events(&from_the_second, 0, 10, 10)
            .expect("window");
        assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
        assert_eq!(
            store.event_facets().expect("facets").services,
            ["checkout", "search"]
        );
    }

    #[test]
    fn a_version_13_timeline_keeps_its_events_searchable_without_token_counts() {
        let (_dir, path) = file_at_version(13, |conn| {
            conn.execute_batch(
                "INSERT INTO events(at, source, kind, title, ref_id)
                 VALUES ('2026-11-01T00:00:00.000Z', 'change', 'commit', 'retry budget', 1);
                 INSERT INTO events_fts(events_fts) VALUES ('rebuild');",
            )
            .expect("v13 events");
            let sizes: i64 = conn
                .query_row("SELECT count(*) FROM events_fts_docsize", [], |r| r.get(0))
                .expect("v13 keeps token counts");
            assert_eq!(sizes, 1);
        });
        let store = Store::open(&path).expect("migrate");
        let conn = store.connection().expect("conn");
        let docsize: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'events_fts_docsize'",
                [],
                |r| r.get(0),
            )
            .expect("schema");
        assert_eq!(docsize, 0, "no per-event token counts");
        let found: i64 = conn
            .query_row(
                "SELECT rowid FROM events_fts WHERE events_fts MATCH 'budget'",
                [],
                |r| r.get(0),
            )
            .expect("the old event is found");
        assert_eq!(found, 1);
    }

    #[test]
    fn a_file_from_a_newer_hindsight_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite");
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .expect("set");
        }
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn times_sort_as_text() {
        let a = parse_time("2026-11-17T14:05:00Z").expect("a");
        let b = parse_time("2026-11-17T14:05:00.5Z").expect("b");
        assert!(format_time(&a) < format_time(&b));
        assert_eq!(format_time(&a), "2026-11-17T14:05:00.000Z");
    }
}
