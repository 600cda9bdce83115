//! End-to-end: fixture files -> store -> links -> report, through the api every host uses.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use hindsight_api::{Hindsight, IngestOptions, ReportFormat};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn demo_dir() -> PathBuf {
    repo_root().join("fixtures/demo")
}

fn corpora() -> PathBuf {
    repo_root().join("../shared/corpora")
}

fn fixed_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn options() -> IngestOptions {
    IngestOptions {
        format: None,
        now: fixed_time(),
        cancel: None,
        mapping: None,
    }
}

fn open_temp() -> (tempfile::TempDir, Hindsight) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
    (dir, app)
}

fn ingest(app: &Hindsight, paths: &[PathBuf]) -> hindsight_api::IngestReportDto {
    app.ingest_paths(paths, &options(), &mut |_| {})
        .expect("ingest")
}

fn truth() -> Value {
    let text =
        std::fs::read_to_string(repo_root().join("fixtures/demo-truth.json")).expect("truth");
    serde_json::from_str(&text).expect("truth json")
}

#[test]
fn demo_data_set_lands_links_and_reports() {
    let (_dir, app) = open_temp();
    let report = ingest(&app, &[demo_dir()]);
    assert_eq!(report.files.len(), 8, "{report:#?}");
    for file in &report.files {
        assert_eq!(file.status, "stored", "{file:#?}");
        assert_eq!(file.records_rejected, 0, "{file:#?}");
    }
    let overview = app.overview().expect("overview");
    assert_eq!(overview.incidents, 8);
    assert!((180..=220).contains(&overview.changes), "{overview:?}");
    assert!((55..=75).contains(&overview.deployments), "{overview:?}");

    // Every change-caused incident of the ground truth has its cause among the suspects.
    let truth = truth();
    let incidents = app.list_incidents().expect("incidents");
    let entries = truth["incidents"].as_array().expect("truth incidents");
    assert_eq!(entries.len(), 8);
    for entry in entries {
        let source_id = entry["incident_id"].as_str().expect("id");
        let summary = incidents
            .iter()
            .find(|i| i.source_id == source_id)
            .expect("incident stored");
        let detail = app.incident_detail(summary.id).expect("detail");
        let suspect_keys: Vec<&str> = detail
            .suspects
            .iter()
            .map(|s| s.deployment.natural_key.as_str())
            .collect();
        match entry["deployment_id"].as_str() {
            // Top-1 accuracy on the demo's ground truth is 100%.
            Some(cause) => assert_eq!(
                suspect_keys.first(),
                Some(&cause),
                "{source_id}: the cause {cause} must rank first among {suspect_keys:?}"
            ),
            None => assert!(
                entry["cause"] == "none",
                "{source_id}: an incident without a cause deployment must be marked none"
            ),
        }
        // Ranks are 1..n and scores never rise with rank.
        let ranks: Vec<i64> = detail.suspects.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, (1..=ranks.len() as i64).collect::<Vec<_>>());
        let scores: Vec<f64> = detail.suspects.iter().map(|s| s.score).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    // The agent that deleted and recreated production is the top suspect of its incident.
    let agent_incident = entries
        .iter()
        .find(|e| e["cause"] == "operation")
        .expect("the demo has an incident caused by an operation");
    let source_id = agent_incident["incident_id"].as_str().expect("id");
    let summary = incidents
        .iter()
        .find(|i| i.source_id == source_id)
        .expect("stored");
    let detail = app.incident_detail(summary.id).expect("detail");
    let top = &detail.suspects[0];
    assert_eq!(top.deployment.actor_type.as_deref(), Some("agent"));
    assert!(
        top.evidence.iter().any(|e| e == "no approval recorded"),
        "{:?}",
        top.evidence
    );
    assert!(
        top.evidence
            .iter()
            .any(|e| e.contains("operator permissions")),
        "{:?}",
        top.evidence
    );

    // Markdown names the incidents and the attribution of suspect changes.
    let md = app
        .render_report(ReportFormat::Markdown, fixed_time())
        .expect("md");
    for incident in &incidents {
        assert!(
            md.contains(&format!("### pagerduty {}", incident.source_id)),
            "{}",
            incident.source_id
        );
    }
    assert!(md.contains("**AI ("), "some suspect change is AI");
    assert!(md.contains("**human**"), "some suspect change is human");

    // JSON is complete: every change with key, class and evidence; every incident with ids
    // and ranked suspects with keys and scores.
    let json: Value = serde_json::from_str(
        &app.render_report(ReportFormat::Json, fixed_time())
            .expect("json"),
    )
    .expect("valid json");
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len() as i64, overview.changes);
    for change in changes {
        assert!(
            change["natural_key"]
                .as_str()
                .is_some_and(|k| k.len() == 40),
            "{change}"
        );
        assert!(["ai", "human", "automation", "unknown"]
            .contains(&change["class"].as_str().unwrap_or("")));
        assert!(
            !change["evidence"].as_array().expect("evidence").is_empty(),
            "{change}"
        );
    }
    let ai = changes.iter().filter(|c| c["class"] == "ai").count();
    assert_eq!(
        ai as u64,
        truth["commit_summary"]["ai"]
            .as_u64()
            .expect("truth ai count")
    );
    for incident in json["incidents"].as_array().expect("incidents") {
        assert_eq!(incident["source_system"], "pagerduty");
        assert!(incident["source_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        for suspect in incident["suspects"].as_array().expect("suspects") {
            assert!(suspect["score"]
                .as_f64()
                .is_some_and(|s| (0.0..=1.0).contains(&s)));
            assert!(suspect["deployment"]["natural_key"].is_string());
            for change in suspect["changes"].as_array().expect("changes") {
                assert!(change["natural_key"].is_string() && change["class"].is_string());
            }
        }
    }

    // The same store renders byte-identical reports.
    let again = app
        .render_report(ReportFormat::Markdown, fixed_time())
        .expect("md");
    assert_eq!(md, again);
}

