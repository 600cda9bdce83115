//! Opsgenie incidents and alerts, as their REST APIs list them:
//!
//! * Incident API (`GET /v1/incidents`): `{"data": [{"id", "tinyId", "message", "status":
//!   "open"|"resolved"|"closed", "tags", "createdAt", "updatedAt", "priority": "P1".."P5",
//!   "ownerTeam", "impactedServices": [...], "extraProperties", "links": {"web"}}], "took",
//!   "requestId"}`, or `GET /v1/incidents/{id}` with one object under `data`.
//! * Alert API (`GET /v2/alerts`): `{"data": [{"id", "tinyId", "alias", "message", "status":
//!   "open"|"closed", "acknowledged", "createdAt", "updatedAt", "priority", "report":
//!   {"ackTime", "closeTime", "acknowledgedBy", "closedBy"}, ...}]}`: `ackTime` and
//!   `closeTime` are milliseconds after `createdAt`.
//!
//! Each item becomes an [`Incident`] with `source_system` `opsgenie`. The service is the value
//! of a `service:<name>` tag, else (incidents) the first impacted service id. An incident API
//! item states no resolution time: a resolved or closed one ends at its `updatedAt`.

use chrono::{DateTime, Duration, Utc};
use hindsight_model::{normalise_service_name, Incident, Record, SourceRef, TimelineEvent};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows an Opsgenie list: a `data` envelope whose items
/// carry Opsgenie's camel-case `tinyId` and `createdAt`.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('{')
        && head.contains("\"data\"")
        && head.contains("\"tinyId\"")
        && head.contains("\"createdAt\"")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    match &document["data"] {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                sink(to_incident(file, &format!("/data/{index}"), item));
            }
        }
        Value::Object(_) => sink(to_incident(file, "/data", &document["data"])),
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected an Opsgenie response with a `data` array".to_owned(),
            })
        }
    }
    Ok(())
}

/// Alerts carry fields incidents never have.
fn is_alert(item: &Value) -> bool {
    [
        "alias",
        "report",
        "acknowledged",
        "lastOccurredAt",
        "integration",
    ]
    .iter()
    .any(|key| item.get(key).is_some())
}

/// Reads an optional millisecond count: absent or null is `Ok(None)`, anything else but a
/// non-negative integer is `Err`.
fn millis(value: &Value) -> Result<Option<i64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .filter(|ms| *ms >= 0)
            .map(Some)
            .ok_or_else(|| format!("not a millisecond count: {n}")),
        other => Err(format!("must be a number of milliseconds, found {other}")),
    }
}

fn after(start: DateTime<Utc>, ms: i64) -> Option<DateTime<Utc>> {
    start.checked_add_signed(Duration::try_milliseconds(ms)?)
}

