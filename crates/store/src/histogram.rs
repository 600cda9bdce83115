//! Event counts per time bucket: the timeline's brush draws them over the whole stored range.

use rusqlite::Connection;

use crate::time_seek::first_id_from;
use crate::{EventFilter, Result, Store};

impl Store {
    /// The earliest and latest event times (two seeks); `None` when there is no event.
    pub fn event_time_range(&self) -> Result<Option<(String, String)>> {
        let conn = self.connection()?;
        time_range(&conn)
    }

    /// How many events matching `filter` lie in each bucket `bounds[i] <= at < bounds[i + 1]`
    /// (bounds in the store's time form, ascending): one count per pair of neighbouring
    /// bounds. `filter.from` and `filter.to` are not read; the bounds are the window.
    ///
    /// Every match is counted (no early stop as in `search_events`). Ids follow time, so each
    /// bucket is the id range from its first event's id to the next bucket's (`first_ids`).
    /// The column filters are counted over those ranges in memory (`columns.rs`); a search text
    /// is one walk of the FTS5 index in rowid order, each match's bucket found by advancing over
    /// the buckets' first ids, without reading its time.
    ///
    /// The earlier and the later half of the buckets are counted at once, each on a
    /// connection of its own (every path reads its buckets' range only), which halves the
    /// time of a search on two cores.
    pub fn event_histogram(&self, filter: &EventFilter, bounds: &[String]) -> Result<Vec<i64>> {
        let buckets = bounds.len().saturating_sub(1);
        if buckets < 2 {
            return self.histogram_part(filter, bounds);
        }
        let middle = buckets / 2;
        let (earlier, later) = std::thread::scope(|scope| {
            let later = scope.spawn(|| self.histogram_part(filter, &bounds[middle..]));
            let earlier = self.histogram_part(filter, &bounds[..=middle]);
            let later = later
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (earlier, later)
        });
        let mut counts = earlier?;
        counts.extend(later?);
        Ok(counts)
    }

    /// [`Store::event_histogram`] of the buckets between `bounds` on one connection.
    fn histogram_part(&self, filter: &EventFilter, bounds: &[String]) -> Result<Vec<i64>> {
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        let conn = self.connection()?;
        // One read: the columns in memory and the ids read here are of one generation.
        let read = conn.unchecked_transaction()?;
        let ids = first_ids(&read, bounds)?;
        let columns = self.event_columns(&read)?;
        let matcher = columns.matcher(filter);
        let text = filter.text.as_deref().filter(|t| !t.trim().is_empty());
        if let Some(text) = text {
            let (Some(&first), Some(&end)) = (ids.first(), ids.last()) else {
                return Ok(Vec::new());
            };
            let allowed: Option<Vec<i64>> = (!matcher.is_everything()).then(|| {
                matcher
                    .positions(columns.span(first, end))
                    .map(|position| columns.ids()[position])
                    .collect()
            });
            return counts_of_search(&read, text, allowed.as_deref(), &ids);
        }
        Ok(ids
            .windows(2)
            .map(|edge| {
                let count = matcher.count(columns.span(edge[0], edge[1]));
                i64::try_from(count).unwrap_or(i64::MAX)
            })
            .collect())
    }
}

