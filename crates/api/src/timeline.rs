//! The timeline explorer: every event from every source, filtered and searched in the store.

use std::time::Instant;

use hindsight_store::EventFilter;

use crate::{EventDto, EventFacetsDto, EventPageDto, EventQueryDto, Hindsight, Result};

/// The most events one page may hold.
pub const MAX_PAGE: i64 = 1000;

/// How many matches past a page's offset are counted; beyond that the total is reported as a
/// lower bound (`total_capped`) that grows as the reader pages further.
pub const COUNT_AHEAD: i64 = 10_000;

impl Hindsight {
    /// One page of the merged timeline for a query.
    pub fn search_events(&self, query: &EventQueryDto) -> Result<EventPageDto> {
        let filter = EventFilter {
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
        };
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
    use super::fts_query;

    #[test]
    fn plain_words_become_prefix_terms() {
        assert_eq!(fts_query("retry capt"), "\"retry\"* \"capt\"*");
        assert_eq!(fts_query("\"exact phrase\""), "\"exact phrase\"");
        assert_eq!(fts_query("a OR b"), "a OR b");
        assert_eq!(fts_query("   "), "");
    }
}
