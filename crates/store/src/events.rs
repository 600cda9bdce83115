//! The merged timeline: every incident event, deployment and change as one searchable table.

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension};

use crate::columns::{next_timeline_generation, FILTER_COLUMNS};
use crate::time_seek::{first_id_from, last_id_to};
use crate::{AppendedDeployments, Result, Store, StoreError};

/// One row of the merged timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub source: String,
    pub kind: String,
    pub service: Option<String>,
    pub environment: Option<String>,
    pub actor: Option<String>,
    pub class: Option<String>,
    pub tool: Option<String>,
    pub severity: Option<String>,
    pub title: String,
    pub ref_id: i64,
    /// `approved` or `not approved` for changes and deployments that record it.
    pub approval: Option<String>,
}

/// One page of the merged timeline and a count of the matches that is exact up to a bound.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    /// The matches, or the counting bound when `total_capped` (more match than that).
    pub total: i64,
    /// Whether more events than `total` match.
    pub total_capped: bool,
    pub rows: Vec<EventRow>,
}

/// What to look for; empty lists mean every value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventFilter {
    /// An FTS5 query.
    pub text: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub services: Vec<String>,
    pub environments: Vec<String>,
    pub sources: Vec<String>,
    pub classes: Vec<String>,
    pub tools: Vec<String>,
    pub severities: Vec<String>,
    pub actors: Vec<String>,
    /// `approved` or `not approved`.
    pub approvals: Vec<String>,
}

impl EventFilter {
    /// Each filterable column's name and wanted values, in the order of `FILTER_COLUMNS`.
    pub(crate) fn columns(&self) -> [(&'static str, &Vec<String>); 8] {
        let wanted = [
            &self.services,
            &self.environments,
            &self.sources,
            &self.classes,
            &self.tools,
            &self.severities,
            &self.actors,
            &self.approvals,
        ];
        std::array::from_fn(|index| (FILTER_COLUMNS[index], wanted[index]))
    }
}

/// The distinct values of each filterable column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventFacets {
    pub services: Vec<String>,
    pub environments: Vec<String>,
    pub sources: Vec<String>,
    pub classes: Vec<String>,
    pub tools: Vec<String>,
    pub severities: Vec<String>,
    pub actors: Vec<String>,
    pub approvals: Vec<String>,
    pub min_at: Option<String>,
    pub max_at: Option<String>,
    pub total: i64,
}

/// The events of deployments (one each), narrowed by `{deployments}`. A macro, so that it is
/// both a part of [`TIMELINE_SELECT`] and the whole of a file of deployments in time order
/// (`deployments_in_time_order`). The title is one `format` rather than eight `||`, each of
/// which makes a string of its own: a million titles took 0.58–0.96 s instead of 0.74–1.18 s.
/// The approval is the stored `approved` (migration 20) rather than the attributes' JSON read
/// again: the JSON took 0.12–0.4 s of a million events' 1.4–1.9 s (SQLite 3.51, alternating).
macro_rules! deployment_events {
    () => {
        "SELECT d.at, 'deployment', d.action, s.name, d.environment, d.actor, NULL, NULL,
           NULL,
           format('%s %s on %s%s (%s)', d.action, coalesce(d.version, substr(d.sha, 1, 10), ''),
                  s.name, coalesce(' ' || d.environment, ''), d.status),
           d.id, CASE d.approved WHEN 1 THEN 'approved' WHEN 0 THEN 'not approved' END
    FROM deployments d JOIN services s ON s.id = d.service_id
    WHERE {deployments}"
    };
}

/// The merged timeline's rows, in no order (see `TIMELINE_ORDER`). Each `{...}` narrows one
/// source: `1` for every record.
const TIMELINE_SELECT: &str = concat!(
    "
    SELECT t.at, 'incident', t.kind, s.name, NULL, NULL, NULL, NULL, i.severity,
           i.title || ': ' || t.text, i.id, NULL
    FROM timeline_events t JOIN incidents i ON i.id = t.incident_id
    LEFT JOIN services s ON s.id = i.service_id
    WHERE {incidents}
    UNION ALL
    ",
    deployment_events!(),
    "
    UNION ALL
    SELECT ds.at, 'deployment', 'status', s.name,
           coalesce(ds.environment, d.environment), ds.actor, NULL, NULL, NULL,
           'status ' || ds.state || ' of ' || d.action || ' ' ||
           coalesce(d.version, substr(d.sha, 1, 10), '') || ' on ' || s.name ||
           coalesce(': ' || nullif(ds.description, ''), ''),
           d.id, NULL
    FROM deployment_statuses ds
    JOIN deployments d ON d.natural_key = ds.deployment_key
    JOIN services s ON s.id = d.service_id
    WHERE {deployments}
    UNION ALL
    SELECT c.committed_at, 'change', c.kind, c.repo, NULL, c.author_name, c.class,
           c.ai_tool, NULL, c.title, c.id,
           CASE
               WHEN EXISTS (SELECT 1 FROM json_each(c.reviews)
                            WHERE lower(json_extract(value, '$.state')) = 'approved')
                 OR lower(json_extract(c.attributes, '$.approval')) = 'approved'
                   THEN 'approved'
               WHEN json_array_length(c.reviews) > 0
                 OR json_extract(c.attributes, '$.approval') IS NOT NULL
                   THEN 'not approved'
           END
    FROM changes c WHERE c.committed_at IS NOT NULL AND {changes}"
);

/// Time order, ties by source, record, kind and title: the order ids follow.
const TIMELINE_ORDER: &str = "ORDER BY 1, 2, 11, 3, 10";

/// The rows of `union` (a compound select) in [`TIMELINE_ORDER`], sorted as one list. An
/// `ORDER BY` on the compound itself sorts each part and merges them, which took about half as
/// long again (300,000 deployments: 0.81–1.27 s against 0.64–0.82 s, interleaved runs).
fn in_timeline_order(union: &str) -> String {
    format!("SELECT * FROM ({union}) {TIMELINE_ORDER}")
}

/// The deployments stored by the runs in `temp.refresh_runs`.
const DEPLOYMENTS_OF_RUNS: &str = "d.run_id IN (SELECT id FROM temp.refresh_runs)";

/// Which records of each source were stored by the runs in `temp.refresh_runs`.
const RUN_SCOPE: [(&str, &str); 3] = [
    (
        "{incidents}",
        "i.run_id IN (SELECT id FROM temp.refresh_runs)",
    ),
    ("{deployments}", DEPLOYMENTS_OF_RUNS),
    (
        "{changes}",
        "c.run_id IN (SELECT id FROM temp.refresh_runs)",
    ),
];

/// The span of the timeline's ids, at least its count of events, read without a scan: a
/// `max(id) - min(id)` in one select reads every row (SQLite finds one `min` or `max` alone
/// through the key).
const EVENT_ID_SPAN: &str =
    "coalesce((SELECT max(id) FROM events) - (SELECT min(id) FROM events) + 1, 0)";

const EVENT_COLUMNS: &str =
    "at, source, kind, service, environment, actor, class, tool, severity, title, ref_id, approval";

fn timeline_select(scoped: bool) -> String {
    RUN_SCOPE
        .iter()
        .fold(TIMELINE_SELECT.to_owned(), |sql, (name, scope)| {
            sql.replace(name, if scoped { scope } else { "1" })
        })
}

/// Every event again, in one insert in time order: ids follow `at`, which search relies on
/// (see `search_events` and migration 10).
fn rebuild_events_in(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(&format!(
        "DELETE FROM events;
         INSERT INTO events({EVENT_COLUMNS}) {};
         INSERT INTO events_fts(events_fts) VALUES ('rebuild');",
        in_timeline_order(&timeline_select(false))
    ))?;
    Ok(())
}

