//! PagerDuty, two exports under one [`crate::Format::PagerDutyLogEntries`] variant, told apart
//! by the first non-space byte:
//!
//! * `{`: REST API v2 incident log entries, the body of `GET /incidents/{id}/log_entries` or
//!   `GET /log_entries` (`{"log_entries": [{"id", "type": "trigger_log_entry", "summary",
//!   "created_at", "agent", "channel", "incident": {"id", "type": "incident_reference"}}],
//!   "limit", "offset", "more"}`) or of `GET /log_entries/{id}` (`{"log_entry": {...}}`).
//!   Entries are grouped by incident id into one [`IncidentEvents`] per incident, so the store
//!   attaches them to the incident read from another file.
//! * anything else: the web UI's incidents CSV export (`id`, `incident_number`, `description`,
//!   `service_name`, `created_on`, `resolved_on`, `seconds_to_first_ack`, `urgency` ...), one
//!   [`Incident`] per row, read with a small RFC 4180 reader (quoted fields may hold commas,
//!   line breaks and doubled quotes).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use hindsight_model::{
    normalise_service_name, Incident, IncidentEvents, Record, Rejection, SourceRef, TimelineEvent,
};
use serde_json::Value;

use crate::json::text;
use crate::time::{parse_timestamp, parse_timestamp_zoned, Zone};
use crate::{excerpt, IngestError, Parsed};

/// True when a head shows PagerDuty log entries JSON or a PagerDuty incidents CSV export.
pub(crate) fn looks_like(head: &str) -> bool {
    looks_like_log_entries(head) || looks_like_csv(head)
}

fn looks_like_log_entries(head: &str) -> bool {
    head.starts_with('{')
        && (head.contains("\"log_entries\"") || head.contains("\"log_entry\""))
        && head.contains("_log_entry\"")
}

/// A CSV header naming `incident_number`, a creation time and a service column.
fn looks_like_csv(head: &str) -> bool {
    let Some(first) = head.lines().next() else {
        return false;
    };
    if first.starts_with('{') || first.starts_with('[') {
        return false;
    }
    let columns: Vec<String> = first.split(',').map(column_name).collect();
    let has = |name: &str| columns.iter().any(|c| c == name);
    has("incident_number")
        && (has("created_on") || has("created_at"))
        && (has("service_name") || has("service"))
}

fn column_name(raw: &str) -> String {
    raw.trim().trim_matches('"').trim().to_ascii_lowercase()
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => parse_log_entries(file, bytes, sink),
        _ => parse_csv(file, body, zone, sink),
    }
}

// --- log entries -------------------------------------------------------------------------

fn rejection(location: &str, field: &str, reason: &str, raw: &Value) -> Rejection {
    crate::json::item_rejection(location, raw, Some(field), reason)
}

/// The events of one incident, in the order the incident was first seen.
struct Group {
    incident_id: String,
    first_pointer: String,
    events: Vec<TimelineEvent>,
}

fn parse_log_entries(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let items: Vec<(String, &Value)> = match (&document["log_entries"], &document["log_entry"]) {
        (Value::Array(items), _) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("/log_entries/{i}"), item))
            .collect(),
        (_, Value::Object(_)) => vec![("/log_entry".to_owned(), &document["log_entry"])],
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected a PagerDuty response with a `log_entries` array".to_owned(),
            })
        }
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut rejections = Vec::new();
    for (pointer, item) in items {
        match to_event(file, &pointer, item) {
            Ok((incident_id, event)) => {
                let slot = *index_of.entry(incident_id.clone()).or_insert_with(|| {
                    groups.push(Group {
                        incident_id,
                        first_pointer: pointer.clone(),
                        events: Vec::new(),
                    });
                    groups.len() - 1
                });
                if let Some(group) = groups.get_mut(slot) {
                    group.events.push(event);
                }
            }
            Err(rejected) => rejections.push(rejected),
        }
    }
    for mut group in groups {
        // The API lists newest first unless asked otherwise: the timeline runs oldest first.
        group.events.sort_by_key(|e| e.at);
        sink(Parsed::Record(Record::IncidentEvents(IncidentEvents {
            source_system: "pagerduty".to_owned(),
            source_id: group.incident_id,
            events: group.events,
            source: SourceRef::pointer(file, group.first_pointer),
        })));
    }
    for rejected in rejections {
        sink(Parsed::Rejected(rejected));
    }
    Ok(())
}

