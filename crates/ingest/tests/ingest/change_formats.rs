//! GitHub pull requests, ServiceNow changes, Jira issues, Argo CD applications and Kubernetes
//! events through the public `detect` and `parse`, against the fixtures in `fixtures/formats/`.

use std::path::PathBuf;

use hindsight_ingest::{detect, parse, Format, IngestError, Parsed};
use hindsight_model::{Change, ChangeKind, DeployStatus, Deployment, Record, Rejection};

const MINE: [Format; 5] = [
    Format::GithubPullRequests,
    Format::ServiceNowChanges,
    Format::JiraIssues,
    Format::ArgoCdApplication,
    Format::KubernetesEvents,
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> Vec<u8> {
    let path = root().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn head(bytes: &[u8]) -> &[u8] {
    bytes.get(..64 * 1024).unwrap_or(bytes)
}

fn run(format: Format, file: &str, bytes: &[u8]) -> (Vec<Record>, Vec<Rejection>) {
    let mut records = Vec::new();
    let mut rejections = Vec::new();
    parse(format, file, bytes, &mut |p| match p {
        Parsed::Record(r) => records.push(r),
        Parsed::Rejected(r) => rejections.push(r),
        Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
    })
    .unwrap_or_else(|e| panic!("{file}: {e}"));
    (records, rejections)
}

fn changes(records: Vec<Record>) -> Vec<Change> {
    records
        .into_iter()
        .map(|r| match r {
            Record::Change(c) => c,
            other => panic!("not a change: {other:?}"),
        })
        .collect()
}

fn deployments(records: Vec<Record>) -> Vec<Deployment> {
    records
        .into_iter()
        .map(|r| match r {
            Record::Deployment(d) => d,
            other => panic!("not a deployment: {other:?}"),
        })
        .collect()
}

fn locations(rejections: &[Rejection]) -> Vec<(&str, Option<&str>)> {
    rejections
        .iter()
        .map(|r| (r.location.as_str(), r.field.as_deref()))
        .collect()
}

fn attr<'a>(attributes: &'a std::collections::BTreeMap<String, String>, key: &str) -> &'a str {
    attributes.get(key).map_or("", String::as_str)
}

