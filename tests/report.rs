//! The report on the demo data: Markdown and JSON snapshots, the JSON against its schema,
//! scopes narrowing every section, Parquet tables read back, every output written at once.
//!
//! Snapshots live in `tests/snapshots/`; after an intended change regenerate them with
//! `UPDATE_SNAPSHOTS=1 cargo test --workspace --test report` and review the diff.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use hindsight_analysis::parquet::{read_parquet, ColumnValues};
use hindsight_api::{ApiError, Hindsight, IngestOptions, ReportFormat, ReportOutput, ReportScope};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn fixed_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

/// The demo data set ingested from `fixtures/demo`, as `hindsight ingest fixtures/demo/*` does.
fn demo() -> (tempfile::TempDir, Hindsight) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
    let options = IngestOptions {
        format: None,
        now: fixed_time(),
        cancel: None,
        mapping: None,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("fixtures/demo"))
        .expect("demo dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    app.ingest_paths(&files, &options, &mut |_| {})
        .expect("ingest");
    (dir, app)
}

/// Machine-specific paths replaced by placeholders.
fn normalise(text: &str) -> String {
    let root = repo_root().display().to_string();
    text.replace(&root, "[ROOT]")
}

fn assert_snapshot(name: &str, actual: &str) {
    let path = repo_root().join("tests/snapshots").join(name);
    let actual = normalise(actual);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its snapshot at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             Regenerate with UPDATE_SNAPSHOTS=1 cargo test --workspace --test report",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn demo_markdown_and_json_match_their_snapshots() {
    let (_dir, app) = demo();
    let md = app
        .render_report(ReportFormat::Markdown, fixed_time())
        .expect("md");
    let json = app
        .render_report(ReportFormat::Json, fixed_time())
        .expect("json");
    assert!(!normalise(&md).contains("/tmp"), "unnormalised paths");
    assert_snapshot("demo-report.md", &md);
    assert_snapshot("demo-report.json", &json);
    let scoped = app
        .render_report_in(
            &ReportScope {
                services: vec!["checkout".into()],
                cohorts: vec!["ai".into()],
                ..ReportScope::default()
            },
            ReportFormat::Markdown,
            fixed_time(),
        )
        .expect("scoped md");
    assert_snapshot("demo-report-checkout-ai.md", &scoped);
}

