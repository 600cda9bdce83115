//! Jira issues from the search API: the body of `GET /rest/api/3/search` (or `/rest/api/2/...`,
//! or the newer `/rest/api/3/search/jql`) with `expand=changelog`:
//! `{"startAt", "maxResults", "total", "issues": [{"id", "key", "fields": {...}, "changelog"}]}`.
//! A single issue (`GET /rest/api/3/issue/{key}`) is read too.
//!
//! API v3 writes `description` as an Atlassian Document Format tree; its text nodes are joined
//! back into plain text. Status transitions from the changelog become the change's reviews, as
//! `status: From -> To` by the person who moved the issue.

use std::collections::BTreeMap;

use hindsight_model::{Change, ChangeKind, Person, Record, Review, SourceRef};
use serde_json::Value;

use crate::json::text;
use crate::time::parse_timestamp;
use crate::{json::reject, IngestError, Parsed};

/// True when the head is a Jira search response (or one issue): `issues`/`key` with `fields`
/// and a Jira-only marker.
pub(crate) fn looks_like(head: &str) -> bool {
    head.starts_with('{')
        && head.contains("\"fields\"")
        && head.contains("\"key\"")
        && (head.contains("\"issues\"") || head.contains("\"issuetype\""))
        && [
            "\"issuetype\"",
            "/rest/api/",
            "\"startAt\"",
            "\"maxResults\"",
        ]
        .iter()
        .any(|marker| head.contains(marker))
        && !head.contains("\"incidents\"")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    match (&document["issues"], &document) {
        (Value::Array(issues), _) => {
            for (index, issue) in issues.iter().enumerate() {
                sink(to_change(file, &format!("/issues/{index}"), issue));
            }
        }
        (_, Value::Object(map)) if map.contains_key("key") && map.contains_key("fields") => {
            sink(to_change(file, "", &document));
        }
        _ => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: "expected a Jira search response with an `issues` array".to_owned(),
            })
        }
    }
    Ok(())
}