/// Replaces the events of the records stored by the runs in `temp.refresh_runs`. Ids must
/// keep following time, so the other events from the first new one on (the tail; none when
/// the new ones all come later) are taken out and put back with the new ones, in time order.
/// Returns false when that tail is more than half the timeline (rebuilding it whole is then
/// as cheap); what it did is then undone by the rebuild.
fn merge_events_in(tx: &rusqlite::Transaction<'_>) -> Result<bool> {
    // The events these runs' records had before (a record stored again by a changed export).
    let theirs = "(source = 'deployment' AND ref_id IN
                      (SELECT id FROM deployments WHERE run_id IN (SELECT id FROM temp.refresh_runs)))
                  OR (source = 'change' AND ref_id IN
                      (SELECT id FROM changes WHERE run_id IN (SELECT id FROM temp.refresh_runs)))
                  OR (source = 'incident' AND ref_id IN
                      (SELECT id FROM incidents WHERE run_id IN (SELECT id FROM temp.refresh_runs)))";
    // Found by one scan of the timeline (it has no index by record), then taken out by id: a
    // scan each for the search index and the table took 1.3 s of a 1,000-line file's refresh
    // in a store of a million events, against 0.8 s.
    tx.execute_batch(&format!(
        "CREATE TEMP TABLE refresh_theirs AS SELECT id, title FROM events WHERE {theirs};
         INSERT INTO events_fts(events_fts, rowid, title)
             SELECT 'delete', id, title FROM temp.refresh_theirs;
         DELETE FROM events WHERE id IN (SELECT id FROM temp.refresh_theirs);
         DROP TABLE temp.refresh_theirs;"
    ))?;
    // The tail: the events from the first at or after the first new one (`i64::MAX`: none,
    // as in an empty timeline, where finding the first new one would read them all).
    let last = last_event_id(tx)?;
    let tail_from = if last == 0 {
        i64::MAX
    } else {
        let first_new: Option<String> = tx.query_row(
            &format!("SELECT min(at) FROM ({})", timeline_select(true)),
            [],
            |row| row.get(0),
        )?;
        let Some(first_new) = first_new else {
            return Ok(true);
        };
        first_id_from(tx, &first_new, false, 1)?.unwrap_or(i64::MAX)
    };
    // Against the span of ids (at least the count, read without a scan of the table).
    let (tail, total): (i64, i64) = tx.query_row(
        &format!("SELECT (SELECT count(*) FROM events WHERE id >= ?1), {EVENT_ID_SPAN}"),
        [tail_from],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if tail > 0 && tail * 2 > total {
        return Ok(false);
    }
    let before = if tail == 0 && deployments_in_time_order(tx)? {
        // Read in id order, they are in timeline order already: no sort of a million rows.
        // They follow `last`: with no tail, nothing was taken out since it was read.
        tx.execute(
            &format!(
                "INSERT INTO events({EVENT_COLUMNS}) {} ORDER BY d.id",
                deployment_events!().replace("{deployments}", DEPLOYMENTS_OF_RUNS)
            ),
            [],
        )?;
        last
    } else {
        insert_with_tail(tx, tail_from)?
    };
    index_events_after(tx, before)?;
    Ok(true)
}

/// The events of deployments appended after every other (see [`AppendedDeployments`]), put in
/// the timeline without a sort: read by id, they are in timeline order already (time, then
/// record). They go after the timeline's events up to their first time. The other events from
/// there on (an incident's or a change's, found through the time key rather than by a scan)
/// are taken out and put back among them, each where its time puts it: they are in timeline
/// order too, so the two are merged by id ranges. Events the deployments had already (their
/// update written once before, by a process that stopped before it marked it done) are
/// replaced. Returns false, having written nothing, when those other events are more than
/// half the timeline with the deployments' events: rebuilding it whole is then as cheap.
fn append_events_in(
    tx: &rusqlite::Transaction<'_>,
    appended: &AppendedDeployments,
) -> Result<bool> {
    let theirs = "source = 'deployment' AND ref_id >= ?2";
    let tail_from = first_id_from(tx, &appended.first_at, false, 1)?.unwrap_or(i64::MAX);
    let (others, total, new): (i64, i64, i64) = tx.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM events WHERE id >= ?1 AND NOT ({theirs})),
                    {EVENT_ID_SPAN},
                    (SELECT coalesce(max(id) - ?2 + 1, 0) FROM deployments)"
        ),
        params![tail_from, appended.first_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    if others * 2 > total + new {
        return Ok(false);
    }
    tx.execute(
        &format!(
            "CREATE TEMP TABLE append_others AS
                 SELECT {EVENT_COLUMNS} FROM events WHERE id >= ?1 AND NOT ({theirs}) ORDER BY id"
        ),
        params![tail_from, appended.first_id],
    )?;
    let before = take_out_from(tx, tail_from)?;
    merge_by_id_ranges(tx, appended.first_id)?;
    tx.execute_batch("DROP TABLE temp.append_others;")?;
    index_events_after(tx, before)?;
    Ok(true)
}

/// Writes the events of the deployments from `first_id` on and those in
/// `temp.append_others`, both in timeline order, as one list in timeline order: each run of
/// either that comes before the other's next is inserted by one statement over its id range.
fn merge_by_id_ranges(tx: &rusqlite::Transaction<'_>, first_id: i64) -> Result<()> {
    let mut deployments_between = tx.prepare(&format!(
        "INSERT INTO events({EVENT_COLUMNS}) {} ORDER BY d.id",
        deployment_events!().replace("{deployments}", "d.id >= ?1 AND d.id < ?2")
    ))?;
    let mut others_between = tx.prepare(&format!(
        "INSERT INTO events({EVENT_COLUMNS})
             SELECT {EVENT_COLUMNS} FROM temp.append_others WHERE rowid >= ?1 AND rowid < ?2
             ORDER BY rowid"
    ))?;
    // The first deployment from an id on whose event comes after another event at a time.
    // Ties go by source: a change's event comes before a deployment's, an incident's after;
    // another deployment's (a status) before, as its deployment is older than these.
    let mut first_after = tx.prepare(
        "SELECT id FROM deployments WHERE id >= ?1 AND (at > ?2 OR (at = ?2 AND ?3))
         ORDER BY id LIMIT 1",
    )?;
    // What is written next: the deployments from `deployment_from`, and the other events from
    // `other_from`, which come before them up to the one read.
    let (mut deployment_from, mut other_from) = (first_id, 1_i64);
    let mut read = tx.prepare("SELECT rowid, at, source FROM temp.append_others ORDER BY rowid")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        if deployment_from == i64::MAX {
            break;
        }
        let (other, at, source): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let place: i64 = first_after
            .query_row(
                params![deployment_from, at, source.as_str() <= "deployment"],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(i64::MAX);
        if place > deployment_from {
            others_between.execute([other_from, other])?;
            deployments_between.execute([deployment_from, place])?;
            (deployment_from, other_from) = (place, other);
        }
    }
    others_between.execute([other_from, i64::MAX])?;
    deployments_between.execute([deployment_from, i64::MAX])?;
    Ok(())
}

