//! PagerDuty log entries and CSV, Opsgenie, Grafana OnCall and post-mortem Markdown through
//! the public `detect` and `parse`.

use std::path::{Path, PathBuf};

use hindsight_ingest::{detect, parse, Format, IngestError, Parsed};
use hindsight_model::{Incident, IncidentEvents, Record, Rejection};

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn read(relative: &str) -> Vec<u8> {
    let path = repo_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn head(bytes: &[u8]) -> &[u8] {
    bytes.get(..64 * 1024).unwrap_or(bytes)
}

#[derive(Default)]
struct Out {
    incidents: Vec<Incident>,
    events: Vec<IncidentEvents>,
    rejections: Vec<Rejection>,
}

fn parse_all(format: Format, file: &str, bytes: &[u8]) -> Out {
    let mut out = Out::default();
    parse(format, file, bytes, &mut |p| match p {
        Parsed::Record(Record::Incident(i)) => out.incidents.push(i),
        Parsed::Record(Record::IncidentEvents(e)) => out.events.push(e),
        Parsed::Record(other) => panic!("unexpected record {other:?}"),
        Parsed::Rejected(r) => out.rejections.push(r),
        Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
    })
    .expect("document parses");
    out
}

fn incident<'a>(out: &'a Out, id: &str) -> &'a Incident {
    out.incidents
        .iter()
        .find(|i| i.source_id == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

/// A copy cut in half fails whole, naming the line it stopped on, and emits nothing.
fn assert_truncation_is_malformed(format: Format, file: &str, bytes: &[u8]) {
    let cut = bytes.get(..bytes.len() / 2).expect("half");
    let mut emitted = 0;
    let err = parse(format, file, cut, &mut |_| emitted += 1).expect_err("truncated JSON");
    let IngestError::Malformed {
        file: named, line, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(named, file);
    assert!(*line > 1, "{err}");
    assert_eq!(*line, cut.iter().filter(|b| **b == b'\n').count() + 1);
    assert_eq!(emitted, 0);
}

const MINE: [Format; 4] = [
    Format::PagerDutyLogEntries,
    Format::OpsgenieIncidents,
    Format::GrafanaOnCallAlertGroups,
    Format::PostMortemMarkdown,
];

const FIXTURES: [(&str, Format); 6] = [
    (
        "fixtures/formats/pagerduty-log-entries/log_entries.json",
        Format::PagerDutyLogEntries,
    ),
    (
        "fixtures/formats/pagerduty-csv/incidents.csv",
        Format::PagerDutyLogEntries,
    ),
    (
        "fixtures/formats/opsgenie/incidents.json",
        Format::OpsgenieIncidents,
    ),
    (
        "fixtures/formats/opsgenie/alerts.json",
        Format::OpsgenieIncidents,
    ),
    (
        "fixtures/formats/grafana-oncall/alert_groups.json",
        Format::GrafanaOnCallAlertGroups,
    ),
    (
        "fixtures/formats/postmortem/shakespeare-sonnet.md",
        Format::PostMortemMarkdown,
    ),
];

#[test]
fn each_fixture_is_detected_as_its_format() {
    for (path, format) in FIXTURES {
        assert_eq!(detect(head(&read(path))), Some(format), "{path}");
    }
}

/// Every file in a directory (recursively), skipping ones this module owns.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn other_fixtures_are_not_claimed() {
    let mine = FIXTURES.map(|(path, _)| repo_path(path));
    let mut files = Vec::new();
    files_under(&repo_path("fixtures/demo"), &mut files);
    files_under(&repo_path("fixtures/formats"), &mut files);
    assert!(files.len() > 8, "fixtures found: {files:?}");
    for path in files {
        if mine
            .iter()
            .any(|m| m.canonicalize().ok() == path.canonicalize().ok())
        {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let detected = detect(head(&bytes));
        assert!(
            !detected.is_some_and(|f| MINE.contains(&f)),
            "{} detected as {detected:?}",
            path.display()
        );
    }
}

#[test]
fn pagerduty_log_entries_become_incident_events() {
    let bytes = read("fixtures/formats/pagerduty-log-entries/log_entries.json");
    let out = parse_all(Format::PagerDutyLogEntries, "log_entries.json", &bytes);
    assert!(out.incidents.is_empty());
    assert_eq!(out.events.len(), 2);
    let checkout = out
        .events
        .iter()
        .find(|e| e.source_id == "QG3Q2QN7TVSXVZ")
        .expect("checkout events");
    assert_eq!(checkout.source_system, "pagerduty");
    let kinds: Vec<_> = checkout.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["trigger", "notify", "acknowledge", "annotate", "resolve"]
    );
    assert_eq!(checkout.events[4].text, "Resolved by Zoë Müller.");
    assert_eq!(checkout.events[4].source.file, "log_entries.json");
    assert_eq!(checkout.events[4].source.location, "/log_entries/6");
    let locations: Vec<_> = out.rejections.iter().map(|r| r.location.as_str()).collect();
    assert_eq!(
        locations,
        ["/log_entries/7", "/log_entries/8", "/log_entries/9"]
    );
    assert_truncation_is_malformed(Format::PagerDutyLogEntries, "log_entries.json", &bytes);
}

#[test]
fn pagerduty_csv_export_becomes_incidents() {
    let bytes = read("fixtures/formats/pagerduty-csv/incidents.csv");
    let out = parse_all(Format::PagerDutyLogEntries, "incidents.csv", &bytes);
    assert_eq!(out.incidents.len(), 3);
    let first = incident(&out, "QG3Q2QN7TVSXVZ");
    assert_eq!(first.source_system, "pagerduty");
    assert_eq!(first.number, Some(1042));
    assert_eq!(first.service.as_deref(), Some("checkout-api"));
    assert_eq!(first.title, "Checkout error rate above 5%, EU only");
    assert_eq!(
        first.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-16T16:09:58+00:00")
    );
    let multiline = incident(&out, "Q1SEARCH000001");
    assert!(multiline.title.contains("\"p99\""));
    assert!(multiline.title.contains('\n'));
    assert_eq!(multiline.source.location, "line 3");
    assert_eq!(incident(&out, "1044").number, Some(1044));
    assert_eq!(out.rejections.len(), 2);
    assert_eq!(out.rejections[0].location, "line 6");
    // A quote left open runs to the end of the file: malformed, naming where it opened.
    let mut broken = bytes.clone();
    broken.extend_from_slice(b"QX,1047,\"never closed,PSVC001");
    let err =
        parse(Format::PagerDutyLogEntries, "i.csv", &broken, &mut |_| {}).expect_err("open quote");
    assert!(
        matches!(err, IngestError::Malformed { line: 8, .. }),
        "{err:?}"
    );
}

#[test]
fn opsgenie_incidents_and_alerts() {
    let bytes = read("fixtures/formats/opsgenie/incidents.json");
    let out = parse_all(Format::OpsgenieIncidents, "incidents.json", &bytes);
    assert_eq!(out.incidents.len(), 2);
    let first = incident(&out, "70413a06-38d6-4c85-92b8-5ebc900d42e7");
    assert_eq!(first.source_system, "opsgenie");
    assert_eq!(first.severity.as_deref(), Some("P1"));
    assert_eq!(first.service.as_deref(), Some("checkout-api"));
    assert_eq!(first.status, "resolved");
    assert!(first.resolved_at.is_some());
    assert_eq!(out.rejections.len(), 1);
    assert_eq!(out.rejections[0].field.as_deref(), Some("createdAt"));
    assert_truncation_is_malformed(Format::OpsgenieIncidents, "incidents.json", &bytes);

    let bytes = read("fixtures/formats/opsgenie/alerts.json");
    let out = parse_all(Format::OpsgenieIncidents, "alerts.json", &bytes);
    assert_eq!(out.incidents.len(), 2);
    let closed = incident(&out, "8418d193-2dab-4490-b331-8c02cdd196b7");
    assert_eq!(
        closed.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-16T16:09:20+00:00")
    );
    let kinds: Vec<_> = closed.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "acknowledged", "closed"]);
    assert_eq!(out.rejections.len(), 2);
    assert_truncation_is_malformed(Format::OpsgenieIncidents, "alerts.json", &bytes);
}

