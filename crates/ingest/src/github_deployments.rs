//! GitHub REST deployments: the body of `GET /repos/{owner}/{repo}/deployments` (an array of
//! deployment objects) or of `GET /repos/{owner}/{repo}/deployments/{id}` (one object).
//!
//! A deployment has no outcome of its own: that lives in its statuses
//! (`GET .../deployments/{id}/statuses`, newest first), which exporters commonly save inside
//! each deployment as a `"statuses": [...]` array. A deployment without one is `unknown`.
//! Embedded statuses are also handed on as statuses (right after their deployment, located at
//! `/N/statuses/M`), so each is an entry on the timeline, as from a statuses file.
//!
//! `gh api --paginate` writes one array per page back to back (`[...][...]`) and `--jq '.[]'`
//! writes one object per line; both are read too. With a single top-level value the locations
//! are plain JSON pointers (`/3`); with several, the value's index comes first (`/1/3`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_model::{normalise_service_name, DeployStatus, Deployment, Record, SourceRef};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{json::reject, IngestError, Parsed};

/// True when a JSON document's head shows GitHub deployment objects: a `sha` and one of the
/// keys only GitHub's deployment resource carries.
pub(crate) fn looks_like(head: &str) -> bool {
    let head = head.trim_start();
    if !(head.starts_with('[') || head.starts_with('{')) {
        return false;
    }
    // Incident documents and GitLab deployments are someone else's.
    if head.contains("\"incidents\"")
        || head.contains("\"deployable\"")
        || head.contains("\"merge_commit_sha\"")
    {
        return false;
    }
    head.contains("\"sha\"")
        && [
            "\"statuses_url\"",
            "\"production_environment\"",
            "\"transient_environment\"",
            "\"original_environment\"",
        ]
        .iter()
        .any(|key| head.contains(key))
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    for (pointer, item) in json_items(file, bytes, "GitHub deployments")? {
        let deployment = to_deployment(file, &pointer, &item);
        let key = match &deployment {
            Parsed::Record(Record::Deployment(d)) => Some(d.natural_key.clone()),
            _ => None,
        };
        sink(deployment);
        // Embedded statuses are kept as statuses too (after their deployment), so each one is
        // an entry on the timeline, as from a statuses file of their own.
        if let Some(key) = key {
            for (i, status) in item["statuses"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                sink(crate::github_deployment_statuses::status_of(
                    file,
                    &format!("{pointer}/statuses/{i}"),
                    status,
                    key.clone(),
                ));
            }
        }
    }
    Ok(())
}

/// Reads a whole file of JSON values (usually one) and returns every deployment-like item with
/// its location: the elements of top-level arrays (or of a `deployments` array in a wrapper
/// object), and top-level objects themselves. Nothing is returned unless the whole file is
/// valid JSON, so a truncated file yields no records.
pub(crate) fn json_items(
    file: &str,
    bytes: &[u8],
    what: &str,
) -> Result<Vec<(String, Value)>, IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut documents = Vec::new();
    for document in serde_json::Deserializer::from_slice(bytes).into_iter::<Value>() {
        documents.push(document.map_err(|e| IngestError::Malformed {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: format!("not valid JSON: {e}"),
        })?);
    }
    if documents.is_empty() {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: format!("empty file: expected {what} as a JSON array"),
        });
    }
    let several = documents.len() > 1;
    let mut items = Vec::new();
    for (index, document) in documents.into_iter().enumerate() {
        let base = if several {
            format!("/{index}")
        } else {
            String::new()
        };
        match document {
            Value::Array(elements) => items.extend(
                elements
                    .into_iter()
                    .enumerate()
                    .map(|(i, element)| (format!("{base}/{i}"), element)),
            ),
            Value::Object(mut map) => match map.remove("deployments") {
                Some(Value::Array(elements)) if !map.contains_key("id") => items.extend(
                    elements
                        .into_iter()
                        .enumerate()
                        .map(|(i, element)| (format!("{base}/deployments/{i}"), element)),
                ),
                other => {
                    if let Some(value) = other {
                        map.insert("deployments".to_owned(), value);
                    }
                    items.push((base, Value::Object(map)));
                }
            },
            other => {
                return Err(IngestError::Invalid {
                    file: file.to_owned(),
                    message: format!(
                        "expected {what} as a JSON array or object, found {}",
                        kind(&other)
                    ),
                })
            }
        }
    }
    Ok(items)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `owner` and `repo` from an API URL such as `https://api.github.com/repos/octocat/example`
