//! The timeline explorer: every event from every source, filtered and searched in the store.

use std::time::Instant;

use hindsight_store::EventFilter;

use chrono::{DateTime, Utc};

use crate::{
    ApiError, EventBucketDto, EventDto, EventFacetsDto, EventHistogramDto, EventPageDto,
    EventQueryDto, Hindsight, Result,
};

/// The most events one page may hold.
pub const MAX_PAGE: i64 = 1000;

/// How many matches past a page's offset are counted; beyond that the total is reported as a
/// lower bound (`total_capped`) that grows as the reader pages further.
pub const COUNT_AHEAD: i64 = 10_000;

/// The most buckets an event histogram holds.
pub const MAX_BUCKETS: i64 = 120;

/// Histogram bucket widths in seconds, narrowest first: the first that covers the stored range
/// in at most [`MAX_BUCKETS`] buckets is used (then multiples of four weeks).
#[rustfmt::skip]
const BUCKET_WIDTHS: [i64; 16] = [
    60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800,
    WEEK, 2 * WEEK, 4 * WEEK,
];
const WEEK: i64 = 7 * 86_400;
/// 1970-01-05, a Monday: week-wide buckets start on Mondays (ISO 8601), the others on
/// multiples of their width since the epoch (whole hours, days, ... in UTC).
const FIRST_MONDAY: i64 = 4 * 86_400;

impl Hindsight {
    /// One page of the merged timeline for a query.
    pub fn search_events(&self, query: &EventQueryDto) -> Result<EventPageDto> {
        let filter = event_filter(query)?;
        let limit = query.limit.clamp(1, MAX_PAGE);
        let started = Instant::now();
        let page = self
            .store
            .search_events(&filter, query.offset.max(0), limit, COUNT_AHEAD)?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let events = page
            .rows
            .into_iter()
            .map(|r| EventDto {
                id: r.id,
                at: r.at,
                source: r.source,
                kind: r.kind,
                service: r.service,
                environment: r.environment,
                actor: r.actor,
                class: r.class,
                tool: r.tool,
                severity: r.severity,
                title: r.title,
                ref_id: r.ref_id,
                approval: r.approval,
            })
            .collect();
        Ok(EventPageDto {
            total: page.total,
            total_capped: page.total_capped,
            events,
            elapsed_ms,
        })
    }

    /// How many events match `query` (its text and filters; `from`, `to`, `offset` and `limit`
    /// are not read) in each bucket of a grid over every stored event's time: the brush above
    /// the timeline draws the whole range and selects a window of it.
    pub fn event_histogram(&self, query: &EventQueryDto) -> Result<EventHistogramDto> {
        let filter = EventFilter {
            from: None,
            to: None,
            ..event_filter(query)?
        };
        let started = Instant::now();
        let Some((first, last)) = self.store.event_time_range()? else {
            return Ok(EventHistogramDto {
                bucket_seconds: 0,
                buckets: Vec::new(),
                total: 0,
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            });
        };
        let first = hindsight_store::parse_time(&first)?.timestamp();
        let last = hindsight_store::parse_time(&last)?.timestamp();
        let (width, start, count) = bucket_grid(first, last);
        let bounds = (0..=count)
            .map(|i| {
                DateTime::<Utc>::from_timestamp(start + i * width, 0)
                    .map(|t| hindsight_store::format_time(&t))
                    .ok_or_else(|| ApiError::Internal(format!("bucket {i} is out of range")))
            })
            .collect::<Result<Vec<_>>>()?;
        let counts = self.store.event_histogram(&filter, &bounds)?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let buckets: Vec<EventBucketDto> = bounds
            .windows(2)
            .zip(counts)
            .map(|(edge, count)| EventBucketDto {
                start: edge[0].clone(),
                end: edge[1].clone(),
                count,
            })
            .collect();
        Ok(EventHistogramDto {
            bucket_seconds: width,
            total: buckets.iter().map(|b| b.count).sum(),
            buckets,
            elapsed_ms,
        })
    }

    /// The values each timeline filter can take.
    pub fn event_facets(&self) -> Result<EventFacetsDto> {
        let f = self.store.event_facets()?;
        Ok(EventFacetsDto {
            services: f.services,
            environments: f.environments,
            sources: f.sources,
            classes: f.classes,
            tools: f.tools,
            severities: f.severities,
            actors: f.actors,
            approvals: f.approvals,
            min_at: f.min_at,
            max_at: f.max_at,
            total: f.total,
        })
    }
}

