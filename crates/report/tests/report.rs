//! End-to-end checks of the rendered report: the PDF read back by `pdftotext` (and checked
//! by `qpdf` when installed), the CSV tables, and the JSON against `docs/report.schema.json`.

use std::path::Path;
use std::process::Command;

use hindsight_report::*;

fn rate(numerator: i64, denominator: i64, ci: Option<(f64, f64)>) -> ReportRate {
    ReportRate {
        numerator,
        denominator,
        rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        ci95_lower: ci.map(|c| c.0),
        ci95_upper: ci.map(|c| c.1),
    }
}

/// A small report whose text fields carry hostile input.
fn report() -> Report {
    Report {
        schema: REPORT_SCHEMA.into(),
        generated_at: "2026-11-26T00:00:00.000Z".into(),
        hindsight_version: "0.1.0".into(),
        scope: ReportFilters {
            from: None,
            to: Some("2026-12-01T00:00:00.000Z".into()),
            services: vec!["<script>alert(1)</script>".into()],
            teams: vec!["=HYPERLINK(\"http://x\")".into()],
            severities: vec![],
            cohorts: vec![],
            incidents: vec!["PT4KHLK".into()],
        },
        sources: vec![ReportSource {
            path: "demo/deploys.jsonl".into(),
            format: "deploy-jsonl".into(),
            content_hash: "ab".repeat(32),
            records_seen: 3,
            records_stored: 2,
            records_rejected: 1,
        }],
        summary: ReportSummary {
            incidents: 1,
            deployments: 1,
            changes: 1,
            suspect_threshold: 0.5,
            cohorts: vec![
                ReportCohort {
                    cohort: "ai".into(),
                    changes: 1,
                    deployed: 1,
                    failed_confirmed: rate(0, 1, Some((0.0, 0.7935))),
                    failed_including_suspected: rate(1, 1, Some((0.2065, 1.0))),
                    warning: Some("only 1 deployed change".into()),
                },
                ReportCohort {
                    cohort: "human".into(),
                    changes: 0,
                    deployed: 0,
                    failed_confirmed: rate(0, 0, None),
                    failed_including_suspected: rate(0, 0, None),
                    warning: None,
                },
            ],
            by_service: vec![],
            by_tool: vec![],
            comparisons: vec![ReportComparison {
                basis: "including suspected".into(),
                risk_ratio: None,
                risk_difference: None,
                fisher_p: None,
            }],
        },
        incidents: vec![ReportIncident {
            source_system: "pagerduty".into(),
            source_id: "PT4KHLK".into(),
            number: Some(1042),
            title: "Checkout | errors <script>alert(1)</script>".into(),
            service: Some("checkout".into()),
            severity: Some("P1".into()),
            status: "resolved".into(),
            started_at: "2026-11-17T14:05:00.000Z".into(),
            resolved_at: Some("2026-11-17T15:10:00.000Z".into()),
            duration_minutes: Some(65),
            url: None,
            not_change_caused: None,
            detailed: true,
            merged_from: Vec::new(),
            timeline: vec![ReportEvent {
                at: "2026-11-17T14:05:00.000Z".into(),
                kind: "triggered".into(),
                text: "Triggered: [click](javascript:alert(1))".into(),
            }],
            key_moments: vec![ReportKeyMoment {
                moment: "detection".into(),
                at: "2026-11-17T14:07:00.000Z".into(),
                title: "Alert <b>fired</b>".into(),
            }],
            suspects: vec![ReportSuspect {
                rank: 1,
                score: 0.9,
                status: "suspected".into(),
                method: "same service".into(),
                evidence: vec![
                    "deployed v1 to checkout production 14 min before impact start".into(),
                ],
                deployment: ReportDeployment {
                    natural_key: "dep-1".into(),
                    service: "checkout".into(),
                    environment: Some("production".into()),
                    version: Some("v1".into()),
                    sha: Some("0123456789abcdef".into()),
                    status: "succeeded".into(),
                    action: "deploy".into(),
                    actor: Some("ci".into()),
                    actor_type: Some("automation".into()),
                    at: "2026-11-17T13:51:00.000Z".into(),
                },
                changes: vec![ReportChangeRef {
                    natural_key: "0123456789abcdef".into(),
                    title: "<img src=x onerror=alert(1)> *bold* | pipe".into(),
                    author: Some("Ada".into()),
                    class: "ai".into(),
                    tool: Some("claude-code".into()),
                }],
            }],
        }],
        stratified: ReportStratified {
            crude: Some(ReportEstimate {
                value: 2.0,
                ci95_lower: 1.1,
                ci95_upper: 3.6,
                method: "Katz log interval".into(),
            }),
            by_size: None,
            by_service: None,
            unknown_as_ai: None,
            unknown_as_human: None,
            interpretation: "held fixed".into(),
        },
        dora: ReportDora {
            window_start: None,
            window_end: None,
            deployments: 0,
            deployments_per_week: None,
            lead_time_median_hours: None,
            lead_time_p90_hours: None,
            change_failure_rate: rate(0, 0, None),
            recovery_median_minutes: None,
            recovery_p90_minutes: None,
            unrecovered_failed_deployments: 0,
            estimator: "type 7".into(),
        },
        recovery: vec![ReportRecovery {
            cohort: "ai".into(),
            incidents: 1,
            open: 0,
            acknowledge_median_minutes: Some(4.0),
            acknowledge_p90_minutes: Some(4.0),
            resolve_median_minutes: None,
            resolve_p90_minutes: None,
            resolve_minutes: vec![],
            severity_mix: "P1 ×1".into(),
        }],
        what_ifs: vec![ReportWhatIf {
            rule: "freeze".into(),
            gated_changes: vec!["=cmd|' /C calc'!A0".into()],
            gated_operations: vec![],
            incidents_prevented: vec![],
            added_lead_time_hours: 1.5,
            method: "replayed".into(),
        }],
        changes: vec![ReportChange {
            kind: "commit".into(),
            natural_key: "0123456789abcdef".into(),
            repo: Some("checkout".into()),
            title: "<img src=x onerror=alert(1)> *bold* | pipe".into(),
            author: Some("Ada".into()),
            committed_at: Some("2026-11-17T12:00:00.000Z".into()),
            class: "ai".into(),
            tool: Some("claude-code".into()),
            involvement: Some("coauthored".into()),
            confidence: 0.95,
            evidence: vec![ReportEvidence {
                signal: "co_authored_by".into(),
                location: "message line 3".into(),
                matched_text: "Co-authored-by: Claude <noreply@anthropic.com>".into(),
            }],
            source_file: "checkout.gitlog".into(),
            source_location: "line 1".into(),
        }],
        findings: Some(ReportFindings {
            from: None,
            to: None,
            senior_roster: false,
            findings: vec![ReportFinding {
                name: "ai_without_review".into(),
                description: "AI changes deployed without an approving review".into(),
                failures: rate(3, 7, Some((0.158, 0.75))),
                incidents: vec!["pagerduty PT4KHLK".into()],
            }],
            teams: vec![ReportTeam {
                team: "payments".into(),
                class: "ai".into(),
                failures: rate(2, 9, Some((0.063, 0.547))),
            }],
            blast_radius: vec![ReportBlastRadius {
                cohort: "ai".into(),
                incidents: 2,
                services: vec!["checkout".into(), "payments".into()],
                components: vec![],
                regions: vec!["eu-west-1".into()],
                services_per_incident: 1.5,
                impact_minutes: 95.0,
                unresolved: 1,
            }],
            sensitivity: vec![ReportSensitivity {
                window_hours: 48,
                threshold: 0.7,
                ai: rate(2, 10, None),
                human: rate(1, 20, None),
                risk_ratio: Some(4.0),
                ci95_lower: Some(0.4),
                ci95_upper: Some(40.0),
            }],
        }),
        methodology: vec!["Suspects are deployments of the incident's service.".into()],
    }
}

