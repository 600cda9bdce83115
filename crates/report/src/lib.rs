//! The deep-dive report: one model, rendered to Markdown, HTML and JSON.
//!
//! Rendering is pure: the same model gives byte-identical output. Every piece of text that
//! came from an input file is escaped for its target format.

mod escape;
mod html;
mod markdown;

use serde::Serialize;

pub use escape::{escape_html, escape_markdown};

/// The version of the JSON report layout.
pub const REPORT_SCHEMA: &str = "hindsight-report/0.1";

/// Output formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    /// Parses `md`, `markdown`, `html` or `json`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Errors while rendering.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// Everything the report says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: String,
    pub generated_at: String,
    pub hindsight_version: String,
    pub sources: Vec<ReportSource>,
    pub summary: ReportSummary,
    pub incidents: Vec<ReportIncident>,
    pub changes: Vec<ReportChange>,
    pub methodology: Vec<String>,
}

/// One ingested file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSource {
    pub path: String,
    pub format: String,
    pub content_hash: String,
    pub records_seen: i64,
    pub records_stored: i64,
    pub records_rejected: i64,
}

/// The headline counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSummary {
    pub incidents: i64,
    pub deployments: i64,
    pub changes: i64,
    pub cohorts: Vec<ReportCohort>,
}

/// Counts of one attribution class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportCohort {
    pub class: String,
    pub changes: i64,
    pub shipped_by_top_suspect: i64,
}

/// One incident with its timeline and suspects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportIncident {
    pub source_system: String,
    pub source_id: String,
    pub number: Option<i64>,
    pub title: String,
    pub service: Option<String>,
    pub severity: Option<String>,
    pub status: String,
    pub started_at: String,
    pub resolved_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub url: Option<String>,
    pub timeline: Vec<ReportEvent>,
    pub suspects: Vec<ReportSuspect>,
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportEvent {
    pub at: String,
    pub kind: String,
    pub text: String,
}

/// A deployment suspected of triggering an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSuspect {
    pub rank: i64,
    pub score: f64,
    pub status: String,
    pub method: String,
    pub evidence: Vec<String>,
    pub deployment: ReportDeployment,
    pub changes: Vec<ReportChangeRef>,
}

/// The deployment side of a suspect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDeployment {
    pub natural_key: String,
    pub service: String,
    pub environment: Option<String>,
    pub version: Option<String>,
    pub sha: Option<String>,
    pub status: String,
    pub action: String,
    pub actor: Option<String>,
    pub actor_type: Option<String>,
    pub at: String,
}

/// A change shipped by a suspect deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportChangeRef {
    pub natural_key: String,
    pub title: String,
    pub author: Option<String>,
    pub class: String,
    pub tool: Option<String>,
}

/// A change with its full attribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportChange {
    pub kind: String,
    pub natural_key: String,
    pub repo: Option<String>,
    pub title: String,
    pub author: Option<String>,
    pub committed_at: Option<String>,
    pub class: String,
    pub tool: Option<String>,
    pub involvement: Option<String>,
    pub confidence: f64,
    pub evidence: Vec<ReportEvidence>,
    pub source_file: String,
    pub source_location: String,
}

/// One observation behind an attribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportEvidence {
    pub signal: String,
    pub location: String,
    pub matched_text: String,
}

/// Renders the report in one format.
pub fn render(report: &Report, format: ReportFormat) -> Result<String, ReportError> {
    Ok(match format {
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Html => html::render(report),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(report)?;
            text.push('\n');
            text
        }
    })
}

/// `2026-11-17 14:05 UTC` from a stored RFC 3339 UTC instant.
pub(crate) fn display_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// `45 min`, `2 h 05 min`, or `open` when the incident has no end.
pub(crate) fn display_duration(minutes: Option<i64>) -> String {
    match minutes {
        Some(m) if m < 60 => format!("{m} min"),
        Some(m) => format!("{} h {:02} min", m / 60, m % 60),
        None => "open".to_owned(),
    }
}

/// `AI (claude-code)`, `human`, ...
pub(crate) fn display_class(class: &str, tool: Option<&str>) -> String {
    match (class, tool) {
        ("ai", Some(tool)) => format!("AI ({tool})"),
        ("ai", None) => "AI".to_owned(),
        (other, _) => other.to_owned(),
    }
}

pub(crate) fn short_sha(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    /// A small report whose text fields carry hostile input.
    pub fn report() -> Report {
        Report {
            schema: REPORT_SCHEMA.into(),
            generated_at: "2026-11-26T00:00:00.000Z".into(),
            hindsight_version: "0.1.0".into(),
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
                cohorts: vec![ReportCohort {
                    class: "ai".into(),
                    changes: 1,
                    shipped_by_top_suspect: 1,
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
                timeline: vec![ReportEvent {
                    at: "2026-11-17T14:05:00.000Z".into(),
                    kind: "triggered".into(),
                    text: "Triggered: [click](javascript:alert(1))".into(),
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
            methodology: vec!["Suspects are deployments of the incident's service.".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_deterministic_and_complete() {
        let report = sample::report();
        let a = render(&report, ReportFormat::Json).expect("json");
        let b = render(&report, ReportFormat::Json).expect("json");
        assert_eq!(a, b);
        let value: serde_json::Value = serde_json::from_str(&a).expect("valid json");
        assert_eq!(value["schema"], REPORT_SCHEMA);
        assert_eq!(
            value["incidents"][0]["suspects"][0]["changes"][0]["class"],
            "ai"
        );
        assert_eq!(
            value["changes"][0]["evidence"][0]["signal"],
            "co_authored_by"
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!(ReportFormat::parse("MD"), Some(ReportFormat::Markdown));
        assert_eq!(ReportFormat::parse("pdf"), None);
    }
}
