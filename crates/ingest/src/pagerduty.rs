//! PagerDuty REST API v2 incidents: the body of `GET /incidents` (`{"incidents": [...]}`) or of
//! `GET /incidents/{id}` (`{"incident": {...}}`).

use hindsight_model::{normalise_service_name, Incident, Record, SourceRef, TimelineEvent};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows a PagerDuty incidents response.
pub(crate) fn looks_like_incidents(head: &str) -> bool {
    let window: String = head.chars().take(4096).collect();
    (window.contains("\"incidents\"") || window.contains("\"incident\""))
        && (window.contains("\"incident_number\"")
            || window.contains("\"type\": \"incident\"")
            || window.contains("\"type\":\"incident\""))
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let (items, base) = match (&document["incidents"], &document["incident"]) {
        (Value::Array(items), _) => (items.iter().collect::<Vec<_>>(), "/incidents/"),
        (_, Value::Object(_)) => (vec![&document["incident"]], "/incident"),
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected a PagerDuty response with an `incidents` array".to_owned(),
            })
        }
    };
    for (index, item) in items.into_iter().enumerate() {
        let pointer = if base.ends_with('/') {
            format!("{base}{index}")
        } else {
            base.to_owned()
        };
        sink(to_incident(file, &pointer, item));
    }
    Ok(())
}

fn to_incident(file: &str, pointer: &str, item: &Value) -> Parsed {
    let reject = |field: &str, reason: &str| crate::json::reject_item(pointer, item, field, reason);
    if !item.is_object() {
        return reject("", "an incident must be a JSON object");
    }
    let Some(id) = text(&item["id"]) else {
        return reject("id", "missing incident id");
    };
    let Some(created_text) = text(&item["created_at"]) else {
        return reject("created_at", "missing created_at");
    };
    let Some(started_at) = parse_timestamp(&created_text) else {
        return reject("created_at", &format!("not a timestamp: {created_text:?}"));
    };
    let title = text(&item["title"])
        .or_else(|| text(&item["summary"]))
        .unwrap_or_else(|| id.clone());
    let status = text(&item["status"]).unwrap_or_else(|| "unknown".to_owned());
    let severity = text(&item["priority"]["summary"]).or_else(|| text(&item["urgency"]));
    // A bare service reference (`{"id", "type"}`) names the service by its id, which a
    // catalog's `pagerduty.com/service-id` maps onto the service.
    let service = text(&item["service"]["summary"])
        .or_else(|| text(&item["service"]["id"]))
        .map(|s| normalise_service_name(&s));
    let resolved_text = text(&item["resolved_at"]).or_else(|| {
        (status == "resolved")
            .then(|| text(&item["last_status_change_at"]))
            .flatten()
    });
    let resolved_at = match resolved_text {
        Some(raw) => match parse_timestamp(&raw) {
            Some(t) => Some(t),
            None => return reject("resolved_at", &format!("not a timestamp: {raw:?}")),
        },
        None => None,
    };
    let source = |suffix: &str| SourceRef::pointer(file, format!("{pointer}{suffix}"));
    let mut events = vec![TimelineEvent {
        at: started_at,
        kind: "triggered".to_owned(),
        text: format!("Triggered: {title}"),
        source: source("/created_at"),
    }];
    if let Some(details) = text(&item["body"]["details"]) {
        events.push(TimelineEvent {
            at: started_at,
            kind: "details".to_owned(),
            text: details,
            source: source("/body/details"),
        });
    }
    if let Value::Array(acks) = &item["acknowledgements"] {
        for (index, ack) in acks.iter().enumerate() {
            if let Some(at) = text(&ack["at"]).and_then(|t| parse_timestamp(&t)) {
                let who = text(&ack["acknowledger"]["summary"]).unwrap_or_else(|| "someone".into());
                events.push(TimelineEvent {
                    at,
                    kind: "acknowledged".to_owned(),
                    text: format!("Acknowledged by {who}"),
                    source: source(&format!("/acknowledgements/{index}")),
                });
            }
        }
    }
    if let Some(at) = resolved_at {
        let by = text(&item["last_status_change_by"]["summary"])
            .map(|who| format!(" by {who}"))
            .unwrap_or_default();
        events.push(TimelineEvent {
            at,
            kind: "resolved".to_owned(),
            text: format!("Resolved{by}"),
            source: source("/resolved_at"),
        });
    }
    Parsed::Record(Record::Incident(Incident {
        source_system: "pagerduty".to_owned(),
        source_id: id,
        number: item["incident_number"].as_i64(),
        title,
        status,
        severity,
        service,
        started_at,
        resolved_at,
        url: text(&item["html_url"]),
        events,
        attributes: incident_attributes(item),
        updated_at: text(&item["updated_at"]).and_then(|t| parse_timestamp(&t)),
        source: SourceRef::pointer(file, pointer),
    }))
}