/// The sample with more hostile text and enough incidents and changes to span pages.
fn big_report() -> Report {
    let mut report = report();
    let template = report.incidents[0].clone();
    report.incidents = (0..40)
        .map(|i| {
            let mut incident = template.clone();
            incident.source_id = format!("INC{i:03}");
            incident.title = format!("Incident {i} (unbalanced (( parens ) and back\\slash \\) <img src=x onerror=alert(1)>");
            incident
        })
        .collect();
    let change = report.changes[0].clone();
    report.changes = (0..80)
        .map(|i| {
            let mut c = change.clone();
            c.natural_key = format!("{i:04}aaaaaaaaaaaaaaaa");
            c.title = format!(
                "Change {i}: fix ) ( \\ résumé — naïve 😀 漢字 {}",
                "long words ".repeat(i % 12)
            );
            c
        })
        .collect();
    report
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    qpdf_check(&path);
    if let Ok(output) = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(&path)
        .output()
    {
        let outlines = String::from_utf8_lossy(&output.stdout);
        for title in [
            "Contents",
            "Summary",
            "Incidents",
            "Changes",
            "Sources",
            "Method",
        ] {
            assert!(
                outlines.contains(&format!("\"title\": \"{title}\"")),
                "outline lacks {title}: {outlines}"
            );
        }
    }
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "pdftotext complained: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 text")
}

