//! The `hindsight` binary as a user runs it: arguments, output, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo")
}

fn hindsight(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("--help")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(
        help.contains("Examples:") && help.contains("hindsight report --format md"),
        "{help}"
    );
    assert!(help.contains("2  bad input or usage"), "{help}");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("--nope")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = hindsight(
        &dir.path().join("h.sqlite"),
        &["report", "--format", "pdfx"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown report format"));
}

#[test]
fn ingest_then_report_names_incidents_and_suspect_attribution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let mut args = vec!["ingest".to_owned()];
    let mut files: Vec<_> = std::fs::read_dir(demo_dir())
        .expect("demo dir")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    args.extend(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = hindsight(&db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout)
        .contains("pagerduty-incidents.json: pagerduty-incidents, 8 records stored"));

    let out = hindsight(&db, &["report", "--format", "md"]);
    assert!(out.status.success());
    let md = text(&out.stdout);
    assert!(
        md.contains("Payments authorisation failures above 50% in production"),
        "{md}"
    );
    assert!(md.contains("recreate environment on payments production by ops-agent (agent)"));
    assert!(md.contains("**AI (claude-code)**"));

    let out = hindsight(&db, &["--json", "incidents"]);
    let incidents: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(incidents.as_array().map(Vec::len), Some(8));

    let report = dir.path().join("out/report.html");
    std::fs::create_dir_all(report.parent().expect("parent")).expect("mkdir");
    let out = hindsight(
        &db,
        &[
            "report",
            "--format",
            "html",
            "--out",
            report.to_str().expect("utf8"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&report).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let leftovers: Vec<_> = std::fs::read_dir(report.parent().expect("parent"))
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn a_truncated_file_exits_2_naming_file_and_line_and_keeps_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let good = demo_dir().join("deploys.jsonl");
    assert!(hindsight(&db, &["ingest", good.to_str().expect("utf8")])
        .status
        .success());

    let full = std::fs::read_to_string(demo_dir().join("pagerduty-incidents.json")).expect("read");
    let bad = dir.path().join("incidents.json");
    std::fs::write(&bad, &full[..full.len() / 3]).expect("write");
    let out = hindsight(&db, &["ingest", bad.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: line ", bad.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing from this file was stored"),
        "{stderr}"
    );

    let out = hindsight(&db, &["--json", "report", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["summary"]["deployments"], 60,
        "earlier data is intact"
    );
}

#[test]
fn a_garbage_line_is_a_warning_with_file_and_line_and_strict_makes_it_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let log = dir.path().join("ops.logfmt");
    std::fs::write(
        &log,
        "ts=2026-11-19T10:42:07Z service=payments action=deploy\n\"unterminated garbage\nts=2026-11-19T11:00:00Z service=payments action=deploy version=v2\n",
    )
    .expect("write");
    let out = hindsight(&db, &["ingest", log.to_str().expect("utf8")]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: line 2", log.display())),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("2 records stored, 1 rejected"));

    let other = dir.path().join("ops2.logfmt");
    std::fs::write(&other, "garbage\n").expect("write");
    let out = hindsight(&db, &["ingest", "--strict", other.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn devlake_link_mode_reproduces_devlakes_expected_mapping() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/devlake-dora/connect_incident_to_deployment");
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["analyze", "--link-mode", "devlake", "--devlake-dir"])
        .arg(&corpus)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = std::fs::read_to_string(
        corpus.join("snapshot_tables/project_incident_deployment_relationships.csv"),
    )
    .expect("expected table");
    let sorted = |t: &str| {
        let mut lines: Vec<String> = t
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&text(&out.stdout)), sorted(&expected));
    assert_eq!(sorted(&expected).len(), 7, "header and 6 rows");
}

#[test]
fn the_readme_lists_every_format_the_binary_reads() {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["--json", "formats"])
        .output()
        .expect("runs");
    let formats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README");
    let formats = formats.as_array().expect("list");
    assert!(formats.len() >= 18);
    for format in formats {
        let row = format!("| `{}` |", format["name"].as_str().expect("name"));
        assert!(readme.contains(&row), "README misses {row}");
    }
}

#[test]
fn attribution_stats_prints_the_tool_breakdown_of_the_git_ai_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/git-ai");
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("counts.json")).expect("counts"))
            .expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let log = corpus.join("commits.log");
    assert!(hindsight(&db, &["ingest", log.to_str().expect("utf8")])
        .status
        .success());
    let out = hindsight(&db, &["--json", "attribution", "stats"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let count = |list: &str, name: &str| {
        stats[list]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["name"] == name))
            .and_then(|r| r["count"].as_i64())
            .unwrap_or(0)
    };
    assert_eq!(
        Some(stats["changes"].as_i64().unwrap_or(0) as u64),
        counts["total_commits"].as_u64()
    );
    // Every commit with a co-author trailer of a listed address has that signal.
    assert!(
        count("by_signal", "co_authored_by") as u64
            >= counts["co_authored_by"]["commits_with_any_listed_email"]
                .as_u64()
                .unwrap_or(u64::MAX)
    );
    // dependabot (198) and github-actions (115) are automation.
    assert_eq!(count("by_class", "automation"), 313);
    // Claude Code leads the tools, as its 1,341 co-authored commits predict.
    let tools = stats["by_tool"].as_array().expect("tools");
    let top = tools
        .iter()
        .max_by_key(|t| t["count"].as_i64())
        .expect("a tool");
    assert_eq!(top["name"], "claude-code");
    assert!(count("by_tool", "claude-code") >= 1341);
    assert!(count("by_tool", "devin") >= 165);
}