fn to_incident(file: &str, pointer: &str, item: &Value) -> Parsed {
    let reject = |field: &str, reason: &str| crate::json::reject_item(pointer, item, field, reason);
    if !item.is_object() {
        return reject("", "an Opsgenie item must be a JSON object");
    }
    let Some(id) = text(&item["id"]) else {
        return reject("id", "missing id");
    };
    let Some(created_text) = text(&item["createdAt"]) else {
        return reject("createdAt", "missing createdAt");
    };
    let Some(created_at) = parse_timestamp(&created_text) else {
        return reject("createdAt", &format!("not a timestamp: {created_text:?}"));
    };
    let updated_at = match text(&item["updatedAt"]) {
        None => None,
        Some(raw) => match parse_timestamp(&raw) {
            Some(t) => Some(t),
            None => return reject("updatedAt", &format!("not a timestamp: {raw:?}")),
        },
    };
    let tags: Vec<String> = match &item["tags"] {
        Value::Array(tags) => tags.iter().filter_map(text).collect(),
        Value::Null => Vec::new(),
        _ => return reject("tags", "tags must be an array of strings"),
    };
    let tagged_service = tags.iter().find_map(|tag| {
        let (key, value) = tag.split_once(':')?;
        (key.trim().eq_ignore_ascii_case("service") && !value.trim().is_empty())
            .then(|| value.trim().to_owned())
    });
    let title = text(&item["message"]).unwrap_or_else(|| id.clone());
    let status = text(&item["status"]).unwrap_or_else(|| "unknown".to_owned());
    let ended = matches!(status.as_str(), "resolved" | "closed");
    let source = |suffix: &str| SourceRef::pointer(file, format!("{pointer}{suffix}"));
    let mut events = vec![TimelineEvent {
        at: created_at,
        kind: "created".to_owned(),
        text: format!("Created: {title}"),
        source: source("/createdAt"),
    }];

    let (service, resolved_at) = if is_alert(item) {
        let report = &item["report"];
        let ack_ms = match millis(&report["ackTime"]) {
            Ok(ms) => ms,
            Err(reason) => return reject("report/ackTime", &reason),
        };
        let close_ms = match millis(&report["closeTime"]) {
            Ok(ms) => ms,
            Err(reason) => return reject("report/closeTime", &reason),
        };
        if let Some(at) = ack_ms.and_then(|ms| after(created_at, ms)) {
            let by = text(&report["acknowledgedBy"])
                .map(|who| format!(" by {who}"))
                .unwrap_or_default();
            events.push(TimelineEvent {
                at,
                kind: "acknowledged".to_owned(),
                text: format!("Acknowledged{by}"),
                source: source("/report/ackTime"),
            });
        }
        let closed_at = if ended {
            match close_ms.and_then(|ms| after(created_at, ms)) {
                Some(t) => Some((t, "/report/closeTime")),
                None => updated_at.map(|t| (t, "/updatedAt")),
            }
        } else {
            None
        };
        if let Some((at, suffix)) = closed_at {
            let by = text(&report["closedBy"])
                .map(|who| format!(" by {who}"))
                .unwrap_or_default();
            events.push(TimelineEvent {
                at,
                kind: "closed".to_owned(),
                text: format!("Closed{by}"),
                source: source(suffix),
            });
        }
        (tagged_service, closed_at.map(|(t, _)| t))
    } else {
        let impacted = match &item["impactedServices"] {
            Value::Array(services) => services.iter().find_map(text),
            _ => None,
        };
        let resolved_at = if ended { updated_at } else { None };
        if let Some(at) = resolved_at {
            events.push(TimelineEvent {
                at,
                kind: status.clone(),
                text: format!("Incident {status}"),
                source: source("/updatedAt"),
            });
        }
        (tagged_service.or(impacted), resolved_at)
    };
    events.sort_by_key(|e| e.at);

    Parsed::Record(Record::Incident(Incident {
        source_system: "opsgenie".to_owned(),
        source_id: id,
        number: text(&item["tinyId"]).and_then(|t| t.parse().ok()),
        title,
        status,
        severity: text(&item["priority"]),
        service: service.map(|s| normalise_service_name(&s)),
        started_at: created_at,
        resolved_at,
        url: text(&item["links"]["web"]),
        events,
        attributes: Default::default(),
        updated_at,
        source: SourceRef::pointer(file, pointer),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::incidents_and_rejections;
    use hindsight_model::Rejection;

    const INCIDENTS: &str = include_str!("../../../fixtures/formats/opsgenie/incidents.json");
    const ALERTS: &str = include_str!("../../../fixtures/formats/opsgenie/alerts.json");

    fn parse_all(text: &str) -> (Vec<Incident>, Vec<Rejection>) {
        incidents_and_rejections(Box::new(|sink| parse("og.json", text.as_bytes(), sink)))
            .expect("parses")
    }

    fn rfc(t: Option<DateTime<Utc>>) -> Option<String> {
        t.map(|t| t.to_rfc3339())
    }

    #[test]
    fn incident_api_items() {
        let (incidents, rejections) = parse_all(INCIDENTS);
        assert_eq!(incidents.len(), 2);
        let first = &incidents[0];
        assert_eq!(first.source_system, "opsgenie");
        assert_eq!(first.source_id, "70413a06-38d6-4c85-92b8-5ebc900d42e7");
        assert_eq!(first.number, Some(1791));
        assert_eq!(first.title, "Checkout payments failing in EU");
        assert_eq!(first.status, "resolved");
        assert_eq!(first.severity.as_deref(), Some("P1"));
        assert_eq!(first.service.as_deref(), Some("checkout-api"));
        assert_eq!(
            first.started_at.to_rfc3339(),
            "2026-11-16T14:46:03.310+00:00"
        );
        assert_eq!(
            rfc(first.resolved_at).as_deref(),
            Some("2026-11-16T16:10:02.122+00:00")
        );
        assert!(first.url.as_deref().is_some_and(|u| u.ends_with("42e7")));
        let kinds: Vec<_> = first.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["created", "resolved"]);
        assert_eq!(first.events[1].source.location, "/data/0/updatedAt");

        let open = &incidents[1];
        assert_eq!(open.title, "Recherche lente — délais élevés ✓");
        assert_eq!(open.service.as_deref(), Some("search-svc-id"));
        assert_eq!(open.started_at.to_rfc3339(), "2026-11-17T08:10:00+00:00");
        assert_eq!(open.resolved_at, None);
        assert_eq!(open.events.len(), 1);

        assert_eq!(rejections.len(), 1);
        assert_eq!(rejections[0].location, "/data/2");
        assert_eq!(rejections[0].field.as_deref(), Some("createdAt"));
    }

    #[test]
    fn alert_api_items() {
        let (incidents, rejections) = parse_all(ALERTS);
        assert_eq!(incidents.len(), 2);
        let closed = &incidents[0];
        assert_eq!(closed.source_id, "8418d193-2dab-4490-b331-8c02cdd196b7");
        assert_eq!(closed.number, Some(14));
        assert_eq!(closed.status, "closed");
        assert_eq!(closed.severity.as_deref(), Some("P2"));
        assert_eq!(closed.service.as_deref(), Some("checkout"));
        assert_eq!(
            rfc(closed.resolved_at).as_deref(),
            Some("2026-11-16T16:09:20+00:00")
        );
        let kinds: Vec<_> = closed.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["created", "acknowledged", "closed"]);
        assert_eq!(
            closed.events[1].at.to_rfc3339(),
            "2026-11-16T14:49:40+00:00"
        );
        assert_eq!(closed.events[1].text, "Acknowledged by zoe@example.com");
        assert_eq!(closed.events[2].text, "Closed by Zoë Müller");
        assert_eq!(closed.events[2].source.location, "/data/0/report/closeTime");

        let open = &incidents[1];
        assert_eq!(open.status, "open");
        assert_eq!(open.resolved_at, None);
        assert_eq!(open.service, None);
        assert_eq!(open.events.len(), 1);

        let locations: Vec<_> = rejections.iter().map(|r| r.location.as_str()).collect();
        assert_eq!(locations, ["/data/2", "/data/3"]);
        assert_eq!(rejections[0].field.as_deref(), Some("report/ackTime"));
        assert_eq!(rejections[1].field.as_deref(), Some(""));
    }

    #[test]
    fn single_item_truncation_and_odd_shapes() {
        let (incidents, _) = parse_all(
            r#"{"data": {"id": "x", "tinyId": "7", "status": "closed", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T01:00:00Z", "impactedServices": []}, "took": 0.1}"#,
        );
        assert_eq!(incidents[0].source.location, "/data");
        assert_eq!(
            rfc(incidents[0].resolved_at).as_deref(),
            Some("2026-01-01T01:00:00+00:00")
        );
        let cut = INCIDENTS.get(..INCIDENTS.len() / 2).unwrap_or(INCIDENTS);
        let err = parse("og.json", cut.as_bytes(), &mut |_| {}).expect_err("truncated");
        assert!(
            matches!(err, IngestError::Malformed { line, .. } if line > 1),
            "{err:?}"
        );
        let err = parse("og.json", b"{\"took\": 1}", &mut |_| {}).expect_err("no data");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
        for input in [
            "",
            "null",
            "{\"data\": [null, 1, {}, {\"id\": 1, \"createdAt\": 5}]}",
            "{\"data\": [{\"id\": \"a\", \"createdAt\": \"2026-01-01T00:00:00Z\", \"report\": {\"ackTime\": -5, \"closeTime\": 1e300}, \"status\": \"closed\"}]}",
            "{\"data\": [{\"id\": \"a\", \"createdAt\": \"2026-01-01T00:00:00Z\", \"report\": {\"ackTime\": 9223372036854775807}}]}",
        ] {
            let _ = parse("odd", input.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(INCIDENTS.trim_start_matches('\u{feff}')));
        assert!(looks_like(ALERTS));
        assert!(!looks_like(
            "{\"incidents\": [{\"id\": \"P\", \"type\": \"incident\"}]}"
        ));
        assert!(!looks_like(
            "{\"data\": [{\"id\": 1, \"created_at\": \"x\"}]}"
        ));
    }
}