fn to_event(file: &str, pointer: &str, item: &Value) -> Result<(String, TimelineEvent), Rejection> {
    if !item.is_object() {
        return Err(rejection(
            pointer,
            "",
            "a log entry must be a JSON object",
            item,
        ));
    }
    let Some(entry_type) = item["type"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Err(rejection(pointer, "type", "missing log entry type", item));
    };
    let Some(incident_id) = text(&item["incident"]["id"]) else {
        return Err(rejection(
            pointer,
            "incident/id",
            "log entry names no incident id",
            item,
        ));
    };
    let at = match &item["created_at"] {
        Value::String(raw) => match parse_timestamp(raw) {
            Some(t) => t,
            None => {
                return Err(rejection(
                    pointer,
                    "created_at",
                    &format!("not a timestamp: {raw:?}"),
                    item,
                ))
            }
        },
        Value::Null => return Err(rejection(pointer, "created_at", "missing created_at", item)),
        other => {
            return Err(rejection(
                pointer,
                "created_at",
                &format!("created_at must be a string, found {other}"),
                item,
            ))
        }
    };
    let kind = entry_type
        .strip_suffix("_log_entry_reference")
        .or_else(|| entry_type.strip_suffix("_log_entry"))
        .unwrap_or(entry_type)
        .to_owned();
    let agent = text(&item["agent"]["summary"]);
    let mut event_text = text(&item["summary"])
        .or_else(|| agent.as_ref().map(|who| format!("{kind} by {who}")))
        .unwrap_or_else(|| kind.clone());
    if kind == "annotate" {
        let note = text(&item["note"])
            .or_else(|| text(&item["note"]["content"]))
            .or_else(|| text(&item["channel"]["summary"]));
        if let Some(note) = note.filter(|n| *n != event_text) {
            event_text = format!("{event_text}: {note}");
        }
    }
    Ok((
        incident_id,
        TimelineEvent {
            at,
            kind,
            text: event_text,
            source: SourceRef::pointer(file, pointer),
        },
    ))
}

// --- CSV export --------------------------------------------------------------------------

/// One CSV record with the line it starts on.
#[derive(Debug, PartialEq)]
struct CsvRow {
    line: usize,
    fields: Vec<String>,
    raw: String,
}

/// Where an RFC 4180 document stops making sense.
#[derive(Debug, PartialEq)]
struct CsvError {
    line: usize,
    column: usize,
    message: String,
}

/// Reads RFC 4180 CSV: `,` separators, CRLF or LF record ends, `"` quoted fields holding
/// commas, line breaks and doubled `""`. Lenient about stray quotes inside unquoted fields;
/// an unterminated quoted field is an error naming where it opened. Blank lines are skipped.
fn read_csv(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let mut rows = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut raw = String::new();
    let mut in_quotes = false;
    let mut was_quoted = false;
    let mut quote_opened = (1, 1);
    let (mut line, mut column) = (1usize, 0usize);
    let mut row_line = 1;
    let mut chars = text.chars().peekable();

    let mut finish_row = |fields: &mut Vec<String>,
                          field: &mut String,
                          raw: &mut String,
                          was_quoted: bool,
                          row_line: usize| {
        let blank = fields.is_empty() && field.is_empty() && !was_quoted;
        fields.push(std::mem::take(field));
        let done = std::mem::take(fields);
        let done_raw = std::mem::take(raw);
        if !blank {
            rows.push(CsvRow {
                line: row_line,
                fields: done,
                raw: done_raw,
            });
        }
    };

    while let Some(c) = chars.next() {
        column += 1;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    column += 1;
                    field.push('"');
                    raw.push_str("\"\"");
                }
                '"' => {
                    in_quotes = false;
                    raw.push('"');
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    field.push('\n');
                    raw.push('\n');
                    line += 1;
                    column = 0;
                }
                _ => {
                    field.push(c);
                    raw.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
                quote_opened = (line, column);
                raw.push('"');
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
                raw.push(',');
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                finish_row(&mut fields, &mut field, &mut raw, was_quoted, row_line);
                was_quoted = false;
                line += 1;
                column = 0;
                row_line = line;
            }
            _ => {
                field.push(c);
                raw.push(c);
            }
        }
    }
    if in_quotes {
        return Err(CsvError {
            line: quote_opened.0,
            column: quote_opened.1,
            message: "quoted field is never closed".to_owned(),
        });
    }
    finish_row(&mut fields, &mut field, &mut raw, was_quoted, row_line);
    Ok(rows)
}

