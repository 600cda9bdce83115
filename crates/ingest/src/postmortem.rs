//! Post-mortem Markdown in the style of the Google SRE book's example postmortem: a `# Title`,
//! then a section whose heading contains "Timeline" holding date lines that state their zone
//! (`2015-10-21 (all times UTC)`, `**2015-10-21** (times in PDT, UTC-7)`) and events, either
//! bullets (`- 14:51 News reports ...`) or table rows (`| 14:51 | News reports ... |`).
//!
//! * `OUTAGE BEGINS`, `OUTAGE MITIGATED` and `OUTAGE ENDS` (any case) mark the events that set
//!   the incident's start and end (`OUTAGE ENDS`, else `OUTAGE MITIGATED`); without a begin
//!   marker the first event starts it.
//! * A time earlier than the one before it on the same date rolls over to the next day (the
//!   timeline ran past midnight); a later date line resets the day.
//! * Before any date line in the timeline, the first date of the preamble (`**Date:**
//!   2015-10-21`) stands in.
//!
//! The document becomes one [`Incident`] with `source_system` `postmortem` and `source_id`
//! `<file stem>-<first date>`; each event's source is its `line N`.

use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use hindsight_model::{Incident, Record, Rejection, SourceRef, TimelineEvent};
use regex::Regex;

use crate::time::Zone;
use crate::{excerpt, IngestError, Parsed};

static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("valid regex"));
/// An event's leading time, optionally bold and optionally preceded by a date.
static EVENT_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\*\*|__)?(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\*\*|__)?(?:\s+|$|[-–—:,]\s*)(.*)$",
    )
    .expect("valid regex")
});
static NUMERIC_ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?").expect("valid regex")
});
static NAMED_ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(UTC|GMT|PST|PDT|MST|MDT|CST|CDT|EST|EDT|BST|CET|CEST|EET|EEST|IST|JST|AEST|AEDT)\b",
    )
    .expect("valid regex")
});

/// True for Markdown that starts with a heading and has a "Timeline" heading.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('#')
        && head
            .lines()
            .any(|line| timeline_heading_level(line).is_some())
}

/// A Markdown ATX heading's level and text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let level = trimmed.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = trimmed.get(level..)?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some((level, rest.trim()))
}

fn timeline_heading_level(line: &str) -> Option<usize> {
    let (level, text) = heading(line)?;
    text.to_lowercase().contains("timeline").then_some(level)
}

/// The zone a line states: `UTC-7` wins over an abbreviation such as `PDT`.
fn zone_of(line: &str) -> Option<FixedOffset> {
    if let Some(caps) = NUMERIC_ZONE.captures(line) {
        let sign = if &caps[1] == "+" { 1 } else { -1 };
        let hours: i32 = caps[2].parse().ok()?;
        let minutes: i32 = caps.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
        return FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60));
    }
    let hours = match NAMED_ZONE.captures(line)?.get(1)?.as_str() {
        "UTC" | "GMT" => 0.0,
        "PST" => -8.0,
        "PDT" | "MST" => -7.0,
        "MDT" | "CST" => -6.0,
        "CDT" | "EST" => -5.0,
        "EDT" => -4.0,
        "BST" | "CET" => 1.0,
        "CEST" | "EET" => 2.0,
        "EEST" => 3.0,
        "IST" => 5.5,
        "JST" => 9.0,
        "AEST" => 10.0,
        "AEDT" => 11.0,
        _ => return None,
    };
    FixedOffset::east_opt((hours * 3600.0) as i32)
}

fn date_of(text: &str) -> Option<Result<NaiveDate, String>> {
    let caps = DATE.captures(text)?;
    let found = caps.get(0).map_or("", |m| m.as_str()).to_owned();
    let parsed = (|| {
        NaiveDate::from_ymd_opt(
            caps[1].parse().ok()?,
            caps[2].parse().ok()?,
            caps[3].parse().ok()?,
        )
    })();
    Some(parsed.ok_or_else(|| format!("not a date: {found:?}")))
}

/// An event candidate: a bullet or a table row, reduced to `time text`.
fn event_body(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if let Some(rest) = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .or_else(|| trimmed.strip_prefix("+ "))
    {
        return Some(rest.trim().to_owned());
    }
    let row = trimmed.strip_prefix('|')?;
    let row = row.strip_suffix('|').unwrap_or(row);
    let mut cells = row.split('|').map(str::trim);
    let first = cells.next()?;
    let rest: Vec<&str> = cells.filter(|c| !c.is_empty()).collect();
    Some(format!("{first} {}", rest.join(" | ")))
}

