//! The findings sections: approval and permission findings, failure rates per team, blast
//! radius by trigger cohort, and the AI vs human ratio as the link window and the score
//! threshold vary: laid out once as tables (`sections`), rendered as Markdown and HTML.

use std::fmt::Write;

use serde::Serialize;

use crate::layout::Table;
use crate::{display_rate, ReportRate};

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

/// One findings section: a title, a note and a table.
struct Section {
    title: &'static str,
    note: Option<&'static str>,
    table: Table,
}

/// The sections with rows: the findings always, the others when they have any.
fn sections(f: &ReportFindings) -> Vec<Section> {
    let mut sections = vec![Section {
        title: "Approval and permission findings",
        note: (!f.senior_roster).then_some(
            "No roster of senior reviewers was given, so every AI change counts as without senior approval.",
        ),
        table: Table::of(
            [
                ("Finding", false),
                ("Failed / counted", true),
                ("Incidents", false),
            ],
            &f.findings,
            |x| {
                vec![
                    x.description.as_str().into(),
                    display_rate(&x.failures).into(),
                    join_or_dash(&x.incidents).into(),
                ]
            },
        ),
    }];
    let more = [
        Section {
            title: "Failure rate per team",
            note: None,
            table: Table::of(
                [
                    ("Team", false),
                    ("Class", false),
                    ("Failed / deployed", true),
                ],
                &f.teams,
                |t| {
                    vec![
                        t.team.as_str().into(),
                        t.class.as_str().into(),
                        display_rate(&t.failures).into(),
                    ]
                },
            ),
        },
        Section {
            title: "Blast radius by trigger cohort",
            note: None,
            table: Table::of(
                [
                    ("Trigger", false),
                    ("Incidents", true),
                    ("Services", false),
                    ("Components", false),
                    ("Regions", false),
                    ("Services per incident", true),
                    ("Impact minutes", true),
                ],
                &f.blast_radius,
                |b| {
                    vec![
                        b.cohort.as_str().into(),
                        b.incidents.to_string().into(),
                        join_or_dash(&b.services).into(),
                        join_or_dash(&b.components).into(),
                        join_or_dash(&b.regions).into(),
                        format!("{:.2}", b.services_per_incident).into(),
                        format!("{:.0} ({} unresolved)", b.impact_minutes, b.unresolved).into(),
                    ]
                },
            ),
        },
        Section {
            title: "Sensitivity to the link window and score threshold",
            note: None,
            table: Table::of(
                [
                    ("Link window", true),
                    ("Threshold", true),
                    ("AI failed", true),
                    ("Human failed", true),
                    ("AI / human (95% CI)", true),
                ],
                &f.sensitivity,
                |s| {
                    vec![
                        format!("{} h", s.window_hours).into(),
                        format!("{:.1}", s.threshold).into(),
                        display_rate(&s.ai).into(),
                        display_rate(&s.human).into(),
                        ratio(s).into(),
                    ]
                },
            ),
        },
    ];
    sections.extend(more.into_iter().filter(|s| !s.table.is_empty()));
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
        out.push_str(&section.table.markdown());
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
        out.push_str(&section.table.html());
    }
    out
}

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