#[test]
fn grafana_oncall_alert_groups() {
    let bytes = read("fixtures/formats/grafana-oncall/alert_groups.json");
    let out = parse_all(
        Format::GrafanaOnCallAlertGroups,
        "alert_groups.json",
        &bytes,
    );
    assert_eq!(out.incidents.len(), 3);
    let resolved = incident(&out, "I68T24C13IFW1");
    assert_eq!(resolved.source_system, "grafana-oncall");
    assert_eq!(resolved.service.as_deref(), Some("checkout-api"));
    assert_eq!(resolved.status, "resolved");
    let kinds: Vec<_> = resolved.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "acknowledged", "resolved"]);
    assert_eq!(
        incident(&out, "IZHQ4WV8GTVJQ").service.as_deref(),
        Some("search")
    );
    assert_eq!(out.rejections.len(), 2);
    assert_eq!(out.rejections[0].location, "/results/3");
    assert_truncation_is_malformed(
        Format::GrafanaOnCallAlertGroups,
        "alert_groups.json",
        &bytes,
    );
}

#[test]
fn postmortem_markdown() {
    let bytes = read("fixtures/formats/postmortem/shakespeare-sonnet.md");
    let out = parse_all(
        Format::PostMortemMarkdown,
        "fixtures/formats/postmortem/shakespeare-sonnet.md",
        &bytes,
    );
    assert_eq!(out.incidents.len(), 1);
    let pm = &out.incidents[0];
    assert_eq!(pm.source_system, "postmortem");
    assert_eq!(pm.source_id, "shakespeare-sonnet-2015-10-21");
    assert_eq!(pm.title, "Shakespeare Sonnet++ Postmortem (incident #465)");
    assert_eq!(pm.started_at.to_rfc3339(), "2015-10-21T14:54:00+00:00");
    assert_eq!(
        pm.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2015-10-21T15:36:00+00:00")
    );
    let last = pm.events.last().expect("events");
    assert_eq!(last.at.to_rfc3339(), "2015-10-22T07:10:00+00:00");
    assert_eq!(out.rejections.len(), 1);
    assert_eq!(out.rejections[0].location, "line 38");

    let err = parse(
        Format::PostMortemMarkdown,
        "notes.md",
        b"# Notes\n\n## Summary\n\nNo timeline here.\n",
        &mut |_| {},
    )
    .expect_err("no timeline");
    assert!(matches!(err, IngestError::Invalid { .. }), "{err:?}");
    assert_eq!(detect(b"# Notes\n\n## Summary\n"), None);
}
