//! GitHub REST pull requests: the body of `GET /repos/{owner}/{repo}/pulls?state=all` (an array)
//! or of `GET /repos/{owner}/{repo}/pulls/{number}` (one object, which also carries
//! `additions`, `deletions` and `merged`). `gh api --paginate` output (`[...][...]`) is read too.
//!
//! Reviews live at `GET .../pulls/{number}/reviews`. They are read when saved inside each pull
//! request as a `"reviews": [...]` array. A file holding only reviews is refused with an
//! explanation: records are stored by natural key, so a pull request built from reviews alone
//! would overwrite the title, author and times of the real one.

use std::collections::BTreeMap;

use hindsight_model::{Change, ChangeKind, Person, Record, Review, SourceRef};
use serde_json::Value;

use crate::github_deployments::json_items;
use crate::json::reject;
use crate::json::text;
use crate::time::parse_timestamp;
use crate::{IngestError, Parsed};

/// True when a JSON document's head shows pull request objects (`number`, `head`, `base` and a
/// key only pull requests carry) or a pull request reviews listing.
pub(crate) fn looks_like(head: &str) -> bool {
    if !(head.starts_with('[') || head.starts_with('{')) || head.contains("\"incidents\"") {
        return false;
    }
    let pulls = head.contains("\"number\"")
        && head.contains("\"head\"")
        && head.contains("\"base\"")
        && ["\"merge_commit_sha\"", "\"merged_at\"", "\"diff_url\""]
            .iter()
            .any(|key| head.contains(key));
    let reviews = head.contains("\"pull_request_url\"")
        && head.contains("\"submitted_at\"")
        && head.contains("\"commit_id\"");
    pulls || reviews
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let items = json_items(file, bytes, "GitHub pull requests")?;
    if !items.is_empty() && items.iter().all(|(_, item)| is_review(item)) {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "this is a pull request reviews listing (`GET .../pulls/{n}/reviews`); \
                      save each pull request with its reviews embedded as a `\"reviews\": [...]` \
                      array and ingest that file instead"
                .to_owned(),
        });
    }
    for (pointer, item) in items {
        sink(to_change(file, &pointer, &item));
    }
    Ok(())
}

fn is_review(item: &Value) -> bool {
    item.get("pull_request_url").is_some()
        && item.get("submitted_at").is_some()
        && item.get("number").is_none()
}

/// `owner/repo` from `https://github.com/o/r/pull/12` or `https://api.github.com/repos/o/r/pulls/12`.
fn repo_from_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    let path = path.split_once("/repos/").map_or(path, |(_, p)| p);
    let mut parts = path.split(['/', '?', '#']);
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{repo}"))
}

fn person(user: &Value) -> Option<Person> {
    let login = text(&user["login"])?;
    let email = match user["id"].as_u64() {
        Some(id) => format!("{id}+{login}@users.noreply.github.com"),
        None => format!("{login}@users.noreply.github.com"),
    };
    Some(Person { name: login, email })
}

fn reviews(item: &Value) -> Vec<Review> {
    let mut out: Vec<Review> = item["reviews"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|review| {
            let state = text(&review["state"])?;
            Some(Review {
                reviewer: text(&review["user"]["login"]).unwrap_or_else(|| "ghost".to_owned()),
                state: state.to_ascii_uppercase(),
                at: text(&review["submitted_at"]).and_then(|t| parse_timestamp(&t)),
            })
        })
        .collect();
    // Oldest first; pending reviews (never submitted) last.
    out.sort_by_key(|r| (r.at.is_none(), r.at));
    out
}