/// The store's filter for a query: the search text in FTS5 form, bounds in the store's.
fn event_filter(query: &EventQueryDto) -> Result<EventFilter> {
    Ok(EventFilter {
        text: query
            .text
            .as_deref()
            .map(fts_query)
            .filter(|t| !t.is_empty()),
        from: query
            .from
            .as_deref()
            .map(|t| stored_time(t, "from"))
            .transpose()?,
        to: query
            .to
            .as_deref()
            .map(|t| stored_time(t, "to"))
            .transpose()?,
        services: query.services.clone(),
        environments: query.environments.clone(),
        sources: query.sources.clone(),
        classes: query.classes.clone(),
        tools: query.tools.clone(),
        severities: query.severities.clone(),
        actors: query.actors.clone(),
        approvals: query.approvals.clone(),
    })
}

/// The histogram grid over the seconds `first..=last`: bucket width, first bucket's start and
/// number of buckets (at most [`MAX_BUCKETS`]; the last bucket holds `last`).
fn bucket_grid(first: i64, last: i64) -> (i64, i64, i64) {
    let plan = |width: i64| {
        let origin = if width % WEEK == 0 { FIRST_MONDAY } else { 0 };
        let start = origin + (first - origin).div_euclid(width) * width;
        let count = (last - start).div_euclid(width) + 1;
        (width, start, count)
    };
    if let Some(grid) = BUCKET_WIDTHS
        .iter()
        .map(|&width| plan(width))
        .find(|&(_, _, count)| count <= MAX_BUCKETS)
    {
        return grid;
    }
    // Over nine years: the fewest four-week multiples that fit (one more when alignment
    // pushes the last bucket over).
    let step = 4 * WEEK;
    let mut multiple = ((last - first) / (step * (MAX_BUCKETS - 1))).max(1) + 1;
    loop {
        let grid = plan(step * multiple);
        if grid.2 <= MAX_BUCKETS {
            return grid;
        }
        multiple += 1;
    }
}

/// A bound in the store's own time form, so that text comparison is time comparison.
fn stored_time(text: &str, which: &str) -> Result<String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| hindsight_store::format_time(&t.with_timezone(&chrono::Utc)))
        .map_err(|e| {
            crate::ApiError::BadInput(format!("{which} {text:?} is not an RFC 3339 time: {e}"))
        })
}