#[test]
fn demo_json_and_scoped_json_validate_against_the_schema() {
    let (_dir, app) = demo();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    for scope in [
        ReportScope::default(),
        ReportScope {
            from: Some("2026-11-17".into()),
            to: Some("2026-11-19".into()),
            severities: vec!["P1".into(), "P2".into()],
            ..ReportScope::default()
        },
    ] {
        let json = app
            .render_report_in(&scope, ReportFormat::Json, fixed_time())
            .expect("json");
        let value: Value = serde_json::from_str(&json).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn a_scope_narrows_every_section_and_shows_on_the_cover() {
    let (_dir, app) = demo();
    let all = app.report(fixed_time()).expect("report");
    assert!(all.scope.is_empty());
    let scope = ReportScope {
        services: vec!["checkout".into()],
        ..ReportScope::default()
    };
    let checkout = app.report_in(&scope, fixed_time()).expect("scoped");
    assert!(!checkout.incidents.is_empty());
    assert!(checkout.incidents.len() < all.incidents.len());
    for incident in &checkout.incidents {
        assert_eq!(incident.service.as_deref(), Some("checkout"));
        for suspect in &incident.suspects {
            assert_eq!(suspect.deployment.service, "checkout");
        }
    }
    assert!(!checkout.changes.is_empty());
    assert!(checkout
        .changes
        .iter()
        .all(|c| c.repo.as_deref() == Some("checkout")));
    assert_eq!(checkout.summary.incidents, checkout.incidents.len() as i64);
    assert_eq!(checkout.summary.changes, checkout.changes.len() as i64);
    let cohort_changes: i64 = checkout.summary.cohorts.iter().map(|c| c.changes).sum();
    assert_eq!(cohort_changes, checkout.changes.len() as i64);
    assert!(checkout.dora.deployments < all.dora.deployments);
    assert!(checkout
        .summary
        .by_service
        .iter()
        .all(|s| s.cohort.starts_with("checkout: ")));
    let recovered: i64 = checkout.recovery.iter().map(|r| r.incidents).sum();
    assert_eq!(recovered, checkout.incidents.len() as i64);
    let md = app
        .render_report_in(&scope, ReportFormat::Markdown, fixed_time())
        .expect("md");
    assert!(md.contains("## Scope\n\n- Services: checkout\n"), "{md}");

    // A cohort keeps its changes only, and the incidents one of its deployments is suspected of.
    let ai = app
        .report_in(
            &ReportScope {
                cohorts: vec!["ai".into()],
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect("ai");
    assert!(!ai.changes.is_empty());
    assert!(ai.changes.iter().all(|c| c.class == "ai"));
    assert_eq!(
        ai.summary.cohorts.iter().map(|c| c.changes).sum::<i64>(),
        ai.summary.cohorts[0].changes
    );
    for incident in &ai.incidents {
        assert!(incident
            .suspects
            .iter()
            .any(|s| s.changes.iter().any(|c| c.class == "ai")));
    }
    // An AI tool works as a cohort too: Devin's six changes, and the one incident a deployment
    // of them is suspected of.
    let devin = app
        .report_in(
            &ReportScope {
                cohorts: vec!["devin".into()],
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect("devin");
    assert_eq!(devin.changes.len(), 6);
    assert!(devin
        .changes
        .iter()
        .all(|c| c.tool.as_deref() == Some("devin")));
    assert_eq!(devin.incidents.len(), 1);
    assert!(devin.incidents[0]
        .suspects
        .iter()
        .all(|s| s.changes.iter().any(|c| c.tool.as_deref() == Some("devin"))));

    // A time window: incidents by their start.
    let window = app
        .report_in(
            &ReportScope {
                from: Some("2026-11-18".into()),
                to: Some("2026-11-19T12:00:00Z".into()),
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect("window");
    assert!(window.incidents.len() < all.incidents.len());
    for incident in &window.incidents {
        assert!(
            incident.started_at.as_str() >= "2026-11-18T00:00:00.000Z"
                && incident.started_at.as_str() < "2026-11-19T12:00:00.000Z",
            "{}",
            incident.started_at
        );
    }
    assert_eq!(
        window.scope.from.as_deref(),
        Some("2026-11-18T00:00:00.000Z")
    );

    // A team nobody's deployments name leaves nothing, and says so on the cover.
    let team = app
        .report_in(
            &ReportScope {
                teams: vec!["Commerce".into()],
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect("team");
    assert!(team.incidents.is_empty() && team.changes.is_empty());
    assert_eq!(team.scope.teams, ["Commerce"]);
}

#[test]
fn selected_incidents_get_full_sections_and_unknown_ones_are_refused() {
    let (_dir, app) = demo();
    let all = app.report(fixed_time()).expect("report");
    let chosen = &all.incidents[0];
    let reference = format!("{}:{}", chosen.source_system, chosen.source_id);
    let scope = ReportScope {
        incidents: vec![reference.clone()],
        ..ReportScope::default()
    };
    let report = app.report_in(&scope, fixed_time()).expect("report");
    assert_eq!(report.incidents.len(), all.incidents.len());
    let detailed: Vec<&str> = report
        .incidents
        .iter()
        .filter(|i| i.detailed)
        .map(|i| i.source_id.as_str())
        .collect();
    assert_eq!(detailed, [chosen.source_id.as_str()]);
    let md = app
        .render_report_in(&scope, ReportFormat::Markdown, fixed_time())
        .expect("md");
    assert_eq!(md.matches("\n### pagerduty ").count(), 1, "{md}");
    assert!(md.contains(&format!("- Incidents shown in full: {reference}\n")));
    let err = app
        .report_in(
            &ReportScope {
                incidents: vec!["NOPE".into()],
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect_err("unknown incident");
    assert!(matches!(err, ApiError::BadInput(_)), "{err:?}");
    let err = app
        .report_in(
            &ReportScope {
                from: Some("2026-11-20".into()),
                to: Some("2026-11-19".into()),
                ..ReportScope::default()
            },
            fixed_time(),
        )
        .expect_err("empty window");
    assert!(matches!(err, ApiError::BadInput(_)), "{err:?}");
}

#[test]
fn parquet_tables_read_back_with_the_report_values() {
    let (dir, app) = demo();
    let report = app.report(fixed_time()).expect("report");
    let out = dir.path().join("tables");
    let written = app
        .save_report_parquet(&ReportScope::default(), &out, fixed_time())
        .expect("parquet");
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "cohorts.parquet",
            "tools.parquet",
            "comparisons.parquet",
            "incidents.parquet",
            "suspects.parquet",
            "changes.parquet",
            "sources.parquet",
            "findings.parquet"
        ]
    );
    let cohorts =
        read_parquet(&std::fs::read(out.join("cohorts.parquet")).expect("read")).expect("parquet");
    let column = |name: &str| {
        cohorts
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.clone())
            .expect(name)
    };
    assert_eq!(
        column("cohort"),
        ColumnValues::Text(
            report
                .summary
                .cohorts
                .iter()
                .map(|c| Some(c.cohort.clone()))
                .collect()
        )
    );
    assert_eq!(
        column("deployed"),
        ColumnValues::Int(
            report
                .summary
                .cohorts
                .iter()
                .map(|c| Some(c.deployed))
                .collect()
        )
    );
    assert_eq!(
        column("including_suspected_rate"),
        ColumnValues::Float(
            report
                .summary
                .cohorts
                .iter()
                .map(|c| c.failed_including_suspected.rate)
                .collect()
        )
    );
    let changes =
        read_parquet(&std::fs::read(out.join("changes.parquet")).expect("read")).expect("parquet");
    let confidence = changes
        .iter()
        .find(|c| c.name == "confidence")
        .expect("confidence");
    assert_eq!(
        confidence.values,
        ColumnValues::Float(report.changes.iter().map(|c| Some(c.confidence)).collect())
    );
}

#[test]
fn every_output_at_once_matches_each_format_rendered_alone() {
    let (dir, app) = demo();
    let out = dir.path().join("meeting");
    let outputs = ReportOutput::parse_list("all").expect("all");
    assert_eq!(outputs, ReportOutput::ALL);
    let written = app
        .save_report_outputs(&ReportScope::default(), &outputs, &out, fixed_time())
        .expect("outputs");
    // In the order asked for, whatever order the cores finished in.
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(&out)
                .expect("under out")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        &names[..5],
        [
            "report.md",
            "report.html",
            "report.json",
            "report.pdf",
            "csv/cohorts.csv"
        ]
    );
    assert_eq!(names.len(), 4 + 8 + 8, "{names:?}");
    assert_eq!(
        names.last().map(String::as_str),
        Some("parquet/findings.parquet")
    );
    for format in [
        ReportFormat::Markdown,
        ReportFormat::Html,
        ReportFormat::Json,
    ] {
        let alone = app.render_report(format, fixed_time()).expect("alone");
        let name = match format {
            ReportFormat::Markdown => "report.md",
            ReportFormat::Html => "report.html",
            _ => "report.json",
        };
        assert_eq!(
            std::fs::read_to_string(out.join(name)).expect("read"),
            alone,
            "{name}"
        );
    }
    let report = app.report(fixed_time()).expect("report");
    for (name, text) in hindsight_report::render_csv_tables(&report) {
        assert_eq!(
            std::fs::read_to_string(out.join("csv").join(&name)).expect("csv"),
            text,
            "{name}"
        );
    }
    let cohorts = read_parquet(&std::fs::read(out.join("parquet/cohorts.parquet")).expect("read"))
        .expect("parquet");
    assert_eq!(cohorts[0].name, "cohort");
    assert!(std::fs::read(out.join("report.pdf"))
        .expect("pdf")
        .starts_with(b"%PDF-"));
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A chosen few, duplicates once; an unknown name is bad input naming it.
    assert_eq!(
        ReportOutput::parse_list("md, parquet,MD").expect("list"),
        [
            ReportOutput::Format(ReportFormat::Markdown),
            ReportOutput::Parquet
        ]
    );
    let err = ReportOutput::parse_list("md,docx").expect_err("docx");
    assert!(
        matches!(&err, ApiError::BadInput(m) if m.contains("\"docx\"")),
        "{err:?}"
    );
    // A folder that cannot be made is bad input, and nothing is rendered into it.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "x").expect("write");
    let err = app
        .save_report_outputs(
            &ReportScope::default(),
            &outputs,
            &blocked.join("sub"),
            fixed_time(),
        )
        .expect_err("not a folder");
    assert!(matches!(err, ApiError::BadInput(_)), "{err:?}");
}
