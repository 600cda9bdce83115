//! One CSV file per report table: RFC 4180 quoting, CRLF line ends, and text cells that a
//! spreadsheet would read as a formula neutralised with a leading `'` (OWASP CSV injection
//! guidance). Numbers written by Hindsight itself are never altered.
//!
//! [`crate::render_bytes`] with `ReportFormat::Csv` gives only `changes.csv`; callers that
//! want every table write the output of [`render_csv_tables`] into a folder.

use crate::{Report, ReportCohort, ReportEstimate, ReportRate};

/// A text cell from input data: neutralised against formula injection, then quoted.
fn text(value: &str) -> String {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !formula && !needs_quotes(value) {
        return value.to_owned();
    }
    let mut cell = String::with_capacity(value.len() + 4);
    if formula {
        cell.push('\'');
    }
    cell.push_str(value);
    quote_into(cell)
}

fn opt_text(value: Option<&str>) -> String {
    value.map_or_else(String::new, text)
}

/// A number Hindsight computed: written as is.
fn num(value: impl std::fmt::Display) -> String {
    value.to_string()
}

fn opt_num<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(String::new, num)
}

/// RFC 4180: a field with a comma, quote or line break is quoted.
fn needs_quotes(value: &str) -> bool {
    value.contains([',', '"', '\r', '\n'])
}

/// `value` quoted with its quotes doubled when it [`needs_quotes`], else as it is.
fn quote_into(value: String) -> String {
    if !needs_quotes(&value) {
        return value;
    }
    format!("\"{}\"", value.replace('"', "\"\""))
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let width: usize = rows
        .iter()
        .map(|row| row.iter().map(|cell| cell.len() + 1).sum::<usize>() + 1)
        .sum();
    let mut out = String::with_capacity(width + 256);
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(cell);
        }
        out.push_str("\r\n");
    }
    out
}

fn rate_cells(rate: &ReportRate) -> [String; 4] {
    [
        num(rate.numerator),
        opt_num(rate.rate),
        opt_num(rate.ci95_lower),
        opt_num(rate.ci95_upper),
    ]
}

fn cohort_table(first: &'static str, rows: &[ReportCohort]) -> String {
    table(
        &[
            first,
            "changes",
            "deployed",
            "failed_confirmed",
            "confirmed_rate",
            "confirmed_ci95_lower",
            "confirmed_ci95_upper",
            "failed_including_suspected",
            "including_suspected_rate",
            "including_suspected_ci95_lower",
            "including_suspected_ci95_upper",
            "warning",
        ],
        rows.iter()
            .map(|c| {
                let mut row = vec![text(&c.cohort), num(c.changes), num(c.deployed)];
                row.extend(rate_cells(&c.failed_confirmed));
                row.extend(rate_cells(&c.failed_including_suspected));
                row.push(opt_text(c.warning.as_deref()));
                row
            })
            .collect(),
    )
}

fn estimate_cells(estimate: &Option<ReportEstimate>) -> [String; 4] {
    match estimate {
        Some(e) => [
            num(e.value),
            num(e.ci95_lower),
            num(e.ci95_upper),
            text(&e.method),
        ],
        None => Default::default(),
    }
}

/// `changes.csv`: one row per change with its attribution.
pub(crate) fn changes_csv(report: &Report) -> String {
    table(
        &[
            "kind",
            "natural_key",
            "repo",
            "title",
            "author",
            "committed_at",
            "class",
            "tool",
            "involvement",
            "confidence",
            "evidence",
            "source_file",
            "source_location",
        ],
        report
            .changes
            .iter()
            .map(|c| {
                vec![
                    text(&c.kind),
                    text(&c.natural_key),
                    opt_text(c.repo.as_deref()),
                    text(&c.title),
                    opt_text(c.author.as_deref()),
                    opt_text(c.committed_at.as_deref()),
                    text(&c.class),
                    opt_text(c.tool.as_deref()),
                    opt_text(c.involvement.as_deref()),
                    num(c.confidence),
                    text(&c.evidence_line()),
                    text(&c.source_file),
                    text(&c.source_location),
                ]
            })
            .collect(),
    )
}