/// Takes out the events from id `tail_from` on (the tail) and inserts them again with the
/// runs' new ones, sorted in time order. Returns the last id before them.
fn insert_with_tail(tx: &rusqlite::Transaction<'_>, tail_from: i64) -> Result<i64> {
    tx.execute(
        &format!(
            "CREATE TEMP TABLE refresh_tail AS SELECT {EVENT_COLUMNS} FROM events WHERE id >= ?1"
        ),
        [tail_from],
    )?;
    let before = take_out_from(tx, tail_from)?;
    tx.execute_batch(&format!(
        "INSERT INTO events({EVENT_COLUMNS})
             {};
         DROP TABLE temp.refresh_tail;",
        in_timeline_order(&format!(
            "SELECT {EVENT_COLUMNS} FROM temp.refresh_tail UNION ALL {}",
            timeline_select(true)
        ))
    ))?;
    Ok(before)
}

/// Takes the events from id `tail_from` on out of the timeline and its search index. Returns
/// the last id left, after which new events are numbered.
fn take_out_from(tx: &rusqlite::Transaction<'_>, tail_from: i64) -> Result<i64> {
    tx.execute(
        "INSERT INTO events_fts(events_fts, rowid, title)
             SELECT 'delete', id, title FROM events WHERE id >= ?1",
        [tail_from],
    )?;
    tx.execute("DELETE FROM events WHERE id >= ?1", [tail_from])?;
    last_event_id(tx)
}

/// Adds the events after id `before` to the search index.
fn index_events_after(tx: &rusqlite::Transaction<'_>, before: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO events_fts(rowid, title) SELECT id, title FROM events WHERE id > ?1",
        [before],
    )?;
    Ok(())
}

/// The last event's id (0 when there is none): new events are numbered after it.
fn last_event_id(tx: &rusqlite::Transaction<'_>) -> Result<i64> {
    let last = tx.query_row("SELECT coalesce(max(id), 0) FROM events", [], |row| {
        row.get(0)
    })?;
    Ok(last)
}

/// Whether everything the runs in `temp.refresh_runs` stored is deployments whose times never
/// go back in id order. Their events are then the runs' whole part of the timeline, and in
/// timeline order when read by id: one event per deployment, ordered by time and then by
/// deployment id. A large deploy log written in time order is this case. The order checked is
/// that of the ids as stored: a deployment stored again keeps the id it had.
///
/// Each run counts the records it wrote (`records_stored`); when the deployments carrying its
/// id are fewer, it also stored other records (or one deployment twice), whose events must be
/// merged. So must the events of statuses stored before their deployments.
fn deployments_in_time_order(tx: &rusqlite::Transaction<'_>) -> Result<bool> {
    let (stored, with_statuses): (i64, bool) = tx.query_row(
        &format!(
            "SELECT (SELECT coalesce(sum(records_stored), 0) FROM ingest_runs
                     WHERE id IN (SELECT id FROM temp.refresh_runs)),
                    EXISTS (SELECT 1 FROM deployment_statuses ds
                            JOIN deployments d ON d.natural_key = ds.deployment_key
                            WHERE {DEPLOYMENTS_OF_RUNS})"
        ),
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if with_statuses {
        return Ok(false);
    }
    let mut stmt = tx.prepare(&format!(
        "SELECT d.at FROM deployments d WHERE {DEPLOYMENTS_OF_RUNS} ORDER BY d.id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut previous = String::new();
    let mut count = 0_i64;
    while let Some(row) = rows.next()? {
        let at = row
            .get_ref(0)?
            .as_str()
            .map_err(|e| StoreError::Corrupt(format!("deployment time: {e}")))?;
        // Text order is time order (`format_time`), and SQLite's own comparison of text.
        if at < previous.as_str() {
            return Ok(false);
        }
        previous.clear();
        previous.push_str(at);
        count += 1;
    }
    Ok(count > 0 && count == stored)
}

/// Puts `runs` into `temp.refresh_runs`, which the statements scoped to "the runs' records"
/// read.
fn set_refresh_runs(tx: &rusqlite::Transaction<'_>, runs: &[i64]) -> Result<()> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS refresh_runs(id INTEGER PRIMARY KEY);
             DELETE FROM temp.refresh_runs;",
    )?;
    for run in runs {
        tx.prepare_cached("INSERT OR IGNORE INTO temp.refresh_runs(id) VALUES (?1)")?
            .execute([run])?;
    }
    Ok(())
}

/// Whether the runs in `temp.refresh_runs` stored records that change other records: a
/// deployment status (of a deployment stored before) or a catalog entity (the service every
/// name maps onto).
fn touches_other_records(tx: &rusqlite::Transaction<'_>) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM deployment_statuses
                            WHERE run_id IN (SELECT id FROM temp.refresh_runs))
                 OR EXISTS (SELECT 1 FROM catalog_services
                            WHERE run_id IN (SELECT id FROM temp.refresh_runs))",
        [],
        |row| row.get(0),
    )?)
}

/// [`Store::refresh_events`] on one connection.
fn refresh_events_on(
    conn: &mut rusqlite::Connection,
    runs: &[i64],
    appended: Option<&AppendedDeployments>,
) -> Result<()> {
    let tx = conn.transaction()?;
    set_refresh_runs(&tx, runs)?;
    let merged = match appended {
        Some(appended) if append_events_in(&tx, appended)? => true,
        _ => !touches_other_records(&tx)? && merge_events_in(&tx)?,
    };
    if !merged {
        rebuild_events_in(&tx)?;
    }
    next_timeline_generation(&tx)?;
    tx.execute_batch("DELETE FROM temp.refresh_runs;")?;
    tx.commit()?;
    Ok(())
}

/// An error of a statement that matches a search text: SQLite's own messages are then about
/// that text (FTS5 syntax), which the person can correct.
pub(crate) fn search_text_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(_, Some(message)) => {
            StoreError::BadQuery(format!("search text: {message}"))
        }
        _ => StoreError::Sqlite(e),
    }
}

