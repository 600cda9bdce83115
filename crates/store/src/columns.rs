//! The timeline's filterable columns, held in memory.
//!
//! Every filter of the timeline (service, environment, source, class, tool, severity, actor,
//! approval) is answered here instead of by an index per column: each event is one small code
//! per column, and a filter is a scan of those codes over the id range of its time window. A
//! million events take 40 MB and one read of the table (about 0.6 s) when the timeline is
//! first asked for after it changed; a filter then costs milliseconds. The nine `(column, at)`
//! indexes this replaces cost about half of a large ingest's timeline step (migration 15).
//!
//! The columns belong to one generation of the timeline (`timeline_generation`, counted up by
//! every write of the events table in the same transaction), so a store opened by another
//! process, or written by another handle, is read again rather than answered from stale codes.

use std::ops::Range;
use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::{EventFilter, Result, Store};

/// The filterable columns of `events`, in the order of [`EventFilter::columns`].
pub(crate) const FILTER_COLUMNS: [&str; 8] = [
    "service",
    "environment",
    "source",
    "class",
    "tool",
    "severity",
    "actor",
    "approval",
];

/// One column: its distinct values and a code per event.
#[derive(Debug, Default)]
struct Column {
    /// The distinct values, sorted by their bytes (SQLite's `BINARY` order).
    values: Vec<String>,
    /// Per event, in id order: 0 for none, else 1 + the value's index in `values`.
    codes: Vec<u32>,
}

/// The filterable columns of every event of one generation of the timeline.
#[derive(Debug)]
pub(crate) struct EventColumns {
    generation: i64,
    /// Every event's id, ascending (ids follow time, see migration 10).
    ids: Vec<i64>,
    /// In [`FILTER_COLUMNS`] order.
    columns: Vec<Column>,
}

impl EventColumns {
    /// Reads every event's filterable columns (one pass in id order).
    fn load(conn: &Connection, generation: i64) -> Result<Self> {
        let mut ids = Vec::new();
        let mut codes: Vec<Vec<u32>> = vec![Vec::new(); FILTER_COLUMNS.len()];
        // Codes in order of first appearance; made sorted once every value is known.
        let mut seen: Vec<foldhash::HashMap<Vec<u8>, u32>> =
            vec![foldhash::HashMap::default(); FILTER_COLUMNS.len()];
        let mut stmt = conn.prepare(&format!(
            "SELECT id, {} FROM events ORDER BY id",
            FILTER_COLUMNS.join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            ids.push(row.get(0)?);
            for (column, (codes, seen)) in codes.iter_mut().zip(&mut seen).enumerate() {
                let code = match row.get_ref(column + 1)? {
                    ValueRef::Null => 0,
                    ValueRef::Text(text) | ValueRef::Blob(text) => code_of(seen, text),
                    ValueRef::Integer(n) => code_of(seen, n.to_string().as_bytes()),
                    ValueRef::Real(x) => code_of(seen, x.to_string().as_bytes()),
                };
                codes.push(code);
            }
        }
        let columns = codes
            .into_iter()
            .zip(seen)
            .map(|(codes, seen)| sorted(codes, seen))
            .collect();
        Ok(Self {
            generation,
            ids,
            columns,
        })
    }

    /// How many events there are.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Every event's id, ascending.
    pub(crate) fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// The distinct values of column `index` (of [`FILTER_COLUMNS`]), sorted.
    pub(crate) fn values(&self, index: usize) -> &[String] {
        &self.columns[index].values
    }

    /// The positions of the events whose ids lie in `first..end`.
    pub(crate) fn span(&self, first: i64, end: i64) -> Range<usize> {
        let start = self.ids.partition_point(|&id| id < first);
        let stop = self.ids.partition_point(|&id| id < end).max(start);
        start..stop
    }

    /// How many events in `span` match, counted up to `cap`, and the ids of the matches at
    /// places `wanted` among them.
    pub(crate) fn page(
        &self,
        matcher: &Matcher<'_>,
        span: Range<usize>,
        wanted: Range<usize>,
        cap: usize,
    ) -> (usize, Vec<i64>) {
        if matcher.is_everything() {
            let ids = self.ids[span.clone()]
                .iter()
                .skip(wanted.start)
                .take(wanted.len())
                .copied()
                .collect();
            return (span.len().min(cap), ids);
        }
        let mut ids = Vec::new();
        let mut counted = 0;
        for position in matcher.positions(span).take(cap) {
            if wanted.contains(&counted) {
                ids.push(self.ids[position]);
            }
            counted += 1;
        }
        (counted, ids)
    }

    /// The test of `filter`'s column values (its text and window are not read).
    pub(crate) fn matcher(&self, filter: &EventFilter) -> Matcher<'_> {
        let tests = filter
            .columns()
            .into_iter()
            .zip(&self.columns)
            .filter(|((_, wanted), _)| !wanted.is_empty())
            .map(|((_, wanted), column)| {
                let mut allowed = vec![false; column.values.len() + 1];
                for value in wanted {
                    if let Ok(index) = column
                        .values
                        .binary_search_by(|v| v.as_bytes().cmp(value.as_bytes()))
                    {
                        allowed[index + 1] = true;
                    }
                }
                (column.codes.as_slice(), allowed)
            })
            .collect();
        Matcher { tests }
    }
}

