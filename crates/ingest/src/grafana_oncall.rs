//! Grafana OnCall alert groups, the body of `GET /api/v1/alert_groups/`: `{"count", "next",
//! "previous", "results": [{"id", "integration_id", "route_id", "alerts_count", "state":
//! "new"|"acknowledged"|"resolved"|"silenced", "created_at", "resolved_at", "resolved_by",
//! "acknowledged_at", "acknowledged_by", "silenced_at", "title", "permalinks": {...}, "labels":
//! [{"key": {"name"}, "value": {"name"}}]}], "current_page_number", "page_size",
//! "total_pages"}`.
//!
//! Each alert group becomes an [`Incident`] with `source_system` `grafana-oncall`; its service
//! is the value of a `service` (or `app`) label, and nothing else is guessed.

use chrono::{DateTime, Utc};
use hindsight_model::{normalise_service_name, Incident, Record, SourceRef, TimelineEvent};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows a paginated alert groups response.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('{')
        && head.contains("\"results\"")
        && (head.contains("\"alerts_count\"")
            || (head.contains("\"integration_id\"") && head.contains("\"route_id\"")))
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let Value::Array(items) = &document["results"] else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "expected a Grafana OnCall response with a `results` array".to_owned(),
        });
    };
    for (index, item) in items.iter().enumerate() {
        sink(to_incident(file, &format!("/results/{index}"), item));
    }
    Ok(())
}

/// Reads an optional timestamp field: absent or null is `Ok(None)`; anything but a string
/// holding a timestamp is `Err`.
fn optional_time(item: &Value, field: &str) -> Result<Option<DateTime<Utc>>, String> {
    match &item[field] {
        Value::Null => Ok(None),
        Value::String(raw) if raw.trim().is_empty() => Ok(None),
        Value::String(raw) => parse_timestamp(raw)
            .map(Some)
            .ok_or_else(|| format!("not a timestamp: {raw:?}")),
        other => Err(format!("{field} must be a string, found {other}")),
    }
}

/// A label's name or value: `{"name": "x"}` as the API writes it, or a bare string.
fn label_part(value: &Value) -> Option<String> {
    text(&value["name"]).or_else(|| text(value))
}

fn label(item: &Value, names: &[&str]) -> Option<String> {
    let Value::Array(labels) = &item["labels"] else {
        return None;
    };
    names.iter().find_map(|wanted| {
        labels.iter().find_map(|l| {
            let key = label_part(&l["key"])?;
            key.eq_ignore_ascii_case(wanted)
                .then(|| label_part(&l["value"]))
                .flatten()
        })
    })
}

