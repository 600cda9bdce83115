//! GitLab REST deployments: the body of `GET /projects/:id/deployments` (an array) or of
//! `GET /projects/:id/deployments/:deployment_id` (one object).
//!
//! The response does not name its project; the project's name is read from the path of the
//! deployment's pipeline or job URL (`https://gitlab.example.com/group/checkout/-/pipelines/1`
//! gives `checkout`). Locations are JSON pointers as for GitHub deployments (`/3`, or `/1/3`
//! for the second of several arrays written back to back by a paginating exporter).

use std::collections::BTreeMap;

use hindsight_model::{normalise_service_name, DeployStatus, Deployment, Record, SourceRef};
use serde_json::Value;

use crate::github_deployments::json_items;
use crate::json::reject;
use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows GitLab deployment objects: a `deployable` (the job
/// that deployed) next to an `iid` or a `sha`.
pub(crate) fn looks_like(head: &str) -> bool {
    let head = head.trim_start();
    (head.starts_with('[') || head.starts_with('{'))
        && !head.contains("\"incidents\"")
        && !head.contains("\"statuses_url\"")
        && head.contains("\"deployable\"")
        && (head.contains("\"iid\"") || head.contains("\"sha\""))
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    for (pointer, item) in json_items(file, bytes, "GitLab deployments")? {
        sink(to_deployment(file, &pointer, &item));
    }
    Ok(())
}

/// The project name in a GitLab web URL: the path segment before `/-/` (or, in URLs from
/// before GitLab 12, before `/pipelines/`, `/jobs/` or `/builds/`).
fn project_from_web_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    // With its leading slash back, a path of only `-/pipelines/1` has an empty project.
    let path = format!("/{}", path.split(['?', '#']).next().unwrap_or_default());
    let project_path = match path.as_str().split_once("/-/") {
        Some((project_path, _)) => project_path,
        None => ["/pipelines/", "/jobs/", "/builds/"]
            .iter()
            .find_map(|marker| path.split_once(marker).map(|(p, _)| p))?,
    };
    project_path
        .rsplit('/')
        .next()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

fn deploy_status(status: &str) -> DeployStatus {
    match status {
        "success" => DeployStatus::Succeeded,
        "failed" => DeployStatus::Failed,
        "running" | "created" | "blocked" => DeployStatus::InProgress,
        // canceled, skipped and anything newer: the raw word is kept as `gitlab_status`.
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
    let deployable = &item["deployable"];
    let pipeline = &deployable["pipeline"];
    // The first time the record has decides; one that is there but unreadable is an error.
    let times = [
        ("finished_at", &item["finished_at"]),
        ("deployable.finished_at", &deployable["finished_at"]),
        ("updated_at", &item["updated_at"]),
        ("created_at", &item["created_at"]),
    ];
    let Some((time_field, time_text)) = times
        .iter()
        .find_map(|(field, value)| text(value).map(|t| (*field, t)))
    else {
        return fail(
            "created_at",
            "no time (finished_at, deployable.finished_at, updated_at, created_at)",
        );
    };
    let Some(at) = parse_timestamp(&time_text) else {
        return fail(time_field, &format!("not a timestamp: {time_text:?}"));
    };
    let Some(service) = [&pipeline["web_url"], &deployable["web_url"]]
        .iter()
        .find_map(|url| url.as_str().and_then(project_from_web_url))
        .map(|name| normalise_service_name(&name))
        .filter(|name| !name.is_empty())
    else {
        return fail(
            "service",
            "a GitLab deployment does not name its project, and neither \
             deployable.pipeline.web_url nor deployable.web_url gives a project path",
        );
    };
    let environment = match &item["environment"] {
        Value::Object(_) => text(&item["environment"]["name"]),
        other => text(other),
    };
    let actor = text(&item["user"]["username"]);
    let actor_type = actor.as_ref().map(|name| {
        let name = name.to_ascii_lowercase();
        if name.ends_with("bot") || name.ends_with("[bot]") {
            "automation"
        } else {
            "human"
        }
        .to_owned()
    });
    let gitlab_status = text(&item["status"]).map(|s| s.to_ascii_lowercase());
    let status = gitlab_status
        .as_deref()
        .map_or(DeployStatus::Unknown, deploy_status);
    let deployable_name = text(&deployable["name"]);
    let action = if deployable_name
        .as_deref()
        .is_some_and(|n| n.to_ascii_lowercase().contains("rollback"))
    {
        "rollback"
    } else {
        "deploy"
    };

    let mut attributes = BTreeMap::new();
    attributes.insert("gitlab_id".to_owned(), id.clone());
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    };
    keep("iid", text(&item["iid"]));
    keep("gitlab_status", gitlab_status);
    keep("deployable_name", deployable_name);
    keep("deployable_stage", text(&deployable["stage"]));
    keep("job_url", text(&deployable["web_url"]));
    keep("pipeline_id", text(&pipeline["id"]));
    keep("pipeline_url", text(&pipeline["web_url"]));
    keep("commit_title", text(&deployable["commit"]["title"]));
    keep(
        "started_at",
        text(&deployable["started_at"])
            .map(|raw| parse_timestamp(&raw).map_or(raw, |t| t.to_rfc3339())),
    );
    keep(
        "environment_url",
        text(&item["environment"]["external_url"]),
    );

    Parsed::Record(Record::Deployment(Deployment {
        natural_key: format!("gitlab:deployment:{id}"),
        service,
        environment: environment.map(|e| e.to_lowercase()),
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
    use crate::test_support::{collect, deployment, rejection};

    const SAMPLE: &str = r#"[
  {
    "created_at": "2026-11-17T13:50:00.000Z",
    "updated_at": "2026-11-17T13:58:30.000Z",
    "finished_at": "2026-11-17T13:58:00.000Z",
    "status": "success",
    "id": 42,
    "iid": 2,
    "ref": "main",
    "sha": "A91957A858320C0E17F3A0ECA7CFACBFF50EA29A",
    "user": {"id": 1, "name": "Administrator", "username": "root", "state": "active"},
    "environment": {"id": 9, "name": "Production", "external_url": "https://checkout.example.com"},
    "deployable": {
      "id": 7, "status": "success", "stage": "deploy", "name": "deploy",
      "started_at": "2026-11-17T13:51:00.000+01:00", "finished_at": "2026-11-17T13:58:00.000Z",
      "commit": {"id": "a91957a8", "title": "Raise pool size"},
      "pipeline": {"id": 61, "sha": "a91957a8", "ref": "main", "status": "success",
        "web_url": "https://gitlab.example.com/acme/Checkout_API/-/pipelines/61"},
      "web_url": "https://gitlab.example.com/acme/Checkout_API/-/jobs/7"
    }
  },
  {
    "created_at": "2026-11-17T14:00:00Z", "updated_at": "2026-11-17T14:02:00Z",
    "finished_at": null, "status": "running", "id": 43, "iid": 3, "ref": "v1.2.0", "sha": "b1",
    "user": {"username": "project_12_bot"},
    "environment": {"name": "staging"},
    "deployable": {"name": "rollback-staging", "finished_at": null,
      "web_url": "https://gitlab.example.com/acme/payments/jobs/8"}
  },
  {"id": 44, "sha": "c2", "status": "canceled", "created_at": "2026-11-17T15:00:00Z",
   "deployable": {"pipeline": {"web_url": "https://gitlab.example.com/group/sub/gateway/-/pipelines/9"}}},
  {"id": 45, "sha": "d3", "status": "failed", "created_at": "2026-11-17T15:00:00Z", "ref": "main"},
  {"id": 46, "sha": "d3", "finished_at": "soon", "created_at": "2026-11-17T15:00:00Z"},
  {"id": 47, "created_at": "2026-11-17T15:00:00Z"},
  [1, 2]
]"#;

    fn run(text: &str) -> Vec<Parsed> {
        collect(Box::new(|sink| parse("gl.json", text.as_bytes(), sink)))
    }

    #[test]
    fn deployment_fields() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 7);
        let d = deployment(&out[0]);
        assert_eq!(d.natural_key, "gitlab:deployment:42");
        assert_eq!(d.service, "checkout-api");
        assert_eq!(d.environment.as_deref(), Some("production"));
        assert_eq!(
            d.sha.as_deref(),
            Some("a91957a858320c0e17f3a0eca7cfacbff50ea29a")
        );
        assert_eq!(d.version.as_deref(), Some("main"));
        assert_eq!(d.actor.as_deref(), Some("root"));
        assert_eq!(d.actor_type.as_deref(), Some("human"));
        assert_eq!(d.action, "deploy");
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T13:58:00+00:00");
        assert_eq!(d.source.location, "/0");
        let attr = |k: &str| d.attributes.get(k).map(String::as_str);
        assert_eq!(attr("gitlab_id"), Some("42"));
        assert_eq!(attr("iid"), Some("2"));
        assert_eq!(attr("deployable_name"), Some("deploy"));
        assert_eq!(attr("pipeline_id"), Some("61"));
        assert_eq!(attr("started_at"), Some("2026-11-17T12:51:00+00:00"));
        assert_eq!(attr("commit_title"), Some("Raise pool size"));
    }

    #[test]
    fn running_bot_rollback_from_an_old_style_job_url() {
        let out = run(SAMPLE);
        let d = deployment(&out[1]);
        assert_eq!(d.service, "payments");
        assert_eq!(d.status, DeployStatus::InProgress);
        assert_eq!(d.at.to_rfc3339(), "2026-11-17T14:02:00+00:00");
        assert_eq!(d.actor_type.as_deref(), Some("automation"));
        assert_eq!(d.action, "rollback");
        let d = deployment(&out[2]);
        assert_eq!(d.service, "gateway");
        assert_eq!(d.status, DeployStatus::Unknown);
        assert_eq!(
            d.attributes.get("gitlab_status").map(String::as_str),
            Some("canceled")
        );
        assert_eq!(d.environment, None);
        assert_eq!(d.actor, None);
    }

    #[test]
    fn bad_items_are_rejected_with_their_pointer() {
        let out = run(SAMPLE);
        let r = rejection(&out[3]);
        assert_eq!(
            (r.location.as_str(), r.field.as_deref()),
            ("/3", Some("service"))
        );
        assert!(r.reason.contains("project"), "{}", r.reason);
        let r = rejection(&out[4]);
        assert_eq!(r.field.as_deref(), Some("finished_at"));
        let r = rejection(&out[5]);
        assert_eq!(
            (r.location.as_str(), r.field.as_deref()),
            ("/5", Some("sha"))
        );
        let r = rejection(&out[6]);
        assert_eq!((r.location.as_str(), r.field.as_deref()), ("/6", None));
    }

    #[test]
    fn project_names_from_urls() {
        let p = |u: &str| project_from_web_url(u);
        assert_eq!(
            p("https://gitlab.com/a/b/checkout/-/pipelines/1?x=1").as_deref(),
            Some("checkout")
        );
        assert_eq!(
            p("https://gitlab.com/a/web/pipelines/1").as_deref(),
            Some("web")
        );
        assert_eq!(p("https://gitlab.com/-/pipelines/1"), None);
        assert_eq!(p("https://gitlab.com"), None);
        assert_eq!(p("checkout"), None);
    }

    #[test]
    fn truncated_json_names_its_line() {
        let truncated = &SAMPLE[..400];
        let err = parse("gl.json", truncated.as_bytes(), &mut |_| {}).expect_err("must fail");
        let IngestError::Malformed { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, truncated.lines().count());
    }

    #[test]
    fn no_prefix_or_mangled_copy_panics() {
        let bytes = SAMPLE.as_bytes();
        for end in 0..=bytes.len() {
            let _ = parse("gl.json", &bytes[..end], &mut |_| {});
        }
        for (from, to) in [("\"", "1"), ("{", "["), ("}", "]"), (":", ",")] {
            let _ = parse(
                "gl.json",
                SAMPLE.replacen(from, to, 3).as_bytes(),
                &mut |_| {},
            );
        }
        for value in ["null", "1", "\"x\"", "[]", "{}", "true"] {
            let mangled = SAMPLE.replace("\"2026-11-17T15:00:00Z\"", value);
            let _ = parse("gl.json", mangled.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn detection_by_keys() {
        assert!(looks_like(SAMPLE));
        assert!(!looks_like(
            "[{\"id\":1,\"sha\":\"a\",\"statuses_url\":\"u\",\"production_environment\":true}]"
        ));
        assert!(!looks_like("{\"incidents\": [{\"id\": \"P1\"}]}"));
        assert!(!looks_like(
            "{\"ts\":\"2026-11-16T10:00:00Z\",\"service\":\"checkout\",\"sha\":\"abc\"}"
        ));
    }
}