fn qpdf_check(path: &Path) {
    match Command::new("qpdf").arg("--check").arg(path).output() {
        Ok(output) => assert!(
            output.status.success(),
            "qpdf --check failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => eprintln!("note: qpdf not installed, structural check skipped"),
    }
}

/// Pages as pdftotext separates them (form feeds).
fn pages(text: &str) -> Vec<&str> {
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// `(title, page)` for each table-of-contents line `Title ...... N`.
fn toc_entries(contents_page: &str) -> Vec<(String, usize)> {
    contents_page
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().split_once(" ..")?;
            let number = rest.trim_start_matches(['.', ' ']).trim().parse().ok()?;
            Some((name.trim().to_owned(), number))
        })
        .collect()
}

#[test]
fn pdf_reads_back_with_figures_toc_and_page_numbers() {
    let pdf = render_pdf(&report());
    assert_eq!(
        render_bytes(&report(), ReportFormat::Pdf).expect("pdf"),
        pdf
    );
    let text = pdftotext(&pdf);
    println!("{text}");
    assert!(
        text.contains("100.0% (1 of 1; 95% CI 20.6–100.0%)"),
        "summary figures: {text}"
    );
    assert!(text.contains("Checkout | errors <script>alert(1)</script>"));
    assert!(text.contains("Generated 2026-11-26 00:00 UTC"));
    assert!(text.contains("Hindsight version 0.1.0"));
    // The cover prints the filters, hostile ones included, as plain text.
    assert!(text.contains("Time window: from the start to 2026-12-01 00:00 UTC"));
    assert!(text.contains("Services: <script>alert(1)</script>"));
    assert!(text.contains("Incidents shown in full: PT4KHLK"));
    assert!(text.contains("Mantel–Haenszel risk ratio, stratified by change size: not defined"));
    assert!(text.contains("Page 1 of"));
    assert!(text.contains("Deployments: 0 (n/a per week)"), "{text}");
    assert!(
        text.contains("freeze: 1 changes and 0 operations gated; incidents it would have gated: none; added lead time 1.5 h. replayed"),
        "{text}"
    );
    assert!(text.contains(
        "1. deploy v1 on checkout production at 2026-11-17 13:51 UTC, score 0.90 (suspected)"
    ));
    assert!(text.contains(
        "shipped 0123456789 <img src=x onerror=alert(1)> *bold* | pipe by Ada: AI (claude-code)"
    ));
    assert!(text.contains("0123456789") && text.contains("AI (claude-code) - <img src=x"));
    assert!(text.contains("Triggered: [click](javascript:alert(1))"));
    // The findings sections and the key moments.
    assert!(text.contains("detection: Alert <b>fired</b>"), "{text}");
    assert!(
        text.contains("AI changes deployed without an approving review: 42.9% (3 of 7; 95% CI"),
        "{text}"
    );
    assert!(text.contains("pagerduty PT4KHLK"), "{text}");
    assert!(
        text.contains("payments (ai): 22.2% (2 of 9; 95% CI 6.3–54.7%)"),
        "{text}"
    );
    assert!(
        text.contains("ai: 2 incidents; services checkout, payments; components -"),
        "{text}"
    );
    assert!(text.contains("impact minutes (1 unresolved)"), "{text}");
    assert!(text.contains("48 h window, threshold 0.7"), "{text}");
    assert!(text.contains("4.00 (0.40–40.00)"), "{text}");
    let pages = pages(&text);
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {total}", i + 1)),
            "{page}"
        );
    }
    let toc = toc_entries(pages[1]);
    let names: Vec<&str> = toc.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Summary",
            "Incidents",
            "AI vs human, held fixed",
            "DORA figures (production)",
            "Recovery by trigger cohort",
            "Policy what-ifs",
            "Approval and permission findings",
            "Failure rate per team",
            "Blast radius by trigger cohort",
            "Sensitivity to the link window and score threshold",
            "Changes",
            "Sources",
            "Method"
        ]
    );
    for (name, number) in toc {
        let page = pages[number - 1];
        assert_eq!(
            page.trim_start().lines().next().map(str::trim),
            Some(name.as_str())
        );
    }
}

