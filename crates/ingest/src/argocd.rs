//! Argo CD Applications, as `kubectl get application NAME -o yaml|json`, `argocd app get NAME
//! -o json|yaml` (which may omit `kind`), or a `kind: List` of them (`kubectl get applications`),
//! in JSON or YAML (several `---` documents allowed).
//!
//! Each `status.history[]` entry is a completed sync: one deployment each. The last operation
//! (`status.operationState`) is one more deployment when it is not already in the history (it
//! failed, or is still running). Multi-source applications write `revisions`/`sources` instead
//! of `revision`/`source`; the first source stands for the deployment, the rest are kept.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_model::{normalise_service_name, DeployStatus, Deployment, Record, SourceRef};
use serde::Deserialize;
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{json::reject, IngestError, Parsed};

/// True when the head shows an Argo CD Application: its `argoproj.io` API group with
/// `kind: Application`, or the `argocd app get` shape without a kind.
pub(crate) fn looks_like(head: &str) -> bool {
    if head.contains("\"incidents\"") || head.contains("\"involvedObject\"") {
        return false;
    }
    let argo = head.contains("argoproj.io")
        && (head.contains("\"kind\": \"Application\"")
            || head.contains("\"kind\":\"Application\"")
            || head
                .lines()
                .any(|l| l.trim_start_matches([' ', '-']).trim_end() == "kind: Application"));
    let cli_json = head.starts_with('{')
        && head.contains("\"metadata\"")
        && head.contains("\"destination\"")
        && head.contains("\"spec\"")
        && ["\"operationState\"", "\"reconciledAt\"", "\"sourceType\""]
            .iter()
            .any(|k| head.contains(k));
    argo || cli_json
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let documents = if first == Some(&b'{') || first == Some(&b'[') {
        vec![crate::json::parse_document(file, bytes)?]
    } else {
        yaml_documents(file, bytes)?
    };
    let several = documents.len() > 1;
    let mut apps = Vec::new();
    for (index, document) in documents.into_iter().enumerate() {
        let base = if several {
            format!("/{index}")
        } else {
            String::new()
        };
        match document {
            Value::Array(items) => apps.extend(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (format!("{base}/{i}"), item)),
            ),
            Value::Object(mut map) => match map.remove("items") {
                Some(Value::Array(items)) => apps.extend(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| (format!("{base}/items/{i}"), item)),
                ),
                _ => apps.push((base, Value::Object(map))),
            },
            Value::Null => {}
            _ => {
                return Err(IngestError::Invalid {
                    file: file.to_owned(),
                    message: "expected an Argo CD Application object".to_owned(),
                })
            }
        }
    }
    if apps.is_empty() {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "empty file: expected an Argo CD Application".to_owned(),
        });
    }
    for (pointer, app) in apps {
        application(file, &pointer, &app, sink);
    }
    Ok(())
}

fn yaml_documents(file: &str, bytes: &[u8]) -> Result<Vec<Value>, IngestError> {
    let mut documents = Vec::new();
    for document in serde_norway::Deserializer::from_slice(bytes) {
        let value = Value::deserialize(document).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            IngestError::Malformed {
                file: file.to_owned(),
                line,
                column,
                message: format!("not valid YAML or JSON: {e}"),
            }
        })?;
        documents.push(value);
    }
    Ok(documents)
}

/// `revision` or the first of `revisions`.
fn revision(entry: &Value) -> Option<String> {
    text(&entry["revision"])
        .or_else(|| entry["revisions"].get(0).and_then(text))
        .map(|r| r.to_ascii_lowercase())
}

/// `source` or the first of `sources`.
fn source(entry: &Value) -> &Value {
    match &entry["source"] {
        Value::Object(_) => &entry["source"],
        _ => entry["sources"].get(0).unwrap_or(&Value::Null),
    }
}

fn actor(initiated_by: &Value) -> (Option<String>, Option<String>) {
    let automated = initiated_by["automated"].as_bool() == Some(true)
        || initiated_by["automated"].as_str() == Some("true");
    match (text(&initiated_by["username"]), automated) {
        (Some(user), false) => (Some(user), Some("human".to_owned())),
        (user, true) => (
            Some(user.unwrap_or_else(|| "argocd".to_owned())),
            Some("automation".to_owned()),
        ),
        (None, false) => (None, None),
    }
}

