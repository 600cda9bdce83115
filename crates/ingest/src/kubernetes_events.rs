//! Kubernetes events: `kubectl get events -o json` (a `kind: List` of core/v1 Events; `-o yaml`
//! is read too), and events.k8s.io/v1 Events (`regarding`, `note`, `deprecatedLastTimestamp`).
//!
//! Rollout steps (`ScalingReplicaSet`, `SuccessfulCreate`, `Killing` ...) and every `Warning`
//! become deployment records; routine `Normal` noise (`Pulled`, `Scheduled`, `Started` ...) is
//! skipped without a rejection. The service is the workload: a ReplicaSet's or Pod's generated
//! suffixes (`-<pod-template-hash>`, `-<hash>-<id>`, a DaemonSet's `-<id>`, a StatefulSet's
//! `-<ordinal>`) are cut off.

use std::collections::BTreeMap;

use hindsight_model::{normalise_service_name, DeployStatus, Deployment, Record, SourceRef};
use serde::Deserialize;
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{json::reject, IngestError, Parsed};

/// `Normal` reasons that are part of a rollout or a scaling step.
const ROLLOUT_REASONS: [&str; 9] = [
    "ScalingReplicaSet",
    "SuccessfulCreate",
    "SuccessfulDelete",
    "SuccessfulRescale",
    "DeploymentRollback",
    "DeploymentRollout",
    "Killing",
    "Preempting",
    "Evicted",
];

/// True when the head shows Kubernetes Event objects.
pub(crate) fn looks_like(head: &str) -> bool {
    if head.contains("\"incidents\"") {
        return false;
    }
    let core = (head.contains("\"involvedObject\"") || head.contains("\ninvolvedObject:"))
        || head.lines().any(|l| {
            let l = l.trim_start_matches([' ', '-']);
            l.starts_with("involvedObject:")
        });
    let new_api = head.contains("events.k8s.io") && head.contains("regarding");
    (core || new_api) && head.contains("reason")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let document = if first == Some(&b'{') || first == Some(&b'[') {
        crate::json::parse_document(file, bytes)?
    } else {
        let mut docs = serde_norway::Deserializer::from_slice(bytes);
        match docs.next() {
            Some(doc) => Value::deserialize(doc).map_err(|e| {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                IngestError::Malformed {
                    file: file.to_owned(),
                    line,
                    column,
                    message: format!("not valid JSON or YAML: {e}"),
                }
            })?,
            None => Value::Null,
        }
    };
    let (items, base): (Vec<&Value>, &str) = match &document {
        Value::Array(items) => (items.iter().collect(), "/"),
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => (items.iter().collect(), "/items/"),
            _ => (vec![&document], ""),
        },
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected `kubectl get events -o json` output (a List of Events)"
                    .to_owned(),
            })
        }
    };
    for (index, item) in items.into_iter().enumerate() {
        let pointer = if base.is_empty() {
            String::new()
        } else {
            format!("{base}{index}")
        };
        if let Some(parsed) = to_deployment(file, &pointer, item) {
            sink(parsed);
        }
    }
    Ok(())
}