/// The code of `value` in a column being read, given on first sight.
fn code_of(seen: &mut foldhash::HashMap<Vec<u8>, u32>, value: &[u8]) -> u32 {
    if let Some(&code) = seen.get(value) {
        return code;
    }
    let code = u32::try_from(seen.len() + 1).unwrap_or(u32::MAX);
    seen.insert(value.to_vec(), code);
    code
}

/// A column whose codes follow its values' sorted order.
fn sorted(mut codes: Vec<u32>, seen: foldhash::HashMap<Vec<u8>, u32>) -> Column {
    let mut entries: Vec<(Vec<u8>, u32)> = seen.into_iter().collect();
    entries.sort_unstable();
    let mut renumber = vec![0_u32; entries.len() + 1];
    for (rank, (_, code)) in entries.iter().enumerate() {
        renumber[*code as usize] = u32::try_from(rank + 1).unwrap_or(u32::MAX);
    }
    for code in &mut codes {
        *code = renumber[*code as usize];
    }
    let values = entries
        .into_iter()
        .map(|(bytes, _)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    Column { values, codes }
}

/// Whether an event (by position) has one of the wanted values in every filtered column.
pub(crate) struct Matcher<'a> {
    /// Per filtered column: its codes, and which codes are wanted.
    tests: Vec<(&'a [u32], Vec<bool>)>,
}

impl Matcher<'_> {
    /// Whether no column is filtered (every event matches).
    pub(crate) fn is_everything(&self) -> bool {
        self.tests.is_empty()
    }

    pub(crate) fn matches(&self, position: usize) -> bool {
        self.tests
            .iter()
            .all(|(codes, allowed)| allowed[codes[position] as usize])
    }

    /// The positions in `span` that match, ascending.
    pub(crate) fn positions(&self, span: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        span.filter(|&position| self.matches(position))
    }

    /// How many events in `span` match.
    pub(crate) fn count(&self, span: Range<usize>) -> usize {
        if self.is_everything() {
            span.len()
        } else {
            self.positions(span).count()
        }
    }
}

impl Store {
    /// The timeline's columns as `conn` sees the events table, read again when the timeline
    /// changed since they were last read. Callers read the events in the same transaction,
    /// so that the codes and the rows are of one generation.
    pub(crate) fn event_columns(&self, conn: &Connection) -> Result<Arc<EventColumns>> {
        let generation = timeline_generation(conn)?;
        let mut slot = self
            .timeline
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(columns) = slot.as_ref().filter(|c| c.generation == generation) {
            return Ok(Arc::clone(columns));
        }
        // Any other reader waits for this one read rather than making its own.
        let columns = Arc::new(EventColumns::load(conn, generation)?);
        *slot = Some(Arc::clone(&columns));
        Ok(columns)
    }
}

/// The timeline's generation: counted up by every write of the events table.
fn timeline_generation(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT n FROM timeline_generation", [], |row| row.get(0))?)
}

/// Marks the events table as written in `conn`'s transaction.
pub(crate) fn next_timeline_generation(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE timeline_generation SET n = n + 1", [])?;
    Ok(())
}