/// The day a timeline is on, and where within it the last event was.
struct Clock {
    date: NaiveDate,
    zone: Zone,
    /// No line stated the zone: it is the configured one.
    assumed: bool,
    days_rolled: i64,
    last: Option<NaiveTime>,
}

impl Clock {
    fn at(&mut self, time: NaiveTime) -> Option<DateTime<Utc>> {
        if self.last.is_some_and(|last| time < last) {
            self.days_rolled += 1;
        }
        self.last = Some(time);
        let date = self
            .date
            .checked_add_signed(Duration::days(self.days_rolled))?;
        self.zone.to_utc(&date.and_time(time))
    }
}

fn kind_of(text: &str) -> &'static str {
    let upper = text.to_uppercase();
    if upper.contains("OUTAGE BEGINS") {
        "outage_begins"
    } else if upper.contains("OUTAGE MITIGATED") {
        "mitigated"
    } else if upper.contains("OUTAGE ENDS") {
        "outage_ends"
    } else {
        "note"
    }
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let stated = |z: Option<FixedOffset>| z.map(|z| (Zone::Fixed(z), false));
    let configured = (*zone, true);
    // Lines numbered from 1, without BOM or CR; invalid UTF-8 is read lossily.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let lines: Vec<(usize, String)> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (i + 1, String::from_utf8_lossy(line).into_owned())
        })
        .collect();
    let invalid = |message: &str| IngestError::Invalid {
        file: file.to_owned(),
        message: message.to_owned(),
    };
    let Some(start) = lines
        .iter()
        .position(|(_, line)| timeline_heading_level(line).is_some())
    else {
        return Err(invalid(
            "not a post-mortem: no timeline section (a Markdown heading containing \"Timeline\")",
        ));
    };
    let timeline_level = timeline_heading_level(&lines[start].1).unwrap_or(1);
    let preamble = &lines[..start];
    let title = preamble
        .iter()
        .find_map(|(_, line)| line.trim().strip_prefix("# ").map(|t| t.trim().to_owned()))
        .filter(|t| !t.is_empty());
    let heading_zone = zone_of(&lines[start].1);
    let mut clock: Option<Clock> = preamble.iter().find_map(|(_, line)| match date_of(line) {
        Some(Ok(date)) => {
            let (zone, assumed) = stated(zone_of(line).or(heading_zone)).unwrap_or(configured);
            Some(Clock {
                date,
                zone,
                assumed,
                days_rolled: 0,
                last: None,
            })
        }
        _ => None,
    });
    let mut first_date: Option<NaiveDate> = None;
    let mut zone_assumed = false;
    let mut events: Vec<TimelineEvent> = Vec::new();
    let mut rejections = Vec::new();
    let reject = |n: usize, field: &str, reason: String, raw: &str| {
        Parsed::Rejected(Rejection {
            location: format!("line {n}"),
            field: Some(field.to_owned()),
            reason,
            raw: excerpt(raw),
        })
    };

    for (n, line) in lines.iter().skip(start + 1) {
        if heading(line).is_some_and(|(level, _)| level <= timeline_level) {
            break;
        }
        let candidate = event_body(line).and_then(|body| {
            let caps = EVENT_TIME.captures(&body)?;
            let date = caps.get(1).map(|m| m.as_str().to_owned());
            let hms = (
                caps[2].parse::<u32>().ok(),
                caps[3].parse::<u32>().ok(),
                caps.get(4)
                    .map_or(Some(0), |m| m.as_str().parse::<u32>().ok()),
            );
            let text = caps.get(5).map_or("", |m| m.as_str()).trim().to_owned();
            Some((date, hms, text))
        });
        let Some((date, hms, text)) = candidate else {
            // Not an event: a date line sets the day (and the zone, when it states one).
            if event_body(line).is_none() {
                match date_of(line) {
                    Some(Ok(date)) => {
                        let (zone, assumed) = stated(zone_of(line))
                            .or(clock.as_ref().map(|c| (c.zone, c.assumed)))
                            .or(stated(heading_zone))
                            .unwrap_or(configured);
                        clock = Some(Clock {
                            date,
                            zone,
                            assumed,
                            days_rolled: 0,
                            last: None,
                        });
                    }
                    Some(Err(reason)) => rejections.push(reject(*n, "date", reason, line)),
                    None => {}
                }
            }
            continue;
        };
        if let Some(date) = date {
            match date_of(&date) {
                Some(Ok(day)) => {
                    let (zone, assumed) = clock
                        .as_ref()
                        .map(|c| (c.zone, c.assumed))
                        .or(stated(heading_zone))
                        .unwrap_or(configured);
                    clock = Some(Clock {
                        date: day,
                        zone,
                        assumed,
                        days_rolled: 0,
                        last: None,
                    });
                }
                _ => {
                    rejections.push(reject(*n, "date", format!("not a date: {date:?}"), line));
                    continue;
                }
            }
        }
        let time = match hms {
            (Some(h), Some(m), Some(s)) => NaiveTime::from_hms_opt(h, m, s),
            _ => None,
        };
        let Some(time) = time else {
            rejections.push(reject(*n, "time", "not a time of day".to_owned(), line));
            continue;
        };
        let Some(clock) = clock.as_mut() else {
            rejections.push(reject(
                *n,
                "date",
                "event before any date line".to_owned(),
                line,
            ));
            continue;
        };
        let Some(at) = clock.at(time) else {
            rejections.push(reject(*n, "time", "time out of range".to_owned(), line));
            continue;
        };
        first_date.get_or_insert(clock.date);
        zone_assumed |= clock.assumed;
        let text = if text.is_empty() {
            line.trim().to_owned()
        } else {
            text
        };
        events.push(TimelineEvent {
            at,
            kind: kind_of(&text).to_owned(),
            text,
            source: SourceRef::line(file, *n),
        });
    }

    let Some(first_event) = events.first() else {
        let why = match rejections.first() {
            Some(Parsed::Rejected(r)) => format!(" ({} at {})", r.reason, r.location),
            _ => String::new(),
        };
        return Err(invalid(&format!(
            "the timeline section has no dated events (`- 14:51 ...` under a date line){why}"
        )));
    };
    let marked = |kind: &str| events.iter().find(|e| e.kind == kind).map(|e| e.at);
    let started_at = marked("outage_begins").unwrap_or(first_event.at);
    let resolved_at = events
        .iter()
        .rev()
        .find(|e| e.kind == "outage_ends")
        .map(|e| e.at)
        .or_else(|| marked("mitigated"));
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("postmortem");
    let date = first_date.map(|d| d.to_string()).unwrap_or_default();
    let title_line = lines
        .iter()
        .find(|(_, line)| line.trim().starts_with("# "))
        .map_or(1, |(n, _)| *n);
    sink(Parsed::Record(Record::Incident(Incident {
        source_system: "postmortem".to_owned(),
        source_id: format!("{stem}-{date}"),
        number: None,
        title: title.unwrap_or_else(|| stem.to_owned()),
        status: if resolved_at.is_some() {
            "resolved".to_owned()
        } else {
            "unknown".to_owned()
        },
        severity: None,
        service: None,
        started_at,
        resolved_at,
        url: None,
        events,
        attributes: if zone_assumed {
            [("assumed_zone".to_owned(), zone.name())].into()
        } else {
            Default::default()
        },
        updated_at: None,
        source: SourceRef::line(file, title_line),
    })));
    for rejected in rejections {
        sink(rejected);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::incidents_and_rejections;

    const FIXTURE: &str =
        include_str!("../../../fixtures/formats/postmortem/shakespeare-sonnet.md");

    fn parse_all(file: &str, text: &str) -> Result<(Incident, Vec<Rejection>), IngestError> {
        let (mut incidents, rejections) = incidents_and_rejections(Box::new(|sink| {
            parse(file, text.as_bytes(), &Zone::default(), sink)
        }))?;
        assert_eq!(incidents.len(), 1);
        Ok((incidents.remove(0), rejections))
    }

    #[test]
    fn sre_book_style_postmortem() {
        let (incident, rejections) =
            parse_all("docs/shakespeare-sonnet.md", FIXTURE).expect("parses");
        assert_eq!(incident.source_system, "postmortem");
        assert_eq!(incident.source_id, "shakespeare-sonnet-2015-10-21");
        assert_eq!(
            incident.title,
            "Shakespeare Sonnet++ Postmortem (incident #465)"
        );
        assert_eq!(incident.status, "resolved");
        assert_eq!(incident.source.location, "line 1");
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2015-10-21T14:54:00+00:00"
        );
        assert_eq!(
            incident.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2015-10-21T15:36:00+00:00")
        );
        let kinds: Vec<_> = incident.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "outage_begins").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "mitigated").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "outage_ends").count(), 1);
        assert_eq!(incident.events.len(), 20);

        let first = &incident.events[0];
        assert_eq!(first.kind, "note");
        assert_eq!(first.at.to_rfc3339(), "2015-10-21T14:51:00+00:00");
        assert_eq!(first.source.location, "line 23");
        assert!(first
            .text
            .starts_with("News reports that a new Shakespearean sonnet"));
        let begins = &incident.events[2];
        assert_eq!(
            begins.text,
            "**OUTAGE BEGINS** — Search backends start melting down under load"
        );
        let cafe = incident
            .events
            .iter()
            .find(|e| e.text.contains("Café"))
            .expect("non-ASCII event");
        assert_eq!(cafe.at.to_rfc3339(), "2015-10-21T15:12:00+00:00");

        // The PDT table: UTC-7, rolling past midnight.
        let tail: Vec<_> = incident.events[17..]
            .iter()
            .map(|e| (e.at.to_rfc3339(), e.text.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                (
                    "2015-10-21T23:30:00+00:00".to_owned(),
                    "Follow-up: capacity review scheduled"
                ),
                (
                    "2015-10-22T06:55:00+00:00".to_owned(),
                    "Night shift checks dashboards"
                ),
                (
                    "2015-10-22T07:10:00+00:00".to_owned(),
                    "Past midnight: nightly reindex finishes, no errors"
                ),
            ]
        );
        assert_eq!(rejections.len(), 1);
        assert_eq!(rejections[0].location, "line 38");
        assert_eq!(rejections[0].field.as_deref(), Some("time"));
    }

    #[test]
    fn midnight_rollover_and_date_resets() {
        let text = "# Night\n\n## Timeline\n\n2026-11-16 (all times CET)\n\n- 23:50 deploy\n- 00:05 OUTAGE BEGINS\n- 01:00 OUTAGE MITIGATED\n\n2026-11-18\n\n* 09:00 review\n";
        let (incident, rejections) = parse_all("night.md", text).expect("parses");
        assert!(rejections.is_empty());
        let times: Vec<_> = incident.events.iter().map(|e| e.at.to_rfc3339()).collect();
        assert_eq!(
            times,
            [
                "2026-11-16T22:50:00+00:00",
                "2026-11-16T23:05:00+00:00",
                "2026-11-17T00:00:00+00:00",
                "2026-11-18T08:00:00+00:00",
            ]
        );
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2026-11-16T23:05:00+00:00"
        );
        // No OUTAGE ENDS: mitigation ends the impact.
        assert_eq!(
            incident.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-17T00:00:00+00:00")
        );
        assert_eq!(incident.source_id, "night-2026-11-16");
    }

    #[test]
    fn preamble_date_and_missing_markers() {
        let text = "# Short\n\n**Date:** 2026-01-02\n\n### Timeline (times in UTC+5:30)\n\n- **10:00** first\n- 10:30: second\n";
        let (incident, _) = parse_all("short.md", text).expect("parses");
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2026-01-02T04:30:00+00:00"
        );
        assert_eq!(incident.resolved_at, None);
        assert_eq!(incident.status, "unknown");
        assert_eq!(incident.events[0].text, "first");
        assert_eq!(incident.events[1].text, "second");
    }

    #[test]
    fn documents_without_a_usable_timeline_are_invalid() {
        let err =
            parse_all("x.md", "# Title\n\n## Summary\n\n- 14:51 nothing\n").expect_err("none");
        assert!(
            matches!(&err, IngestError::Invalid { message, .. } if message.contains("no timeline")),
            "{err:?}"
        );
        let err = parse_all("x.md", "# Title\n\n## Timeline\n\nTBD\n").expect_err("empty");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
        let mut rejected = 0;
        let err = parse(
            "x.md",
            b"# T\n## Timeline\n- 14:51 no date\n",
            &Zone::default(),
            &mut |_| rejected += 1,
        )
        .expect_err("undated");
        assert!(
            matches!(&err, IngestError::Invalid { message, .. } if message.contains("before any date line at line 3")),
            "{err:?}"
        );
        assert_eq!(rejected, 0, "nothing is emitted from an invalid document");
        for input in [
            "",
            "#",
            "# Timeline",
            "## Timeline\n| |\n|\n- \n- 99:99\n2026-99-99\n- 1:1",
            "\u{feff}# x\r\n## Timeline\r\n\u{0}\r\n",
        ] {
            let _ = parse("odd.md", input.as_bytes(), &Zone::default(), &mut |_| {});
        }
        let _ = parse(
            "odd.md",
            b"# x\n## Timeline\n2026-01-01\n- 10:00 \xff\xfe bad",
            &Zone::default(),
            &mut |_| {},
        );
    }

    #[test]
    fn detection() {
        assert!(looks_like(FIXTURE.trim_start_matches('\u{feff}')));
        assert!(looks_like("# Incident\n\n## Timeline\n"));
        assert!(!looks_like("# Incident\n\n## Summary\n"));
        assert!(!looks_like("Timeline\n# Not a heading first"));
        assert!(!looks_like("#hashtag timeline\n"));
    }
}
