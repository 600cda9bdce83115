//! The findings sections: approval and permission findings, failure rates per team, blast
//! radius by trigger cohort, and the AI vs human ratio as the link window and the score
//! threshold vary: laid out once as tables (`sections`), rendered as Markdown and HTML.

use std::fmt::Write;

use serde::Serialize;

use crate::{display_rate, escape_html, escape_markdown, ReportRate};

/// Findings, per-team rates, blast radius and sensitivity over the report's window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFindings {
    /// The window the sections cover (`None`: all history).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Whether a roster of senior reviewers was given.
    pub senior_roster: bool,
    pub findings: Vec<ReportFinding>,
    pub teams: Vec<ReportTeam>,
    pub blast_radius: Vec<ReportBlastRadius>,
    pub sensitivity: Vec<ReportSensitivity>,
}

/// One approval or permission finding with its failure rate and incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFinding {
    pub name: String,
    pub description: String,
    pub failures: ReportRate,
    pub incidents: Vec<String>,
}

/// Failure rate of one team and class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTeam {
    pub team: String,
    pub class: String,
    pub failures: ReportRate,
}

/// The reach of one trigger cohort's incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportBlastRadius {
    pub cohort: String,
    pub incidents: i64,
    pub services: Vec<String>,
    pub components: Vec<String>,
    pub regions: Vec<String>,
    pub services_per_incident: f64,
    pub impact_minutes: f64,
    pub unresolved: i64,
}

/// AI vs human under one link window and score threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSensitivity {
    pub window_hours: i64,
    pub threshold: f64,
    pub ai: ReportRate,
    pub human: ReportRate,
    pub risk_ratio: Option<f64>,
    pub ci95_lower: Option<f64>,
    pub ci95_upper: Option<f64>,
}

pub(crate) fn ratio(s: &ReportSensitivity) -> String {
    match (s.risk_ratio, s.ci95_lower, s.ci95_upper) {
        (Some(r), Some(l), Some(u)) => format!("{r:.2} ({l:.2}–{u:.2})"),
        (Some(r), _, _) => format!("{r:.2}"),
        _ => "n/a".to_owned(),
    }
}

pub(crate) fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

/// One findings section as a table, laid out once for Markdown and HTML.
struct Section {
    title: &'static str,
    note: Option<&'static str>,
    /// Header and whether the column holds figures: right-aligned, and in Markdown not escaped
    /// (they are Hindsight's own text).
    columns: &'static [(&'static str, bool)],
    rows: Vec<Vec<String>>,
}

/// The sections with rows: the findings always, the others when they have any.
fn sections(f: &ReportFindings) -> Vec<Section> {
    let mut sections = vec![Section {
        title: "Approval and permission findings",
        note: (!f.senior_roster).then_some(
            "No roster of senior reviewers was given, so every AI change counts as without senior approval.",
        ),
        columns: &[("Finding", false), ("Failed / counted", true), ("Incidents", false)],
        rows: f
            .findings
            .iter()
            .map(|x| {
                vec![
                    x.description.clone(),
                    display_rate(&x.failures),
                    join_or_dash(&x.incidents),
                ]
            })
            .collect(),
    }];
    let more = [
        Section {
            title: "Failure rate per team",
            note: None,
            columns: &[
                ("Team", false),
                ("Class", false),
                ("Failed / deployed", true),
            ],
            rows: f
                .teams
                .iter()
                .map(|t| vec![t.team.clone(), t.class.clone(), display_rate(&t.failures)])
                .collect(),
        },
        Section {
            title: "Blast radius by trigger cohort",
            note: None,
            columns: &[
                ("Trigger", false),
                ("Incidents", true),
                ("Services", false),
                ("Components", false),
                ("Regions", false),
                ("Services per incident", true),
                ("Impact minutes", true),
            ],
            rows: f
                .blast_radius
                .iter()
                .map(|b| {
                    vec![
                        b.cohort.clone(),
                        b.incidents.to_string(),
                        join_or_dash(&b.services),
                        join_or_dash(&b.components),
                        join_or_dash(&b.regions),
                        format!("{:.2}", b.services_per_incident),
                        format!("{:.0} ({} unresolved)", b.impact_minutes, b.unresolved),
                    ]
                })
                .collect(),
        },
        Section {
            title: "Sensitivity to the link window and score threshold",
            note: None,
            columns: &[
                ("Link window", true),
                ("Threshold", true),
                ("AI failed", true),
                ("Human failed", true),
                ("AI / human (95% CI)", true),
            ],
            rows: f
                .sensitivity
                .iter()
                .map(|s| {
                    vec![
                        format!("{} h", s.window_hours),
                        format!("{:.1}", s.threshold),
                        display_rate(&s.ai),
                        display_rate(&s.human),
                        ratio(s),
                    ]
                })
                .collect(),
        },
    ];
    sections.extend(more.into_iter().filter(|s| !s.rows.is_empty()));
    sections
}