/// `ScalingReplicaSet` -> `scaling_replica_set`, `OOMKilling` -> `oom_killing`.
pub(crate) fn snake_case(reason: &str) -> String {
    let chars: Vec<char> = reason.chars().collect();
    let mut out = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if !out.is_empty() && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower))
            {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Characters Kubernetes uses for generated name suffixes (no vowels, no 0/1/3).
fn is_generated(segment: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
}

/// The workload behind an object: `checkout-7d9f8b6c5d` (ReplicaSet) and
/// `checkout-7d9f8b6c5d-x2k4p` (Pod) are `checkout`; with the pod-template-hash, if any.
fn workload(kind: &str, name: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = name.split('-').collect();
    let n = parts.len();
    match kind {
        "ReplicaSet" if n >= 2 && is_generated(parts[n - 1], 6..=10) => {
            (parts[..n - 1].join("-"), Some(parts[n - 1].to_owned()))
        }
        "Pod"
            if n >= 3
                && is_generated(parts[n - 1], 5..=5)
                && is_generated(parts[n - 2], 6..=10) =>
        {
            (parts[..n - 2].join("-"), Some(parts[n - 2].to_owned()))
        }
        "Pod"
            if n >= 2
                && (is_generated(parts[n - 1], 5..=5)
                    || parts[n - 1].bytes().all(|b| b.is_ascii_digit())) =>
        {
            (parts[..n - 1].join("-"), None)
        }
        _ => (name.to_owned(), None),
    }
}

fn to_deployment(file: &str, pointer: &str, item: &Value) -> Option<Parsed> {
    let fail = |field: &str, reason: &str| Some(reject(pointer, item, Some(field), reason));
    if !item.is_object() {
        return Some(reject(
            pointer,
            item,
            None,
            "an event must be a JSON object",
        ));
    }
    let Some(reason) = text(&item["reason"]) else {
        return fail("reason", "missing reason");
    };
    let warning = item["type"].as_str() == Some("Warning");
    if !warning && !ROLLOUT_REASONS.contains(&reason.as_str()) {
        return None;
    }
    let object = match &item["involvedObject"] {
        Value::Object(_) => &item["involvedObject"],
        _ => &item["regarding"],
    };
    let Some(name) = text(&object["name"]) else {
        return fail("involvedObject.name", "missing involved object name");
    };
    let kind = text(&object["kind"]).unwrap_or_default();
    let stamp = [
        "lastTimestamp",
        "deprecatedLastTimestamp",
        "eventTime",
        "firstTimestamp",
        "deprecatedFirstTimestamp",
    ]
    .iter()
    .find_map(|key| text(&item[*key]).map(|t| (*key, t)))
    .or_else(|| text(&item["series"]["lastObservedTime"]).map(|t| ("series", t)))
    .or_else(|| text(&item["metadata"]["creationTimestamp"]).map(|t| ("metadata", t)));
    let Some((stamp_key, stamp)) = stamp else {
        return fail(
            "lastTimestamp",
            "no lastTimestamp, eventTime or firstTimestamp",
        );
    };
    let Some(at) = parse_timestamp(&stamp) else {
        return fail(stamp_key, &format!("not a timestamp: {stamp:?}"));
    };
    let namespace = text(&object["namespace"]).or_else(|| text(&item["metadata"]["namespace"]));
    let natural_key = match text(&item["metadata"]["uid"]) {
        Some(uid) => format!("k8s-event:{uid}"),
        None => match text(&item["metadata"]["name"]) {
            Some(event) => format!(
                "k8s-event:{}/{event}",
                namespace.as_deref().unwrap_or("default")
            ),
            None => return fail("metadata.uid", "no metadata.uid or metadata.name"),
        },
    };
    let (service, hash) = workload(&kind, &name);
    let message = text(&item["message"]).or_else(|| text(&item["note"]));
    let component = text(&item["source"]["component"])
        .or_else(|| text(&item["reportingComponent"]))
        .or_else(|| text(&item["reportingController"]));

    let mut attributes = BTreeMap::new();
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    };
    keep("kind", Some(kind.clone()).filter(|k| !k.is_empty()));
    keep("object", Some(name.clone()));
    keep("reason", Some(reason.clone()));
    keep("message", message);
    keep(
        "count",
        text(&item["count"]).or_else(|| text(&item["deprecatedCount"])),
    );
    keep("component", component.clone());
    keep("host", text(&item["source"]["host"]));
    keep("type", text(&item["type"]));
    keep("pod_template_hash", hash);
    keep("firstTimestamp", text(&item["firstTimestamp"]));

    Some(Parsed::Record(Record::Deployment(Deployment {
        natural_key,
        service: normalise_service_name(&service),
        environment: namespace,
        version: None,
        sha: None,
        status: if warning {
            DeployStatus::Failed
        } else {
            DeployStatus::Succeeded
        },
        actor: component,
        actor_type: Some("automation".to_owned()),
        action: snake_case(&reason),
        at,
        attributes,
        updated_at: None,
        source: SourceRef::pointer(file, pointer),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{collect, deployment};

    const SAMPLE: &str = r#"{"apiVersion": "v1", "items": [
  {"apiVersion": "v1", "kind": "Event",
   "metadata": {"name": "checkout.17f2a", "namespace": "prod", "uid": "0b1c"},
   "involvedObject": {"kind": "Deployment", "name": "checkout", "namespace": "prod"},
   "reason": "ScalingReplicaSet", "message": "Scaled up replica set checkout-7d9f8b6c5d to 3",
   "type": "Normal", "firstTimestamp": "2026-11-18T09:00:00Z", "lastTimestamp": "2026-11-18T09:00:05Z",
   "count": 1, "source": {"component": "deployment-controller"}},
  {"metadata": {"name": "checkout-7d9f8b6c5d-x2k4p.1", "namespace": "prod"},
   "involvedObject": {"kind": "Pod", "name": "checkout-7d9f8b6c5d-x2k4p", "namespace": "prod"},
   "reason": "BackOff", "message": "Back-off restarting failed container café", "type": "Warning",
   "firstTimestamp": "2026-11-18T09:01:00Z", "lastTimestamp": null, "eventTime": "2026-11-18T09:03:00.123456Z",
   "count": 7, "reportingComponent": "kubelet"},
  {"metadata": {"uid": "p1"}, "involvedObject": {"kind": "Pod", "name": "web-0"}, "reason": "Pulled", "type": "Normal",
   "lastTimestamp": "2026-11-18T09:00:00Z"},
  {"metadata": {"uid": "r1"}, "involvedObject": {"kind": "ReplicaSet", "name": "search-api-5f6c9d8b7", "namespace": "stg"},
   "reason": "SuccessfulCreate", "type": "Normal", "lastTimestamp": "2026-11-18T09:00:00Z"},
  {"metadata": {"uid": "x1"}, "involvedObject": {"kind": "Pod", "name": "a"}, "reason": "Unhealthy", "type": "Warning"},
  {"metadata": {"uid": "x2"}, "involvedObject": {}, "reason": "FailedScheduling", "type": "Warning", "lastTimestamp": "2026-11-18T09:00:00Z"},
  "junk"
], "kind": "List", "metadata": {"resourceVersion": ""}}"#;

    fn run(text: &str) -> Vec<Parsed> {
        collect(Box::new(|sink| parse("events.json", text.as_bytes(), sink)))
    }

    #[test]
    fn rollout_and_failure_events() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 6, "{out:?}");
        let d = deployment(&out[0]);
        assert_eq!(d.natural_key, "k8s-event:0b1c");
        assert_eq!(d.service, "checkout");
        assert_eq!(d.environment.as_deref(), Some("prod"));
        assert_eq!(d.action, "scaling_replica_set");
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.at.to_rfc3339(), "2026-11-18T09:00:05+00:00");
        assert_eq!(d.actor.as_deref(), Some("deployment-controller"));
        let attr = |k: &str| d.attributes.get(k).map(String::as_str);
        assert_eq!(attr("kind"), Some("Deployment"));
        assert_eq!(attr("reason"), Some("ScalingReplicaSet"));
        assert_eq!(attr("count"), Some("1"));
        assert_eq!(
            attr("message"),
            Some("Scaled up replica set checkout-7d9f8b6c5d to 3")
        );
        let d = deployment(&out[1]);
        assert_eq!(d.natural_key, "k8s-event:prod/checkout-7d9f8b6c5d-x2k4p.1");
        assert_eq!(d.service, "checkout");
        assert_eq!(d.status, DeployStatus::Failed);
        assert_eq!(d.action, "back_off");
        assert_eq!(d.at.to_rfc3339(), "2026-11-18T09:03:00.123456+00:00");
        assert_eq!(d.actor.as_deref(), Some("kubelet"));
        assert_eq!(
            d.attributes.get("pod_template_hash").map(String::as_str),
            Some("7d9f8b6c5d")
        );
        let d = deployment(&out[2]);
        assert_eq!(
            (d.service.as_str(), d.source.location.as_str()),
            ("search-api", "/items/3")
        );
        let fields: Vec<_> = out[3..]
            .iter()
            .map(|p| match p {
                Parsed::Rejected(r) => (r.location.clone(), r.field.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("/items/4".to_owned(), Some("lastTimestamp".to_owned())),
                (
                    "/items/5".to_owned(),
                    Some("involvedObject.name".to_owned())
                ),
                ("/items/6".to_owned(), None),
            ]
        );
    }

    #[test]
    fn names_and_reasons() {
        assert_eq!(snake_case("ScalingReplicaSet"), "scaling_replica_set");
        assert_eq!(snake_case("OOMKilling"), "oom_killing");
        assert_eq!(snake_case("BackOff"), "back_off");
        assert_eq!(snake_case("Failed"), "failed");
        assert_eq!(workload("Pod", "web-0").0, "web");
        assert_eq!(workload("Pod", "node-exporter-x2k4p").0, "node-exporter");
        assert_eq!(
            workload("ReplicaSet", "checkout-backend").0,
            "checkout-backend"
        );
        assert_eq!(workload("Deployment", "api-7d9f8b6c5d").0, "api-7d9f8b6c5d");
    }

    #[test]
    fn yaml_truncation_detection() {
        let yaml = "apiVersion: v1\nitems:\n- involvedObject:\n    kind: Deployment\n    name: web\n  reason: ScalingReplicaSet\n  type: Normal\n  lastTimestamp: \"2026-11-18T09:00:00Z\"\n  metadata:\n    uid: u1\nkind: List\n";
        assert!(looks_like(yaml));
        assert_eq!(deployment(&run(yaml)[0]).service, "web");
        assert!(looks_like(SAMPLE));
        assert!(!looks_like(
            "{\"result\": [{\"number\": \"CHG1\", \"reason\": \"x\"}]}"
        ));
        let err = parse("e", &SAMPLE.as_bytes()[..400], &mut |_| {}).expect_err("truncated");
        assert!(
            matches!(err, IngestError::Malformed { line: 6, .. }),
            "{err:?}"
        );
        for end in (0..SAMPLE.len()).step_by(3) {
            if let Some(prefix) = SAMPLE.get(..end) {
                let _ = parse("e", prefix.as_bytes(), &mut |_| {});
            }
        }
        for odd in ["", "1", "{}", "[]", "{\"items\": [null, {\"reason\": 1}]}"] {
            let _ = parse("e", odd.as_bytes(), &mut |_| {});
        }
    }
}