fn to_incident(file: &str, pointer: &str, item: &Value) -> Parsed {
    let reject = |field: &str, reason: &str| crate::json::reject_item(pointer, item, field, reason);
    if !item.is_object() {
        return reject("", "an alert group must be a JSON object");
    }
    let Some(id) = text(&item["id"]) else {
        return reject("id", "missing alert group id");
    };
    let mut times = [None; 4];
    for (slot, field) in times.iter_mut().zip([
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "silenced_at",
    ]) {
        match optional_time(item, field) {
            Ok(t) => *slot = t,
            Err(reason) => return reject(field, &reason),
        }
    }
    let [created_at, acknowledged_at, resolved_at, silenced_at] = times;
    let Some(created_at) = created_at else {
        return reject("created_at", "missing created_at");
    };
    let title = text(&item["title"]).unwrap_or_else(|| format!("Alert group {id}"));
    let source = |suffix: &str| SourceRef::pointer(file, format!("{pointer}{suffix}"));
    let by = |field: &str| {
        text(&item[field])
            .map(|who| format!(" by {who}"))
            .unwrap_or_default()
    };
    let alerts = item["alerts_count"]
        .as_u64()
        .map(|n| format!(" ({n} alert{})", if n == 1 { "" } else { "s" }))
        .unwrap_or_default();
    let mut events = vec![TimelineEvent {
        at: created_at,
        kind: "created".to_owned(),
        text: format!("Alert group created: {title}{alerts}"),
        source: source("/created_at"),
    }];
    if let Some(at) = acknowledged_at {
        events.push(TimelineEvent {
            at,
            kind: "acknowledged".to_owned(),
            text: format!("Acknowledged{}", by("acknowledged_by")),
            source: source("/acknowledged_at"),
        });
    }
    if let Some(at) = silenced_at {
        events.push(TimelineEvent {
            at,
            kind: "silenced".to_owned(),
            text: format!("Silenced{}", by("silenced_by")),
            source: source("/silenced_at"),
        });
    }
    if let Some(at) = resolved_at {
        events.push(TimelineEvent {
            at,
            kind: "resolved".to_owned(),
            text: format!("Resolved{}", by("resolved_by")),
            source: source("/resolved_at"),
        });
    }
    events.sort_by_key(|e| e.at);
    let permalinks = &item["permalinks"];
    Parsed::Record(Record::Incident(Incident {
        source_system: "grafana-oncall".to_owned(),
        number: item["alert_group_number"].as_i64(),
        title,
        status: text(&item["state"]).unwrap_or_else(|| "unknown".to_owned()),
        severity: label(item, &["severity", "priority"]),
        service: label(item, &["service", "service_name", "app"])
            .map(|s| normalise_service_name(&s)),
        started_at: created_at,
        resolved_at,
        url: text(&permalinks["web"])
            .or_else(|| text(&permalinks["slack"]))
            .or_else(|| text(&permalinks["telegram"])),
        events,
        attributes: Default::default(),
        updated_at: None,
        source: SourceRef::pointer(file, pointer),
        source_id: id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::incidents_and_rejections;
    use hindsight_model::Rejection;

    const FIXTURE: &str =
        include_str!("../../../fixtures/formats/grafana-oncall/alert_groups.json");

    fn parse_all(text: &str) -> (Vec<Incident>, Vec<Rejection>) {
        incidents_and_rejections(Box::new(|sink| parse("ag.json", text.as_bytes(), sink)))
            .expect("parses")
    }

    #[test]
    fn resolved_group_with_labels_and_timeline() {
        let (incidents, _) = parse_all(FIXTURE);
        let group = &incidents[0];
        assert_eq!(group.source_system, "grafana-oncall");
        assert_eq!(group.source_id, "I68T24C13IFW1");
        assert_eq!(group.number, Some(42));
        assert_eq!(group.title, "Checkout 5xx above 5%");
        assert_eq!(group.status, "resolved");
        assert_eq!(group.service.as_deref(), Some("checkout-api"));
        assert_eq!(group.severity, None);
        assert_eq!(
            group.started_at.to_rfc3339(),
            "2026-11-16T14:46:03.430444+00:00"
        );
        assert_eq!(
            group.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-16T16:09:58.429805+00:00")
        );
        assert_eq!(
            group.url.as_deref(),
            Some("https://acme.grafana.net/a/grafana-oncall-app/alert-groups/I68T24C13IFW1")
        );
        let kinds: Vec<_> = group.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["created", "acknowledged", "resolved"]);
        assert_eq!(
            group.events[0].text,
            "Alert group created: Checkout 5xx above 5% (3 alerts)"
        );
        assert_eq!(group.events[1].text, "Acknowledged by U4DNY931HHJS5");
        assert_eq!(group.events[2].text, "Resolved by UCGEIXI1MR1NZ");
        assert_eq!(group.events[2].source.location, "/results/0/resolved_at");
    }

    #[test]
    fn open_silenced_and_broken_groups() {
        let (incidents, rejections) = parse_all(FIXTURE);
        assert_eq!(incidents.len(), 3);
        let acked = &incidents[1];
        assert_eq!(acked.title, "Suche: Latenz p99 > 2s — 日本語");
        assert_eq!(acked.service.as_deref(), Some("search"));
        assert_eq!(acked.started_at.to_rfc3339(), "2026-11-17T08:10:00+00:00");
        assert_eq!(acked.resolved_at, None);
        assert_eq!(acked.url, None);
        assert_eq!(acked.number, None);
        let silenced = &incidents[2];
        assert_eq!(silenced.status, "silenced");
        assert_eq!(silenced.title, "Alert group IW2Q8UEPZ6XJ1");
        assert_eq!(silenced.service, None);
        let kinds: Vec<_> = silenced.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["created", "silenced"]);

        let locations: Vec<_> = rejections.iter().map(|r| r.location.as_str()).collect();
        assert_eq!(locations, ["/results/3", "/results/4"]);
        assert_eq!(rejections[0].field.as_deref(), Some("created_at"));
        assert!(rejections[0].reason.contains("must be a string"));
        assert_eq!(rejections[1].field.as_deref(), Some("resolved_at"));
    }

    #[test]
    fn truncated_wrong_and_odd_documents() {
        let cut = FIXTURE.get(..FIXTURE.len() / 2).unwrap_or(FIXTURE);
        let err = parse("ag.json", cut.as_bytes(), &mut |_| {}).expect_err("truncated");
        let IngestError::Malformed { line, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(line, cut.matches('\n').count() + 1);
        let err = parse("ag.json", b"{\"count\": 0}", &mut |_| {}).expect_err("no results");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
        for input in [
            "",
            "[]",
            "{\"results\": [null, 1, {}, {\"id\": \"x\", \"created_at\": \"2026-01-01T00:00:00Z\", \"labels\": [null, {\"key\": 1}, {\"key\": \"service\", \"value\": \"api\"}], \"permalinks\": 3}]}",
        ] {
            let _ = parse("odd", input.as_bytes(), &mut |_| {});
        }
        let (incidents, _) = parse_all(
            "{\"results\": [{\"id\": \"x\", \"created_at\": \"2026-01-01T00:00:00Z\", \"labels\": [{\"key\": \"service\", \"value\": \"api\"}]}]}",
        );
        assert_eq!(incidents[0].service.as_deref(), Some("api"));
    }

    #[test]
    fn detection() {
        assert!(looks_like(FIXTURE.trim_start_matches('\u{feff}')));
        assert!(!looks_like("{\"count\": 1, \"results\": [{\"id\": 1}]}"));
        assert!(!looks_like("{\"data\": [{\"tinyId\": \"1\"}]}"));
    }
}
