//! Atlassian Statuspage v2 `incidents.json` (also the `incidents` of `summary.json`):
//! `{"page": {...}, "incidents": [{"id", "name", "status", "impact", "incident_updates": [...],
//! "components": [...]}, ...]}`.
//!
//! Statuspage lists updates newest first; the timeline is emitted oldest first. An incident
//! without `resolved_at` stays open: no end time is ever invented. The first component names
//! the service; every component the incident or its updates name is kept, in order of first
//! mention, in the `components` attribute as a JSON array of names (blast radius reads it).

use hindsight_model::{normalise_service_name, Incident, Record, SourceRef, TimelineEvent};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows a Statuspage incidents document: an `incidents`
/// key next to Statuspage's own `incident_updates` or `shortlink` keys.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('{')
        && head.contains("\"incidents\"")
        && (head.contains("\"incident_updates\"") || head.contains("\"shortlink\""))
        && !head.contains("\"incident_status\"")
        && !head.contains("\"incident_number\"")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let Value::Array(items) = &document["incidents"] else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "expected a Statuspage document with an `incidents` array".to_owned(),
        });
    };
    for (index, item) in items.iter().enumerate() {
        to_incident(file, &format!("/incidents/{index}"), item, sink);
    }
    Ok(())
}

fn rejection(pointer: &str, field: &str, reason: &str, raw: &Value) -> Parsed {
    crate::json::reject_item(pointer, raw, field, reason)
}

/// Reads an optional timestamp field: absent or null is `Ok(None)`, garbage is `Err`.
fn optional_time(
    item: &Value,
    field: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    match text(&item[field]) {
        None => Ok(None),
        Some(raw) => parse_timestamp(&raw)
            .map(Some)
            .ok_or_else(|| format!("not a timestamp: {raw:?}")),
    }
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
    let created_at = match optional_time(item, "created_at") {
        Ok(Some(t)) => t,
        Ok(None) => return sink(rejection(pointer, "created_at", "missing created_at", item)),
        Err(reason) => return sink(rejection(pointer, "created_at", &reason, item)),
    };
    let started_at = match optional_time(item, "started_at") {
        Ok(t) => t.unwrap_or(created_at),
        Err(reason) => return sink(rejection(pointer, "started_at", &reason, item)),
    };
    let resolved_at = match optional_time(item, "resolved_at") {
        Ok(t) => t,
        Err(reason) => return sink(rejection(pointer, "resolved_at", &reason, item)),
    };
    let service = match &item["components"] {
        Value::Array(components) => components
            .iter()
            .find_map(|c| text(&c["name"]))
            .map(|name| normalise_service_name(&name)),
        _ => None,
    };
    let components = component_names(item);

    let mut events = Vec::new();
    let mut rejected_updates = Vec::new();
    if let Value::Array(updates) = &item["incident_updates"] {
        // Statuspage lists newest first: walk oldest first so equal times keep that order.
        for (index, update) in updates.iter().enumerate().rev() {
            let update_pointer = format!("{pointer}/incident_updates/{index}");
            if !update.is_object() {
                rejected_updates.push(rejection(
                    &update_pointer,
                    "",
                    "an incident update must be a JSON object",
                    update,
                ));
                continue;
            }
            let at = match optional_time(update, "display_at") {
                Ok(Some(t)) => Ok(Some(t)),
                Ok(None) => optional_time(update, "created_at"),
                Err(reason) => Err(reason),
            };
            let at = match at {
                Ok(Some(t)) => t,
                Ok(None) => {
                    rejected_updates.push(rejection(
                        &update_pointer,
                        "created_at",
                        "incident update without display_at or created_at",
                        update,
                    ));
                    continue;
                }
                Err(reason) => {
                    rejected_updates.push(rejection(
                        &update_pointer,
                        "display_at",
                        &reason,
                        update,
                    ));
                    continue;
                }
            };
            events.push(TimelineEvent {
                at,
                kind: text(&update["status"]).unwrap_or_else(|| "update".to_owned()),
                text: text(&update["body"]).unwrap_or_default(),
                source: SourceRef::pointer(file, update_pointer),
            });
        }
    }
    events.sort_by_key(|e| e.at);

    sink(Parsed::Record(Record::Incident(Incident {
        source_system: "statuspage".to_owned(),
        title: text(&item["name"]).unwrap_or_else(|| id.clone()),
        source_id: id,
        number: None,
        status: text(&item["status"]).unwrap_or_else(|| "unknown".to_owned()),
        severity: text(&item["impact"]),
        service,
        started_at,
        resolved_at,
        url: text(&item["shortlink"]),
        events,
        attributes: if components.is_empty() {
            Default::default()
        } else {
            [("components".to_owned(), Value::from(components).to_string())].into()
        },
        updated_at: text(&item["updated_at"]).and_then(|t| parse_timestamp(&t)),
        source: SourceRef::pointer(file, pointer),
    })));
    for rejected in rejected_updates {
        sink(rejected);
    }
}