#[test]
fn the_recovered_ai_and_human_failures_match_the_demo_ground_truth() {
    // The ground truth names, for each change-caused incident, the deployment that caused it
    // and every commit that deployment shipped; a change failed when it shipped in one.
    let (_dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let truth = truth();
    let class_of = |sha: &str| truth["commits"][sha]["class"].as_str().map(str::to_owned);
    let failed_shas = |entry: &Value| -> Vec<String> {
        entry["shipped_shas"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let caused: Vec<&Value> = truth["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|e| e["deployment_id"].is_string())
        .collect();
    let count = |shas: &std::collections::BTreeSet<String>, class: &str| {
        shas.iter()
            .filter(|sha| class_of(sha).as_deref() == Some(class))
            .count() as i64
    };
    let recovered = |basis: &str| -> Vec<(String, i64)> {
        let json: Value = serde_json::from_str(
            &app.render_report(ReportFormat::Json, fixed_time())
                .expect("json"),
        )
        .expect("json");
        json["summary"]["cohorts"]
            .as_array()
            .expect("cohorts")
            .iter()
            .map(|c| {
                let class = c["cohort"].as_str().expect("cohort").to_owned();
                (class, c[basis]["numerator"].as_i64().expect("numerator"))
            })
            .collect()
    };
    let expected = |shas: &std::collections::BTreeSet<String>| -> Vec<(String, i64)> {
        ["ai", "human", "automation", "unknown"]
            .iter()
            .map(|class| ((*class).to_owned(), count(shas, class)))
            .collect()
    };
    let all_failed: std::collections::BTreeSet<String> =
        caused.iter().flat_map(|e| failed_shas(e)).collect();
    assert!(count(&all_failed, "ai") > 0 && count(&all_failed, "human") > 0);

    // Before review, "including suspected" counts top suspects at or above the threshold:
    // every cause is ranked first, so it recovers exactly the causes that score that high.
    let incidents = app.list_incidents().expect("incidents");
    let report: Value = serde_json::from_str(
        &app.render_report(ReportFormat::Json, fixed_time())
            .expect("json"),
    )
    .expect("json");
    let threshold = report["summary"]["suspect_threshold"]
        .as_f64()
        .expect("threshold");
    let mut above = std::collections::BTreeSet::new();
    let mut top_links = Vec::new();
    for entry in &caused {
        let summary = incidents
            .iter()
            .find(|i| i.source_id == entry["incident_id"].as_str().expect("id"))
            .expect("stored");
        let top = app.incident_detail(summary.id).expect("detail").suspects[0].clone();
        assert_eq!(
            Some(top.deployment.natural_key.as_str()),
            entry["deployment_id"].as_str()
        );
        if top.score >= threshold {
            above.extend(failed_shas(entry));
        }
        top_links.push(top.link_id);
    }
    assert!(
        above.len() < all_failed.len(),
        "one cause scores under the threshold"
    );
    assert_eq!(recovered("failed_including_suspected"), expected(&above));
    assert!(recovered("failed_confirmed").iter().all(|(_, n)| *n == 0));

    // A reviewer confirms each top suspect: the confirmed basis then recovers every failed
    // change of the ground truth, per class.
    for link in top_links {
        app.review_link(
            link,
            "confirmed",
            "matches the timeline",
            "ada",
            fixed_time(),
        )
        .expect("confirm");
    }
    assert_eq!(recovered("failed_confirmed"), expected(&all_failed));
    assert_eq!(
        recovered("failed_including_suspected"),
        expected(&all_failed)
    );
}

#[test]
fn ingesting_the_same_files_twice_changes_nothing() {
    let (dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let before = app
        .render_report(ReportFormat::Json, fixed_time())
        .expect("json");
    let second = ingest(&app, &[demo_dir()]);
    assert!(
        second.files.iter().all(|f| f.status == "already_ingested"),
        "{second:#?}"
    );
    let after = app
        .render_report(ReportFormat::Json, fixed_time())
        .expect("json");
    assert_eq!(before, after);
    assert_eq!(app.overview().expect("o").ingest_runs, 8);
    drop(dir);
}

#[test]
fn truncated_json_fails_with_file_and_line_and_loses_nothing() {
    let (dir, app) = open_temp();
    ingest(&app, &[demo_dir().join("checkout.gitlog")]);
    let before = app.overview().expect("overview");

    let full = std::fs::read_to_string(demo_dir().join("pagerduty-incidents.json")).expect("read");
    let truncated = &full[..full.len() / 2];
    let path = dir.path().join("truncated.json");
    std::fs::write(&path, truncated).expect("write");
    let report = ingest(&app, std::slice::from_ref(&path));
    let file = &report.files[0];
    assert_eq!(file.status, "failed");
    let message = &file.error.as_ref().expect("error").message;
    let expected_line = truncated.lines().count();
    assert!(
        message.starts_with(&format!(
            "{}: line {expected_line}, column ",
            path.display()
        )),
        "{message}"
    );
    let after = app.overview().expect("overview");
    assert_eq!(
        before, after,
        "a failed file stores nothing and removes nothing"
    );
}

#[test]
fn a_garbage_log_line_is_rejected_with_its_line_and_the_rest_is_stored() {
    let (dir, app) = open_temp();
    let path = dir.path().join("deploys.jsonl");
    std::fs::write(
        &path,
        "{\"ts\":\"2026-11-16T10:00:00Z\",\"service\":\"checkout\",\"environment\":\"production\",\"version\":\"v1\"}\n\
         this is not a deploy record\n\
         {\"ts\":\"2026-11-16T11:00:00Z\",\"service\":\"checkout\",\"environment\":\"production\",\"version\":\"v2\"}\n",
    )
    .expect("write");
    let report = ingest(&app, &[path]);
    let file = &report.files[0];
    assert_eq!(file.status, "stored");
    assert_eq!((file.records_stored, file.records_rejected), (2, 1));
    assert_eq!(file.rejections[0].location, "line 2");
    assert!(file.rejections[0].reason.starts_with("not valid JSON"));
    assert_eq!(app.overview().expect("o").deployments, 2);
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@shop.example")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@shop.example")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_local_git_repository_is_read_with_its_history_and_trailers() {
    let (dir, app) = open_temp();
    let repo = dir.path().join("checkout");
    std::fs::create_dir(&repo).expect("mkdir");
    git(
        &repo,
        &["init", "-q", "-b", "main"],
        "2026-11-16T09:00:00+01:00",
    );
    std::fs::write(repo.join("a.txt"), "1").expect("write");
    git(&repo, &["add", "."], "2026-11-16T09:00:00+01:00");
    git(
        &repo,
        &["commit", "-q", "-m", "first human commit"],
        "2026-11-16T09:00:00+01:00",
    );
    std::fs::write(repo.join("a.txt"), "2").expect("write");
    git(&repo, &["add", "."], "2026-11-16T10:00:00+01:00");
    git(
        &repo,
        &[
            "commit",
            "-q",
            "-m",
            "retry capture\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        ],
        "2026-11-16T10:00:00+01:00",
    );
    let report = ingest(&app, std::slice::from_ref(&repo));
    assert_eq!(
        report.files[0].format.as_deref(),
        Some("git-repository"),
        "{report:#?}"
    );
    assert_eq!(report.files[0].records_stored, 2);
    let changes = app.list_changes().expect("changes");
    let first = changes
        .iter()
        .find(|c| c.title == "first human commit")
        .expect("first");
    let second = changes
        .iter()
        .find(|c| c.title == "retry capture")
        .expect("second");
    assert_eq!(first.class, "human");
    assert_eq!(second.class, "ai");
    assert_eq!(second.tool.as_deref(), Some("claude-code"));
    assert_eq!(second.repo.as_deref(), Some("checkout"));
    assert_eq!(
        second.committed_at.as_deref(),
        Some("2026-11-16T09:00:00.000Z")
    );
    assert_eq!(
        second.evidence[0].matched_text,
        "Co-authored-by: Claude <noreply@anthropic.com>"
    );
    // Re-reading an unchanged repository is a no-op.
    let again = ingest(&app, &[repo]);
    assert_eq!(again.files[0].status, "already_ingested");
}

#[test]
fn the_git_ai_corpus_ingests_cleanly_and_matches_its_reference_counts() {
    let log = corpora().join("git-ai/commits.log");
    if !log.exists() {
        panic!(
            "corpus missing at {}: CI provides ../shared beside the clone",
            log.display()
        );
    }
    let counts: Value = serde_json::from_str(
        &std::fs::read_to_string(corpora().join("git-ai/counts.json")).expect("counts"),
    )
    .expect("counts json");
    let (_dir, app) = open_temp();
    let report = ingest(&app, &[log]);
    let file = &report.files[0];
    assert_eq!(file.format.as_deref(), Some("git-log"));
    assert_eq!(file.records_rejected, 0, "{:?}", file.rejections.first());
    assert_eq!(
        Some(file.records_stored as u64),
        counts["total_commits"].as_u64()
    );

    let changes = app.list_changes().expect("changes");
    let with_coauthor = |email: &str| {
        changes
            .iter()
            .filter(|c| {
                c.evidence.iter().any(|e| {
                    e.signal == "co_authored_by"
                        && e.matched_text
                            .to_ascii_lowercase()
                            .contains(&email.to_ascii_lowercase())
                })
            })
            .count() as u64
    };
    for (email, expected) in counts["co_authored_by"]["per_email"]
        .as_object()
        .expect("per email")
    {
        assert_eq!(
            Some(with_coauthor(email)),
            expected.as_u64(),
            "co-author {email}"
        );
    }
    // The reference union (co-author e-mails, AI author e-mails, the Claude Code footer), plus
    // one co-author the reference list does not name: factory-droid[bot], matched on its GitHub
    // numeric id (commit 82e515439601).
    let reference_signals = ["co_authored_by", "ai_author", "footer"];
    let by_reference = changes
        .iter()
        .filter(|c| {
            c.evidence
                .iter()
                .any(|e| reference_signals.contains(&e.signal.as_str()))
        })
        .count() as u64;
    let reference = counts["commits_with_any_ai_signal"]
        .as_u64()
        .expect("reference count");
    assert_eq!(by_reference, reference + 1);
    // And 8 commits only an agent committer account marks: 5 committed by Codex (e.g.
    // d6e61e21c543), 3 by Devin (e.g. d3f15dd67b10).
    let ai = changes.iter().filter(|c| c.class == "ai").count() as u64;
    assert_eq!(ai, by_reference + 8);
    let committer_only = changes
        .iter()
        .filter(|c| c.class == "ai")
        .filter(|c| {
            c.evidence
                .iter()
                .all(|e| !reference_signals.contains(&e.signal.as_str()))
        })
        .filter(|c| c.evidence.iter().any(|e| e.signal == "ai_committer"))
        .count();
    assert_eq!(committer_only, 8);
}

#[test]
fn overrides_are_audited_survive_reingest_and_reclassification_and_undo() {
    let (dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let target = app
        .list_changes()
        .expect("changes")
        .into_iter()
        .find(|c| c.class == "ai" && c.tool.as_deref() == Some("claude-code"))
        .expect("an AI change");
    let empty = app.override_attribution(target.id, "human", None, "  ", "ada", fixed_time());
    assert!(empty.is_err(), "a reason is required");
    let bad = app.override_attribution(target.id, "robot", None, "x", "ada", fixed_time());
    assert!(bad.is_err(), "unknown classes are refused");

    let changed = app
        .override_attribution(
            target.id,
            "human",
            None,
            "pair-programmed; trailer was a template",
            "ada",
            fixed_time(),
        )
        .expect("override");
    assert_eq!(changed.class, "human");
    assert_eq!(
        changed.override_reason.as_deref(),
        Some("pair-programmed; trailer was a template")
    );
    assert_eq!(changed.evidence[0].signal, "reviewer_override");
    assert!(
        changed
            .evidence
            .iter()
            .any(|e| e.signal == "co_authored_by"),
        "the rule evidence stays visible"
    );

    // Re-ingesting changed files and re-classifying keep the override.
    let copy = dir.path().join("checkout-again.gitlog");
    let mut text = std::fs::read_to_string(demo_dir().join("checkout.gitlog")).expect("read");
    text.push('\n');
    std::fs::write(&copy, text).expect("write");
    let again = ingest(&app, &[copy]);
    assert_eq!(again.files[0].status, "stored");
    app.reclassify().expect("reclassify");
    let after = app.explain(&target.natural_key).expect("explain");
    assert_eq!(after.change.class, "human");
    assert_eq!(after.overrides.len(), 1);
    assert_eq!(after.overrides[0].author, "ada");

    // The report says an override was applied.
    let md = app
        .render_report(ReportFormat::Markdown, fixed_time())
        .expect("md");
    assert!(
        md.contains("reviewer\\_override"),
        "the report shows the override"
    );

    // Undo: the evidence decides again; the audit trail keeps both rows' history.
    let undone = app
        .clear_override(target.id, "bob", fixed_time())
        .expect("undo");
    assert_eq!(undone.class, "ai");
    assert_eq!(undone.override_reason, None);
    let history = app.explain(&target.natural_key).expect("explain").overrides;
    assert_eq!(history[0].revoked_by.as_deref(), Some("bob"));
    assert!(
        app.clear_override(target.id, "bob", fixed_time()).is_err(),
        "nothing left to undo"
    );
}

#[test]
fn link_decisions_are_kept_with_who_and_why_and_survive_relinking() {
    let (_dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let incident = app
        .list_incidents()
        .expect("incidents")
        .into_iter()
        .find(|i| i.suspect_count > 1)
        .expect("incident");
    let detail = app.incident_detail(incident.id).expect("detail");
    let second = &detail.suspects[1];
    assert!(
        app.review_link(second.link_id, "confirmed", "", "ada", fixed_time())
            .is_err(),
        "reason required"
    );
    let after = app
        .review_link(
            second.link_id,
            "confirmed",
            "the rollback of it ended the outage",
            "ada",
            fixed_time(),
        )
        .expect("confirm");
    let confirmed = after
        .suspects
        .iter()
        .find(|s| s.link_id == second.link_id)
        .expect("still there");
    assert_eq!(confirmed.status, "confirmed");
    let review = confirmed.review.as_ref().expect("review kept");
    assert_eq!(
        (review.reviewer.as_str(), review.reason.as_str()),
        ("ada", "the rollback of it ended the outage")
    );

    // Re-linking (what every ingest does) keeps the decision.
    app.refresh_analysis().expect("relink");
    let relinked = app.incident_detail(incident.id).expect("detail");
    let kept = relinked
        .suspects
        .iter()
        .find(|s| s.deployment.natural_key == second.deployment.natural_key)
        .expect("kept");
    assert_eq!(kept.status, "confirmed");

    let undone = app
        .review_link(kept.link_id, "suspected", "undo", "ada", fixed_time())
        .expect("undo");
    assert!(undone.suspects.iter().all(|s| s.status == "suspected"));
}

#[test]
fn user_rules_reclassify_the_store_without_reingesting() {
    let (dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let humans_before = app
        .attribution_stats()
        .expect("stats")
        .by_class
        .iter()
        .find(|c| c.name == "human")
        .expect("human")
        .count;
    // A company's own rule: the trailer `Co-authored-by: ... <ai@shop.example>`... here, a tool
    // whose co-author address is a human's, to see the store move without re-ingesting.
    let colleague = app
        .list_changes()
        .expect("changes")
        .into_iter()
        .find(|c| c.class == "human")
        .and_then(|c| c.author)
        .expect("a human author");
    let email = colleague
        .rsplit('<')
        .next()
        .expect("email")
        .trim_end_matches('>')
        .to_owned();
    let rules = dir.path().join("ours.toml");
    std::fs::write(
        &rules,
        format!("[[ai_tool]]\nid = \"inhouse-agent\"\nauthor_emails = [\"{email}\"]\n"),
    )
    .expect("write");
    let app = app.with_rules_file(&rules).expect("rules");
    let n = app.reclassify().expect("reclassify");
    assert_eq!(n as i64, app.overview().expect("o").changes);
    let stats = app.attribution_stats().expect("stats");
    let humans_after = stats
        .by_class
        .iter()
        .find(|c| c.name == "human")
        .expect("human")
        .count;
    assert!(
        humans_after < humans_before,
        "{humans_before} -> {humans_after}"
    );
    assert!(
        stats
            .by_tool
            .iter()
            .any(|t| t.name == "inhouse-agent" && t.count > 0),
        "{stats:?}"
    );
    assert_eq!(
        app.overview().expect("o").ingest_runs,
        8,
        "nothing was re-ingested"
    );
}

#[test]
fn git_ai_notes_in_an_export_attribute_commits_with_tool_and_model() {
    let log = corpora().join("git-ai/notes.log");
    let (_dir, app) = open_temp();
    let report = ingest(&app, &[log]);
    let file = &report.files[0];
    assert_eq!(file.format.as_deref(), Some("git-log"));
    assert_eq!((file.records_stored, file.records_rejected), (300, 0));
    let changes = app.list_changes().expect("changes");
    let noted: Vec<_> = changes
        .iter()
        .filter(|c| c.evidence.iter().any(|e| e.signal == "git_ai_note"))
        .collect();
    // 183 notes, of which 2 attest no AI line and name no agent (shared/corpora/README.md §1).
    assert_eq!(noted.len(), 181);
    assert!(noted.iter().all(|c| c.class == "ai"));
    assert!(noted.iter().any(|c| c.tool.as_deref() == Some("codex")));
    assert!(
        noted.iter().any(|c| c.model.is_some()),
        "notes name the model"
    );
}

#[test]
fn the_timeline_merges_every_source_and_answers_filters_and_search() {
    use hindsight_api::EventQueryDto;
    let (_dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let all = app
        .search_events(&EventQueryDto {
            limit: 1000,
            ..Default::default()
        })
        .expect("all");
    let facets = app.event_facets().expect("facets");
    assert_eq!(all.total, facets.total);
    // The demo data is far below the counting bound: every total is exact.
    assert!(!all.total_capped);
    assert_eq!(facets.sources, vec!["change", "deployment", "incident"]);
    let by = |query: EventQueryDto| app.search_events(&query).expect("search");
    let changes = by(EventQueryDto {
        sources: vec!["change".into()],
        limit: 10,
        ..Default::default()
    });
    assert_eq!(changes.total, 200);
    let ai = by(EventQueryDto {
        classes: vec!["ai".into()],
        limit: 100,
        ..Default::default()
    });
    assert_eq!(ai.total, 73);
    assert!(ai.events.iter().all(|e| e.class.as_deref() == Some("ai")));
    let search = by(EventQueryDto {
        text: Some("retry idempot".into()),
        limit: 10,
        ..Default::default()
    });
    assert!(
        search.total >= 1
            && search
                .events
                .iter()
                .all(|e| e.title.to_lowercase().contains("retry"))
    );
    let agent = by(EventQueryDto {
        actors: vec!["ops-agent".into()],
        sources: vec!["deployment".into()],
        limit: 10,
        ..Default::default()
    });
    assert!(agent
        .events
        .iter()
        .any(|e| e.kind == "recreate_environment"));
    // Time bounds are inclusive at both ends.
    let first = &all.events[0];
    let window = by(EventQueryDto {
        from: Some(first.at.clone()),
        to: Some(first.at.clone()),
        limit: 10,
        ..Default::default()
    });
    assert!(window.events.iter().any(|e| e.id == first.id));
    let paged = by(EventQueryDto {
        offset: 5,
        limit: 5,
        ..Default::default()
    });
    assert_eq!(
        paged.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        all.events[5..10].iter().map(|e| e.id).collect::<Vec<_>>()
    );
    let bad = app.search_events(&EventQueryDto {
        text: Some("\"unbalanced".into()),
        limit: 10,
        ..Default::default()
    });
    assert!(
        matches!(bad, Err(hindsight_api::ApiError::BadInput(_))),
        "{bad:?}"
    );
}

#[test]
fn the_demo_report_validates_against_its_schema_and_its_pdf_carries_the_figures() {
    let (dir, app) = open_temp();
    ingest(&app, &[demo_dir()]);
    let json: Value = serde_json::from_str(
        &app.render_report(ReportFormat::Json, fixed_time())
            .expect("json"),
    )
    .expect("json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(json["what_ifs"].as_array().map(Vec::len), Some(4));

    let pdf = dir.path().join("report.pdf");
    app.save_report(ReportFormat::Pdf, &pdf, fixed_time())
        .expect("pdf");
    let out = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let ai = &json["summary"]["cohorts"][0]["failed_including_suspected"];
    let figure = format!(
        "({} of {};",
        ai["numerator"].as_i64().expect("numerator"),
        ai["denominator"].as_i64().expect("denominator")
    );
    assert!(text.contains(&figure), "the PDF states {figure}");
    assert!(text.contains("Payments authorisation failures above 50%"));
    assert!(text.contains("Page 1 of"));
}

#[test]
fn cancelling_an_ingest_rolls_back_the_file_under_way_and_keeps_the_ones_done() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let (dir, app) = open_temp();
    let mut paths = Vec::new();
    for i in 0..3 {
        let path = dir.path().join(format!("deploys-{i}.jsonl"));
        let lines: String = (0..200)
            .map(|n| format!("{{\"ts\":\"2026-11-16T10:{:02}:{:02}Z\",\"id\":\"f{i}-{n}\",\"service\":\"checkout\"}}\n", n / 60, n % 60))
            .collect();
        std::fs::write(&path, lines).expect("write");
        paths.push(path);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let options = IngestOptions {
        format: None,
        now: fixed_time(),
        cancel: Some(cancel.clone()),
        mapping: None,
    };
    let mut seen = Vec::new();
    let report = app
        .ingest_paths(&paths, &options, &mut |p| {
            seen.push((p.file_index, p.bytes_read, p.bytes_total));
            // The user presses Cancel as the second file starts.
            if p.file_index == 1 {
                cancel.store(true, Ordering::Relaxed);
            }
        })
        .expect("ingest");
    let statuses: Vec<&str> = report.files.iter().map(|f| f.status.as_str()).collect();
    assert_eq!(statuses, ["stored", "cancelled", "cancelled"]);
    assert_eq!(
        app.overview().expect("o").deployments,
        200,
        "only the first file is stored"
    );
    assert_eq!(app.overview().expect("o").ingest_runs, 1);
    let first_total = std::fs::metadata(&paths[0]).expect("meta").len() as i64;
    assert!(
        seen.contains(&(0, first_total, first_total)),
        "the first file reports completion: {seen:?}"
    );
    // Running again without cancelling stores the rest.
    let again = app
        .ingest_paths(&paths, &options_without_cancel(), &mut |_| {})
        .expect("again");
    let statuses: Vec<&str> = again.files.iter().map(|f| f.status.as_str()).collect();
    assert_eq!(statuses, ["already_ingested", "stored", "stored"]);
}

#[test]
fn progress_reads_each_file_then_tells_the_update_steps_in_order_and_nothing_on_a_re_ingest() {
    let (dir, app) = open_temp();
    let path = dir.path().join("deploys.jsonl");
    std::fs::write(
        &path,
        "{\"ts\":\"2026-11-16T10:00:00Z\",\"id\":\"d-1\",\"service\":\"checkout\"}\n",
    )
    .expect("write");
    let run = |seen: &mut Vec<(String, String)>| {
        app.ingest_paths(std::slice::from_ref(&path), &options(), &mut |p| {
            seen.push((p.phase.clone(), p.step.clone()))
        })
        .expect("ingest")
    };
    let mut seen = Vec::new();
    run(&mut seen);
    let updating: Vec<&str> = seen
        .iter()
        .filter(|(phase, _)| phase == "updating")
        .map(|(_, step)| step.as_str())
        .collect();
    assert_eq!(updating, ["links", "timeline"], "{seen:?}");
    let first_update = seen.iter().position(|(phase, _)| phase == "updating");
    assert!(
        seen[..first_update.expect("updates")]
            .iter()
            .all(|(phase, step)| phase == "reading" && step.is_empty()),
        "every file is read before the update: {seen:?}"
    );
    // The same file again stores nothing, so nothing is updated.
    let mut again = Vec::new();
    let report = run(&mut again);
    assert_eq!(report.files[0].status, "already_ingested");
    assert!(
        again.iter().all(|(phase, _)| phase == "reading"),
        "{again:?}"
    );
}

fn options_without_cancel() -> IngestOptions {
    options()
}