#[test]
fn hostile_text_keeps_the_pdf_valid_across_pages() {
    let pdf = render_pdf(&big_report());
    let text = pdftotext(&pdf);
    let pages = pages(&text);
    assert!(pages.len() > 6, "{} pages", pages.len());
    assert!(
        text.contains("Incident 39 (unbalanced (( parens ) and back\\slash \\) <img src=x"),
        "{text}"
    );
    assert!(text.contains("fix ) ( \\ résumé — naïve ? ??"), "{text}");
    let toc = toc_entries(pages[1]);
    assert_eq!(toc.len(), 13);
    let mut previous = 0;
    for (name, number) in toc {
        assert!(number > previous, "{name} on {number}");
        previous = number;
        assert_eq!(
            pages[number - 1].trim_start().lines().next().map(str::trim),
            Some(name.as_str())
        );
    }
    // No text line runs past the right margin: pdftotext -layout keeps lines short.
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 140, "widest line {widest}");
}

#[test]
fn render_refuses_binary_formats_and_render_bytes_gives_changes_csv() {
    assert!(matches!(
        render(&report(), ReportFormat::Pdf),
        Err(ReportError::Binary(_))
    ));
    assert!(render(&report(), ReportFormat::Csv).is_err());
    let tables = render_csv_tables(&report());
    let changes = tables
        .iter()
        .find(|(name, _)| name == "changes.csv")
        .expect("changes.csv");
    assert_eq!(
        render_bytes(&report(), ReportFormat::Csv).expect("csv"),
        changes.1.as_bytes()
    );
    assert!(changes.1.starts_with("kind,natural_key,repo,title,author,committed_at,class,tool,involvement,confidence,evidence"));
    let findings = tables
        .iter()
        .find(|(name, _)| name == "findings.csv")
        .expect("findings.csv");
    assert_eq!(
        findings.1,
        "name,description,failed,counted,rate,ci95_lower,ci95_upper,incidents\r\nai_without_review,AI changes deployed without an approving review,3,7,0.42857142857142855,0.158,0.75,pagerduty PT4KHLK\r\n"
    );
    let typed = data_tables(&report());
    let table = typed
        .iter()
        .find(|t| t.name == "findings")
        .expect("findings table");
    assert_eq!(
        table.columns[3],
        ("counted".into(), DataValues::Int(vec![Some(7)]))
    );
    assert_eq!(
        render_bytes(&report(), ReportFormat::Markdown).expect("md"),
        render(&report(), ReportFormat::Markdown)
            .expect("md")
            .into_bytes()
    );
}

#[test]
fn json_report_matches_the_published_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema file"))
            .expect("schema is json");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    for report in [report(), big_report()] {
        let json = render(&report, ReportFormat::Json).expect("json");
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The schema is strict: an unknown field or a wrong type is rejected.
    let mut value = serde_json::to_value(report()).expect("json");
    value["summary"]["extra"] = serde_json::json!(1);
    assert!(!validator.is_valid(&value));
    let mut value = serde_json::to_value(report()).expect("json");
    value["incidents"][0]["service"] = serde_json::json!(3);
    assert!(!validator.is_valid(&value));
    let mut value = serde_json::to_value(report()).expect("json");
    value["changes"][0]
        .as_object_mut()
        .expect("object")
        .remove("confidence");
    assert!(!validator.is_valid(&value));
}

#[test]
fn html_carries_an_inline_chart_per_cohort_table() {
    let mut report = report();
    report.summary.by_tool = vec![report.summary.cohorts[0].clone()];
    report.summary.by_tool[0].cohort = "<b>claude-code</b>".into();
    let html = render(&report, ReportFormat::Html).expect("html");
    // Two failure-rate charts, the forest plot and the recovery strip plot.
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<figure class=\"chart\">").count(), 2);
    assert_eq!(
        html.matches("<figure class=\"chart stratified\">").count(),
        1
    );
    assert_eq!(html.matches("<figure class=\"chart recovery\">").count(), 1);
    assert_eq!(html.matches("class=\"bar\"").count(), 2);
    assert_eq!(html.matches("class=\"whisker\"").count(), 2);
    assert!(html.contains("&lt;b&gt;claude-code&lt;/b&gt;"));
    assert!(!html.contains("<b>claude-code"));
    assert!(!html.contains("<script"));
    let without_tools = render(&self::report(), ReportFormat::Html).expect("html");
    assert_eq!(without_tools.matches("<figure class=\"chart\">").count(), 1);
}