impl Store {
    /// Rebuilds the merged timeline and its search index from the source tables.
    pub fn rebuild_events(&self) -> Result<()> {
        let mut conn = self.connection()?;
        crate::with_large_cache(&mut conn, |conn| {
            let tx = conn.transaction()?;
            rebuild_events_in(&tx)?;
            next_timeline_generation(&tx)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Brings the merged timeline up to date after the ingest runs `runs` stored their files:
    /// their records' events replace the ones they had and are merged in time order with the
    /// events from their first one on (none when they all come later, as a new week of deploy
    /// logs does), so that the cost follows the files rather than the store. When that would
    /// move more than half the timeline, or when these runs stored deployment statuses or
    /// catalog entities (which change other records' events), it is rebuilt whole.
    pub fn refresh_events(&self, runs: &[i64]) -> Result<()> {
        let appended = self.appended_deployments(runs)?;
        self.refresh_events_appended(runs, appended.as_ref())
    }

    /// [`Self::refresh_events`] when what [`Self::appended_deployments`] says of `runs` is
    /// known: appended deployments' events go after the others' without a read of the
    /// timeline (it has no index by record) or of the deployments (none by run).
    pub fn refresh_events_appended(
        &self,
        runs: &[i64],
        appended: Option<&AppendedDeployments>,
    ) -> Result<()> {
        let mut conn = self.connection()?;
        crate::with_large_cache(&mut conn, |conn| refresh_events_on(conn, runs, appended))
    }

    /// One page of the events matching `filter`, oldest first, and how many match, counted
    /// exactly up to `offset + count_ahead` (an exact count of a million matches is too slow to
    /// answer while a person types).
    pub fn search_events(
        &self,
        filter: &EventFilter,
        offset: i64,
        limit: i64,
        count_ahead: i64,
    ) -> Result<EventPage> {
        let offset = offset.max(0);
        let limit = limit.max(0);
        let count_bound = offset.saturating_add(count_ahead.max(limit));
        let conn = self.connection()?;
        // One read: the columns in memory and the rows read here are of one generation.
        let read = conn.unchecked_transaction()?;
        let (first, last) = self.id_range(&read, filter.from.as_deref(), filter.to.as_deref())?;
        let text = filter.text.as_deref().filter(|t| !t.trim().is_empty());
        let (counted, rows) = match text {
            Some(text) => {
                let page = Page {
                    offset,
                    limit,
                    count_bound,
                };
                search_page(&read, filter, text, (first, last), &page)?
            }
            None => {
                // The column filters are a scan of codes in memory over the window's ids; the
                // page's rows are then read by id.
                let columns = self.event_columns(&read)?;
                let matcher = columns.matcher(filter);
                let span = columns.span(first, last.saturating_add(1));
                let wanted = to_index(offset)..to_index(offset.saturating_add(limit));
                let cap = to_index(count_bound.saturating_add(1));
                let (counted, ids) = columns.page(&matcher, span, wanted, cap);
                (
                    i64::try_from(counted).unwrap_or(i64::MAX),
                    rows_by_id(&read, &ids)?,
                )
            }
        };
        Ok(EventPage {
            total: counted.min(count_bound),
            total_capped: counted > count_bound,
            rows,
        })
    }

    /// The ids of the first event at or after `from` and the last at or before `to` (the
    /// whole table when unbounded); an empty range (`1..=0`) when no event lies in between.
    fn id_range(
        &self,
        conn: &rusqlite::Connection,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(i64, i64)> {
        let first: Option<i64> = match from {
            Some(from) => first_id_from(conn, from, false, 1)?,
            None => conn.query_row("SELECT min(id) FROM events", [], |row| row.get(0))?,
        };
        let last: Option<i64> = match to {
            Some(to) => last_id_to(conn, to)?,
            None => conn.query_row("SELECT max(id) FROM events", [], |row| row.get(0))?,
        };
        Ok(match (first, last) {
            (Some(first), Some(last)) => (first, last),
            _ => (1, 0),
        })
    }

    /// The distinct values of each filterable column, sorted, with the time range and the
    /// number of events.
    pub fn event_facets(&self) -> Result<EventFacets> {
        let conn = self.connection()?;
        let read = conn.unchecked_transaction()?;
        let columns = self.event_columns(&read)?;
        let (min_at, max_at) = crate::histogram::time_range(&read)?.unzip();
        // The columns come in `FILTER_COLUMNS` order.
        let [services, environments, sources, classes, tools, severities, actors, approvals] =
            std::array::from_fn(|index| columns.values(index).to_vec());
        Ok(EventFacets {
            services,
            environments,
            sources,
            classes,
            tools,
            severities,
            actors,
            approvals,
            min_at,
            max_at,
            total: i64::try_from(columns.len()).unwrap_or(i64::MAX),
        })
    }
}

/// Where a page lies among the matches, and how far they are counted.
struct Page {
    offset: i64,
    limit: i64,
    count_bound: i64,
}

/// A position among matches (negative ones are none).
fn to_index(n: i64) -> usize {
    usize::try_from(n).unwrap_or(if n < 0 { 0 } else { usize::MAX })
}

const ROW_COLUMNS: &str = "e.id, e.at, e.source, e.kind, e.service, e.environment, e.actor, \
                           e.class, e.tool, e.severity, e.title, e.ref_id, e.approval";

/// An event from the [`ROW_COLUMNS`] of `row`, starting at column `first`.
fn event_row(row: &rusqlite::Row<'_>, first: usize, id: i64) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id,
        at: row.get(first + 1)?,
        source: row.get(first + 2)?,
        kind: row.get(first + 3)?,
        service: row.get(first + 4)?,
        environment: row.get(first + 5)?,
        actor: row.get(first + 6)?,
        class: row.get(first + 7)?,
        tool: row.get(first + 8)?,
        severity: row.get(first + 9)?,
        title: row.get(first + 10)?,
        ref_id: row.get(first + 11)?,
        approval: row.get(first + 12)?,
    })
}

/// The events with these ids, in id order.
fn rows_by_id(conn: &rusqlite::Connection, ids: &[i64]) -> Result<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM events e
         WHERE e.id IN (SELECT value FROM json_each(?1)) ORDER BY e.id"
    ))?;
    let rows = stmt
        .query_map([list], |row| event_row(row, 0, row.get(0)?))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A page of a search and its bounded count. Ids follow time (migration 10), so the FTS5
/// index is walked in rowid order from the window's first id and stops after
/// `count_bound + 1` matches: a word in every event costs no more than a rare one. The first
/// matches are both the count and the page's source (the page lies inside them since
/// `count_bound >= offset + limit`); the one-row left join keeps the count when the page is
/// past the end.
fn search_page(
    conn: &rusqlite::Connection,
    filter: &EventFilter,
    text: &str,
    (first, last): (i64, i64),
    page: &Page,
) -> Result<(i64, Vec<EventRow>)> {
    let mut values = vec![
        Value::Text(text.to_owned()),
        Value::Integer(first),
        Value::Integer(last),
    ];
    let mut filters = String::new();
    for (name, wanted) in filter.columns() {
        if wanted.is_empty() {
            continue;
        }
        let marks = vec!["?"; wanted.len()].join(", ");
        filters.push_str(&format!(" AND e.{name} IN ({marks})"));
        values.extend(wanted.iter().map(|v| Value::Text(v.clone())));
    }
    values.push(Value::Integer(page.count_bound.saturating_add(1)));
    values.push(Value::Integer(page.limit));
    values.push(Value::Integer(page.offset));
    let sql = format!(
        "WITH matches AS MATERIALIZED (
             SELECT e.id AS id FROM events_fts f JOIN events e ON e.id = f.rowid
             WHERE events_fts MATCH ? AND f.rowid >= ? AND f.rowid <= ?{filters}
             ORDER BY f.rowid LIMIT ?),
         page AS (SELECT id FROM matches ORDER BY id LIMIT ? OFFSET ?)
         SELECT (SELECT count(*) FROM matches), {ROW_COLUMNS}
         FROM (SELECT 1) LEFT JOIN page p LEFT JOIN events e ON e.id = p.id
         ORDER BY p.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut counted = 0_i64;
    let mut rows = Vec::new();
    let mut answer = stmt
        .query(rusqlite::params_from_iter(values.iter()))
        .map_err(search_text_error)?;
    while let Some(row) = answer.next().map_err(search_text_error)? {
        counted = row.get(0)?;
        if let Some(id) = row.get::<_, Option<i64>>(1)? {
            rows.push(event_row(row, 1, id)?);
        }
    }
    Ok((counted, rows))
}

#[cfg(test)]
mod tests {
    use crate::{EventFilter, EventRow, Store};

