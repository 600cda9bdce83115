//! Events by time without an index on time. Ids follow time (migration 10), so the first event
//! at or after a time is found by a binary search over ids, each step one seek of the primary
//! key. Migration 16 dropped the index on `events(at)`: writing it took about a second of the
//! four-second timeline step of a million-line deploy log, and these reads need a few dozen
//! seeks instead of one.

use rusqlite::{Connection, OptionalExtension};

use crate::Result;

/// The id of the first event at or after `at` (after it when `strictly`); `None` when none
/// is. `from` is an id at or before the answer (1 when nothing is known): bounds searched in
/// ascending order each start from the previous answer.
pub(crate) fn first_id_from(
    conn: &Connection,
    at: &str,
    strictly: bool,
    from: i64,
) -> Result<Option<i64>> {
    let mut first_from =
        conn.prepare_cached("SELECT id, at FROM events WHERE id >= ?1 ORDER BY id LIMIT 1")?;
    let last: Option<i64> = conn
        .prepare_cached("SELECT max(id) FROM events")?
        .query_row([], |row| row.get(0))?;
    let Some(last) = last else {
        return Ok(None);
    };
    // Whether the first event from id `x` on lies at or past `at` (or there is none): false
    // up to the answer's predecessor, true from the id after it, so the smallest such `x`
    // leads to the answer.
    let (mut low, mut high) = (from.clamp(0, last + 1), last + 1);
    while low < high {
        let middle = low + (high - low) / 2;
        let reached = first_from
            .query_row([middle], |row| {
                let time: String = row.get(1)?;
                // Text order is time order (`format_time`), and SQLite's own comparison.
                Ok(if strictly {
                    time.as_str() > at
                } else {
                    time.as_str() >= at
                })
            })
            .optional()?
            .unwrap_or(true);
        if reached {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Ok(first_from.query_row([low], |row| row.get(0)).optional()?)
}

/// The id of the last event at or before `at`; `None` when none is.
pub(crate) fn last_id_to(conn: &Connection, at: &str) -> Result<Option<i64>> {
    let past = first_id_from(conn, at, true, 1)?.unwrap_or(i64::MAX);
    Ok(conn
        .prepare_cached("SELECT max(id) FROM events WHERE id < ?1")?
        .query_row([past], |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::{first_id_from, last_id_to};

    /// Events at the given times, ids in time order with gaps where `None` (an event taken out).
    fn events(times: &[Option<&str>]) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE events(id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
            .expect("table");
        for (i, at) in times.iter().enumerate() {
            if let Some(at) = at {
                conn.execute(
                    "INSERT INTO events(id, at) VALUES (?1, ?2)",
                    (i as i64 + 1, at),
                )
                .expect("insert");
            }
        }
        conn
    }

    #[test]
    fn every_bound_finds_what_a_scan_of_the_table_finds() {
        // Ties, gaps (ids 3, 6 and 7 taken out) and a first id above 1.
        let times = [
            None,
            Some("b"),
            None,
            Some("c"),
            Some("c"),
            None,
            None,
            Some("e"),
            Some("e"),
            Some("e"),
            Some("g"),
        ];
        let conn = events(&times);
        let stored: Vec<(i64, &str)> = times
            .iter()
            .enumerate()
            .filter_map(|(i, at)| Some((i as i64 + 1, (*at)?)))
            .collect();
        for bound in ["a", "b", "bb", "c", "d", "e", "f", "g", "h"] {
            let first = stored.iter().find(|(_, at)| *at >= bound).map(|e| e.0);
            let after = stored.iter().find(|(_, at)| *at > bound).map(|e| e.0);
            let last = stored
                .iter()
                .rev()
                .find(|(_, at)| *at <= bound)
                .map(|e| e.0);
            assert_eq!(
                first_id_from(&conn, bound, false, 1).expect("first"),
                first,
                "{bound}"
            );
            assert_eq!(
                first_id_from(&conn, bound, true, 1).expect("after"),
                after,
                "{bound}"
            );
            assert_eq!(last_id_to(&conn, bound).expect("last"), last, "{bound}");
            // Starting from any id at or before the answer changes nothing.
            for from in 0..=first.unwrap_or(12) {
                assert_eq!(
                    first_id_from(&conn, bound, false, from).expect("from"),
                    first
                );
            }
        }
    }

    #[test]
    fn an_empty_timeline_has_no_bound() {
        let conn = events(&[]);
        assert_eq!(first_id_from(&conn, "a", false, 1).expect("first"), None);
        assert_eq!(last_id_to(&conn, "a").expect("last"), None);
    }
}