/// A CSV time: anything [`parse_timestamp`] reads, or `2026-11-17 09:10:00 +0100` (a space
/// before the offset) or a trailing ` UTC`. A time without a zone is read in `zone`; the flag
/// says so.
fn csv_time(raw: &str, zone: &Zone) -> Option<(DateTime<Utc>, bool)> {
    let raw = raw.trim();
    let stated = |text: &str| parse_timestamp_zoned(text, zone).filter(|(_, assumed)| !assumed);
    parse_timestamp_zoned(raw, zone).or_else(|| {
        let (head, tail) = raw.rsplit_once(' ')?;
        if tail.eq_ignore_ascii_case("utc") || tail.eq_ignore_ascii_case("gmt") {
            parse_timestamp(head).map(|t| (t, false))
        } else if tail.starts_with(['+', '-']) {
            stated(&format!("{head}{tail}"))
        } else {
            None
        }
    })
}

fn parse_csv(
    file: &str,
    body: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let text = String::from_utf8_lossy(body);
    let rows = read_csv(&text).map_err(|e| IngestError::Malformed {
        file: file.to_owned(),
        line: e.line,
        column: e.column,
        message: format!("not valid CSV: {}", e.message),
    })?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "empty CSV: expected a PagerDuty incidents export header".to_owned(),
        });
    };
    let columns: Vec<String> = header.fields.iter().map(|c| column_name(c)).collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| columns.iter().position(|c| c == name))
    };
    let created = find(&["created_on", "created_at"]);
    let id = find(&["id", "incident_id"]);
    let number = find(&["incident_number", "number"]);
    if created.is_none() || (id.is_none() && number.is_none()) {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message:
                "expected a PagerDuty incidents CSV with `incident_number` and `created_on` columns"
                    .to_owned(),
        });
    }
    let layout = Layout {
        id,
        number,
        created,
        title: find(&["description", "title", "summary"]),
        status: find(&["status"]),
        severity: find(&["priority_name", "priority"]),
        urgency: find(&["urgency"]),
        service: find(&["service_name", "service"]),
        resolved: find(&["resolved_on", "resolved_at"]),
        acknowledged: find(&["acknowledged_on", "acknowledged_at"]),
        seconds_to_ack: find(&["seconds_to_first_ack"]),
        acknowledged_by: find(&["acknowledged_by_user_names", "acknowledged_by"]),
        resolved_by: find(&["resolved_by_user_name", "resolved_by"]),
        url: find(&["html_url", "url"]),
    };
    for row in rows {
        sink(row_to_incident(file, &layout, columns.len(), &row, zone));
    }
    Ok(())
}

/// The column index of each field the export may carry.
struct Layout {
    id: Option<usize>,
    number: Option<usize>,
    created: Option<usize>,
    title: Option<usize>,
    status: Option<usize>,
    severity: Option<usize>,
    urgency: Option<usize>,
    service: Option<usize>,
    resolved: Option<usize>,
    acknowledged: Option<usize>,
    seconds_to_ack: Option<usize>,
    acknowledged_by: Option<usize>,
    resolved_by: Option<usize>,
    url: Option<usize>,
}