    /// A store with one service and the ingest runs 1 to 4.
    fn store_with_runs() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('a', 'h1', 'deploy-logfmt', '2024-01-01T00:00:00.000Z', 1, 1, 0),
                        ('b', 'h2', 'deploy-logfmt', '2024-01-01T00:00:00.000Z', 1, 1, 0),
                        ('c', 'h3', 'deploy-logfmt', '2024-01-01T00:00:00.000Z', 1, 1, 0),
                        ('d', 'h4', 'github-deployment-statuses', '2024-01-01T00:00:00.000Z',
                         1, 1, 0);
                 INSERT INTO services(name) VALUES ('checkout');",
            )
            .expect("seed");
        (dir, store)
    }

    /// Stores (or stores again, by key) a deployment as ingest run `run` would.
    fn deploy(store: &Store, key: &str, version: &str, at: &str, run: i64) {
        store
            .connection()
            .expect("conn")
            .execute(
                "INSERT INTO deployments(natural_key, service_id, environment, version, status,
                                         action, at, source_file, source_location, run_id)
                 VALUES (?1, 1, 'production', ?2, 'succeeded', 'deploy', ?3, 'x', '1', ?4)
                 ON CONFLICT(natural_key) DO UPDATE SET version = excluded.version,
                     at = excluded.at, run_id = excluded.run_id",
                rusqlite::params![key, version, at, run],
            )
            .expect("deployment");
    }

    fn all_events(store: &Store) -> Vec<(i64, String, String)> {
        let conn = store.connection().expect("conn");
        let mut stmt = conn
            .prepare("SELECT id, at, title FROM events ORDER BY id")
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        rows
    }

    fn found(store: &Store, text: &str) -> Vec<String> {
        let filter = EventFilter {
            text: Some(text.to_owned()),
            ..EventFilter::default()
        };
        let page = store.search_events(&filter, 0, 50, 100).expect("search");
        page.rows.into_iter().map(|r| r.title).collect()
    }

    #[test]
    fn a_later_file_appends_its_events_and_the_timeline_equals_a_rebuild() {
        let (_dir, store) = store_with_runs();
        deploy(&store, "d-1", "v1", "2024-01-01T00:00:00.000Z", 1);
        deploy(&store, "d-2", "v2", "2024-01-02T00:00:00.000Z", 1);
        store.refresh_events(&[1]).expect("first file");
        let first = all_events(&store);
        assert_eq!(first.len(), 2);

        // A later file: its events come after, the earlier ones keep their ids.
        deploy(&store, "d-3", "v3", "2024-01-03T00:00:00.000Z", 2);
        store.refresh_events(&[2]).expect("later file");
        let appended = all_events(&store);
        assert_eq!(appended[..2], first[..]);
        assert_eq!(
            appended[2].2,
            "deploy v3 on checkout production (succeeded)"
        );
        assert_eq!(
            found(&store, "v3"),
            ["deploy v3 on checkout production (succeeded)"]
        );
        store.rebuild_events().expect("rebuild");
        assert_eq!(all_events(&store), appended, "the same as a rebuild");

        // A changed export stores d-3 again, later: its old event goes, from search too.
        deploy(&store, "d-3", "v3b", "2024-01-04T00:00:00.000Z", 3);
        store.refresh_events(&[3]).expect("changed file");
        let replaced = all_events(&store);
        assert_eq!(replaced.len(), 3);
        assert!(found(&store, "v3").is_empty());
        assert_eq!(found(&store, "v3b").len(), 1);
        store.rebuild_events().expect("rebuild");
        assert_eq!(
            all_events(&store)
                .into_iter()
                .map(|(_, at, title)| (at, title))
                .collect::<Vec<_>>(),
            replaced
                .into_iter()
                .map(|(_, at, title)| (at, title))
                .collect::<Vec<_>>()
        );
    }

    /// Sets what run `run` counts as stored, as its ingest transaction would.
    fn stored_by_run(store: &Store, run: i64, stored: i64) {
        store
            .connection()
            .expect("conn")
            .execute(
                "UPDATE ingest_runs SET records_stored = ?2 WHERE id = ?1",
                [run, stored],
            )
            .expect("run count");
    }

    /// Whether the events' times never go back as their ids rise.
    fn ids_follow_time(store: &Store) -> bool {
        all_events(store).windows(2).all(|w| w[0].1 <= w[1].1)
    }

    #[test]
    fn a_later_file_of_deployments_only_is_appended_in_time_order_whatever_its_line_order() {
        let (_dir, store) = store_with_runs();
        deploy(&store, "d-1", "v1", "2024-01-01T00:00:00.000Z", 1);
        stored_by_run(&store, 1, 1);
        store.refresh_events(&[1]).expect("first file");

        // In time order: appended as read, by id (no sort).
        deploy(&store, "d-2", "v2", "2024-01-02T00:00:00.000Z", 2);
        deploy(&store, "d-3", "v3", "2024-01-03T00:00:00.000Z", 2);
        stored_by_run(&store, 2, 2);
        store.refresh_events(&[2]).expect("in order");
        let in_order = all_events(&store);
        assert_eq!(
            in_order.iter().map(|e| e.2.as_str()).collect::<Vec<_>>(),
            [
                "deploy v1 on checkout production (succeeded)",
                "deploy v2 on checkout production (succeeded)",
                "deploy v3 on checkout production (succeeded)"
            ]
        );
        assert_eq!(found(&store, "v3").len(), 1);

        // Lines out of time order: the later deployment was stored first, and its id is
        // lower. Its events must still be numbered in time order.
        deploy(&store, "d-5", "v5", "2024-01-05T00:00:00.000Z", 3);
        deploy(&store, "d-4", "v4", "2024-01-04T00:00:00.000Z", 3);
        stored_by_run(&store, 3, 2);
        store.refresh_events(&[3]).expect("out of order");
        assert!(ids_follow_time(&store), "{:?}", all_events(&store));
        assert_eq!(found(&store, "v4").len(), 1);
        assert_eq!(found(&store, "v5").len(), 1);
        let merged = all_events(&store);
        store.rebuild_events().expect("rebuild");
        assert_eq!(all_events(&store), merged, "the same as a rebuild");

        // A file of deployments and a change, in time order: the change's event is merged too.
        deploy(&store, "d-6", "v6", "2024-01-06T00:00:00.000Z", 4);
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "INSERT INTO changes(kind, natural_key, repo, title, message, committed_at,
                                     class, confidence, source_file, source_location, run_id)
                 VALUES ('commit', 'c-7', 'checkout', 'bump retries', '',
                         '2024-01-07T00:00:00.000Z', 'human', 1.0, 'x', '1', 4);",
            )
            .expect("change");
        stored_by_run(&store, 4, 2);
        store.refresh_events(&[4]).expect("mixed file");
        assert_eq!(found(&store, "retries"), ["bump retries"]);
        let mixed = all_events(&store);
        assert_eq!(mixed.len(), 7);
        store.rebuild_events().expect("rebuild");
        assert_eq!(all_events(&store), mixed, "the same as a rebuild");
    }

    #[test]
    fn a_file_overlapping_the_latest_events_merges_them_in_time_order() {
        let (_dir, store) = store_with_runs();
        for (i, day) in ["01", "02", "03", "04", "06"].iter().enumerate() {
            let at = format!("2024-01-{day}T00:00:00.000Z");
            deploy(&store, &format!("d-{i}"), &format!("v{day}"), &at, 1);
        }
        store.refresh_events(&[1]).expect("first file");
        let first = all_events(&store);
        // Two new events, after and before the last one, stored in that order: only the tail
        // from day 5 moves, and it comes back in time order.
        deploy(&store, "n-2", "v07", "2024-01-07T00:00:00.000Z", 2);
        deploy(&store, "n-1", "v05", "2024-01-05T00:00:00.000Z", 2);
        store.refresh_events(&[2]).expect("overlapping file");
        let merged = all_events(&store);
        assert_eq!(
            merged[..4],
            first[..4],
            "the events before day 5 keep their ids"
        );
        let versions: Vec<&str> = merged
            .iter()
            .map(|(_, _, title)| title.split(' ').nth(1).unwrap_or(""))
            .collect();
        assert_eq!(versions, ["v01", "v02", "v03", "v04", "v05", "v06", "v07"]);
        assert!(merged
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        for word in ["v05", "v06", "v07", "v01"] {
            assert_eq!(found(&store, word).len(), 1, "{word} is searchable once");
        }
        store.rebuild_events().expect("rebuild");
        let rebuilt: Vec<(String, String)> = all_events(&store)
            .into_iter()
            .map(|(_, at, title)| (at, title))
            .collect();
        let merged: Vec<(String, String)> = merged
            .into_iter()
            .map(|(_, at, title)| (at, title))
            .collect();
        assert_eq!(merged, rebuilt);
    }

    #[test]
    fn an_earlier_file_or_a_statuses_file_rebuilds_the_timeline_in_time_order() {
        let (_dir, store) = store_with_runs();
        deploy(&store, "d-2", "v2", "2024-01-02T00:00:00.000Z", 1);
        store.refresh_events(&[1]).expect("first file");
        // Earlier than what is there: ids must still follow time.
        deploy(&store, "d-1", "v1", "2024-01-01T00:00:00.000Z", 2);
        store.refresh_events(&[2]).expect("earlier file");
        let events = all_events(&store);
        let times: Vec<&str> = events.iter().map(|(_, at, _)| at.as_str()).collect();
        assert_eq!(
            times,
            ["2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z"]
        );
        assert_eq!(found(&store, "v1").len(), 1);

        // A status decides the outcome of a deployment of another run: rebuilt whole, so
        // the deployment's own event shows its new outcome.
        let conn = store.connection().expect("conn");
        conn.execute_batch(
            "INSERT INTO deployment_statuses(deployment_key, state, status, at, source_file,
                                             source_location, run_id)
             VALUES ('d-1', 'failure', 'failed', '2024-01-01T00:05:00.000Z', 'x', '1', 4);
             UPDATE deployments SET status = 'failed' WHERE natural_key = 'd-1';",
        )
        .expect("status");
        drop(conn);
        store.refresh_events(&[4]).expect("statuses file");
        let titles: Vec<String> = all_events(&store).into_iter().map(|(_, _, t)| t).collect();
        assert_eq!(
            titles,
            [
                "deploy v1 on checkout production (failed)",
                "status failure of deploy v1 on checkout",
                "deploy v2 on checkout production (succeeded)",
            ]
        );
    }

    #[test]
    fn events_at_the_same_time_go_by_source_record_kind_then_title_and_a_merge_equals_a_rebuild() {
        let (_dir, store) = store_with_runs();
        let noon = "2024-01-02T12:00:00.000Z";
        deploy(&store, "d-1", "v1", "2024-01-01T00:00:00.000Z", 1);
        deploy(&store, "d-0", "v0", "2024-01-01T06:00:00.000Z", 1);
        deploy(&store, "d-5", "v5", "2024-01-02T18:00:00.000Z", 1);
        store.refresh_events(&[1]).expect("first file");
        // Run 2, at noon: two deployments, a change and an incident with three timeline
        // entries (two of one kind, stored in reverse alphabetical order); and one deployment
        // later. Incidents, deployments, changes and the tail of the merge take part.
        deploy(&store, "d-3", "v3", noon, 2);
        deploy(&store, "d-2", "v2", noon, 2);
        deploy(&store, "d-4", "v4", "2024-01-03T00:00:00.000Z", 2);
        let conn = store.connection().expect("conn");
        conn.execute_batch(&format!(
            "INSERT INTO changes(kind, natural_key, repo, title, message, committed_at, class,
                                 confidence, source_file, source_location, run_id)
             VALUES ('commit', 'c-1', 'checkout', 'fix retries', '', '{noon}', 'human', 1.0,
                     'x', '1', 2);
             INSERT INTO incidents(source_system, source_id, title, severity, status,
                                   started_at, source_file, source_location, run_id)
             VALUES ('pagerduty', 'P1', 'checkout down', 'sev1', 'resolved', '{noon}', 'x',
                     '1', 2);
             INSERT INTO timeline_events(incident_id, at, kind, text, source_file,
                                         source_location)
             VALUES (1, '{noon}', 'note', 'zeta', 'x', '1'),
                    (1, '{noon}', 'note', 'alpha', 'x', '2'),
                    (1, '{noon}', 'alert', 'paged', 'x', '3');"
        ))
        .expect("seed");
        drop(conn);
        store.refresh_events(&[2]).expect("second file");
        let merged = all_events(&store);
        let titles: Vec<&str> = merged.iter().map(|(_, _, t)| t.as_str()).collect();
        assert_eq!(
            titles,
            [
                "deploy v1 on checkout production (succeeded)",
                "deploy v0 on checkout production (succeeded)",
                // Sources in order (change, deployment, incident), then the record ...
                "fix retries",
                "deploy v3 on checkout production (succeeded)",
                "deploy v2 on checkout production (succeeded)",
                // ... then the kind, then the title (zeta was stored before alpha).
                "checkout down: paged",
                "checkout down: alpha",
                "checkout down: zeta",
                // The tail, taken out and put back.
                "deploy v5 on checkout production (succeeded)",
                "deploy v4 on checkout production (succeeded)",
            ]
        );
        assert!(merged.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(found(&store, "zeta").len(), 1);
        store.rebuild_events().expect("rebuild");
        assert_eq!(
            all_events(&store),
            merged,
            "ids and all: the same as a rebuild"
        );
    }

    /// 60 events a minute apart, in time order, whose filterable columns cycle with different
    /// periods (so every combination occurs), each with some events that have none.
    fn varied_events(store: &Store) {
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
                 INSERT INTO events(at, source, kind, service, environment, actor, class, tool,
                                    severity, title, ref_id, approval)
                 SELECT printf('2024-01-01T10:%02d:00.000Z', i),
                        CASE i % 3 WHEN 0 THEN 'change' WHEN 1 THEN 'deployment'
                                   ELSE 'incident' END,
                        'deploy',
                        CASE i % 4 WHEN 0 THEN 'checkout' WHEN 1 THEN 'payments'
                                   WHEN 2 THEN 'search' END,
                        CASE i % 5 WHEN 0 THEN 'staging' WHEN 1 THEN 'production' END,
                        CASE i % 2 WHEN 0 THEN 'ana' ELSE 'ci' END,
                        CASE i % 7 WHEN 0 THEN 'ai' WHEN 1 THEN 'human' END,
                        CASE i % 7 WHEN 0 THEN 'claude-code' END,
                        CASE i % 6 WHEN 0 THEN 'SEV1' WHEN 3 THEN 'SEV2' END,
                        'event ' || i, i,
                        CASE i % 4 WHEN 0 THEN 'approved' WHEN 1 THEN 'not approved' END
                 FROM n ORDER BY i;
                 INSERT INTO events_fts(events_fts) VALUES ('rebuild');
                 UPDATE timeline_generation SET n = n + 1;",
            )
            .expect("events");
    }

    #[test]
    fn every_filter_and_window_selects_what_a_query_of_the_table_selects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        varied_events(&store);
        let values = |list: &[&str]| list.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let filters = [
            EventFilter::default(),
            EventFilter {
                services: values(&["payments"]),
                ..EventFilter::default()
            },
            EventFilter {
                environments: values(&["staging", "production"]),
                sources: values(&["deployment"]),
                ..EventFilter::default()
            },
            EventFilter {
                classes: values(&["ai"]),
                tools: values(&["claude-code"]),
                actors: values(&["ana"]),
                ..EventFilter::default()
            },
            EventFilter {
                severities: values(&["SEV2", "SEV1"]),
                approvals: values(&["not approved"]),
                ..EventFilter::default()
            },
            // A value no event has, alone and beside one that some have.
            EventFilter {
                services: values(&["billing"]),
                ..EventFilter::default()
            },
            EventFilter {
                services: values(&["billing", "search"]),
                from: Some("2024-01-01T10:10:00.000Z".into()),
                to: Some("2024-01-01T10:40:00.000Z".into()),
                ..EventFilter::default()
            },
            EventFilter {
                from: Some("2024-01-01T10:30:30.000Z".into()),
                ..EventFilter::default()
            },
            EventFilter {
                to: Some("2024-01-01T09:00:00.000Z".into()),
                ..EventFilter::default()
            },
        ];
        let conn = store.connection().expect("conn");
        for filter in &filters {
            // The same filter as SQL over the table, written out here.
            let mut clauses = vec!["1".to_owned()];
            let mut params: Vec<String> = Vec::new();
            for (name, wanted) in filter.columns() {
                if !wanted.is_empty() {
                    clauses.push(format!(
                        "{name} IN ({})",
                        vec!["?"; wanted.len()].join(", ")
                    ));
                    params.extend(wanted.iter().cloned());
                }
            }
            for (clause, bound) in [("at >= ?", &filter.from), ("at <= ?", &filter.to)] {
                if let Some(bound) = bound {
                    clauses.push(clause.to_owned());
                    params.push(bound.clone());
                }
            }
            let expected: Vec<i64> = conn
                .prepare(&format!(
                    "SELECT id FROM events WHERE {} ORDER BY id",
                    clauses.join(" AND ")
                ))
                .expect("prepare")
                .query_map(rusqlite::params_from_iter(&params), |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("ids");
            let page = store.search_events(filter, 0, 100, 100).expect("search");
            let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            assert_eq!(ids, expected, "{filter:?}");
            assert_eq!(page.total, expected.len() as i64, "{filter:?}");
            assert!(!page.total_capped);
            // A later page of two, counted only three past its offset.
            let page = store.search_events(filter, 3, 2, 3).expect("search");
            let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            assert_eq!(
                ids,
                expected.iter().skip(3).take(2).copied().collect::<Vec<_>>()
            );
            assert_eq!(page.total, (expected.len() as i64).min(6), "{filter:?}");
            assert_eq!(page.total_capped, expected.len() > 6, "{filter:?}");
        }
        // The rows are whole: every column comes back.
        let first = store
            .search_events(&filters[3], 0, 1, 1)
            .expect("search")
            .rows;
        assert_eq!(
            first,
            [EventRow {
                id: 1,
                at: "2024-01-01T10:00:00.000Z".into(),
                source: "change".into(),
                kind: "deploy".into(),
                service: Some("checkout".into()),
                environment: Some("staging".into()),
                actor: Some("ana".into()),
                class: Some("ai".into()),
                tool: Some("claude-code".into()),
                severity: Some("SEV1".into()),
                title: "event 0".into(),
                ref_id: 0,
                approval: Some("approved".into()),
            }]
        );
        let facets = store.event_facets().expect("facets");
        assert_eq!(facets.services, ["checkout", "payments", "search"]);
        assert_eq!(facets.severities, ["SEV1", "SEV2"]);
        assert_eq!(facets.approvals, ["approved", "not approved"]);
        assert_eq!(facets.total, 60);
        assert_eq!(facets.max_at.as_deref(), Some("2024-01-01T10:59:00.000Z"));
    }

    #[test]
    fn a_timeline_written_through_another_handle_is_read_again() {
        let (dir, store) = store_with_runs();
        deploy(&store, "d-1", "v1", "2024-01-01T00:00:00.000Z", 1);
        store.refresh_events(&[1]).expect("refresh");
        let production = EventFilter {
            environments: vec!["production".into()],
            ..EventFilter::default()
        };
        assert_eq!(
            store
                .search_events(&production, 0, 10, 10)
                .expect("search")
                .total,
            1
        );
        assert_eq!(store.event_facets().expect("facets").total, 1);
        // Another process (here another handle on the file) stores and refreshes: this
        // handle's columns in memory are of an older generation and are not used.
        let other = Store::open(&dir.path().join("h.sqlite")).expect("open");
        deploy(&other, "d-2", "v2", "2024-01-02T00:00:00.000Z", 2);
        other.refresh_events(&[2]).expect("refresh");
        let page = store.search_events(&production, 0, 10, 10).expect("search");
        assert_eq!(page.total, 2);
        assert_eq!(
            page.rows[1].title,
            "deploy v2 on checkout production (succeeded)"
        );
        assert_eq!(store.event_facets().expect("facets").total, 2);
        let bounds = [
            "2024-01-01T00:00:00.000Z",
            "2024-01-02T00:00:00.000Z",
            "2024-01-03T00:00:00.000Z",
        ]
        .map(String::from);
        assert_eq!(
            store.event_histogram(&production, &bounds).expect("counts"),
            [1, 1]
        );
    }

    #[test]
    fn the_count_is_exact_up_to_the_bound_past_the_offset_and_capped_beyond() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        // Stored in time order, as `rebuild_events` stores them (ids follow time).
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49)
                 INSERT INTO events(at, source, kind, service, environment, title, ref_id)
                 SELECT printf('2024-01-01T00:%02d:00.000Z', 49 - i), 'deployment', 'deploy',
                        'checkout', CASE WHEN i % 2 = 0 THEN 'production' ELSE 'staging' END,
                        'deploy number ' || i, i
                 FROM n ORDER BY 49 - i;
                 INSERT INTO events_fts(events_fts) VALUES ('rebuild');",
            )
            .expect("seed");
        let production = EventFilter {
            environments: vec!["production".into()],
            ..EventFilter::default()
        };
        // 25 production events: counted exactly when the bound reaches them.
        let page = store.search_events(&production, 0, 5, 30).expect("search");
        assert_eq!((page.total, page.total_capped), (25, false));
        // Oldest first: i = 48 is the earliest production event.
        assert_eq!(page.rows.len(), 5);
        assert_eq!(page.rows[0].ref_id, 48);
        assert!(page.rows.windows(2).all(|w| w[0].at <= w[1].at));
        let page = store.search_events(&production, 0, 5, 10).expect("search");
        assert_eq!((page.total, page.total_capped), (10, true));
        // Paging further raises the bound with the offset.
        let page = store.search_events(&production, 10, 5, 10).expect("search");
        assert_eq!((page.total, page.total_capped), (20, true));
        assert_eq!(page.rows[0].ref_id, 28);
        let page = store.search_events(&production, 20, 5, 10).expect("search");
        assert_eq!((page.total, page.total_capped), (25, false));
        // A page past the end still says how many match.
        let page = store.search_events(&production, 30, 5, 10).expect("search");
        assert_eq!(
            (page.total, page.total_capped, page.rows.len()),
            (25, false, 0)
        );
        // The same with a search text driving.
        let searched = EventFilter {
            text: Some("deploy".into()),
            ..production
        };
        let page = store.search_events(&searched, 0, 5, 10).expect("search");
        assert_eq!((page.total, page.total_capped), (10, true));
        assert_eq!(page.rows[0].ref_id, 48);
        // A window with a search text: exactly the events inside it, oldest first.
        let windowed = EventFilter {
            from: Some("2024-01-01T00:10:00.000Z".into()),
            to: Some("2024-01-01T00:19:00.000Z".into()),
            ..searched.clone()
        };
        let page = store.search_events(&windowed, 0, 50, 100).expect("search");
        let times: Vec<&str> = page.rows.iter().map(|r| r.at.as_str()).collect();
        assert_eq!(page.total, 5);
        assert_eq!(times.first(), Some(&"2024-01-01T00:11:00.000Z"));
        assert_eq!(times.last(), Some(&"2024-01-01T00:19:00.000Z"));
        assert!(page
            .rows
            .iter()
            .all(|r| r.environment.as_deref() == Some("production")));
        // A window before every event, and one after: nothing, and no error.
        for (from, to) in [("2023-01-01", "2023-12-31"), ("2025-01-01", "2025-12-31")] {
            let empty = EventFilter {
                from: Some(from.into()),
                to: Some(to.into()),
                ..searched.clone()
            };
            let page = store.search_events(&empty, 0, 5, 10).expect("search");
            assert_eq!((page.total, page.rows.len()), (0, 0), "{from}..{to}");
        }
    }

    #[test]
    fn approvals_of_deployments_and_changes_are_filterable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        store
            .connection()
            .expect("conn")
            .execute_batch(
                r#"INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                          records_stored, records_rejected)
                   VALUES ('x', 'h', 'deploylog', '2024-01-01T00:00:00.000Z', 1, 1, 0);
                   INSERT INTO services(name) VALUES ('checkout');
                   INSERT INTO deployments(natural_key, service_id, environment, status, action,
                                           at, attributes, source_file, source_location, run_id,
                                           approved)
                   VALUES ('d-approved', 1, 'production', 'succeeded', 'deploy',
                           '2024-01-01T00:00:00.000Z', '{"approvals":"2"}', 'x', '1', 1, 1),
                          ('d-unapproved', 1, 'production', 'succeeded', 'deploy',
                           '2024-01-01T01:00:00.000Z', '{"approvals":"0"}', 'x', '2', 1, 0),
                          ('d-unknown', 1, 'production', 'succeeded', 'deploy',
                           '2024-01-01T02:00:00.000Z', '{}', 'x', '3', 1, NULL);
                   INSERT INTO changes(kind, natural_key, repo, title, message, committed_at,
                                       class, confidence, reviews, attributes, source_file,
                                       source_location, run_id)
                   VALUES ('pull_request', 'acme/checkout#1', 'checkout', 'reviewed', '',
                           '2024-01-01T03:00:00.000Z', 'ai', 1.0,
                           '[{"reviewer":"bo","state":"CHANGES_REQUESTED"},{"reviewer":"ana","state":"APPROVED"}]',
                           '{}', 'x', '4', 1),
                          ('pull_request', 'acme/checkout#2', 'checkout', 'merged unreviewed', '',
                           '2024-01-01T04:00:00.000Z', 'ai', 1.0,
                           '[{"reviewer":"bo","state":"COMMENTED"}]', '{}', 'x', '5', 1),
                          ('ticket', 'CHG1', 'checkout', 'rotate keys', '',
                           '2024-01-01T05:00:00.000Z', 'human', 1.0, '[]',
                           '{"approval":"Approved"}', 'x', '6', 1),
                          ('commit', 'abc123', 'checkout', 'plain commit', '',
                           '2024-01-01T06:00:00.000Z', 'human', 1.0, '[]', '{}', 'x', '7', 1);"#,
            )
            .expect("seed");
        store.rebuild_events().expect("rebuild");
        let titles = |approvals: &[&str]| -> Vec<String> {
            let filter = EventFilter {
                approvals: approvals.iter().map(|a| (*a).to_owned()).collect(),
                ..EventFilter::default()
            };
            let page = store.search_events(&filter, 0, 50, 100).expect("search");
            page.rows.into_iter().map(|r| r.title).collect()
        };
        assert_eq!(
            titles(&["approved"]),
            [
                "deploy  on checkout production (succeeded)",
                "reviewed",
                "rotate keys"
            ]
        );
        assert_eq!(
            titles(&["not approved"]),
            [
                "deploy  on checkout production (succeeded)",
                "merged unreviewed"
            ]
        );
        assert_eq!(
            titles(&[]).len(),
            7,
            "no filter: every event, approval known or not"
        );
        let facets = store.event_facets().expect("facets");
        assert_eq!(facets.approvals, ["approved", "not approved"]);
        // A search text and the approval filter together.
        let page = store
            .search_events(
                &EventFilter {
                    text: Some("deploy".into()),
                    approvals: vec!["not approved".into()],
                    ..EventFilter::default()
                },
                0,
                10,
                10,
            )
            .expect("search");
        assert_eq!(page.rows.len(), 1);
        assert_eq!(page.rows[0].approval.as_deref(), Some("not approved"));
    }

    #[test]
    fn rebuilt_events_are_numbered_in_time_order_across_sources() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('x', 'h', 'deploylog', '2024-01-01T00:00:00.000Z', 1, 1, 0);
                 INSERT INTO services(name) VALUES ('checkout');
                 INSERT INTO deployments(natural_key, service_id, environment, status, action,
                                         at, source_file, source_location, run_id)
                 VALUES ('d-late', 1, 'production', 'succeeded', 'deploy',
                         '2024-01-03T00:00:00.000Z', 'x', '1', 1),
                        ('d-early', 1, 'production', 'succeeded', 'deploy',
                         '2024-01-01T00:00:00.000Z', 'x', '2', 1);",
            )
            .expect("seed");
        let change = |key: &str, at: &str| {
            store
                .connection()
                .expect("conn")
                .execute(
                    "INSERT INTO changes(kind, natural_key, repo, title, message, committed_at,
                                         class, confidence, source_file, source_location,
                                         run_id)
                     VALUES ('commit', ?1, 'checkout', 'deploy fix', '', ?2, 'human', 1.0, 'x',
                             '1', 1)",
                    [key, at],
                )
                .expect("change");
        };
        change("c-middle", "2024-01-02T00:00:00.000Z");
        change("c-first", "2023-12-31T00:00:00.000Z");
        store.rebuild_events().expect("rebuild");
        let conn = store.connection().expect("conn");
        let mut stmt = conn
            .prepare("SELECT at FROM events ORDER BY id")
            .expect("prepare");
        let times: Vec<String> = stmt
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times.len(), 4);
        assert_eq!(times, sorted, "ids follow time");
        drop(stmt);
        drop(conn);
        // And a search walks them in that order.
        let page = store
            .search_events(
                &EventFilter {
                    text: Some("deploy".into()),
                    ..EventFilter::default()
                },
                0,
                10,
                10,
            )
            .expect("search");
        let found: Vec<&str> = page.rows.iter().map(|r| r.at.as_str()).collect();
        assert_eq!(found, sorted.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn facets_follow_the_timeline_not_the_source_tables() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        let deploy = |key: &str, env: &str| {
            let conn = store.connection().expect("conn");
            conn.execute(
                "INSERT INTO deployments(natural_key, service_id, environment, status, action, at,
                                         source_file, source_location, run_id)
                 VALUES (?1, 1, ?2, 'succeeded', 'deploy', '2024-01-01T00:00:00.000Z', 'x', '1', 1)",
                [key, env],
            )
            .expect("deployment");
        };
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen,
                                         records_stored, records_rejected)
                 VALUES ('x', 'h', 'deploylog', '2024-01-01T00:00:00.000Z', 1, 1, 0);
                 INSERT INTO services(name) VALUES ('checkout');",
            )
            .expect("seed");
        deploy("d-1", "production");
        store.rebuild_events().expect("rebuild");
        assert_eq!(
            store.event_facets().expect("facets").environments,
            ["production"]
        );
        // Written without a rebuild: the events table, and so the facets, do not change yet.
        deploy("d-2", "staging");
        assert_eq!(store.event_facets().expect("facets").total, 1);
        store.rebuild_events().expect("rebuild");
        let facets = store.event_facets().expect("facets");
        assert_eq!(facets.total, 2);
        assert_eq!(facets.environments, ["production", "staging"]);
    }
}