/// What the catalog and per-team measures read beside the service name: the service's
/// PagerDuty id (a Backstage `pagerduty.com/service-id` annotation names it), the escalation
/// policy and the first team.
fn incident_attributes(item: &Value) -> std::collections::BTreeMap<String, String> {
    let mut attributes = std::collections::BTreeMap::new();
    let fields = [
        ("service_id", &item["service"]["id"]),
        ("escalation_policy", &item["escalation_policy"]["summary"]),
        ("team", &item["teams"][0]["summary"]),
    ];
    for (key, value) in fields {
        if let Some(value) = text(value) {
            attributes.insert(key.to_owned(), value);
        }
    }
    attributes
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "incidents": [
    {
      "id": "PT4KHLK",
      "type": "incident",
      "summary": "[#1234] The server is on fire.",
      "incident_number": 1234,
      "title": "The server is on fire.",
      "created_at": "2026-11-17T14:05:00Z",
      "status": "resolved",
      "service": {"id": "PIJ90N7", "type": "service_reference", "summary": "Checkout"},
      "urgency": "high",
      "priority": {"id": "P53ZZH5", "type": "priority", "summary": "P2"},
      "acknowledgements": [{"at": "2026-11-17T14:09:00Z", "acknowledger": {"summary": "Earline Greenholt"}}],
      "last_status_change_at": "2026-11-17T15:00:00Z",
      "last_status_change_by": {"summary": "Earline Greenholt"},
      "html_url": "https://acme.pagerduty.com/incidents/PT4KHLK"
    },
    {"type": "incident", "created_at": "2026-11-17T14:05:00Z"}
  ],
  "limit": 25, "offset": 0, "more": false, "total": null
}"#;

    #[test]
    fn incidents_with_timeline_and_rejections() {
        let mut out = Vec::new();
        parse("pd.json", SAMPLE.as_bytes(), &mut |p| out.push(p)).expect("parse");
        let Parsed::Record(Record::Incident(incident)) = &out[0] else {
            panic!("{:?}", out[0])
        };
        assert_eq!(incident.source_id, "PT4KHLK");
        assert_eq!(incident.service.as_deref(), Some("checkout"));
        assert_eq!(incident.severity.as_deref(), Some("P2"));
        assert_eq!(incident.number, Some(1234));
        assert_eq!(
            incident.attributes.get("service_id").map(String::as_str),
            Some("PIJ90N7")
        );
        assert_eq!(
            incident.resolved_at.map(|t| t.to_rfc3339()),
            Some("2026-11-17T15:00:00+00:00".into())
        );
        let kinds: Vec<_> = incident.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["triggered", "acknowledged", "resolved"]);
        assert_eq!(incident.source.location, "/incidents/0");
        let Parsed::Rejected(rejection) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(rejection.location, "/incidents/1");
        assert_eq!(rejection.field.as_deref(), Some("id"));
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let truncated = &SAMPLE[..200];
        let err = parse("pd.json", truncated.as_bytes(), &mut |_| {}).expect_err("must fail");
        let IngestError::Malformed { file, line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(file, "pd.json");
        assert_eq!(*line, truncated.lines().count());
        assert!(err.to_string().starts_with("pd.json: line "), "{err}");
    }
}