/// The names of the incident's `components` and of its updates' `affected_components`,
/// each once, in order of first mention.
fn component_names(item: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let lists = std::iter::once(&item["components"]).chain(match &item["incident_updates"] {
        Value::Array(updates) => updates.iter().map(|u| &u["affected_components"]).collect(),
        _ => Vec::new(),
    });
    for list in lists {
        if let Value::Array(components) = list {
            for name in components.iter().filter_map(|c| text(&c["name"])) {
                let name = name.trim().to_owned();
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::incidents_and_rejections;
    use hindsight_model::Rejection;

    const FIXTURE: &str = include_str!("../../../fixtures/formats/statuspage/incidents.json");

    fn parse_all(text: &str) -> (Vec<Incident>, Vec<Rejection>) {
        incidents_and_rejections(Box::new(|sink| {
            parse("incidents.json", text.as_bytes(), sink)
        }))
        .expect("fixture parses")
    }

    fn rfc(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
        t.map(|t| t.to_rfc3339())
    }

    #[test]
    fn fixture_is_detected_as_statuspage() {
        assert!(looks_like(FIXTURE.trim_start()));
        assert_eq!(
            crate::detect(FIXTURE.as_bytes()),
            Some(crate::Format::StatuspageIncidents)
        );
    }

    #[test]
    fn resolved_incident_with_components_and_timeline() {
        let (incidents, _) = parse_all(FIXTURE);
        let incident = incidents
            .iter()
            .find(|i| i.source_id == "r3s0lv3d0001")
            .expect("resolved incident");
        assert_eq!(incident.source_system, "statuspage");
        assert_eq!(incident.title, "Degraded performance for Git Operations");
        assert_eq!(incident.status, "resolved");
        assert_eq!(incident.severity.as_deref(), Some("major"));
        assert_eq!(incident.service.as_deref(), Some("git-operations"));
        assert_eq!(
            incident.attributes.get("components").map(String::as_str),
            Some(r#"["Git Operations","API Requests"]"#)
        );
        assert_eq!(incident.number, None);
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2026-11-17T14:02:00.123+00:00"
        );
        assert_eq!(
            rfc(incident.resolved_at).as_deref(),
            Some("2026-11-17T15:40:12.500+00:00")
        );
        assert_eq!(incident.url.as_deref(), Some("https://stspg.io/abc123"));
        assert_eq!(incident.source.location, "/incidents/1");
        let kinds: Vec<_> = incident.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["investigating", "identified", "monitoring", "resolved"]
        );
        let first = incident.events.first().expect("events");
        assert_eq!(first.source.location, "/incidents/1/incident_updates/3");
        assert_eq!(first.source.file, "incidents.json");
        assert_eq!(first.at.to_rfc3339(), "2026-11-17T14:05:00+00:00");
        assert!(
            first.text.starts_with("We are investigating"),
            "{}",
            first.text
        );
        let last = incident.events.last().expect("events");
        assert_eq!(last.source.location, "/incidents/1/incident_updates/0");
        assert_eq!(last.text, "This incident has been resolved.");
    }

    #[test]
    fn open_incident_has_no_end_and_display_at_wins() {
        let (incidents, _) = parse_all(FIXTURE);
        let incident = incidents
            .iter()
            .find(|i| i.source_id == "0p3n00000002")
            .expect("open incident");
        assert_eq!(incident.status, "investigating");
        assert_eq!(incident.resolved_at, None);
        assert_eq!(incident.service, None);
        assert_eq!(incident.severity.as_deref(), Some("minor"));
        // No started_at: created_at stands in.
        assert_eq!(
            incident.started_at.to_rfc3339(),
            "2026-11-18T09:00:00+00:00"
        );
        assert_eq!(incident.events.len(), 2);
        // display_at (backdated) is preferred over created_at.
        assert_eq!(
            incident.events[0].at.to_rfc3339(),
            "2026-11-18T08:55:00+00:00"
        );
    }

    #[test]
    fn non_ascii_bodies_and_update_less_incidents_survive() {
        let (incidents, _) = parse_all(FIXTURE);
        let unicode = incidents
            .iter()
            .find(|i| i.source_id == "un1c0d300003")
            .expect("unicode incident");
        assert_eq!(unicode.title, "Café – Pages builds délayed 🚧");
        assert_eq!(unicode.service.as_deref(), Some("pages"));
        assert_eq!(
            unicode.events[0].text,
            "Nous enquêtons — builds are délayed ✓ 日本語"
        );
        assert_eq!(unicode.severity.as_deref(), Some("none"));
        let quiet = incidents
            .iter()
            .find(|i| i.source_id == "n0upd4t30004")
            .expect("update-less incident");
        assert!(quiet.events.is_empty());
        assert_eq!(quiet.severity.as_deref(), Some("critical"));
    }

    #[test]
    fn broken_incidents_are_rejected_and_the_rest_kept() {
        let (incidents, rejections) = parse_all(FIXTURE);
        assert_eq!(incidents.len(), 4);
        let locations: Vec<_> = rejections.iter().map(|r| r.location.as_str()).collect();
        assert_eq!(locations, ["/incidents/4", "/incidents/5", "/incidents/6"]);
        assert_eq!(rejections[0].field.as_deref(), Some("id"));
        assert_eq!(rejections[1].field.as_deref(), Some("created_at"));
        assert!(
            rejections[1].reason.contains("not a timestamp"),
            "{:?}",
            rejections[1]
        );
        assert!(rejections[1].raw.contains("b4dt1m300005"));
        assert_eq!(rejections[2].field.as_deref(), Some(""));
    }

    #[test]
    fn truncated_or_wrong_documents_fail_whole() {
        let cut = FIXTURE.len() / 2;
        let cut = (0..=cut)
            .rev()
            .find(|&i| FIXTURE.is_char_boundary(i))
            .unwrap_or(0);
        let truncated = FIXTURE.get(..cut).expect("boundary");
        let err = parse("s.json", truncated.as_bytes(), &mut |_| {}).expect_err("must fail");
        let IngestError::Malformed { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, truncated.matches('\n').count() + 1);
        let err = parse("s.json", b"{\"page\": {}}", &mut |_| {}).expect_err("no incidents");
        assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
    }

    #[test]
    fn odd_shapes_never_panic() {
        for input in [
            "",
            "[]",
            "null",
            "{\"incidents\": null}",
            "{\"incidents\": [null, 1, \"x\", [], {}]}",
            "{\"incidents\": [{\"id\": \"a\", \"created_at\": \"2026-01-01T00:00:00Z\", \"incident_updates\": [null, {}, {\"display_at\": 5}], \"components\": [1, {\"name\": null}]}]}",
            "\u{feff}{\"incidents\": []}",
        ] {
            let _ = parse("odd.json", input.as_bytes(), &mut |_| {});
        }
        let (incidents, rejections) = parse_all(
            "{\"incidents\": [{\"id\": \"a\", \"created_at\": \"2026-01-01T00:00:00Z\", \"incident_updates\": [null, {\"body\": \"no time\"}], \"components\": []}]}",
        );
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0].service, None);
        assert_eq!(rejections.len(), 2);
    }

    #[test]
    fn detection_does_not_claim_other_formats() {
        assert!(!looks_like(
            "{\"incidents\":[{\"id\":\"PT4KHLK\",\"incident_number\":1234,\"type\":\"incident\"}]}"
        ));
        assert!(!looks_like(
            "{\"incidents\": [{\"id\": \"01F\", \"incident_status\": {\"category\": \"live\"}}]}"
        ));
        assert!(!looks_like("{\"ts\": \"2026-11-16T10:00:00Z\"}"));
    }
}