fn row_to_incident(file: &str, layout: &Layout, width: usize, row: &CsvRow, zone: &Zone) -> Parsed {
    let mut zone_assumed = false;
    let mut csv_time = |raw: &str| {
        csv_time(raw, zone).map(|(at, assumed)| {
            zone_assumed |= assumed;
            at
        })
    };
    let location = format!("line {}", row.line);
    let reject = |field: &str, reason: String| {
        Parsed::Rejected(Rejection {
            location: location.clone(),
            field: Some(field.to_owned()),
            reason,
            raw: excerpt(&row.raw),
        })
    };
    if row.fields.len() != width {
        return reject(
            "",
            format!(
                "row has {} fields, the header has {width}",
                row.fields.len()
            ),
        );
    }
    let get = |column: Option<usize>| {
        column
            .and_then(|i| row.fields.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let number_text = get(layout.number);
    let Some(source_id) = get(layout.id).or_else(|| number_text.clone()) else {
        return reject("id", "neither id nor incident_number is set".to_owned());
    };
    let number = match &number_text {
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return reject("incident_number", format!("not a number: {n:?}")),
        },
        None => None,
    };
    let Some(created_text) = get(layout.created) else {
        return reject("created_on", "missing creation time".to_owned());
    };
    let Some(started_at) = csv_time(&created_text) else {
        return reject("created_on", format!("not a timestamp: {created_text:?}"));
    };
    let resolved_at = match get(layout.resolved) {
        Some(raw) => match csv_time(&raw) {
            Some(t) => Some(t),
            None => return reject("resolved_on", format!("not a timestamp: {raw:?}")),
        },
        None => None,
    };
    let title = get(layout.title).unwrap_or_else(|| source_id.clone());
    let status = get(layout.status).unwrap_or_else(|| {
        if resolved_at.is_some() {
            "resolved".to_owned()
        } else {
            "unknown".to_owned()
        }
    });
    let source = SourceRef::line(file, row.line);
    let mut events = vec![TimelineEvent {
        at: started_at,
        kind: "triggered".to_owned(),
        text: format!("Triggered: {title}"),
        source: source.clone(),
    }];
    let acknowledged_at = get(layout.acknowledged)
        .and_then(|raw| csv_time(&raw))
        .or_else(|| {
            let seconds: f64 = get(layout.seconds_to_ack)?.parse().ok()?;
            if !seconds.is_finite() || seconds < 0.0 {
                return None;
            }
            // Whole milliseconds are plenty; the cast is bounded by the check above.
            let millis = (seconds * 1000.0).round().min(1e15) as i64;
            started_at.checked_add_signed(Duration::milliseconds(millis))
        });
    if let Some(at) = acknowledged_at {
        let by = get(layout.acknowledged_by)
            .map(|who| format!(" by {who}"))
            .unwrap_or_default();
        events.push(TimelineEvent {
            at,
            kind: "acknowledged".to_owned(),
            text: format!("Acknowledged{by}"),
            source: source.clone(),
        });
    }
    if let Some(at) = resolved_at {
        let by = get(layout.resolved_by)
            .map(|who| format!(" by {who}"))
            .unwrap_or_default();
        events.push(TimelineEvent {
            at,
            kind: "resolved".to_owned(),
            text: format!("Resolved{by}"),
            source: source.clone(),
        });
    }
    Parsed::Record(Record::Incident(Incident {
        source_system: "pagerduty".to_owned(),
        source_id,
        number,
        title,
        status,
        severity: get(layout.severity).or_else(|| get(layout.urgency)),
        service: get(layout.service).map(|s| normalise_service_name(&s)),
        started_at,
        resolved_at,
        url: get(layout.url),
        events,
        attributes: if zone_assumed {
            [("assumed_zone".to_owned(), zone.name())].into()
        } else {
            Default::default()
        },
        updated_at: None,
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str =
        include_str!("../../../fixtures/formats/pagerduty-log-entries/log_entries.json");
    const CSV: &str = include_str!("../../../fixtures/formats/pagerduty-csv/incidents.csv");

    fn parse_all(text: &str) -> (Vec<Record>, Vec<Rejection>) {
        let mut records = Vec::new();
        let mut rejections = Vec::new();
        parse("pd", text.as_bytes(), &Zone::default(), &mut |p| match p {
            Parsed::Record(r) => records.push(r),
            Parsed::Rejected(r) => rejections.push(r),
            Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
        })
        .expect("parses");
        (records, rejections)
    }

    fn events_of(records: &[Record], id: &str) -> IncidentEvents {
        records
            .iter()
            .find_map(|r| match r {
                Record::IncidentEvents(e) if e.source_id == id => Some(e.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no events for {id}"))
    }

    fn incident_of(records: &[Record], id: &str) -> Incident {
        records
            .iter()
            .find_map(|r| match r {
                Record::Incident(i) if i.source_id == id => Some(i.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no incident {id}"))
    }

    #[test]
    fn log_entries_are_grouped_per_incident_oldest_first() {
        let (records, rejections) = parse_all(LOG);
        assert_eq!(records.len(), 2);
        let checkout = events_of(&records, "QG3Q2QN7TVSXVZ");
        assert_eq!(checkout.source_system, "pagerduty");
        assert_eq!(checkout.source.location, "/log_entries/0");
        let kinds: Vec<_> = checkout.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["trigger", "notify", "acknowledge", "annotate", "resolve"]
        );
        assert_eq!(checkout.events[0].text, "Triggered through the API.");
        assert_eq!(
            checkout.events[0].at.to_rfc3339(),
            "2026-11-16T14:46:03+00:00"
        );
        assert_eq!(checkout.events[2].text, "Acknowledged by Zoë Müller.");
        assert_eq!(
            checkout.events[3].text,
            "Zoë Müller added a note.: Rolled back checkout v2.15.0 → v2.14.0; error rate dropping"
        );
        assert_eq!(checkout.events[3].source.location, "/log_entries/3");
        assert_eq!(checkout.events[4].source.location, "/log_entries/6");

        // Offsets are normalised, and the listing's newest-first order is undone.
        let search = events_of(&records, "Q1SEARCH000001");
        let kinds: Vec<_> = search.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["trigger", "escalate"]);
        assert_eq!(
            search.events[0].at.to_rfc3339(),
            "2026-11-17T08:10:00+00:00"
        );

        let locations: Vec<_> = rejections.iter().map(|r| r.location.as_str()).collect();
        assert_eq!(
            locations,
            ["/log_entries/7", "/log_entries/8", "/log_entries/9"]
        );
        assert_eq!(rejections[0].field.as_deref(), Some("created_at"));
        assert!(rejections[0].reason.contains("must be a string"));
        assert_eq!(rejections[1].field.as_deref(), Some("incident/id"));
        assert_eq!(rejections[2].field.as_deref(), Some(""));
    }

    #[test]
    fn single_log_entry_and_wrong_documents() {
        let one = r#"{"log_entry": {"id": "R1", "type": "resolve_log_entry", "summary": "Resolved by a.",
            "created_at": "2026-11-16T16:00:00Z", "incident": {"id": "PX", "type": "incident_reference"}}}"#;
        let (records, rejections) = parse_all(one);
        assert!(rejections.is_empty());
        let events = events_of(&records, "PX");
        assert_eq!(events.source.location, "/log_entry");
        assert_eq!(events.events[0].kind, "resolve");
        let err = parse("x.json", b"{\"limit\": 25}", &Zone::default(), &mut |_| {})
            .expect_err("no entries");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
        let cut = LOG.get(..LOG.len() / 2).unwrap_or(LOG);
        let err =
            parse("x.json", cut.as_bytes(), &Zone::default(), &mut |_| {}).expect_err("truncated");
        let IngestError::Malformed { line, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(line, cut.matches('\n').count() + 1);
    }

    #[test]
    fn csv_reader_handles_rfc4180() {
        let rows = read_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n\r\n1,,3")
            .expect("csv");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].fields, ["x, y", "say \"hi\"", "two\nlines"]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[2].line, 5);
        assert_eq!(rows[2].fields, ["1", "", "3"]);
        let err = read_csv("a,b\n1,\"open\n2,3\n").expect_err("unterminated");
        assert_eq!((err.line, err.column), (2, 3));
        assert_eq!(read_csv("").expect("empty"), Vec::new());
    }

    #[test]
    fn csv_export_rows_become_incidents() {
        let (records, rejections) = parse_all(CSV);
        assert_eq!(records.len(), 3);
        let first = incident_of(&records, "QG3Q2QN7TVSXVZ");
        assert_eq!(first.source_system, "pagerduty");
        assert_eq!(first.number, Some(1042));
        assert_eq!(first.title, "Checkout error rate above 5%, EU only");
        assert_eq!(first.status, "resolved");
        assert_eq!(first.severity.as_deref(), Some("P1"));
        assert_eq!(first.service.as_deref(), Some("checkout-api"));
        assert_eq!(first.started_at.to_rfc3339(), "2026-11-16T14:46:03+00:00");
        assert_eq!(
            first.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-16T16:09:58+00:00")
        );
        assert_eq!(
            first.url.as_deref(),
            Some("https://shop-example.pagerduty.com/incidents/QG3Q2QN7TVSXVZ")
        );
        assert_eq!(first.source.location, "line 2");
        let kinds: Vec<_> = first.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["triggered", "acknowledged", "resolved"]);
        assert_eq!(first.events[1].at.to_rfc3339(), "2026-11-16T14:49:40+00:00");
        assert_eq!(first.events[1].text, "Acknowledged by Müller, Zoë");

        let second = incident_of(&records, "Q1SEARCH000001");
        assert_eq!(
            second.title,
            "Search latency \"p99\" > 2s\nmultiline note: 日本語 ✓"
        );
        assert_eq!(second.started_at.to_rfc3339(), "2026-11-17T08:10:00+00:00");
        assert_eq!(second.resolved_at, None);
        assert_eq!(second.severity.as_deref(), Some("low"));
        assert_eq!(second.service.as_deref(), Some("search-service"));
        assert_eq!(second.status, "acknowledged");
        assert_eq!(second.source.location, "line 3");

        // No PagerDuty id: the incident number stands in.
        let third = incident_of(&records, "1044");
        assert_eq!(third.number, Some(1044));
        assert_eq!(third.source.location, "line 5");
        assert_eq!(third.url, None);

        let locations: Vec<_> = rejections.iter().map(|r| r.location.as_str()).collect();
        assert_eq!(locations, ["line 6", "line 7"]);
        assert_eq!(rejections[0].field.as_deref(), Some("created_on"));
        assert!(rejections[0].raw.contains("QBADTIME00001"));
        assert!(
            rejections[1].reason.contains("fields"),
            "{:?}",
            rejections[1]
        );
    }

    #[test]
    fn csv_errors_and_odd_inputs() {
        let err = parse(
            "i.csv",
            b"id,incident_number,created_on,service_name\n\"x",
            &Zone::default(),
            &mut |_| {},
        )
        .expect_err("open quote");
        assert!(
            matches!(
                err,
                IngestError::Malformed {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        let err =
            parse("i.csv", b"a,b\n1,2\n", &Zone::default(), &mut |_| {}).expect_err("no columns");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
        for input in [
            "",
            "\u{feff}",
            "null",
            "[]",
            "{\"log_entries\": null}",
            "{\"log_entries\": [null, 1, {}, {\"type\": 5}, {\"type\": \"x\", \"incident\": {\"id\": 3}, \"created_at\": \"\"}]}",
            "incident_number,created_on,service\n\"\",,\n,,,,\n",
        ] {
            let _ = parse("odd", input.as_bytes(), &Zone::default(), &mut |_| {});
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(LOG.trim_start_matches('\u{feff}')));
        assert!(looks_like(CSV));
        assert!(looks_like(
            "\"incident_number\",\"created_at\",\"service\"\n"
        ));
        assert!(!looks_like("id,number,created_on,service_name\n"));
        assert!(!looks_like(
            "{\"incidents\": [{\"id\": \"P\", \"type\": \"incident\", \"first_trigger_log_entry\": {\"type\": \"trigger_log_entry_reference\"}}]}"
        ));
        assert!(!looks_like("ts=2026-11-16T10:00:00Z service=checkout"));
    }
}