/// Plain words become prefix searches that must all match (`retry capt` finds "retry
/// capture"); text using FTS5's own syntax (quotes, `*`, `AND`/`OR`/`NOT`, parentheses, `:`)
/// is passed through as written.
fn fts_query(text: &str) -> String {
    let text = text.trim();
    let uses_syntax = text.contains(['"', '*', '(', ')', ':', '^'])
        || text
            .split_whitespace()
            .any(|w| matches!(w, "AND" | "OR" | "NOT" | "NEAR"));
    if uses_syntax {
        return text.to_owned();
    }
    text.split_whitespace()
        .map(|word| format!("\"{}\"*", word.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::{bucket_grid, fts_query, MAX_BUCKETS};

    #[test]
    fn plain_words_become_prefix_terms() {
        assert_eq!(fts_query("retry capt"), "\"retry\"* \"capt\"*");
        assert_eq!(fts_query("\"exact phrase\""), "\"exact phrase\"");
        assert_eq!(fts_query("a OR b"), "a OR b");
        assert_eq!(fts_query("   "), "");
    }

    fn seconds(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("time")
            .timestamp()
    }

    #[test]
    fn the_bucket_grid_is_the_narrowest_aligned_width_that_fits() {
        // One instant: one minute-wide bucket holding it.
        let t = seconds("2024-03-05T10:17:42Z");
        assert_eq!(bucket_grid(t, t), (60, seconds("2024-03-05T10:17:00Z"), 1));
        // Two hours: 120 one-minute buckets would need a 121st for the last second.
        assert_eq!(
            bucket_grid(
                seconds("2024-03-05T10:00:00Z"),
                seconds("2024-03-05T11:59:59Z")
            ),
            (60, seconds("2024-03-05T10:00:00Z"), 120)
        );
        assert_eq!(
            bucket_grid(
                seconds("2024-03-05T10:00:00Z"),
                seconds("2024-03-05T12:00:00Z")
            ),
            (120, seconds("2024-03-05T10:00:00Z"), 61)
        );
        // Six weeks: twelve-hour buckets from midnight UTC.
        assert_eq!(
            bucket_grid(
                seconds("2026-01-01T07:00:00Z"),
                seconds("2026-02-13T09:39:55Z")
            ),
            (43_200, seconds("2026-01-01T00:00:00Z"), 87)
        );
        // A year: weeks starting on Monday (2024-01-01 was one).
        assert_eq!(
            bucket_grid(
                seconds("2024-01-03T12:00:00Z"),
                seconds("2024-12-31T00:00:00Z")
            ),
            (7 * 86_400, seconds("2024-01-01T00:00:00Z"), 53)
        );
        // Decades: multiples of four weeks, still at most MAX_BUCKETS.
        let (width, start, count) = bucket_grid(
            seconds("1990-01-01T00:00:00Z"),
            seconds("2030-01-01T00:00:00Z"),
        );
        assert_eq!(width % (28 * 86_400), 0);
        assert!(count <= MAX_BUCKETS && count > MAX_BUCKETS / 2, "{count}");
        assert!(start <= seconds("1990-01-01T00:00:00Z"));
        assert!(start + width * count > seconds("2030-01-01T00:00:00Z"));
    }

    /// The `(start, count)` of the buckets holding events.
    fn nonzero(histogram: &crate::EventHistogramDto) -> Vec<(String, i64)> {
        histogram
            .buckets
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| (b.start.clone(), b.count))
            .collect()
    }

    #[test]
    fn the_histogram_counts_the_filtered_events_over_the_whole_range() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = crate::Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        let query = crate::EventQueryDto::default();
        let empty = app.event_histogram(&query).expect("histogram");
        assert_eq!(
            (empty.bucket_seconds, empty.buckets.len(), empty.total),
            (0, 0, 0)
        );

        let log = dir.path().join("deploys.logfmt");
        let line = |ts: &str, id: &str, env: &str, action: &str| {
            format!(
                "ts={ts} id={id} service=checkout environment={env} version=v1 sha=abc123 \
                 status=succeeded actor=ci-bot actor_type=automation action={action}\n"
            )
        };
        let text = [
            line("2024-05-01T10:00:00Z", "d1", "production", "deploy"),
            line("2024-05-01T10:01:59Z", "d2", "staging", "deploy"),
            line("2024-05-01T10:30:00Z", "d3", "production", "rollback"),
            line("2024-05-01T11:15:30Z", "d4", "staging", "deploy"),
            line("2024-05-01T13:05:10Z", "d5", "production", "deploy"),
        ]
        .concat();
        std::fs::write(&log, text).expect("write");
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .expect("now")
            .with_timezone(&Utc);
        let report = app
            .ingest_paths(&[log], &crate::IngestOptions::new(now), &mut |_| {})
            .expect("ingest");
        assert_eq!(report.files[0].records_stored, 5, "{report:#?}");

        // 10:00 to 13:05:10 needs 186 one-minute buckets: two-minute ones, 93 of them.
        let all = app.event_histogram(&query).expect("histogram");
        assert_eq!(all.bucket_seconds, 120);
        assert_eq!(all.buckets.len(), 93);
        assert_eq!(all.buckets[0].start, "2024-05-01T10:00:00.000Z");
        assert_eq!(all.buckets[0].end, "2024-05-01T10:02:00.000Z");
        assert_eq!(all.buckets[92].end, "2024-05-01T13:06:00.000Z");
        assert_eq!(all.total, 5);
        let at = |t: &str, n: i64| (format!("2024-05-01T{t}:00.000Z"), n);
        assert_eq!(
            nonzero(&all),
            [
                at("10:00", 2),
                at("10:30", 1),
                at("11:14", 1),
                at("13:04", 1)
            ]
        );

        // Filters narrow the counts, the grid stays; the window is not the histogram's.
        let staging = crate::EventQueryDto {
            environments: vec!["staging".into()],
            from: Some("2024-05-01T11:00:00Z".into()),
            to: Some("2024-05-01T12:00:00Z".into()),
            ..crate::EventQueryDto::default()
        };
        let narrowed = app.event_histogram(&staging).expect("histogram");
        assert_eq!((narrowed.bucket_seconds, narrowed.buckets.len()), (120, 93));
        assert_eq!(nonzero(&narrowed), [at("10:00", 1), at("11:14", 1)]);
        assert_eq!(narrowed.total, 2);

        // A search text too.
        let rollbacks = crate::EventQueryDto {
            text: Some("rollb".into()),
            ..crate::EventQueryDto::default()
        };
        let searched = app.event_histogram(&rollbacks).expect("histogram");
        assert_eq!(nonzero(&searched), [at("10:30", 1)]);

        // A malformed bound is still refused, as by search_events.
        let bad = crate::EventQueryDto {
            from: Some("yesterday".into()),
            ..crate::EventQueryDto::default()
        };
        assert!(matches!(
            app.event_histogram(&bad),
            Err(crate::ApiError::BadInput(_))
        ));
    }
}