struct App<'a> {
    name: String,
    service: String,
    environment: Option<String>,
    common: BTreeMap<String, String>,
    spec_source: &'a Value,
}

fn application(file: &str, pointer: &str, app: &Value, sink: &mut dyn FnMut(Parsed)) {
    if !app.is_object() {
        sink(reject(
            pointer,
            app,
            None,
            "an Application must be an object",
        ));
        return;
    }
    let Some(name) = text(&app["metadata"]["name"]) else {
        sink(reject(
            pointer,
            app,
            Some("metadata.name"),
            "missing application name",
        ));
        return;
    };
    let destination = &app["spec"]["destination"];
    let mut common = BTreeMap::new();
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            common.insert(key.to_owned(), value);
        }
    };
    keep("application", Some(name.clone()));
    keep("app_namespace", text(&app["metadata"]["namespace"]));
    keep("project", text(&app["spec"]["project"]));
    keep("destination_server", text(&destination["server"]));
    keep("destination_name", text(&destination["name"]));
    let context = App {
        service: normalise_service_name(&name),
        name,
        environment: text(&destination["namespace"]).map(|n| n.to_lowercase()),
        common,
        spec_source: source(&app["spec"]),
    };

    let history: &[Value] = app["status"]["history"]
        .as_array()
        .map_or(&[], Vec::as_slice);
    /// A history entry's revision, deploy time and start time.
    type Seen = (Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let mut seen: Vec<Seen> = Vec::new();
    for (index, entry) in history.iter().enumerate() {
        let here = format!("{pointer}/status/history/{index}");
        let parsed = history_entry(file, &here, &context, entry);
        if let Parsed::Record(Record::Deployment(deployment)) = &parsed {
            seen.push((
                deployment.sha.clone(),
                Some(deployment.at),
                text(&entry["deployStartedAt"]).and_then(|t| parse_timestamp(&t)),
            ));
        }
        sink(parsed);
    }

    let operation = &app["status"]["operationState"];
    if operation.is_object() {
        let here = format!("{pointer}/status/operationState");
        let sha = text(&operation["syncResult"]["revision"])
            .or_else(|| revision(&operation["operation"]["sync"]))
            .or_else(|| operation["syncResult"]["revisions"].get(0).and_then(text))
            .map(|r| r.to_ascii_lowercase());
        let started = text(&operation["startedAt"]).and_then(|t| parse_timestamp(&t));
        let finished = text(&operation["finishedAt"]).and_then(|t| parse_timestamp(&t));
        let known = seen.iter().any(|(s, at, began)| {
            *s == sha
                && ((finished.is_some() && *at == finished)
                    || (started.is_some() && *began == started))
        });
        if !known {
            sink(operation_entry(
                file, &here, &context, operation, sha, started, finished,
            ));
        }
    }
}

fn history_entry(file: &str, pointer: &str, app: &App, entry: &Value) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, entry, Some(field), reason);
    if !entry.is_object() {
        return reject(pointer, entry, None, "a history entry must be an object");
    }
    let Some(deployed) = text(&entry["deployedAt"]) else {
        return fail("deployedAt", "missing deployedAt");
    };
    let Some(at) = parse_timestamp(&deployed) else {
        return fail("deployedAt", &format!("not a timestamp: {deployed:?}"));
    };
    let id = text(&entry["id"]).unwrap_or_else(|| deployed.clone());
    let source = match source(entry) {
        Value::Null => app.spec_source,
        s => s,
    };
    let (actor, actor_type) = actor(&entry["initiatedBy"]);
    let mut attributes = app.common.clone();
    attributes.insert("history_id".to_owned(), id.clone());
    add_source(&mut attributes, source);
    if let Some(t) = text(&entry["deployStartedAt"]) {
        attributes.insert("deployStartedAt".to_owned(), t);
    }
    if let Some(all) = entry["revisions"].as_array() {
        let all: Vec<String> = all.iter().filter_map(text).collect();
        attributes.insert("revisions".to_owned(), all.join(","));
    }
    Parsed::Record(Record::Deployment(Deployment {
        natural_key: format!("argocd:{}:{id}", app.name),
        service: app.service.clone(),
        environment: app.environment.clone(),
        version: text(&source["targetRevision"]),
        sha: revision(entry),
        status: DeployStatus::Succeeded,
        actor: actor.or_else(|| Some("argocd".to_owned())),
        // Without `initiatedBy` (Argo CD before 2.13) nobody is named: the kind is unknown.
        actor_type,
        action: "sync".to_owned(),
        at,
        attributes,
        updated_at: None,
        source: SourceRef::pointer(file, pointer),
    }))
}

