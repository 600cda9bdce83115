//! incident.io API v2 incidents: the body of `GET /v2/incidents` (`{"incidents": [...],
//! "pagination_meta": {...}}`) or of `GET /v2/incidents/{id}` (`{"incident": {...}}`).
//!
//! The timeline is built from `incident_timestamp_values`; the start of impact and the
//! resolution come from the "Impact started" and "Resolved at" / "Closed at" timestamps. A
//! timestamp that was never set stays unset: no end time is ever invented. Custom fields
//! named like "Affected components" and "Region" are kept as JSON arrays of names in the
//! `components` and `regions` attributes (blast radius reads them).

use chrono::{DateTime, Utc};
use hindsight_model::{normalise_service_name, Incident, Record, SourceRef, TimelineEvent};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows an incident.io incidents response: incidents
/// carrying incident.io's `incident_status` object and none of Statuspage's keys.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('{')
        && (head.contains("\"incidents\"") || head.contains("\"incident\""))
        && head.contains("\"incident_status\"")
        && !head.contains("\"incident_updates\"")
        && !head.contains("\"incident_number\"")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    match (&document["incidents"], &document["incident"]) {
        (Value::Array(items), _) => {
            for (index, item) in items.iter().enumerate() {
                to_incident(file, &format!("/incidents/{index}"), item, sink);
            }
        }
        (_, incident @ Value::Object(_)) => to_incident(file, "/incident", incident, sink),
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected an incident.io response with an `incidents` array".to_owned(),
            })
        }
    }
    Ok(())
}

fn rejection(pointer: &str, field: &str, reason: &str, raw: &Value) -> Parsed {
    crate::json::reject_item(pointer, raw, field, reason)
}

/// One set timestamp of an incident: its name as configured, its instant and its pointer.
struct Stamp {
    name: String,
    at: DateTime<Utc>,
    pointer: String,
}

impl Stamp {
    fn is(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.name.eq_ignore_ascii_case(n))
    }
}

/// `Impact started` -> `impact_started`.
fn kind_of(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase()
}

/// The first value of the first custom field whose name mentions a service.
/// Every value of the custom fields whose name contains `needle` (case-insensitive), each
/// once, in order.
fn custom_values(item: &Value, needle: &str) -> Vec<String> {
    let Value::Array(entries) = &item["custom_field_entries"] else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    for entry in entries.iter().filter(|entry| {
        text(&entry["custom_field"]["name"])
            .is_some_and(|name| name.to_lowercase().contains(needle))
    }) {
        if let Value::Array(values) = &entry["values"] {
            for value in values.iter().filter_map(|v| {
                text(&v["value_option"]["value"])
                    .or_else(|| text(&v["value_text"]))
                    .or_else(|| text(&v["value_catalog_entry"]["name"]))
            }) {
                if !found.contains(&value) {
                    found.push(value);
                }
            }
        }
    }
    found
}

/// Affected components and regions from custom fields named like them ("Affected
/// components", "Region"), as JSON arrays of names in `components` and `regions`.
fn reach_attributes(item: &Value) -> std::collections::BTreeMap<String, String> {
    [("components", "component"), ("regions", "region")]
        .into_iter()
        .filter_map(|(key, needle)| {
            let values = custom_values(item, needle);
            (!values.is_empty()).then(|| (key.to_owned(), Value::from(values).to_string()))
        })
        .collect()
}

fn service_of(item: &Value) -> Option<String> {
    let Value::Array(entries) = &item["custom_field_entries"] else {
        return None;
    };
    entries
        .iter()
        .filter(|entry| {
            text(&entry["custom_field"]["name"])
                .is_some_and(|name| name.to_lowercase().contains("service"))
        })
        .find_map(|entry| match &entry["values"] {
            Value::Array(values) => values.iter().find_map(|v| {
                text(&v["value_option"]["value"])
                    .or_else(|| text(&v["value_text"]))
                    .or_else(|| text(&v["value_catalog_entry"]["name"]))
            }),
            _ => None,
        })
        .map(|name| normalise_service_name(&name))
}

/// `INC-123` -> 123.
fn number_of(reference: Option<&str>) -> Option<i64> {
    let digits = reference?.rsplit('-').next()?;
    digits.parse().ok()
}