/// Every table of the report as `(file name, CSV text)`, in a fixed order: `cohorts.csv`,
/// `tools.csv`, `comparisons.csv`, `incidents.csv`, `suspects.csv`, `changes.csv`,
/// `sources.csv`.
pub fn render_csv_tables(report: &Report) -> Vec<(String, String)> {
    let s = &report.summary;
    let comparisons = table(
        &[
            "basis",
            "risk_ratio",
            "risk_ratio_ci95_lower",
            "risk_ratio_ci95_upper",
            "risk_ratio_method",
            "risk_difference",
            "risk_difference_ci95_lower",
            "risk_difference_ci95_upper",
            "risk_difference_method",
            "fisher_p",
        ],
        s.comparisons
            .iter()
            .map(|c| {
                let mut row = vec![text(&c.basis)];
                row.extend(estimate_cells(&c.risk_ratio));
                row.extend(estimate_cells(&c.risk_difference));
                row.push(opt_num(c.fisher_p));
                row
            })
            .collect(),
    );
    let incidents = table(
        &[
            "source_system",
            "source_id",
            "title",
            "service",
            "severity",
            "started_at",
            "resolved_at",
            "duration_minutes",
            "top_suspect_key",
            "top_suspect_score",
            "suspect_count",
        ],
        report
            .incidents
            .iter()
            .map(|i| {
                let top = i.suspects.first();
                vec![
                    text(&i.source_system),
                    text(&i.source_id),
                    text(&i.title),
                    opt_text(i.service.as_deref()),
                    opt_text(i.severity.as_deref()),
                    text(&i.started_at),
                    opt_text(i.resolved_at.as_deref()),
                    opt_num(i.duration_minutes),
                    opt_text(top.map(|t| t.deployment.natural_key.as_str())),
                    opt_num(top.map(|t| t.score)),
                    num(i.suspects.len()),
                ]
            })
            .collect(),
    );
    let suspects = table(
        &[
            "incident_source_system",
            "incident_source_id",
            "rank",
            "score",
            "status",
            "deployment_key",
            "action",
            "actor",
            "shipped_change_keys",
        ],
        report
            .incidents
            .iter()
            .flat_map(|i| {
                i.suspects.iter().map(move |s| {
                    let keys: Vec<&str> =
                        s.changes.iter().map(|c| c.natural_key.as_str()).collect();
                    vec![
                        text(&i.source_system),
                        text(&i.source_id),
                        num(s.rank),
                        num(s.score),
                        text(&s.status),
                        text(&s.deployment.natural_key),
                        text(&s.deployment.action),
                        opt_text(s.deployment.actor.as_deref()),
                        text(&keys.join(" ")),
                    ]
                })
            })
            .collect(),
    );
    let sources = table(
        &[
            "path",
            "format",
            "content_hash",
            "records_seen",
            "records_stored",
            "records_rejected",
        ],
        report
            .sources
            .iter()
            .map(|s| {
                vec![
                    text(&s.path),
                    text(&s.format),
                    text(&s.content_hash),
                    num(s.records_seen),
                    num(s.records_stored),
                    num(s.records_rejected),
                ]
            })
            .collect(),
    );
    let findings = table(
        &[
            "name",
            "description",
            "failed",
            "counted",
            "rate",
            "ci95_lower",
            "ci95_upper",
            "incidents",
        ],
        report
            .findings
            .iter()
            .flat_map(|f| &f.findings)
            .map(|f| {
                let [failed, rate, lower, upper] = rate_cells(&f.failures);
                vec![
                    text(&f.name),
                    text(&f.description),
                    failed,
                    num(f.failures.denominator),
                    rate,
                    lower,
                    upper,
                    text(&f.incidents.join("; ")),
                ]
            })
            .collect(),
    );
    vec![
        ("cohorts.csv".to_owned(), cohort_table("cohort", &s.cohorts)),
        ("tools.csv".to_owned(), cohort_table("tool", &s.by_tool)),
        ("comparisons.csv".to_owned(), comparisons),
        ("incidents.csv".to_owned(), incidents),
        ("suspects.csv".to_owned(), suspects),
        ("changes.csv".to_owned(), changes_csv(report)),
        ("sources.csv".to_owned(), sources),
        ("findings.csv".to_owned(), findings),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_neutralises_text_but_not_numbers() {
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\"\nnow"), "\"say \"\"hi\"\"\nnow\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-cmd"), "'-cmd");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(text("\rx"), "\"'\rx\"");
        assert_eq!(text("plain"), "plain");
        assert_eq!(num(-0.5), "-0.5");
    }

    #[test]
    fn one_table_per_file_with_crlf() {
        let mut report = crate::sample::report();
        report.changes[0].title = "=cmd|' /C calc'!A0, \"quoted\"".into();
        let tables = render_csv_tables(&report);
        let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "cohorts.csv",
                "tools.csv",
                "comparisons.csv",
                "incidents.csv",
                "suspects.csv",
                "changes.csv",
                "sources.csv",
                "findings.csv"
            ]
        );
        for (name, csv) in &tables {
            assert!(csv.ends_with("\r\n"), "{name}");
            assert!(!csv.replace("\r\n", "").contains('\n'), "{name}");
        }
        let changes = &tables[5].1;
        assert!(
            changes.contains(",\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\","),
            "{changes}"
        );
        assert_eq!(changes.as_bytes(), changes_csv(&report).as_bytes());
        let cohorts = &tables[0].1;
        assert!(
            cohorts.contains("\r\nai,1,1,0,0,0,0.7935,1,1,0.2065,1,only 1 deployed change\r\n"),
            "{cohorts}"
        );
        assert!(
            cohorts.contains("\r\nhuman,0,0,0,,,,0,,,,\r\n"),
            "{cohorts}"
        );
        let suspects = &tables[4].1;
        assert!(
            suspects
                .contains("pagerduty,PT4KHLK,1,0.9,suspected,dep-1,deploy,ci,0123456789abcdef\r\n"),
            "{suspects}"
        );
        let incidents = &tables[3].1;
        assert!(incidents.contains(",65,dep-1,0.9,1\r\n"), "{incidents}");
    }
}