/// (GitHub Enterprise puts `/api/v3` in front; the `/repos/` segment is the same).
pub(crate) fn owner_and_repo(url: &str) -> Option<(String, String)> {
    let (_, rest) = url.split_once("/repos/")?;
    let mut parts = rest.split(['/', '?', '#']);
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some((owner.to_owned(), repo.to_owned()))
}

/// `payload.service`, when the payload (an object, or an object encoded as a string) names one.
fn payload_service(payload: &Value) -> Option<String> {
    match payload {
        Value::Object(_) => text(&payload["service"]).filter(|_| payload["service"].is_string()),
        Value::String(encoded) => serde_json::from_str::<Value>(encoded)
            .ok()
            .filter(Value::is_object)
            .and_then(|decoded| decoded["service"].as_str().map(str::to_owned))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn status_time(status: &Value) -> Option<DateTime<Utc>> {
    text(&status["created_at"]).and_then(|t| parse_timestamp(&t))
}

/// The newest status with the given state (any state when `None`): the latest `created_at`,
/// the earliest in the array on a tie (GitHub lists newest first). When no status has a
/// readable time, the first object in the array stands in for the newest.
fn newest<'a>(
    statuses: &'a [Value],
    state: Option<&str>,
) -> Option<(&'a Value, Option<DateTime<Utc>>)> {
    let wanted =
        |s: &&Value| s.is_object() && state.is_none_or(|state| s["state"].as_str() == Some(state));
    let mut best: Option<(&Value, DateTime<Utc>)> = None;
    for status in statuses.iter().filter(wanted) {
        if let Some(at) = status_time(status) {
            match best {
                Some((_, best_at)) if best_at >= at => {}
                _ => best = Some((status, at)),
            }
        }
    }
    match best {
        Some((status, at)) => Some((status, Some(at))),
        None => statuses.iter().find(wanted).map(|s| (s, None)),
    }
}

pub(crate) fn deploy_status(state: &str) -> DeployStatus {
    match state {
        "success" | "inactive" => DeployStatus::Succeeded,
        "failure" | "error" => DeployStatus::Failed,
        "in_progress" | "queued" | "pending" => DeployStatus::InProgress,
        _ => DeployStatus::Unknown,
    }
}

fn to_deployment(file: &str, pointer: &str, item: &Value) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, item, Some(field), reason);
    if !item.is_object() {
        return reject(pointer, item, None, "a deployment must be a JSON object");
    }
    let Some(id) = text(&item["id"]) else {
        return fail("id", "missing deployment id");
    };
    let Some(sha) = text(&item["sha"]) else {
        return fail("sha", "missing sha");
    };
    let Some(created_text) = text(&item["created_at"]) else {
        return fail("created_at", "missing created_at");
    };
    let Some(created_at) = parse_timestamp(&created_text) else {
        return fail("created_at", &format!("not a timestamp: {created_text:?}"));
    };
    let repo = ["repository_url", "url", "statuses_url"]
        .iter()
        .find_map(|key| item[*key].as_str().and_then(owner_and_repo));
    let Some(service) = payload_service(&item["payload"])
        .or_else(|| repo.as_ref().map(|(_, name)| name.clone()))
        .map(|s| normalise_service_name(&s))
        .filter(|s| !s.is_empty())
    else {
        return fail(
            "service",
            "no repository in repository_url or url, and no payload.service",
        );
    };
    let natural_key = match &repo {
        Some((owner, name)) => format!("github:{owner}/{name}:deployment:{id}"),
        None => format!("github:deployment:{id}"),
    };

    let statuses: &[Value] = item["statuses"].as_array().map_or(&[], Vec::as_slice);
    let latest = newest(statuses, None);
    let state = latest.and_then(|(s, _)| s["state"].as_str().map(str::to_ascii_lowercase));
    let status = state
        .as_deref()
        .map_or(DeployStatus::Unknown, deploy_status);
    let at = match (state.as_deref(), latest) {
        // An inactive deployment was superseded later; it went live when it succeeded.
        (Some("inactive"), Some((_, when))) => newest(statuses, Some("success"))
            .and_then(|(_, t)| t)
            .or(when)
            .unwrap_or(created_at),
        (Some("success" | "failure" | "error"), Some((_, when))) => when.unwrap_or(created_at),
        _ => created_at,
    };

    let creator = &item["creator"];
    let actor = text(&creator["login"]);
    let actor_type = actor.as_ref().map(|login| {
        let bot = creator["type"].as_str() == Some("Bot") || login.ends_with("[bot]");
        if bot { "automation" } else { "human" }.to_owned()
    });
    let task = text(&item["task"]);
    let action = if task
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("rollback"))
    {
        "rollback"
    } else {
        "deploy"
    };

    let mut attributes = BTreeMap::new();
    attributes.insert("github_id".to_owned(), id);
    attributes.insert("statuses_count".to_owned(), statuses.len().to_string());
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    };
    keep("description", text(&item["description"]));
    keep("task", task);
    keep("original_environment", text(&item["original_environment"]));
    for flag in ["production_environment", "transient_environment"] {
        keep(flag, item[flag].as_bool().map(|b| b.to_string()));
    }
    keep("state", state);
    if let Some((latest, _)) = latest {
        keep("status_description", text(&latest["description"]));
        for url in ["environment_url", "log_url", "target_url"] {
            keep(url, text(&latest[url]));
        }
    }

    Parsed::Record(Record::Deployment(Deployment {
        natural_key,
        service,
        environment: text(&item["environment"]).map(|e| e.to_lowercase()),
        version: text(&item["ref"]),
        sha: Some(sha.to_ascii_lowercase()),
        status,
        actor,
        actor_type,
        action: action.to_owned(),
        at,
        attributes,
        updated_at: text(&item["updated_at"]).and_then(|t| parse_timestamp(&t)),
        source: SourceRef::pointer(file, pointer),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{deployment, rejection};

    const SAMPLE: &str = r#"[
  {
    "url": "https://api.github.com/repos/acme/checkout/deployments/1",
    "id": 1,
    "sha": "A84D88E7554FC1FA21BCBC4EFAE3C782A70D2B9D",
    "ref": "v2.15.0",
    "task": "deploy",
    "payload": {},
    "original_environment": "staging",
    "environment": "Production",
    "description": "Deploy request from hubot",
    "creator": {"login": "octocat", "id": 1, "type": "User"},
    "created_at": "2026-11-17T13:50:00Z",
    "statuses_url": "https://api.github.com/repos/acme/checkout/deployments/1/statuses",
    "repository_url": "https://api.github.com/repos/acme/checkout",
    "production_environment": true,
    "statuses": [
      {"id": 3, "state": "success", "created_at": "2026-11-17T13:58:00Z", "log_url": "https://example.com/log/1"},
      {"id": 2, "state": "in_progress", "created_at": "2026-11-17T13:51:00Z"}
    ]
  },
  {
    "id": 2,
    "sha": "b1",
    "ref": "main",
    "task": "deploy:rollback",
    "payload": "{\"service\": \"Payments API\"}",
    "environment": "staging",
    "creator": {"login": "deploy-robot[bot]", "type": "User"},
    "created_at": "2026-11-17T14:00:00Z",
    "statuses": [
      {"state": "pending", "created_at": "2026-11-17T14:00:05Z"},
      {"state": "failure", "created_at": "2026-11-17T14:03:00Z"}
    ]
  },
  {
    "id": 3,
    "sha": "c2",
    "environment": "production",
    "creator": {"login": "github-actions", "type": "Bot"},
    "created_at": "2026-11-17T15:00:00Z",
    "repository_url": "https://github.example.com/api/v3/repos/acme/Search_Service",
    "statuses": [
      {"state": "inactive", "created_at": "2026-11-18T09:00:00Z"},
      {"state": "success", "created_at": "2026-11-17T15:04:00Z"}
    ]
  },
  {
    "id": 4,
    "sha": "d3",
    "environment": "production",
    "created_at": "2026-11-17T16:00:00Z",
    "repository_url": "https://api.github.com/repos/acme/gateway",
    "statuses": [{"state": "queued", "created_at": "2026-11-17T16:00:01Z"}]
  },
  {"id": 5, "created_at": "2026-11-17T16:00:00Z"},
  {"id": 6, "sha": "e4", "created_at": "yesterday"},
  {"id": 7, "sha": "e4", "created_at": "2026-11-17T16:00:00Z"},
  "not a deployment"
]"#;

    /// Everything the parser hands on, embedded statuses included.
    fn run_all(text: &str) -> Vec<Parsed> {
        let mut out = Vec::new();
        parse("gh.json", text.as_bytes(), &mut |p| out.push(p)).expect("parse");
        out
    }

    /// The deployments and rejections, without the embedded statuses.
    fn run(text: &str) -> Vec<Parsed> {
        run_all(text)
            .into_iter()
            .filter(|p| !matches!(p, Parsed::Record(Record::DeploymentStatus(_))))
            .collect()
    }

    #[test]
    fn embedded_statuses_follow_their_deployment_as_statuses() {
        let out = run_all(SAMPLE);
        let statuses: Vec<(usize, &hindsight_model::DeploymentStatusUpdate)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Parsed::Record(Record::DeploymentStatus(s)) => Some((i, s)),
                _ => None,
            })
            .collect();
        // Deployment 1 has two statuses, right after it, under its natural key.
        let first: Vec<_> = statuses
            .iter()
            .filter(|(_, s)| s.deployment_key == "github:acme/checkout:deployment:1")
            .collect();
        assert_eq!(first.len(), 2);
        assert_eq!((first[0].0, first[1].0), (1, 2));
        assert_eq!(first[0].1.source.location, "/0/statuses/0");
        let states: Vec<&str> = first.iter().map(|(_, s)| s.state.as_str()).collect();
        assert!(states.contains(&"success"), "{states:?}");
        // Every embedded status of a stored deployment is kept: the attribute counts them.
        let stored: usize = out
            .iter()
            .filter_map(|p| match p {
                Parsed::Record(Record::Deployment(d)) => d.attributes.get("statuses_count"),
                _ => None,
            })
            .map(|n| n.parse::<usize>().expect("count"))
            .sum();
        assert_eq!(statuses.len(), stored);
    }

    #[test]
    fn deployment_fields_from_the_newest_status() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 8);
        let d = deployment(&out[0]);
        assert_eq!(d.natural_key, "github:acme/checkout:deployment:1");
        assert_eq!(d.service, "checkout");
        assert_eq!(d.environment.as_deref(), Some("production"));
        assert_eq!(
            d.sha.as_deref(),
            Some("a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d")
        );
        assert_eq!(d.version.as_deref(), Some("v2.15.0"));
        assert_eq!(d.actor.as_deref(), Some("octocat"));
        assert_eq!(d.actor_type.as_deref(), Some("human"));
        assert_eq!(d.action, "deploy");
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T13:58:00+00:00");
        assert_eq!(d.source.location, "/0");
        let attr = |k: &str| d.attributes.get(k).map(String::as_str);
        assert_eq!(attr("github_id"), Some("1"));
        assert_eq!(attr("description"), Some("Deploy request from hubot"));
        assert_eq!(attr("statuses_count"), Some("2"));
        assert_eq!(attr("production_environment"), Some("true"));
        assert_eq!(attr("state"), Some("success"));
        assert_eq!(attr("log_url"), Some("https://example.com/log/1"));
    }

    #[test]
    fn payload_service_bot_rollback_and_unordered_statuses() {
        let out = run(SAMPLE);
        let d = deployment(&out[1]);
        assert_eq!(d.service, "payments-api");
        assert_eq!(d.natural_key, "github:deployment:2");
        assert_eq!(d.actor_type.as_deref(), Some("automation"));
        assert_eq!(d.action, "rollback");
        // The statuses are not newest first here; the latest time decides.
        assert_eq!(d.status, DeployStatus::Failed);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T14:03:00+00:00");
    }

    #[test]
    fn inactive_is_dated_by_its_success_and_enterprise_urls_name_the_repo() {
        let out = run(SAMPLE);
        let d = deployment(&out[2]);
        assert_eq!(d.natural_key, "github:acme/Search_Service:deployment:3");
        assert_eq!(d.service, "search-service");
        assert_eq!(d.actor_type.as_deref(), Some("automation"));
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T15:04:00+00:00");
        let d = deployment(&out[3]);
        assert_eq!(d.status, DeployStatus::InProgress);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T16:00:00+00:00");
        assert_eq!(d.actor, None);
        assert_eq!(d.actor_type, None);
    }

    #[test]
    fn bad_items_are_rejected_with_their_pointer() {
        let out = run(SAMPLE);
        let r = rejection(&out[4]);
        assert_eq!(
            (r.location.as_str(), r.field.as_deref()),
            ("/4", Some("sha"))
        );
        let r = rejection(&out[5]);
        assert_eq!(
            (r.location.as_str(), r.field.as_deref()),
            ("/5", Some("created_at"))
        );
        assert!(r.reason.contains("yesterday"), "{}", r.reason);
        let r = rejection(&out[6]);
        assert_eq!(r.field.as_deref(), Some("service"));
        let r = rejection(&out[7]);
        assert_eq!((r.location.as_str(), r.field.as_deref()), ("/7", None));
        assert_eq!(r.raw, "\"not a deployment\"");
    }

    #[test]
    fn no_statuses_is_unknown_at_creation() {
        let out = run(
            r#"{"id": 9, "sha": "abc", "environment": "qa", "created_at": "2026-11-17T10:00:00Z",
            "url": "https://api.github.com/repos/acme/web/deployments/9"}"#,
        );
        let d = deployment(&out[0]);
        assert_eq!(d.status, DeployStatus::Unknown);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T10:00:00+00:00");
        assert_eq!(d.source.location, "");
        assert_eq!(d.service, "web");
        assert_eq!(
            d.attributes.get("statuses_count").map(String::as_str),
            Some("0")
        );
    }

    #[test]
    fn paginated_output_is_read_page_by_page() {
        let page = r#"[{"id": 1, "sha": "a", "created_at": "2026-11-17T10:00:00Z", "repository_url": "https://api.github.com/repos/acme/web"}]"#;
        let out = run(&format!("{page}\n{page}\n"));
        assert_eq!(out.len(), 2);
        assert_eq!(deployment(&out[1]).source.location, "/1/0");
    }

    #[test]
    fn truncated_and_odd_documents() {
        let truncated = &SAMPLE[..300];
        let err = parse("gh.json", truncated.as_bytes(), &mut |_| {}).expect_err("must fail");
        let IngestError::Malformed { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, truncated.lines().count());
        for odd in ["", "42", "\"x\"", "[1, {"] {
            assert!(
                parse("gh.json", odd.as_bytes(), &mut |_| {}).is_err(),
                "{odd}"
            );
        }
        assert!(run("[]").is_empty());
        // Never panics on deep oddities.
        let out = run(
            r#"[{"id": {}, "sha": []}, {"id": 1, "sha": "a", "created_at": "2026-11-17T10:00:00Z",
            "repository_url": "https://api.github.com/repos/", "payload": {"service": 3},
            "statuses": [7, null, {"state": 1}]}]"#,
        );
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|p| matches!(p, Parsed::Rejected(_))));
    }

    #[test]
    fn no_prefix_or_mangled_copy_panics() {
        let bytes = SAMPLE.as_bytes();
        for end in 0..=bytes.len() {
            let _ = parse("gh.json", &bytes[..end], &mut |_| {});
        }
        for (from, to) in [("\"", "1"), ("{", "["), ("}", "]"), (":", ",")] {
            let _ = parse(
                "gh.json",
                SAMPLE.replacen(from, to, 3).as_bytes(),
                &mut |_| {},
            );
        }
        for value in ["null", "1", "\"x\"", "[]", "{}", "true"] {
            let mangled = SAMPLE.replace("\"2026-11-17T15:00:00Z\"", value);
            let _ = parse("gh.json", mangled.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn detection_by_keys() {
        assert!(looks_like(SAMPLE));
        assert!(looks_like(
            "{\"id\":1,\"sha\":\"a\",\"production_environment\":true}"
        ));
        assert!(!looks_like("{\"incidents\": [{\"id\": \"P1\"}]}"));
        assert!(!looks_like(
            "{\"ts\":\"2026-11-16T10:00:00Z\",\"service\":\"checkout\",\"sha\":\"abc\"}"
        ));
        assert!(!looks_like(
            "[{\"id\":42,\"iid\":2,\"sha\":\"a\",\"deployable\":{}}]"
        ));
        assert!(!looks_like(
            "[{\"id\":3,\"state\":\"success\",\"deployment_url\":\"u\"}]"
        ));
    }
}