fn rfc3339(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

#[test]
fn github_pulls_fixture() {
    let bytes = read("fixtures/formats/github-pulls/pulls.json");
    let (records, rejections) = run(Format::GithubPullRequests, "pulls.json", &bytes);
    let prs = changes(records);
    assert_eq!(prs.len(), 3);
    let pr = &prs[0];
    assert_eq!(pr.kind, ChangeKind::PullRequest);
    assert_eq!(pr.natural_key, "acme-shop/checkout#1412");
    assert_eq!(pr.repo.as_deref(), Some("acme-shop/checkout"));
    assert_eq!(
        pr.author.as_ref().map(|p| p.email.as_str()),
        Some("583231+mara-k@users.noreply.github.com")
    );
    assert_eq!(rfc3339(pr.committed_at), "2026-11-17T13:41:09+00:00");
    assert_eq!(pr.labels, ["bug", "payments"]);
    assert_eq!(
        pr.related,
        [
            "e5bd3914e2e596debea16f433f57875b5b90bcd6",
            "6dcb09b5b57875f334f61aebed695e2e4193db5e"
        ]
    );
    let reviews: Vec<_> = pr
        .reviews
        .iter()
        .map(|r| (r.reviewer.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        reviews,
        [
            ("jonas-w", "CHANGES_REQUESTED"),
            ("élodie", "COMMENTED"),
            ("jonas-w", "APPROVED")
        ]
    );
    assert!(pr.message.contains("Co-authored-by: Claude"));
    assert_eq!(attr(&pr.attributes, "merged"), "true");
    assert_eq!(attr(&pr.attributes, "head_ref"), "fix/capture-retry");
    let bot = &prs[1];
    assert_eq!(attr(&bot.attributes, "user_type"), "Bot");
    assert_eq!(attr(&bot.attributes, "merged"), "false");
    assert_eq!(rfc3339(bot.committed_at), "2026-11-17T10:00:00+00:00");
    let draft = &prs[2];
    assert_eq!(draft.message, "");
    assert_eq!(attr(&draft.attributes, "draft"), "true");
    assert_eq!(rfc3339(draft.authored_at), "2026-11-16T15:20:00+00:00");
    assert_eq!(
        locations(&rejections),
        [
            ("/3", Some("number")),
            ("/4", Some("created_at")),
            ("/5", Some("merged_at"))
        ]
    );
}

#[test]
fn github_single_pull_and_reviews_listing() {
    let bytes = read("fixtures/formats/github-pulls/pull.json");
    let (records, rejections) = run(Format::GithubPullRequests, "pull.json", &bytes);
    assert!(rejections.is_empty());
    let pr = &changes(records)[0];
    assert_eq!((pr.additions, pr.deletions), (Some(142), Some(17)));
    assert_eq!(attr(&pr.attributes, "merged_by"), "jonas-w");
    assert_eq!(pr.source.location, "");

    let bytes = read("fixtures/formats/github-pulls/reviews.json");
    assert_eq!(detect(head(&bytes)), Some(Format::GithubPullRequests));
    let err = parse(
        Format::GithubPullRequests,
        "reviews.json",
        &bytes,
        &mut |_| {},
    )
    .expect_err("a reviews listing is refused");
    assert!(
        matches!(&err, IngestError::Invalid { message, .. } if message.contains("\"reviews\"")),
        "{err}"
    );
}

/// Real pull request objects carry `statuses_url` and `head.sha`, like deployments; the GitHub
/// deployments detector (checked first) skips heads with `"merge_commit_sha"` for that reason.
#[test]
fn github_pulls_are_detected_as_pull_requests() {
    for path in [
        "fixtures/formats/github-pulls/pulls.json",
        "fixtures/formats/github-pulls/pull.json",
    ] {
        let bytes = read(path);
        assert_eq!(
            detect(head(&bytes)),
            Some(Format::GithubPullRequests),
            "{path}"
        );
    }
}

#[test]
fn servicenow_json_fixture() {
    let bytes = read("fixtures/formats/servicenow/change_request.json");
    assert_eq!(detect(head(&bytes)), Some(Format::ServiceNowChanges));
    let (records, rejections) = run(Format::ServiceNowChanges, "chg.json", &bytes);
    let tickets = changes(records);
    assert_eq!(tickets.len(), 3);
    let t = &tickets[0];
    assert_eq!(t.kind, ChangeKind::Ticket);
    assert_eq!(t.natural_key, "CHG0030001");
    assert_eq!(t.title, "Upgrade payments-db to PostgreSQL 16");
    assert!(t.message.contains("«DB-12»"));
    assert_eq!(rfc3339(t.committed_at), "2026-11-18T09:57:30+00:00");
    assert_eq!(rfc3339(t.authored_at), "2026-11-12T14:22:10+00:00");
    assert_eq!(t.author.as_ref().map(|p| p.name.as_str()), Some("Zoë Lind"));
    let a = &t.attributes;
    assert_eq!(attr(a, "type"), "Normal");
    assert_eq!(attr(a, "risk"), "Moderate");
    assert_eq!(attr(a, "approval"), "Approved");
    assert_eq!(attr(a, "cab_required"), "true");
    assert_eq!(attr(a, "close_code"), "Successful");
    assert_eq!(attr(a, "assignment_group"), "Database Ops");
    assert_eq!(attr(a, "cmdb_ci"), "payments-db-prod");
    assert_eq!(attr(a, "work_start"), "2026-11-18 09:04:00");
    assert_eq!(attr(a, "state"), "Closed");
    // No actual end yet: the planned end stands in.
    assert_eq!(
        rfc3339(tickets[1].committed_at),
        "2026-11-18T11:30:00+00:00"
    );
    assert_eq!(tickets[1].author, None);
    assert_eq!(attr(&tickets[2].attributes, "type"), "standard");
    assert_eq!(
        locations(&rejections),
        [
            ("/result/3", Some("start_date")),
            ("/result/4", Some("number")),
            ("/result/5", None)
        ]
    );
}

#[test]
fn servicenow_csv_fixture() {
    let bytes = read("fixtures/formats/servicenow/change_request.csv");
    assert_eq!(detect(head(&bytes)), Some(Format::ServiceNowChanges));
    let (records, rejections) = run(Format::ServiceNowChanges, "chg.csv", &bytes);
    let tickets = changes(records);
    assert_eq!(tickets.len(), 2);
    assert_eq!(
        tickets[0].title,
        "Deploy checkout v2.15.0, then flip \"new-cart\" flag"
    );
    assert_eq!(
        attr(&tickets[0].attributes, "assignment_group"),
        "Checkout, Payments & Co"
    );
    assert_eq!(
        rfc3339(tickets[0].committed_at),
        "2026-11-18T09:55:00+00:00"
    );
    assert_eq!(tickets[0].source.location, "line 2");
    assert_eq!(tickets[1].title, "Patch kernel on edge nodes\n(two waves)");
    assert_eq!(
        attr(&tickets[1].attributes, "assignment_group"),
        "Plattform-Betrieb Süd"
    );
    assert_eq!(
        rfc3339(tickets[1].committed_at),
        "2026-11-19T02:00:00+00:00"
    );
    assert_eq!(
        locations(&rejections),
        [("line 5", None), ("line 6", Some("end_date"))]
    );
}

#[test]
fn jira_fixture() {
    let bytes = read("fixtures/formats/jira/search.json");
    assert_eq!(detect(head(&bytes)), Some(Format::JiraIssues));
    let (records, rejections) = run(Format::JiraIssues, "jira.json", &bytes);
    let issues = changes(records);
    assert_eq!(issues.len(), 2);
    let i = &issues[0];
    assert_eq!(i.kind, ChangeKind::Ticket);
    assert_eq!(i.natural_key, "OPS-12");
    assert_eq!(i.title, "Rotate payment-gateway TLS certificate");
    assert_eq!(
        i.message,
        "Certificate expires Friday.\nOwner: @Jürgen Groß"
    );
    assert_eq!(i.labels, ["tls", "payments"]);
    assert_eq!(
        i.author.as_ref().map(|p| p.name.as_str()),
        Some("Jürgen Groß")
    );
    assert_eq!(rfc3339(i.authored_at), "2026-11-18T08:12:45+00:00");
    assert_eq!(rfc3339(i.committed_at), "2026-11-18T10:30:00+00:00");
    assert_eq!(attr(&i.attributes, "issuetype"), "Change");
    assert_eq!(attr(&i.attributes, "status"), "Done");
    assert_eq!(attr(&i.attributes, "components"), "gateway, edge");
    assert_eq!(
        attr(&i.attributes, "resolutiondate"),
        "2026-11-18T11:30:00.000+0100"
    );
    let transitions: Vec<_> = i
        .reviews
        .iter()
        .map(|r| (r.reviewer.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        transitions,
        [
            ("Ana Souza", "status: To Do -> In Progress"),
            ("Ana Souza", "status: In Progress -> Done")
        ]
    );
    assert_eq!(issues[1].message, "");
    assert_eq!(issues[1].reviews[0].state, "status: Backlog -> In Progress");
    assert_eq!(
        locations(&rejections),
        [
            ("/issues/2", Some("fields.created")),
            ("/issues/3", Some("key")),
            ("/issues/4", None)
        ]
    );
}

#[test]
fn argocd_yaml_fixture() {
    let bytes = read("fixtures/formats/argocd/application.yaml");
    assert_eq!(detect(head(&bytes)), Some(Format::ArgoCdApplication));
    let (records, rejections) = run(Format::ArgoCdApplication, "app.yaml", &bytes);
    let deploys = deployments(records);
    assert_eq!(deploys.len(), 3);
    let d = &deploys[0];
    assert_eq!(d.natural_key, "argocd:checkout-prod:211");
    assert_eq!(d.service, "checkout-prod");
    assert_eq!(d.environment.as_deref(), Some("production"));
    assert_eq!(
        d.sha.as_deref(),
        Some("2100aa4e1920ad1a1f855cd20eab4dbad5aa952b")
    );
    assert_eq!(d.version.as_deref(), Some("main"));
    assert_eq!(
        (d.actor.as_deref(), d.actor_type.as_deref()),
        (Some("argocd"), Some("automation"))
    );
    assert_eq!(d.status, DeployStatus::Succeeded);
    assert_eq!(d.at.to_rfc3339(), "2026-11-17T13:41:30+00:00");
    assert_eq!(
        attr(&d.attributes, "deployStartedAt"),
        "2026-11-17T13:40:02Z"
    );
    assert_eq!(
        attr(&d.attributes, "repoURL"),
        "https://github.com/acme-shop/deploy.git"
    );
    assert_eq!(attr(&d.attributes, "path"), "apps/checkout/overlays/prod");
    let d = &deploys[1];
    assert_eq!(d.actor.as_deref(), Some("zoë@acme-shop.io"));
    assert_eq!(d.version.as_deref(), Some("v2.15.0"));
    let op = &deploys[2];
    assert_eq!(op.status, DeployStatus::Failed);
    assert_eq!(
        op.sha.as_deref(),
        Some("a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d")
    );
    assert_eq!(op.at.to_rfc3339(), "2026-11-18T10:02:11+00:00");
    assert_eq!(op.source.location, "/status/operationState");
    assert!(attr(&op.attributes, "message").contains("failed to apply"));
    assert_eq!(
        locations(&rejections),
        [
            ("/status/history/2", Some("deployedAt")),
            ("/status/history/3", None)
        ]
    );
}

#[test]
fn argocd_cli_json_fixture() {
    let bytes = read("fixtures/formats/argocd/app-get.json");
    assert_eq!(detect(head(&bytes)), Some(Format::ArgoCdApplication));
    let (records, rejections) = run(Format::ArgoCdApplication, "app.json", &bytes);
    assert!(rejections.is_empty());
    let deploys = deployments(records);
    // The succeeded operation is the history entry: it is not counted twice.
    assert_eq!(deploys.len(), 1);
    assert_eq!(deploys[0].service, "search-api");
    assert_eq!(deploys[0].environment.as_deref(), Some("staging"));
    assert_eq!(
        (
            deploys[0].actor.as_deref(),
            deploys[0].actor_type.as_deref()
        ),
        (Some("admin"), Some("human"))
    );
}

#[test]
fn kubernetes_events_fixture() {
    let bytes = read("fixtures/formats/kubernetes-events/events.json");
    assert_eq!(detect(head(&bytes)), Some(Format::KubernetesEvents));
    let (records, rejections) = run(Format::KubernetesEvents, "events.json", &bytes);
    let deploys = deployments(records);
    let summary: Vec<_> = deploys
        .iter()
        .map(|d| (d.service.as_str(), d.action.as_str(), d.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("checkout", "scaling_replica_set", DeployStatus::Succeeded),
            ("checkout", "successful_create", DeployStatus::Succeeded),
            ("checkout", "back_off", DeployStatus::Failed),
            ("checkout", "unhealthy", DeployStatus::Failed),
            ("checkout", "scaling_replica_set", DeployStatus::Succeeded),
            ("search-api", "failed_scheduling", DeployStatus::Failed),
        ]
    );
    let backoff = &deploys[2];
    assert_eq!(
        backoff.natural_key,
        "k8s-event:9c4a5f6e-7d8c-4291-baa9-d8e7f6a5b4c3"
    );
    assert_eq!(backoff.environment.as_deref(), Some("production"));
    assert_eq!(backoff.at.to_rfc3339(), "2026-11-18T09:24:41+00:00");
    assert_eq!(attr(&backoff.attributes, "count"), "17");
    assert_eq!(attr(&backoff.attributes, "kind"), "Pod");
    assert_eq!(attr(&backoff.attributes, "component"), "kubelet");
    assert!(attr(&backoff.attributes, "message").contains("«Fehler»"));
    assert_eq!(
        deploys[3].at.to_rfc3339(),
        "2026-11-18T09:16:30.482913+00:00"
    );
    assert_eq!(
        locations(&rejections),
        [
            ("/items/7", Some("lastTimestamp")),
            ("/items/8", Some("involvedObject.name")),
            ("/items/9", None)
        ]
    );
}

const FIXTURES: [(Format, &str); 8] = [
    (
        Format::GithubPullRequests,
        "fixtures/formats/github-pulls/pulls.json",
    ),
    (
        Format::GithubPullRequests,
        "fixtures/formats/github-pulls/pull.json",
    ),
    (
        Format::ServiceNowChanges,
        "fixtures/formats/servicenow/change_request.json",
    ),
    (
        Format::ServiceNowChanges,
        "fixtures/formats/servicenow/change_request.csv",
    ),
    (Format::JiraIssues, "fixtures/formats/jira/search.json"),
    (
        Format::ArgoCdApplication,
        "fixtures/formats/argocd/application.yaml",
    ),
    (
        Format::ArgoCdApplication,
        "fixtures/formats/argocd/app-get.json",
    ),
    (
        Format::KubernetesEvents,
        "fixtures/formats/kubernetes-events/events.json",
    ),
];

#[test]
fn truncated_fixtures_are_malformed_with_a_line() {
    for (format, path) in FIXTURES {
        let bytes = read(path);
        // Cut two characters into a quoted value past the middle: truncated YAML or CSV is
        // only detectably broken inside quotes (cut between lines, it is a shorter document).
        let text = String::from_utf8(bytes).expect("utf-8 fixture");
        let middle = text.len() / 2;
        let cut = [": \"", ",\""]
            .iter()
            .filter_map(|open| {
                text[middle..]
                    .find(open)
                    .map(|i| middle + i + open.len() + 2)
            })
            .min()
            .unwrap_or(middle);
        assert!(text.is_char_boundary(cut), "{path}");
        let err = parse(format, path, &text.as_bytes()[..cut], &mut |_| {}).expect_err(path);
        match err {
            IngestError::Malformed { line, .. } => {
                let expected = text[..cut].lines().count();
                assert!(
                    line > 1 && line <= expected,
                    "{path}: line {line} of {expected}"
                );
            }
            other => panic!("{path}: {other}"),
        }
    }
}

#[test]
fn change_detectors_claim_only_their_own_fixtures() {
    let mut checked = 0;
    for dir in ["fixtures/demo", "fixtures/formats"] {
        let mut stack = vec![root().join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("fixture directory");
                stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
                continue;
            }
            let relative = path
                .strip_prefix(root())
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            let bytes = std::fs::read(&path).expect("fixture");
            let detected = detect(head(&bytes));
            match FIXTURES.iter().find(|(_, p)| relative.ends_with(p)) {
                // See `github_pulls_are_detected_as_pull_requests`.
                Some((Format::GithubPullRequests, _)) => {}
                Some((format, _)) => assert_eq!(detected, Some(*format), "{relative}"),
                None if relative.ends_with("github-pulls/reviews.json") => {}
                None => assert!(
                    !detected.is_some_and(|f| MINE.contains(&f)),
                    "{relative} detected as {detected:?}"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > FIXTURES.len(), "{checked}");
}