/// The sections in Markdown (escaped, tables only).
pub(crate) fn markdown(f: &ReportFindings) -> String {
    let mut out = String::new();
    for section in sections(f) {
        let _ = writeln!(out, "## {}\n", section.title);
        if let Some(note) = section.note {
            let _ = writeln!(out, "{note}\n");
        }
        let line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
        let columns = section.columns;
        let _ = writeln!(
            out,
            "{}",
            line(columns.iter().map(|c| c.0.to_owned()).collect())
        );
        let align = columns
            .iter()
            .map(|c| if c.1 { "---:" } else { "---" }.to_owned());
        let _ = writeln!(out, "{}", line(align.collect()));
        for row in &section.rows {
            let cells = row.iter().zip(columns).map(|(cell, (_, figures))| {
                if *figures {
                    cell.clone()
                } else {
                    escape_markdown(cell)
                }
            });
            let _ = writeln!(out, "{}", line(cells.collect()));
        }
        let _ = writeln!(out);
    }
    out
}

/// The sections in HTML (every text escaped).
pub(crate) fn html(f: &ReportFindings) -> String {
    let mut out = String::new();
    for section in sections(f) {
        let _ = writeln!(out, "<h2>{}</h2>", section.title);
        if let Some(note) = section.note {
            let _ = writeln!(out, "<p>{note}</p>");
        }
        let header: String = section
            .columns
            .iter()
            .map(|(name, _)| format!("<th>{name}</th>"))
            .collect();
        let _ = writeln!(out, "<table><tr>{header}</tr>");
        for row in &section.rows {
            let cells: String = row
                .iter()
                .zip(section.columns)
                .map(|(cell, (_, figures))| {
                    let class = if *figures { " class=\"n\"" } else { "" };
                    format!("<td{class}>{}</td>", escape_html(cell))
                })
                .collect();
            let _ = writeln!(out, "<tr>{cells}</tr>");
        }
        let _ = writeln!(out, "</table>");
    }
    out
}

/// The sections in Markdown (escaped, tables only).
#[cfg(test)]
mod tests {
    use super::*;

    fn rate(n: i64, d: i64) -> ReportRate {
        ReportRate {
            numerator: n,
            denominator: d,
            rate: Some(n as f64 / d as f64),
            ci95_lower: None,
            ci95_upper: None,
        }
    }

    fn sample() -> ReportFindings {
        ReportFindings {
            from: None,
            to: None,
            senior_roster: false,
            findings: vec![ReportFinding {
                name: "ai_without_review".into(),
                description: "AI changes deployed without an approving review".into(),
                failures: rate(1, 4),
                incidents: vec!["pagerduty <script>P1".into()],
            }],
            teams: vec![ReportTeam {
                team: "pay|ments".into(),
                class: "ai".into(),
                failures: rate(1, 4),
            }],
            blast_radius: vec![ReportBlastRadius {
                cohort: "ai".into(),
                incidents: 2,
                services: vec!["checkout".into(), "payments".into()],
                components: Vec::new(),
                regions: vec!["eu-west-1".into()],
                services_per_incident: 1.5,
                impact_minutes: 90.0,
                unresolved: 0,
            }],
            sensitivity: vec![ReportSensitivity {
                window_hours: 72,
                threshold: 0.5,
                ai: rate(2, 10),
                human: rate(1, 20),
                risk_ratio: Some(4.0),
                ci95_lower: Some(0.4),
                ci95_upper: Some(40.0),
            }],
        }
    }

    #[test]
    fn markdown_sections_escape_and_show_the_numbers() {
        let md = markdown(&sample());
        assert!(md.contains("## Approval and permission findings"));
        assert!(md.contains("No roster of senior reviewers"));
        assert!(md.contains("pay\\|ments"), "{md}");
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains("| 72 h | 0.5 |"));
        assert!(md.contains("4.00 (0.40–40.00)"));
        assert!(md.contains(
            "| ai | 2 | checkout, payments | - | eu-west-1 | 1.50 | 90 (0 unresolved) |"
        ));
    }

    #[test]
    fn html_sections_escape() {
        let html = html(&sample());
        assert!(html.contains("&lt;script&gt;P1"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<h2>Sensitivity to the link window and score threshold</h2>"));
    }
}