/// Plain text of a description: a string as it is, an ADF document with its text nodes joined
/// (paragraph-like blocks end with a newline, `hardBreak` is a newline).
pub(crate) fn plain_text(value: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        match node {
            Value::String(s) => out.push_str(s),
            Value::Array(nodes) => nodes.iter().for_each(|n| walk(n, out)),
            Value::Object(map) => {
                let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
                match kind {
                    "text" => {
                        if let Some(t) = map.get("text").and_then(Value::as_str) {
                            out.push_str(t);
                        }
                    }
                    "hardBreak" => out.push('\n'),
                    "mention" | "emoji" | "status" | "date" | "inlineCard" => {
                        let attrs = &node["attrs"];
                        if let Some(t) = ["text", "shortName", "url", "timestamp"]
                            .iter()
                            .find_map(|k| attrs[*k].as_str())
                        {
                            out.push_str(t);
                        }
                    }
                    _ => {
                        if let Some(content) = map.get("content") {
                            walk(content, out);
                        }
                        if matches!(
                            kind,
                            "paragraph" | "heading" | "codeBlock" | "listItem" | "blockquote"
                        ) && !out.ends_with('\n')
                        {
                            out.push('\n');
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    walk(value, &mut out);
    out.trim().to_owned()
}

fn person(user: &Value) -> Option<Person> {
    let name = text(&user["displayName"]).or_else(|| text(&user["name"]))?;
    Some(Person {
        name,
        email: text(&user["emailAddress"]).unwrap_or_default(),
    })
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|v| text(&v["name"]).or_else(|| text(v)))
        .collect()
}

fn transitions(issue: &Value) -> Vec<Review> {
    let mut out = Vec::new();
    for history in issue["changelog"]["histories"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        let at = text(&history["created"]).and_then(|t| parse_timestamp(&t));
        let reviewer = text(&history["author"]["displayName"])
            .or_else(|| text(&history["author"]["name"]))
            .unwrap_or_else(|| "unknown".to_owned());
        for item in history["items"].as_array().map_or(&[][..], Vec::as_slice) {
            if item["field"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref()
                != Some("status")
            {
                continue;
            }
            let from = text(&item["fromString"]).unwrap_or_else(|| "?".to_owned());
            let to = text(&item["toString"]).unwrap_or_else(|| "?".to_owned());
            out.push(Review {
                reviewer: reviewer.clone(),
                state: format!("status: {from} -> {to}"),
                at,
            });
        }
    }
    // Jira lists histories oldest first in the search API but newest first elsewhere.
    out.sort_by_key(|r| (r.at.is_none(), r.at));
    out
}

fn to_change(file: &str, pointer: &str, issue: &Value) -> Parsed {
    let fail = |field: &str, reason: &str| reject(pointer, issue, Some(field), reason);
    if !issue.is_object() {
        return reject(pointer, issue, None, "an issue must be a JSON object");
    }
    let Some(key) = text(&issue["key"]) else {
        return fail("key", "missing issue key");
    };
    let fields = &issue["fields"];
    if !fields.is_object() {
        return fail("fields", "missing fields object");
    }
    let mut times = BTreeMap::new();
    for name in ["created", "updated", "resolutiondate"] {
        if let Some(t) = text(&fields[name]) {
            let Some(at) = parse_timestamp(&t) else {
                return fail(
                    &format!("fields.{name}"),
                    &format!("not a timestamp: {t:?}"),
                );
            };
            times.insert(name, at);
        }
    }

    let mut change = Change::new(ChangeKind::Ticket, key, SourceRef::pointer(file, pointer));
    change.title = text(&fields["summary"]).unwrap_or_default();
    change.message = plain_text(&fields["description"]);
    change.author = person(&fields["reporter"]).or_else(|| person(&fields["creator"]));
    change.committer = person(&fields["assignee"]);
    change.authored_at = times.get("created").copied();
    change.committed_at = ["resolutiondate", "updated", "created"]
        .iter()
        .find_map(|k| times.get(k).copied());
    change.updated_at = times.get("updated").copied();
    change.labels = names(&fields["labels"]);
    change.reviews = transitions(issue);
    change.repo = text(&fields["project"]["key"]);

    let mut keep = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            change.attributes.insert(key.to_owned(), value);
        }
    };
    keep("id", text(&issue["id"]));
    keep("self", text(&issue["self"]));
    keep("issuetype", text(&fields["issuetype"]["name"]));
    keep("status", text(&fields["status"]["name"]));
    keep(
        "status_category",
        text(&fields["status"]["statusCategory"]["key"]),
    );
    keep("priority", text(&fields["priority"]["name"]));
    keep("resolution", text(&fields["resolution"]["name"]));
    keep("components", Some(names(&fields["components"]).join(", ")));
    keep(
        "fix_versions",
        Some(names(&fields["fixVersions"]).join(", ")),
    );
    keep("project", text(&fields["project"]["key"]));
    keep("parent", text(&fields["parent"]["key"]));
    for name in ["created", "updated", "resolutiondate", "duedate"] {
        keep(name, text(&fields[name]));
    }
    keep("assignee_email", text(&fields["assignee"]["emailAddress"]));
    Parsed::Record(Record::Change(change))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{change, collect};

    const SAMPLE: &str = r#"{"expand": "schema,names", "startAt": 0, "maxResults": 50, "total": 4, "issues": [
  {"expand": "operations,changelog", "id": "10012", "self": "https://acme.atlassian.net/rest/api/3/issue/10012", "key": "OPS-12",
   "fields": {
     "summary": "Rotate payment-gateway TLS certificate",
     "description": {"type": "doc", "version": 1, "content": [
       {"type": "paragraph", "content": [{"type": "text", "text": "Cert expires "}, {"type": "text", "text": "Friday", "marks": [{"type": "strong"}]}, {"type": "text", "text": "."}]},
       {"type": "paragraph", "content": [{"type": "text", "text": "Owner: "}, {"type": "mention", "attrs": {"id": "1", "text": "@Jürgen"}}]}
     ]},
     "issuetype": {"name": "Change"}, "status": {"name": "Done", "statusCategory": {"key": "done"}},
     "project": {"key": "OPS"},
     "created": "2026-11-18T09:12:45.000+0100", "updated": "2026-11-18T12:00:00.000+0100",
     "resolutiondate": "2026-11-18T11:30:00.000+0100",
     "labels": ["tls", "payments"], "components": [{"name": "gateway"}, {"name": "edge"}],
     "reporter": {"displayName": "Jürgen Groß", "emailAddress": "jg@example.com"},
     "assignee": {"displayName": "Ana", "emailAddress": null}
   },
   "changelog": {"startAt": 0, "maxResults": 2, "total": 2, "histories": [
     {"id": "2", "author": {"displayName": "Ana"}, "created": "2026-11-18T11:30:00.000+0100",
      "items": [{"field": "status", "fieldtype": "jira", "fromString": "In Progress", "toString": "Done"},
                {"field": "resolution", "fromString": null, "toString": "Done"}]},
     {"id": "1", "author": {"displayName": "Ana"}, "created": "2026-11-18T10:00:00.000+0100",
      "items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}]}
   ]}},
  {"id": "10013", "key": "OPS-13", "fields": {"summary": "Plain", "description": "v2 text", "created": "2026-11-18T08:00:00.000+0000", "labels": "oops"}},
  {"id": "10014", "fields": {"summary": "no key"}},
  {"id": "10015", "key": "OPS-15", "fields": {"created": "Tuesday"}}
]}"#;

    fn run(text: &str) -> Vec<Parsed> {
        collect(Box::new(|sink| parse("jira.json", text.as_bytes(), sink)))
    }

    #[test]
    fn issue_fields_adf_and_transitions() {
        let out = run(SAMPLE);
        assert_eq!(out.len(), 4);
        let c = change(&out[0]);
        assert_eq!(c.kind, ChangeKind::Ticket);
        assert_eq!(c.natural_key, "OPS-12");
        assert_eq!(c.title, "Rotate payment-gateway TLS certificate");
        assert_eq!(c.message, "Cert expires Friday.\nOwner: @Jürgen");
        assert_eq!(c.labels, ["tls", "payments"]);
        assert_eq!(
            c.author
                .as_ref()
                .map(|p| (p.name.as_str(), p.email.as_str())),
            Some(("Jürgen Groß", "jg@example.com"))
        );
        assert_eq!(
            c.authored_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T08:12:45+00:00")
        );
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T10:30:00+00:00")
        );
        let attr = |k: &str| c.attributes.get(k).map(String::as_str);
        assert_eq!(attr("issuetype"), Some("Change"));
        assert_eq!(attr("status"), Some("Done"));
        assert_eq!(attr("components"), Some("gateway, edge"));
        assert_eq!(attr("resolutiondate"), Some("2026-11-18T11:30:00.000+0100"));
        let states: Vec<_> = c.reviews.iter().map(|r| r.state.as_str()).collect();
        assert_eq!(
            states,
            [
                "status: To Do -> In Progress",
                "status: In Progress -> Done"
            ]
        );
        assert_eq!(c.reviews[0].reviewer, "Ana");
        assert_eq!(
            c.reviews[0].at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T09:00:00+00:00")
        );
    }

    #[test]
    fn plain_descriptions_and_rejections() {
        let out = run(SAMPLE);
        let c = change(&out[1]);
        assert_eq!(c.message, "v2 text");
        assert!(c.labels.is_empty());
        assert!(c.reviews.is_empty());
        let Parsed::Rejected(r) = &out[2] else {
            panic!("{:?}", out[2])
        };
        assert_eq!(
            (r.location.as_str(), r.field.as_deref()),
            ("/issues/2", Some("key"))
        );
        let Parsed::Rejected(r) = &out[3] else {
            panic!("{:?}", out[3])
        };
        assert_eq!(r.field.as_deref(), Some("fields.created"));
    }

    #[test]
    fn single_issue_truncation_and_detection() {
        let one = r#"{"id": "1", "key": "OPS-1", "self": "https://a.atlassian.net/rest/api/2/issue/1", "fields": {"summary": "x", "issuetype": {"name": "Task"}}}"#;
        assert!(looks_like(one));
        assert_eq!(change(&run(one)[0]).source.location, "");
        assert!(looks_like(SAMPLE));
        assert!(!looks_like("{\"incidents\": [{\"id\": \"P1\"}]}"));
        assert!(!looks_like("{\"result\": [{\"number\": \"CHG1\"}]}"));
        let err = parse("j", &SAMPLE.as_bytes()[..500], &mut |_| {}).expect_err("truncated");
        assert!(
            matches!(err, IngestError::Malformed { line: 6, .. }),
            "{err:?}"
        );
        for end in (0..SAMPLE.len()).step_by(5) {
            if let Some(prefix) = SAMPLE.get(..end) {
                let _ = parse("j", prefix.as_bytes(), &mut |_| {});
            }
        }
        for odd in [
            "{}",
            "[]",
            "{\"issues\": {}}",
            "{\"issues\": [1, null, {\"key\": 3}]}",
        ] {
            let _ = parse("j", odd.as_bytes(), &mut |_| {});
        }
    }
}
