//! GitHub REST deployment statuses saved in a file of their own: the body of
//! `GET /repos/{owner}/{repo}/deployments/{id}/statuses` (an array of status objects, newest
//! first), or several such pages back to back.
//!
//! Each status names its deployment through `deployment_url`
//! (`https://api.github.com/repos/{owner}/{repo}/deployments/{id}`), which gives the same
//! natural key the deployments file gives the deployment itself. The store keeps the statuses
//! by that key, so the two files may arrive in either order; the latest status decides the
//! deployment's outcome and finish time, and every status is an entry on the timeline.

use hindsight_model::{DeploymentStatusUpdate, Record, SourceRef};
use serde_json::Value;

use crate::github_deployments::{deploy_status, json_items, owner_and_repo};
use crate::json::reject;
use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows deployment status objects: a `deployment_url` and a
/// `state`, without the `sha` of a deployment (whose embedded statuses also carry both).
pub(crate) fn looks_like(head: &str) -> bool {
    let head = head.trim_start();
    head.starts_with('[')
        && head.contains("\"deployment_url\"")
        && head.contains("\"state\"")
        && !head.contains("\"sha\"")
        && !head.contains("\"statuses_url\"")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    for (pointer, item) in json_items(file, bytes, "GitHub deployment statuses")? {
        sink(to_status(file, &pointer, &item));
    }
    Ok(())
}

/// The natural key GitHub deployments are stored under, from a status's `deployment_url`.
fn deployment_key(url: &str) -> Option<String> {
    let (_, id) = url.trim_end_matches('/').rsplit_once("/deployments/")?;
    let id = id
        .split(['?', '#'])
        .next()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))?;
    Some(match owner_and_repo(url) {
        Some((owner, repo)) => format!("github:{owner}/{repo}:deployment:{id}"),
        None => format!("github:deployment:{id}"),
    })
}

fn to_status(file: &str, pointer: &str, item: &Value) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, item, Some(field), reason);
    if !item.is_object() {
        return reject(
            pointer,
            item,
            None,
            "a deployment status must be a JSON object",
        );
    }
    let Some(url) = text(&item["deployment_url"]) else {
        return fail("deployment_url", "missing deployment_url");
    };
    let Some(deployment_key) = deployment_key(&url) else {
        return fail(
            "deployment_url",
            &format!("not a deployment URL (…/deployments/ID): {url:?}"),
        );
    };
    status_of(file, pointer, item, deployment_key)
}

/// One status of the deployment stored under `deployment_key`: from a statuses file, or
/// embedded in its deployment (where the deployment gives the key).
pub(crate) fn status_of(file: &str, pointer: &str, item: &Value, deployment_key: String) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, item, Some(field), reason);
    if !item.is_object() {
        return reject(
            pointer,
            item,
            None,
            "a deployment status must be a JSON object",
        );
    }
    let Some(state) = text(&item["state"]).map(|s| s.to_ascii_lowercase()) else {
        return fail("state", "missing state");
    };
    let Some(created) = text(&item["created_at"]) else {
        return fail("created_at", "missing created_at");
    };
    let Some(at) = parse_timestamp(&created) else {
        return fail("created_at", &format!("not a timestamp: {created:?}"));
    };
    Parsed::Record(Record::DeploymentStatus(DeploymentStatusUpdate {
        deployment_key,
        status: deploy_status(&state),
        state,
        at,
        environment: text(&item["environment"]).map(|e| e.to_lowercase()),
        actor: text(&item["creator"]["login"]),
        description: text(&item["description"]),
        log_url: text(&item["log_url"]).or_else(|| text(&item["target_url"])),
        source: SourceRef::pointer(file, pointer),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_model::DeployStatus;

    const SAMPLE: &str = r#"[
  {
    "url": "https://api.github.com/repos/acme/checkout/deployments/42/statuses/2",
    "id": 2,
    "node_id": "MDE2OkRlcGxveW1lbnRTdGF0dXMy",
    "state": "success",
    "creator": {"login": "octocat", "id": 1, "type": "User"},
    "description": "Deployment finished successfully.",
    "environment": "Production",
    "target_url": "https://example.com/deployment/42/output",
    "created_at": "2026-11-17T13:58:00Z",
    "updated_at": "2026-11-17T13:58:00Z",
    "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/42",
    "repository_url": "https://api.github.com/repos/acme/checkout",
    "environment_url": "https://checkout.example.com",
    "log_url": "https://example.com/deployment/42/output"
  },
  {"state": "in_progress", "created_at": "2026-11-17T13:51:00Z",
   "deployment_url": "https://github.example.com/api/v3/repos/acme/checkout/deployments/43"},
  {"state": "success", "created_at": "2026-11-17T13:51:00Z",
   "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/"},
  {"state": "success", "created_at": "soon",
   "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/44"},
  {"created_at": "2026-11-17T13:51:00Z",
   "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/44"}
]"#;

    fn run(text: &str) -> Vec<Parsed> {
        let mut out = Vec::new();
        parse("statuses.json", text.as_bytes(), &mut |p| out.push(p)).expect("parse");
        out
    }

    #[test]
    fn statuses_name_their_deployment_by_key() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 5);
        let Parsed::Record(Record::DeploymentStatus(first)) = &out[0] else {
            panic!("not a status: {:?}", out[0]);
        };
        assert_eq!(first.deployment_key, "github:acme/checkout:deployment:42");
        assert_eq!(first.state, "success");
        assert_eq!(first.status, DeployStatus::Succeeded);
        assert_eq!(first.at.to_rfc3339(), "2026-11-17T13:58:00+00:00");
        assert_eq!(first.environment.as_deref(), Some("production"));
        assert_eq!(first.actor.as_deref(), Some("octocat"));
        assert_eq!(
            first.description.as_deref(),
            Some("Deployment finished successfully.")
        );
        assert_eq!(
            first.log_url.as_deref(),
            Some("https://example.com/deployment/42/output")
        );
        assert_eq!(first.source.location, "/0");
        let Parsed::Record(Record::DeploymentStatus(second)) = &out[1] else {
            panic!("not a status: {:?}", out[1]);
        };
        assert_eq!(second.deployment_key, "github:acme/checkout:deployment:43");
        assert_eq!(second.status, DeployStatus::InProgress);
    }

    #[test]
    fn bad_statuses_are_rejected_with_their_field() {
        let out = run(SAMPLE);
        let fields: Vec<_> = out[2..]
            .iter()
            .map(|p| match p {
                Parsed::Rejected(r) => r.field.clone().unwrap_or_default(),
                other => panic!("not a rejection: {other:?}"),
            })
            .collect();
        assert_eq!(fields, ["deployment_url", "created_at", "state"]);
    }

    #[test]
    fn detected_apart_from_deployments_with_embedded_statuses() {
        assert!(looks_like(SAMPLE));
        let embedded = r#"[{"id": 1, "sha": "a1", "statuses_url": "x",
            "statuses": [{"state": "success", "deployment_url": "x"}]}]"#;
        assert!(!looks_like(embedded));
    }
}