/// The earliest and latest event times (the first and the last id's, two seeks); `None` when
/// there is no event.
pub(crate) fn time_range(conn: &Connection) -> Result<Option<(String, String)>> {
    let (min, max): (Option<String>, Option<String>) = conn.query_row(
        "SELECT (SELECT at FROM events ORDER BY id LIMIT 1),
                (SELECT at FROM events ORDER BY id DESC LIMIT 1)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(min.zip(max))
}

/// The id of the first event at or after each bound (`i64::MAX` past the last event): since
/// ids follow time, bucket `i` holds exactly the ids from `ids[i]` up to `ids[i + 1]`.
fn first_ids(conn: &Connection, bounds: &[String]) -> Result<Vec<i64>> {
    // Each bound's search starts from the previous bound's answer when it lies no earlier
    // (bounds ascend; one that does not is searched from the start).
    let mut previous: Option<(&str, i64)> = None;
    bounds
        .iter()
        .map(|bound| {
            let from = match previous {
                Some((earlier, found)) if earlier <= bound.as_str() => found,
                _ => 1,
            };
            let found = if from == i64::MAX {
                from
            } else {
                first_id_from(conn, bound, false, from)?.unwrap_or(i64::MAX)
            };
            previous = Some((bound, found));
            Ok(found)
        })
        .collect()
}

/// Counts of a search per bucket (`ids`: each bucket's first id, then the end): the FTS5
/// index is walked once in rowid order inside that id range. Other filters come as the
/// ascending ids they allow there, merged with the matches.
fn counts_of_search(
    conn: &Connection,
    text: &str,
    allowed: Option<&[i64]>,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let (Some(&first), Some(&end)) = (ids.first(), ids.last()) else {
        return Ok(Vec::new());
    };
    let search_error = crate::events::search_text_error;
    let mut stmt = conn
        .prepare_cached(
            "SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 AND rowid >= ?2
             AND rowid < ?3 ORDER BY rowid",
        )
        .map_err(search_error)?;
    let mut rows = stmt
        .query(rusqlite::params![text, first, end])
        .map_err(search_error)?;
    let mut counts = vec![0_i64; ids.len() - 1];
    let mut bucket = 0;
    let mut next_allowed = 0;
    while let Some(row) = rows.next().map_err(search_error)? {
        let id: i64 = row.get(0)?;
        if let Some(allowed) = allowed {
            // Both lists ascend: a merge.
            while next_allowed < allowed.len() && allowed[next_allowed] < id {
                next_allowed += 1;
            }
            if allowed.get(next_allowed) != Some(&id) {
                continue;
            }
        }
        // Matches come in id order: the bucket only ever moves forward.
        while bucket + 1 < counts.len() && id >= ids[bucket + 1] {
            bucket += 1;
        }
        counts[bucket] += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use crate::{EventFilter, Store};

    fn seeded() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        // 24 events, one every 10 minutes from 00:00 to 03:50, in time order (ids follow
        // time); every third in staging, every fourth a change by ana, the rest deployments by
        // ci; titles "deploy checkout" or "rollback payments" alternately.
        store
            .connection()
            .expect("conn")
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 23)
                 INSERT INTO events(at, source, kind, service, environment, actor, title, ref_id)
                 SELECT printf('2024-01-01T%02d:%02d:00.000Z', i / 6, (i % 6) * 10),
                        CASE WHEN i % 4 = 0 THEN 'change' ELSE 'deployment' END, 'deploy',
                        CASE WHEN i % 2 = 0 THEN 'checkout' ELSE 'payments' END,
                        CASE WHEN i % 3 = 0 THEN 'staging' ELSE 'production' END,
                        CASE WHEN i % 4 = 0 THEN 'ana' ELSE 'ci' END,
                        CASE WHEN i % 2 = 0 THEN 'deploy checkout' ELSE 'rollback payments' END,
                        i
                 FROM n ORDER BY i;
                 INSERT INTO events_fts(events_fts) VALUES ('rebuild');",
            )
            .expect("seed");
        (dir, store)
    }

    #[test]
    fn each_bound_finds_its_first_event_whatever_came_before_it() {
        let (_dir, store) = seeded();
        let conn = store.connection().expect("conn");
        // Ascending (each search starts from the previous answer), past the last event, then
        // earlier again (searched from the start), then a half hour.
        let bounds: Vec<String> = [3, 1, 4, 5, 0, 2]
            .iter()
            .map(|h| format!("2024-01-01T{h:02}:00:00.000Z"))
            .chain(["2024-01-01T01:30:00.000Z".to_owned()])
            .collect();
        let alone: Vec<i64> = bounds
            .iter()
            .map(|b| {
                crate::time_seek::first_id_from(&conn, b, false, 1)
                    .expect("alone")
                    .unwrap_or(i64::MAX)
            })
            .collect();
        // Six events an hour from id 1: hour h starts at id 6h + 1.
        assert_eq!(alone, [19, 7, i64::MAX, i64::MAX, 1, 13, 10]);
        assert_eq!(super::first_ids(&conn, &bounds).expect("together"), alone);
    }

    /// Hourly bounds from `first` to `last` o'clock on 2024-01-01.
    fn hours(first: u32, last: u32) -> Vec<String> {
        (first..=last)
            .map(|h| format!("2024-01-01T{h:02}:00:00.000Z"))
            .collect()
    }

    #[test]
    fn counts_per_bucket_follow_every_filter_and_the_search_text() {
        let (_dir, store) = seeded();
        let bounds = hours(0, 4);
        let count = |filter: EventFilter| store.event_histogram(&filter, &bounds).expect("counts");
        assert_eq!(count(EventFilter::default()), [6, 6, 6, 6]);
        // A window is ignored: the bounds are the window.
        let windowed = EventFilter {
            from: Some("2024-01-01T02:00:00.000Z".into()),
            to: Some("2024-01-01T02:30:00.000Z".into()),
            ..EventFilter::default()
        };
        assert_eq!(count(windowed), [6, 6, 6, 6]);
        // One column (an index range per bucket): staging is i % 3 == 0.
        let staging = EventFilter {
            environments: vec!["staging".into()],
            ..EventFilter::default()
        };
        assert_eq!(count(staging.clone()), [2, 2, 2, 2]);
        // Changes are i = 0, 4, 8, ..., 20: hours 0 (0, 4), 1 (8), 2 (12, 16), 3 (20).
        let changes = EventFilter {
            sources: vec!["change".into()],
            ..EventFilter::default()
        };
        assert_eq!(count(changes.clone()), [2, 1, 2, 1]);
        // Source and environment (their shared index): changes in staging are i = 0, 12.
        let staged_changes = EventFilter {
            environments: vec!["staging".into()],
            ..changes.clone()
        };
        assert_eq!(count(staged_changes), [1, 0, 1, 0]);
        // Several other columns (the id-range scan): payments by ci in production are odd i
        // not divisible by 3: 1, 5 | 7, 11 | 13, 17 | 19, 23.
        let several = EventFilter {
            services: vec!["payments".into()],
            actors: vec!["ci".into()],
            environments: vec!["production".into()],
            ..EventFilter::default()
        };
        assert_eq!(count(several), [2, 2, 2, 2]);
        // Values of one column are alternatives.
        let both = EventFilter {
            sources: vec!["change".into(), "deployment".into()],
            ..EventFilter::default()
        };
        assert_eq!(count(both), [6, 6, 6, 6]);
        // A search text alone (the FTS5 walk): "rollback" is every odd i.
        let rollback = EventFilter {
            text: Some("rollback".into()),
            ..EventFilter::default()
        };
        assert_eq!(count(rollback.clone()), [3, 3, 3, 3]);
        // A search text with a filter: odd i in staging are 3, 9, 15, 21.
        let staged_rollback = EventFilter {
            environments: vec!["staging".into()],
            ..rollback
        };
        assert_eq!(count(staged_rollback), [1, 1, 1, 1]);
        // A text nothing matches, and bounds around part of the data.
        let nothing = EventFilter {
            text: Some("nowhere".into()),
            ..EventFilter::default()
        };
        assert_eq!(count(nothing), [0, 0, 0, 0]);
        let half_hours: Vec<String> = [
            "2024-01-01T01:30:00.000Z",
            "2024-01-01T02:00:00.000Z",
            "2024-01-01T02:30:00.000Z",
        ]
        .map(String::from)
        .to_vec();
        let searched = EventFilter {
            text: Some("deploy".into()),
            ..EventFilter::default()
        };
        // Even i at 01:30-02:00 are 10 (01:40); at 02:00-02:30: 12, 14 (02:00, 02:20).
        assert_eq!(
            store
                .event_histogram(&searched, &half_hours)
                .expect("counts"),
            [1, 2]
        );
        assert_eq!(
            store
                .event_histogram(&EventFilter::default(), &half_hours)
                .expect("counts"),
            [3, 3]
        );
        // Bounds past the last event: empty buckets, on every path.
        // Bounds past the last event: empty buckets, on every path. Hour 3 holds i = 18..23.
        let later = hours(3, 6);
        for (filter, expected) in [
            (EventFilter::default(), [6, 0, 0]),
            (staging, [2, 0, 0]),
            (searched, [3, 0, 0]),
        ] {
            assert_eq!(
                store.event_histogram(&filter, &later).expect("counts"),
                expected,
                "{filter:?}"
            );
        }
    }

    #[test]
    fn an_empty_store_has_no_range_and_empty_buckets() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        assert_eq!(store.event_time_range().expect("range"), None);
        let bounds = hours(0, 2);
        let searched = EventFilter {
            text: Some("deploy".into()),
            ..EventFilter::default()
        };
        for filter in [EventFilter::default(), searched] {
            assert_eq!(
                store.event_histogram(&filter, &bounds).expect("counts"),
                [0, 0]
            );
            assert!(store
                .event_histogram(&filter, &[])
                .expect("counts")
                .is_empty());
        }
    }

    #[test]
    fn the_range_is_the_first_and_last_event_time() {
        let (_dir, store) = seeded();
        assert_eq!(
            store.event_time_range().expect("range"),
            Some((
                "2024-01-01T00:00:00.000Z".to_owned(),
                "2024-01-01T03:50:00.000Z".to_owned()
            ))
        );
    }

    #[test]
    fn a_bad_search_text_is_a_bad_query() {
        let (_dir, store) = seeded();
        let bad = EventFilter {
            text: Some("\"unclosed".into()),
            ..EventFilter::default()
        };
        let error = store
            .event_histogram(&bad, &hours(0, 1))
            .expect_err("bad text");
        assert!(matches!(error, crate::StoreError::BadQuery(_)), "{error}");
    }
}