fn to_change(file: &str, pointer: &str, item: &Value) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, item, Some(field), reason);
    if !item.is_object() {
        return reject(pointer, item, None, "a pull request must be a JSON object");
    }
    if is_review(item) {
        return reject(
            pointer,
            item,
            None,
            "a pull request review, not a pull request: embed reviews in their pull request",
        );
    }
    let Some(number) = item["number"].as_u64() else {
        return fail("number", "missing or non-numeric pull request number");
    };
    let Some(repo) = text(&item["base"]["repo"]["full_name"]).or_else(|| {
        ["html_url", "url"]
            .iter()
            .find_map(|key| item[*key].as_str().and_then(repo_from_url))
    }) else {
        return fail(
            "base.repo.full_name",
            "no repository in base.repo.full_name, html_url or url",
        );
    };
    let Some(created_text) = text(&item["created_at"]) else {
        return fail("created_at", "missing created_at");
    };
    let Some(created_at) = parse_timestamp(&created_text) else {
        return fail("created_at", &format!("not a timestamp: {created_text:?}"));
    };
    let merged_at = match text(&item["merged_at"]) {
        Some(t) => match parse_timestamp(&t) {
            Some(at) => Some(at),
            None => return fail("merged_at", &format!("not a timestamp: {t:?}")),
        },
        None => None,
    };

    let mut change = Change::new(
        ChangeKind::PullRequest,
        format!("{repo}#{number}"),
        SourceRef::pointer(file, pointer),
    );
    change.repo = Some(repo);
    change.title = text(&item["title"]).unwrap_or_default();
    change.message = item["body"].as_str().unwrap_or_default().to_owned();
    change.author = person(&item["user"]);
    change.authored_at = Some(created_at);
    change.committed_at = Some(merged_at.unwrap_or(created_at));
    change.updated_at = text(&item["updated_at"]).and_then(|t| parse_timestamp(&t));
    change.additions = item["additions"].as_i64();
    change.deletions = item["deletions"].as_i64();
    change.labels = item["labels"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|label| text(&label["name"]).or_else(|| text(label)))
        .collect();
    change.reviews = reviews(item);
    for sha in [&item["merge_commit_sha"], &item["head"]["sha"]] {
        if let Some(sha) = text(sha).map(|s| s.to_ascii_lowercase()) {
            if !change.related.contains(&sha) {
                change.related.push(sha);
            }
        }
    }

    let merged = item["merged"].as_bool().unwrap_or(merged_at.is_some());
    let mut attributes = BTreeMap::new();
    attributes.insert("number".to_owned(), number.to_string());
    attributes.insert("merged".to_owned(), merged.to_string());
    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    };
    keep("body", text(&item["body"]).map(|_| change.message.clone()));
    keep("head_ref", text(&item["head"]["ref"]));
    keep("head_sha", text(&item["head"]["sha"]));
    keep("base_ref", text(&item["base"]["ref"]));
    keep("state", text(&item["state"]));
    keep("html_url", text(&item["html_url"]));
    keep("user_type", text(&item["user"]["type"]));
    keep("draft", item["draft"].as_bool().map(|b| b.to_string()));
    keep("merge_commit_sha", text(&item["merge_commit_sha"]));
    keep("merged_by", text(&item["merged_by"]["login"]));
    keep("author_association", text(&item["author_association"]));
    keep("milestone", text(&item["milestone"]["title"]));
    for key in ["updated_at", "closed_at", "merged_at"] {
        keep(key, text(&item[key]));
    }
    for key in ["commits", "changed_files"] {
        keep(key, item[key].as_i64().map(|n| n.to_string()));
    }
    change.attributes = attributes;
    Parsed::Record(Record::Change(change))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{change, collect};

    const SAMPLE: &str = r#"[
  {
    "url": "https://api.github.com/repos/acme/checkout/pulls/1347",
    "id": 1,
    "html_url": "https://github.com/acme/checkout/pull/1347",
    "diff_url": "https://github.com/acme/checkout/pull/1347.diff",
    "statuses_url": "https://api.github.com/repos/acme/checkout/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e",
    "number": 1347,
    "state": "closed",
    "title": "Retry payment capture — idempotently",
    "user": {"login": "octocat", "id": 583231, "type": "User"},
    "body": "Fixes #1340.\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    "labels": [{"id": 208045946, "name": "bug"}, {"name": "payments"}],
    "created_at": "2026-11-17T09:00:00Z",
    "updated_at": "2026-11-17T12:00:00Z",
    "closed_at": "2026-11-17T11:00:00Z",
    "merged_at": "2026-11-17T11:00:00Z",
    "merge_commit_sha": "E5BD3914E2E596DEBEA16F433F57875B5B90BCD6",
    "draft": false,
    "head": {"ref": "fix/retry", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e"},
    "base": {"ref": "main", "repo": {"full_name": "acme/checkout"}},
    "additions": 120,
    "deletions": 7,
    "merged": true,
    "reviews": [
      {"user": {"login": "bob"}, "state": "APPROVED", "submitted_at": "2026-11-17T10:30:00Z"},
      {"user": {"login": "carol"}, "state": "CHANGES_REQUESTED", "submitted_at": "2026-11-17T09:30:00Z"},
      {"user": {"login": "dave"}, "state": "PENDING"}
    ]
  },
  {
    "number": 12,
    "html_url": "https://github.com/acme/web/pull/12",
    "title": "Draft",
    "user": {"login": "dependabot[bot]", "type": "Bot"},
    "created_at": "2026-11-18T08:00:00+01:00",
    "merged_at": null,
    "head": {"ref": "x"},
    "base": {"ref": "main"}
  },
  {"number": "7", "created_at": "2026-11-18T08:00:00Z"},
  {"number": 8, "created_at": "2026-11-18T08:00:00Z"},
  {"number": 9, "html_url": "https://github.com/a/b/pull/9", "created_at": "soon"},
  {"id": 5, "pull_request_url": "https://api.github.com/repos/a/b/pulls/9", "submitted_at": "2026-11-18T08:00:00Z"},
  null
]"#;

    fn run(text: &str) -> Vec<Parsed> {
        collect(Box::new(|sink| parse("prs.json", text.as_bytes(), sink)))
    }

    #[test]
    fn pull_request_fields() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 7);
        let c = change(&out[0]);
        assert_eq!(c.kind, ChangeKind::PullRequest);
        assert_eq!(c.natural_key, "acme/checkout#1347");
        assert_eq!(c.repo.as_deref(), Some("acme/checkout"));
        assert_eq!(c.title, "Retry payment capture — idempotently");
        assert!(c.message.contains("Co-authored-by: Claude"));
        let author = c.author.as_ref().expect("author");
        assert_eq!(author.name, "octocat");
        assert_eq!(author.email, "583231+octocat@users.noreply.github.com");
        assert_eq!(
            c.authored_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-17T09:00:00+00:00")
        );
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-17T11:00:00+00:00")
        );
        assert_eq!((c.additions, c.deletions), (Some(120), Some(7)));
        assert_eq!(c.labels, ["bug", "payments"]);
        assert_eq!(
            c.related,
            [
                "e5bd3914e2e596debea16f433f57875b5b90bcd6",
                "6dcb09b5b57875f334f61aebed695e2e4193db5e"
            ]
        );
        let reviewers: Vec<_> = c
            .reviews
            .iter()
            .map(|r| (r.reviewer.as_str(), r.state.as_str()))
            .collect();
        assert_eq!(
            reviewers,
            [
                ("carol", "CHANGES_REQUESTED"),
                ("bob", "APPROVED"),
                ("dave", "PENDING")
            ]
        );
        let attr = |k: &str| c.attributes.get(k).map(String::as_str);
        assert_eq!(attr("head_ref"), Some("fix/retry"));
        assert_eq!(attr("base_ref"), Some("main"));
        assert_eq!(attr("state"), Some("closed"));
        assert_eq!(attr("merged"), Some("true"));
        assert_eq!(attr("user_type"), Some("User"));
        assert_eq!(
            attr("html_url"),
            Some("https://github.com/acme/checkout/pull/1347")
        );
        assert_eq!(attr("draft"), Some("false"));
        assert!(attr("body").is_some_and(|b| b.starts_with("Fixes #1340.")));
    }

    #[test]
    fn repo_from_html_url_and_unmerged_times() {
        let out = run(SAMPLE);
        let c = change(&out[1]);
        assert_eq!(c.natural_key, "acme/web#12");
        assert_eq!(
            c.author.as_ref().map(|p| p.email.as_str()),
            Some("dependabot[bot]@users.noreply.github.com")
        );
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T07:00:00+00:00")
        );
        assert_eq!(
            c.attributes.get("merged").map(String::as_str),
            Some("false")
        );
        assert!(c.related.is_empty());
        assert_eq!(c.source.location, "/1");
    }

    #[test]
    fn bad_items_are_rejected() {
        let out = run(SAMPLE);
        let fields: Vec<_> = out[2..]
            .iter()
            .map(|p| match p {
                Parsed::Rejected(r) => (r.location.clone(), r.field.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("/2".to_owned(), Some("number".to_owned())),
                ("/3".to_owned(), Some("base.repo.full_name".to_owned())),
                ("/4".to_owned(), Some("created_at".to_owned())),
                ("/5".to_owned(), None),
                ("/6".to_owned(), None),
            ]
        );
    }

    #[test]
    fn a_reviews_listing_is_refused_with_advice() {
        let reviews = r#"[{"id": 80, "user": {"login": "octocat"}, "body": "ok", "state": "APPROVED",
            "submitted_at": "2019-11-17T17:43:43Z", "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
            "pull_request_url": "https://api.github.com/repos/octocat/Hello-World/pulls/12"}]"#;
        assert!(looks_like(reviews));
        let err = parse("r.json", reviews.as_bytes(), &mut |_| {}).expect_err("refused");
        assert!(
            matches!(&err, IngestError::Invalid { message, .. } if message.contains("embedded"))
        );
    }

    #[test]
    fn single_object_truncation_and_no_panics() {
        let one = r#"{"number": 3, "base": {"repo": {"full_name": "o/r"}}, "head": {"sha": "A"},
            "created_at": "2026-11-18T08:00:00Z", "merged_at": "2026-11-18T09:00:00Z"}"#;
        let out = run(one);
        assert_eq!(change(&out[0]).natural_key, "o/r#3");
        assert_eq!(change(&out[0]).source.location, "");
        let truncated = &SAMPLE[..400];
        let err = parse("p.json", truncated.as_bytes(), &mut |_| {}).expect_err("truncated");
        assert!(matches!(err, IngestError::Malformed { line, .. } if line > 1));
        for end in (0..SAMPLE.len()).step_by(7) {
            if let Some(prefix) = SAMPLE.get(..end) {
                let _ = parse("p.json", prefix.as_bytes(), &mut |_| {});
            }
        }
        for value in ["null", "1", "[]", "{}", "true"] {
            let mangled = SAMPLE.replace("\"2026-11-17T09:00:00Z\"", value);
            let _ = parse("p.json", mangled.as_bytes(), &mut |_| {});
            let mangled = SAMPLE.replace("{\"ref\": \"main\", \"repo\"", value);
            let _ = parse("p.json", mangled.as_bytes(), &mut |_| {});
        }
    }

    #[test]
    fn detection_by_keys() {
        assert!(looks_like(SAMPLE));
        assert!(!looks_like("{\"incidents\": [{\"number\": 1}]}"));
        assert!(!looks_like(
            "[{\"id\":1,\"sha\":\"a\",\"statuses_url\":\"u\",\"production_environment\":true}]"
        ));
        assert!(!looks_like("{\"result\": [{\"number\": \"CHG1\"}]}"));
        assert!(!looks_like("ts=1 service=a"));
    }
}