fn add_source(attributes: &mut BTreeMap<String, String>, source: &Value) {
    for key in ["repoURL", "path", "chart", "targetRevision"] {
        if let Some(value) = text(&source[key]) {
            attributes.insert(key.to_owned(), value);
        }
    }
}

fn operation_entry(
    file: &str,
    pointer: &str,
    app: &App,
    operation: &Value,
    sha: Option<String>,
    started: Option<DateTime<Utc>>,
    finished: Option<DateTime<Utc>>,
) -> Parsed {
    let Some(at) = finished.or(started) else {
        return reject(
            pointer,
            operation,
            Some("startedAt"),
            "operationState has no readable startedAt or finishedAt",
        );
    };
    let phase = text(&operation["phase"]).unwrap_or_default();
    let status = match phase.as_str() {
        "Succeeded" => DeployStatus::Succeeded,
        "Failed" | "Error" => DeployStatus::Failed,
        "Running" | "Terminating" => DeployStatus::InProgress,
        _ => DeployStatus::Unknown,
    };
    let initiated = match &operation["operation"]["initiatedBy"] {
        Value::Object(_) => &operation["operation"]["initiatedBy"],
        _ => &operation["initiatedBy"],
    };
    let (actor, actor_type) = actor(initiated);
    let source = match source(&operation["syncResult"]) {
        Value::Null => app.spec_source,
        s => s,
    };
    let mut attributes = app.common.clone();
    add_source(&mut attributes, source);
    attributes.insert("phase".to_owned(), phase);
    for key in ["message", "startedAt", "finishedAt"] {
        if let Some(value) = text(&operation[key]) {
            attributes.insert(key.to_owned(), value);
        }
    }
    let stamp = started.unwrap_or(at).to_rfc3339();
    Parsed::Record(Record::Deployment(Deployment {
        natural_key: format!("argocd:{}:operation:{stamp}", app.name),
        service: app.service.clone(),
        environment: app.environment.clone(),
        version: text(&source["targetRevision"]),
        sha,
        status,
        actor,
        actor_type,
        action: "sync".to_owned(),
        at,
        attributes,
        updated_at: None,
        source: SourceRef::pointer(file, pointer),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{collect, deployment};

    const YAML: &str = "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: Checkout_API
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: Prod
  source:
    repoURL: https://github.com/acme/deploy.git
    path: apps/checkout
    targetRevision: HEAD
status:
  history:
  - id: 11
    revision: 6DCB09B5B57875F334F61AEBED695E2E4193DB5E
    deployStartedAt: \"2026-11-18T08:59:00Z\"
    deployedAt: \"2026-11-18T09:00:00Z\"
    initiatedBy:
      automated: true
    source:
      repoURL: https://github.com/acme/deploy.git
      path: apps/checkout
      targetRevision: v2.4.0
  - id: 12
    revision: a1b2c3
    deployStartedAt: \"2026-11-18T10:00:00Z\"
    deployedAt: \"2026-11-18T10:01:00Z\"
    initiatedBy:
      username: zoë@acme.io
  - id: 13
    deployedAt: never
  operationState:
    phase: Failed
    message: \"one or more objects failed to apply\"
    startedAt: \"2026-11-18T11:00:00Z\"
    finishedAt: \"2026-11-18T11:02:00Z\"
    operation:
      sync:
        revision: ffee00
      initiatedBy:
        username: admin
    syncResult:
      revision: ffee00
";

    fn run(text: &str) -> Vec<Parsed> {
        collect(Box::new(|sink| parse("app.yaml", text.as_bytes(), sink)))
    }

    #[test]
    fn history_and_failed_operation_from_yaml() {
        let out = run(YAML);
        assert_eq!(out.len(), 4);
        let d = deployment(&out[0]);
        assert_eq!(d.natural_key, "argocd:Checkout_API:11");
        assert_eq!(d.service, "checkout-api");
        assert_eq!(d.environment.as_deref(), Some("prod"));
        assert_eq!(
            d.sha.as_deref(),
            Some("6dcb09b5b57875f334f61aebed695e2e4193db5e")
        );
        assert_eq!(d.version.as_deref(), Some("v2.4.0"));
        assert_eq!(d.actor.as_deref(), Some("argocd"));
        assert_eq!(d.actor_type.as_deref(), Some("automation"));
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.at.to_rfc3339(), "2026-11-18T09:00:00+00:00");
        assert_eq!(d.source.location, "/status/history/0");
        let attr = |k: &str| d.attributes.get(k).map(String::as_str);
        assert_eq!(attr("deployStartedAt"), Some("2026-11-18T08:59:00Z"));
        assert_eq!(attr("repoURL"), Some("https://github.com/acme/deploy.git"));
        assert_eq!(attr("path"), Some("apps/checkout"));
        let d = deployment(&out[1]);
        assert_eq!(d.actor.as_deref(), Some("zoë@acme.io"));
        assert_eq!(d.actor_type.as_deref(), Some("human"));
        assert_eq!(d.version.as_deref(), Some("HEAD"));
        let Parsed::Rejected(r) = &out[2] else {
            panic!("{:?}", out[2])
        };
        assert_eq!(r.location, "/status/history/2");
        assert_eq!(r.field.as_deref(), Some("deployedAt"));
        let d = deployment(&out[3]);
        assert_eq!(d.status, DeployStatus::Failed);
        assert_eq!(d.sha.as_deref(), Some("ffee00"));
        assert_eq!(d.actor.as_deref(), Some("admin"));
        assert_eq!(d.at.to_rfc3339(), "2026-11-18T11:02:00+00:00");
        assert_eq!(
            d.natural_key,
            "argocd:Checkout_API:operation:2026-11-18T11:00:00+00:00"
        );
    }

    #[test]
    fn a_succeeded_operation_already_in_history_is_not_repeated() {
        let json = r#"{"metadata": {"name": "web"}, "spec": {"destination": {"namespace": "staging"}},
          "status": {"sourceType": "Kustomize",
            "history": [{"id": 1, "revision": "abc", "deployedAt": "2026-11-18T09:00:00Z", "deployStartedAt": "2026-11-18T08:58:00Z"}],
            "operationState": {"phase": "Succeeded", "startedAt": "2026-11-18T08:58:00Z", "finishedAt": "2026-11-18T09:00:00Z",
              "operation": {"sync": {"revision": "abc"}}, "syncResult": {"revision": "abc"}}}}"#;
        assert!(looks_like(json));
        let out = run(json);
        assert_eq!(out.len(), 1);
        assert_eq!(deployment(&out[0]).environment.as_deref(), Some("staging"));
    }

    #[test]
    fn malformed_yaml_and_json_name_a_line() {
        let err = parse(
            "a.yaml",
            b"kind: Application\nmetadata:\n  name: [x\n",
            &mut |_| {},
        )
        .expect_err("bad yaml");
        assert!(
            matches!(err, IngestError::Malformed { line, .. } if line >= 3),
            "{err:?}"
        );
        let err = parse(
            "a.json",
            b"{\"kind\": \"Application\",\n\"status\": {",
            &mut |_| {},
        )
        .expect_err("bad json");
        assert!(
            matches!(err, IngestError::Malformed { line: 2, .. }),
            "{err:?}"
        );
        for end in 0..YAML.len() {
            if let Some(prefix) = YAML.get(..end) {
                let _ = parse("a.yaml", prefix.as_bytes(), &mut |_| {});
            }
        }
        for odd in [
            "",
            "42",
            "[1]",
            "{}",
            "- a\n- b\n",
            "kind: List\nitems: [1, {metadata: 2}]\n",
        ] {
            let _ = parse("a.yaml", odd.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(YAML));
        assert!(!looks_like(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n"
        ));
        assert!(!looks_like(
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"involvedObject\": {}}]}"
        ));
        assert!(!looks_like("ts=1 service=a"));
    }
}