fn to_incident(file: &str, pointer: &str, item: &Value, sink: &mut dyn FnMut(Parsed)) {
    if !item.is_object() {
        return sink(rejection(
            pointer,
            "",
            "an incident must be a JSON object",
            item,
        ));
    }
    let Some(id) = text(&item["id"]) else {
        return sink(rejection(pointer, "id", "missing incident id", item));
    };
    let Some(created_text) = text(&item["created_at"]) else {
        return sink(rejection(pointer, "created_at", "missing created_at", item));
    };
    let Some(created_at) = parse_timestamp(&created_text) else {
        let reason = format!("not a timestamp: {created_text:?}");
        return sink(rejection(pointer, "created_at", &reason, item));
    };

    let mut stamps = Vec::new();
    let mut rejected = Vec::new();
    if let Value::Array(values) = &item["incident_timestamp_values"] {
        for (index, entry) in values.iter().enumerate() {
            let stamp_pointer = format!("{pointer}/incident_timestamp_values/{index}");
            let name = text(&entry["incident_timestamp"]["name"])
                .unwrap_or_else(|| "Timestamp".to_owned());
            // A timestamp that was never set has no value: nothing happened yet.
            let Some(raw) = text(&entry["value"]["value"]) else {
                continue;
            };
            match parse_timestamp(&raw) {
                Some(at) => stamps.push(Stamp {
                    name,
                    at,
                    pointer: stamp_pointer,
                }),
                None => rejected.push(rejection(
                    &stamp_pointer,
                    "value",
                    &format!("not a timestamp: {raw:?}"),
                    entry,
                )),
            }
        }
    }
    stamps.sort_by_key(|s| s.at);

    let started_at = stamps
        .iter()
        .find(|s| s.is(&["Impact started", "Impact started at"]))
        .map_or(created_at, |s| s.at);
    let resolved_at = stamps
        .iter()
        .find(|s| s.is(&["Resolved at", "Resolved"]))
        .or_else(|| stamps.iter().find(|s| s.is(&["Closed at", "Closed"])))
        .map(|s| s.at);

    let reference = text(&item["reference"]);
    let name = text(&item["name"]).unwrap_or_else(|| id.clone());
    let title = match &reference {
        Some(reference) => format!("{reference}: {name}"),
        None => name,
    };
    let status = text(&item["incident_status"]["category"])
        .or_else(|| text(&item["incident_status"]["name"]).map(|s| s.to_lowercase()))
        .unwrap_or_else(|| "unknown".to_owned());

    let events = stamps
        .into_iter()
        .map(|s| TimelineEvent {
            at: s.at,
            kind: kind_of(&s.name),
            text: s.name,
            source: SourceRef::pointer(file, s.pointer),
        })
        .collect();

    sink(Parsed::Record(Record::Incident(Incident {
        source_system: "incidentio".to_owned(),
        source_id: id,
        number: number_of(reference.as_deref()),
        title,
        status,
        severity: text(&item["severity"]["name"]),
        service: service_of(item),
        started_at,
        resolved_at,
        url: text(&item["permalink"]),
        events,
        attributes: reach_attributes(item),
        updated_at: text(&item["updated_at"]).and_then(|t| parse_timestamp(&t)),
        source: SourceRef::pointer(file, pointer),
    })));
    for r in rejected {
        sink(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::incidents_and_rejections;
    use hindsight_model::Rejection;

    const FIXTURE: &str = include_str!("../../../fixtures/formats/incidentio/incidents.json");

    fn parse_all(text: &str) -> (Vec<Incident>, Vec<Rejection>) {
        incidents_and_rejections(Box::new(|sink| parse("io.json", text.as_bytes(), sink)))
            .expect("parses")
    }

    #[test]
    fn fixture_is_detected_as_incidentio() {
        assert!(looks_like(FIXTURE.trim_start()));
        assert!(!crate::statuspage::looks_like(FIXTURE.trim_start()));
        assert_eq!(
            crate::detect(FIXTURE.as_bytes()),
            Some(crate::Format::IncidentIoIncidents)
        );
    }

    #[test]
    fn resolved_incident_with_service_and_timeline() {
        let (incidents, _) = parse_all(FIXTURE);
        let incident = incidents.first().expect("first incident");
        assert_eq!(incident.source_system, "incidentio");
        assert_eq!(incident.source_id, "01FDAG4SAP5TYPT98WGR2N7W91");
        assert_eq!(incident.number, Some(123));
        assert_eq!(incident.title, "INC-123: Our database is sad");
        assert_eq!(incident.status, "closed");
        assert_eq!(incident.severity.as_deref(), Some("Major"));
        assert_eq!(incident.service.as_deref(), Some("checkout-api"));
        let attribute = |key: &str| incident.attributes.get(key).map(String::as_str);
        assert_eq!(
            attribute("components"),
            Some(r#"["Card payments","Order history"]"#)
        );
        assert_eq!(attribute("regions"), Some(r#"["eu-west-1"]"#));
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2021-08-17T13:28:57.801578+00:00"
        );
        assert_eq!(
            incident.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2021-08-17T15:02:11+00:00")
        );
        assert_eq!(
            incident.url.as_deref(),
            Some("https://app.incident.io/acme/incidents/123")
        );
        assert_eq!(incident.source.location, "/incidents/0");
        let kinds: Vec<_> = incident.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "impact_started",
                "reported_at",
                "fixed_at",
                "resolved_at",
                "closed_at"
            ]
        );
        let first = incident.events.first().expect("events");
        assert_eq!(first.text, "Impact started");
        assert_eq!(
            first.source.location,
            "/incidents/0/incident_timestamp_values/1"
        );
    }

    #[test]
    fn live_incident_stays_open() {
        let (incidents, _) = parse_all(FIXTURE);
        let incident = incidents.get(1).expect("second incident");
        assert_eq!(
            incident.title,
            "INC-124: Checkout latency spike in eu-west-1"
        );
        assert_eq!(incident.status, "live");
        assert_eq!(incident.severity.as_deref(), Some("Minor"));
        assert_eq!(incident.resolved_at, None);
        // No impact-started value: created_at stands in; the catalog entry names the service.
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2026-11-18T09:12:00.000123+00:00"
        );
        assert_eq!(incident.service.as_deref(), Some("payments-gateway"));
        let kinds: Vec<_> = incident.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["reported_at"]);
    }

    #[test]
    fn malformed_item_is_rejected() {
        let (incidents, rejections) = parse_all(FIXTURE);
        assert_eq!(incidents.len(), 2);
        assert_eq!(rejections.len(), 1);
        let rejection = rejections.first().expect("rejection");
        assert_eq!(rejection.location, "/incidents/2");
        assert_eq!(rejection.field.as_deref(), Some("created_at"));
        assert!(
            rejection.raw.contains("01JD2W0000BROKEN"),
            "{}",
            rejection.raw
        );
    }

    #[test]
    fn single_incident_and_odd_shapes() {
        let (incidents, rejections) = parse_all(
            r#"{"incident": {"id": "X", "name": "n", "created_at": "2026-01-01T00:00:00Z",
                "incident_status": {"name": "Investigating"},
                "incident_timestamp_values": [null, 1, {"incident_timestamp": {"name": "Closed at"}, "value": {"value": "2026-01-01T02:00:00Z"}},
                  {"incident_timestamp": {"name": "Fixed at"}, "value": {"value": "soon"}},
                  {"incident_timestamp": {"name": "Resolved at"}, "value": {}}],
                "custom_field_entries": [{"custom_field": {"name": "Affected Services"}, "values": [{"value_text": "Search_API"}]}]}}"#,
        );
        let incident = incidents.first().expect("incident");
        assert_eq!(incident.title, "n");
        assert_eq!(incident.number, None);
        assert_eq!(incident.status, "investigating");
        assert_eq!(incident.service.as_deref(), Some("search-api"));
        assert_eq!(
            incident.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-01-01T02:00:00+00:00")
        );
        assert_eq!(incident.source.location, "/incident");
        assert_eq!(rejections.len(), 1);
        assert_eq!(
            rejections[0].location,
            "/incident/incident_timestamp_values/3"
        );
        for input in [
            "",
            "null",
            "[]",
            "{\"incidents\": [null, {}, {\"id\": 5}]}",
            "{\"incidents\": [{\"id\": \"a\", \"created_at\": \"2026-01-01T00:00:00Z\", \"custom_field_entries\": [1, {\"custom_field\": 2, \"values\": 3}], \"incident_timestamp_values\": {}}]}",
        ] {
            let _ = parse("odd.json", input.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn truncated_json_names_line() {
        let cut = (0..=FIXTURE.len() / 3)
            .rev()
            .find(|&i| FIXTURE.is_char_boundary(i))
            .unwrap_or(0);
        let truncated = FIXTURE.get(..cut).expect("boundary");
        let err = parse("io.json", truncated.as_bytes(), &mut |_| {}).expect_err("must fail");
        let IngestError::Malformed { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, truncated.matches('\n').count() + 1);
    }

    #[test]
    fn detection_does_not_claim_pagerduty() {
        assert!(!looks_like(
            "{\"incidents\":[{\"id\":\"PT4KHLK\",\"incident_number\":1234,\"type\":\"incident\"}]}"
        ));
        assert_eq!(kind_of("Impact  started"), "impact_started");
    }
}
