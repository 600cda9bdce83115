//! The findings sections: approval and permission findings, failure rates per team, blast
//! radius by trigger cohort, and the AI vs human ratio as the link window and the score
//! threshold vary. Self-contained renderers for Markdown and HTML.

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

/// The sections in Markdown (escaped, tables only).
pub(crate) fn markdown(f: &ReportFindings) -> String {
    let esc = escape_markdown;
    let mut out = String::new();
    let _ = writeln!(out, "## Approval and permission findings\n");
    if !f.senior_roster {
        let _ = writeln!(
            out,
            "No roster of senior reviewers was given, so every AI change counts as without senior approval.\n"
        );
    }
    let _ = writeln!(out, "| Finding | Failed / counted | Incidents |");
    let _ = writeln!(out, "| --- | ---: | --- |");
    for x in &f.findings {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            esc(&x.description),
            display_rate(&x.failures),
            esc(&join_or_dash(&x.incidents))
        );
    }
    let _ = writeln!(out);
    if !f.teams.is_empty() {
        let _ = writeln!(out, "## Failure rate per team\n");
        let _ = writeln!(out, "| Team | Class | Failed / deployed |");
        let _ = writeln!(out, "| --- | --- | ---: |");
        for t in &f.teams {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                esc(&t.team),
                esc(&t.class),
                display_rate(&t.failures)
            );
        }
        let _ = writeln!(out);
    }
    if !f.blast_radius.is_empty() {
        let _ = writeln!(out, "## Blast radius by trigger cohort\n");
        let _ = writeln!(
            out,
            "| Trigger | Incidents | Services | Components | Regions | Services per incident | Impact minutes |"
        );
        let _ = writeln!(out, "| --- | ---: | --- | --- | --- | ---: | ---: |");
        for b in &f.blast_radius {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.2} | {:.0} ({} unresolved) |",
                esc(&b.cohort),
                b.incidents,
                esc(&join_or_dash(&b.services)),
                esc(&join_or_dash(&b.components)),
                esc(&join_or_dash(&b.regions)),
                b.services_per_incident,
                b.impact_minutes,
                b.unresolved
            );
        }
        let _ = writeln!(out);
    }
    if !f.sensitivity.is_empty() {
        let _ = writeln!(
            out,
            "## Sensitivity to the link window and score threshold\n"
        );
        let _ = writeln!(
            out,
            "| Link window | Threshold | AI failed | Human failed | AI / human (95% CI) |"
        );
        let _ = writeln!(out, "| ---: | ---: | ---: | ---: | ---: |");
        for s in &f.sensitivity {
            let _ = writeln!(
                out,
                "| {} h | {:.1} | {} | {} | {} |",
                s.window_hours,
                s.threshold,
                display_rate(&s.ai),
                display_rate(&s.human),
                ratio(s)
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// The sections in HTML (every text escaped).
pub(crate) fn html(f: &ReportFindings) -> String {
    let esc = escape_html;
    let mut out = String::new();
    let _ = writeln!(out, "<h2>Approval and permission findings</h2>");
    if !f.senior_roster {
        let _ = writeln!(out, "<p>No roster of senior reviewers was given, so every AI change counts as without senior approval.</p>");
    }
    let _ = writeln!(
        out,
        "<table><tr><th>Finding</th><th>Failed / counted</th><th>Incidents</th></tr>"
    );
    for x in &f.findings {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&x.description),
            esc(&display_rate(&x.failures)),
            esc(&join_or_dash(&x.incidents))
        );
    }
    let _ = writeln!(out, "</table>");
    if !f.teams.is_empty() {
        let _ = writeln!(out, "<h2>Failure rate per team</h2>\n<table><tr><th>Team</th><th>Class</th><th>Failed / deployed</th></tr>");
        for t in &f.teams {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&t.team),
                esc(&t.class),
                esc(&display_rate(&t.failures))
            );
        }
        let _ = writeln!(out, "</table>");
    }
    if !f.blast_radius.is_empty() {
        let _ = writeln!(out, "<h2>Blast radius by trigger cohort</h2>\n<table><tr><th>Trigger</th><th>Incidents</th><th>Services</th><th>Components</th><th>Regions</th><th>Services per incident</th><th>Impact minutes</th></tr>");
        for b in &f.blast_radius {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.0} ({} unresolved)</td></tr>",
                esc(&b.cohort),
                b.incidents,
                esc(&join_or_dash(&b.services)),
                esc(&join_or_dash(&b.components)),
                esc(&join_or_dash(&b.regions)),
                b.services_per_incident,
                b.impact_minutes,
                b.unresolved
            );
        }
        let _ = writeln!(out, "</table>");
    }
    if !f.sensitivity.is_empty() {
        let _ = writeln!(out, "<h2>Sensitivity to the link window and score threshold</h2>\n<table><tr><th>Link window</th><th>Threshold</th><th>AI failed</th><th>Human failed</th><th>AI / human (95% CI)</th></tr>");
        for s in &f.sensitivity {
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{} h</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                s.window_hours,
                s.threshold,
                esc(&display_rate(&s.ai)),
                esc(&display_rate(&s.human)),
                esc(&ratio(s))
            );
        }
        let _ = writeln!(out, "</table>");
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