#[test]
fn a_column_mapping_reads_an_export_no_built_in_format_knows() {
    let mapped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/formats/mapped");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let csv = mapped.join("shipit-deploys.csv");
    let toml = mapped.join("shipit-deploys.toml");
    let args = [
        "--json",
        "ingest",
        "--mapping",
        toml.to_str().expect("utf8"),
        csv.to_str().expect("utf8"),
    ];
    let out = hindsight(&db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let file = &report["files"][0];
    assert_eq!(file["status"], "stored", "{file}");
    assert_eq!(file["format"], "mapped");
    assert!(file["records_stored"].as_i64().unwrap_or(0) > 0);
    assert!(
        file["records_rejected"].as_i64().unwrap_or(0) >= 1,
        "the fixture's bad row is rejected"
    );
    // The same file through the same mapping is a no-op.
    let again: serde_json::Value =
        serde_json::from_slice(&hindsight(&db, &args).stdout).expect("json");
    assert_eq!(again["files"][0]["status"], "already_ingested");
    // A broken mapping is a clear usage error.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "record = \"spaceship\"\nformat = \"csv\"\n").expect("write");
    let out = hindsight(
        &db,
        &[
            "ingest",
            "--mapping",
            bad.to_str().expect("utf8"),
            csv.to_str().expect("utf8"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn report_filters_pdf_csv_and_parquet_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let mut files: Vec<String> = std::fs::read_dir(demo_dir())
        .expect("demo dir")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    assert!(hindsight(&db, &args).status.success());

    // The format as a word, filters repeatable, all on the cover.
    let out = hindsight(
        &db,
        &[
            "report",
            "md",
            "--service",
            "checkout",
            "--service",
            "payments",
            "--severity",
            "P1",
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-22",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.contains("- Time window: from 2026-11-16 00:00 UTC to 2026-11-23 00:00 UTC\n- Services: checkout, payments\n- Severities: P1\n"),
        "{md}"
    );
    let json = hindsight(&db, &["report", "json", "--cohort", "devin"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(value["changes"].as_array().map(Vec::len), Some(6));
    assert_eq!(value["scope"]["cohorts"][0], "devin");

    let out = hindsight(&db, &["report", "md", "--incident", "NOPE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no incident matches \"NOPE\""));

    // Binary and per-table formats go to --out.
    let pdf = dir.path().join("r.pdf");
    let out = hindsight(
        &db,
        &["report", "pdf", "--out", pdf.to_str().expect("utf8")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    assert_eq!(hindsight(&db, &["report", "pdf"]).status.code(), Some(2));
    for (format, file) in [("csv", "cohorts.csv"), ("parquet", "cohorts.parquet")] {
        let tables = dir.path().join(format);
        let out = hindsight(
            &db,
            &["report", format, "--out", tables.to_str().expect("utf8")],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(std::fs::read_dir(&tables).expect("dir").count(), 8);
        assert!(tables.join(file).is_file());
        assert!(tables.join(format!("findings.{format}")).is_file());
    }
    assert!(std::fs::read(dir.path().join("parquet/changes.parquet"))
        .expect("parquet")
        .starts_with(b"PAR1"));

    // Several formats from one build of the report, into a folder.
    let meeting = dir.path().join("meeting");
    let out = hindsight(
        &db,
        &[
            "report",
            "md,pdf,csv",
            "--out",
            meeting.to_str().expect("utf8"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("report.pdf"),
        "{}",
        text(&out.stderr)
    );
    let mut entries: Vec<String> = std::fs::read_dir(&meeting)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["csv", "report.md", "report.pdf"]);
    assert_eq!(
        std::fs::read_to_string(meeting.join("report.md")).expect("md"),
        text(&hindsight(&db, &["report", "md"]).stdout)
    );
    let out = hindsight(&db, &["report", "all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("give --out DIR"),
        "{}",
        text(&out.stderr)
    );
    let out = hindsight(&db, &["report", "md,docx", "--out", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("\"docx\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn zone_reads_zone_less_times_and_an_unknown_zone_is_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let md = dir.path().join("checkout.md");
    std::fs::write(
        &md,
        "# Checkout outage\n\n## Timeline\n\n2026-07-14\n\n- 14:51 OUTAGE BEGINS\n- 15:20 ENDS\n",
    )
    .expect("write");
    let md_arg = md.display().to_string();
    let out = hindsight(&db, &["ingest", "--zone", "Mars/Base", &md_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("unknown zone"),
        "{}",
        text(&out.stderr)
    );

    let out = hindsight(&db, &["ingest", "--zone", "Europe/Berlin", &md_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hindsight(&db, &["--json", "incidents"]);
    let listed = text(&out.stdout);
    assert!(listed.contains("2026-07-14T12:51:00"), "{listed}");
}

/// A deploy log of `lines` logfmt lines, a minute apart.
fn write_deploy_log(path: &Path, lines: usize) {
    use std::fmt::Write as _;
    let mut log = String::new();
    for i in 0..lines {
        let at = chrono::DateTime::from_timestamp(1_790_000_000 + i as i64 * 60, 0)
            .expect("time")
            .format("%Y-%m-%dT%H:%M:%SZ");
        let service = ["checkout", "payments", "search"][i % 3];
        writeln!(
            log,
            "ts={at} id=dep-{i} service={service} environment=production version=v1.{i} \
             sha={i:040x} status=succeeded actor=ci-bot actor_type=automation action=deploy"
        )
        .expect("write");
    }
    std::fs::write(path, log).expect("write the log");
}

/// How many deployments and timeline events the store holds, read by opening it the way
/// every host does (which finishes an update a killed process left undone).
fn deployments_and_events(db: &Path) -> (i64, i64) {
    let app = hindsight_api::Hindsight::open(db).expect("the store opens");
    let deployments = app.overview().expect("overview").deployments;
    // Counted exactly up to the offset and beyond it: the last event's offset gives all.
    let events = app
        .search_events(&hindsight_api::EventQueryDto {
            offset: (deployments - 1).max(0),
            limit: 1,
            ..Default::default()
        })
        .expect("events");
    assert!(!events.total_capped);
    (deployments, events.total)
}

#[test]
fn an_ingest_killed_at_any_moment_leaves_the_whole_file_with_its_timeline_or_none_of_it() {
    const LINES: usize = 30_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("deploys.logfmt");
    write_deploy_log(&log, LINES);
    let log_arg = log.to_str().expect("path");
    let started = std::time::Instant::now();
    let whole = hindsight(&dir.path().join("whole.sqlite"), &["ingest", log_arg]);
    assert!(whole.status.success(), "{}", text(&whole.stderr));
    let took = started.elapsed();
    assert_eq!(
        deployments_and_events(&dir.path().join("whole.sqlite")),
        (LINES as i64, LINES as i64)
    );

    // Killed at moments spread over a whole run: reading the file, committing it, then
    // writing what follows from it (the links and the timeline), the last fifth of a run
    // here; so the moments are closer together late in the run.
    let mut outcomes = Vec::new();
    for percent in [10, 30, 50, 60, 70, 75, 80, 85, 90, 95] {
        let db = dir.path().join(format!("killed-{percent}.sqlite"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("--db")
            .arg(&db)
            .args(["ingest", log_arg])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the binary runs");
        std::thread::sleep(took.mul_f64(f64::from(percent) / 100.0));
        // SIGKILL: nothing of the process runs after it (it may have finished already).
        let _ = child.kill();
        child.wait().expect("wait");
        // The next command finishes what the kill left undone, and says so.
        let next = hindsight(&db, &["runs"]);
        assert!(next.status.success(), "{}", text(&next.stderr));
        let noted = text(&next.stderr).contains("interrupted run had left undone");
        let (deployments, events) = deployments_and_events(&db);
        eprintln!(
            "killed at {percent}% of a run: {deployments} deployments, {events} events, \
             update finished by the next command: {noted}"
        );
        assert!(
            !noted || deployments == LINES as i64,
            "killed at {percent}%"
        );
        assert!(
            deployments == 0 || deployments == LINES as i64,
            "killed at {percent}%: {deployments} of {LINES} deployments stored"
        );
        assert_eq!(events, deployments, "killed at {percent}%");
        outcomes.push(deployments);
        // Ingesting the file again completes it either way.
        let again = hindsight(&db, &["ingest", log_arg]);
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert_eq!(
            deployments_and_events(&db),
            (LINES as i64, LINES as i64),
            "killed at {percent}%, then ingested again"
        );
    }
    // The first kill came before the file's commit.
    assert_eq!(outcomes[0], 0, "{outcomes:?}");
}
