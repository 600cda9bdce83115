//! The deep-dive report: one model, rendered to Markdown, HTML and JSON.
//!
//! Rendering is pure: the same model gives byte-identical output. Every piece of text that
//! came from an input file is escaped for its target format.

mod charts;
mod csv;
mod escape;
mod findings;
mod html;
mod layout;
mod markdown;
mod pdf;
mod tables;

use serde::Serialize;

pub use csv::render_csv_tables;
pub use escape::{escape_html, escape_markdown};
pub use findings::{
    ReportBlastRadius, ReportFinding, ReportFindings, ReportSensitivity, ReportTeam,
};
pub use pdf::render_pdf;
pub use tables::{data_tables, DataTable, DataValues};

/// The version of the JSON report layout.
pub const REPORT_SCHEMA: &str = "hindsight-report/0.2";

/// Output formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
    /// Binary: use [`render_bytes`].
    Pdf,
    /// One CSV per table: [`render_csv_tables`]; [`render_bytes`] gives `changes.csv`.
    Csv,
}

impl ReportFormat {
    /// Parses `md`, `markdown`, `html`, `json`, `pdf` or `csv`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            "json" => Some(Self::Json),
            "pdf" => Some(Self::Pdf),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Errors while rendering.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0} is a binary format: use render_bytes")]
    Binary(&'static str),
}

/// Everything the report says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: String,
    pub generated_at: String,
    pub hindsight_version: String,
    /// The filters the report was built under; empty lists and `None` mean "all".
    pub scope: ReportFilters,
    pub sources: Vec<ReportSource>,
    pub summary: ReportSummary,
    pub incidents: Vec<ReportIncident>,
    /// AI vs human with change size and service held fixed, and the unknown cohort's pull.
    pub stratified: ReportStratified,
    /// The four DORA figures for production.
    pub dora: ReportDora,
    /// Time to acknowledge and resolve, by the class of the incident's trigger change.
    pub recovery: Vec<ReportRecovery>,
    /// Guardrails replayed over the history: what they would have gated and cost.
    pub what_ifs: Vec<ReportWhatIf>,
    /// Approval and permission findings, per-team rates, blast radius and sensitivity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<ReportFindings>,
    pub changes: Vec<ReportChange>,
    pub methodology: Vec<String>,
}

/// AI against human risk with confounders held fixed (Mantel–Haenszel) and the unknown cohort
/// counted either way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportStratified {
    pub crude: Option<ReportEstimate>,
    pub by_size: Option<ReportEstimate>,
    pub by_service: Option<ReportEstimate>,
    pub unknown_as_ai: Option<ReportEstimate>,
    pub unknown_as_human: Option<ReportEstimate>,
    pub interpretation: String,
}

/// DORA figures for production deployments over the store's time span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDora {
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub deployments: i64,
    pub deployments_per_week: Option<f64>,
    pub lead_time_median_hours: Option<f64>,
    pub lead_time_p90_hours: Option<f64>,
    pub change_failure_rate: ReportRate,
    pub recovery_median_minutes: Option<f64>,
    pub recovery_p90_minutes: Option<f64>,
    pub unrecovered_failed_deployments: i64,
    pub estimator: String,
}

/// Recovery times of the incidents triggered by one cohort's changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRecovery {
    pub cohort: String,
    pub incidents: i64,
    pub open: i64,
    pub acknowledge_median_minutes: Option<f64>,
    pub acknowledge_p90_minutes: Option<f64>,
    pub resolve_median_minutes: Option<f64>,
    pub resolve_p90_minutes: Option<f64>,
    /// Minutes from start to resolution of every resolved incident, ascending: the
    /// distribution the chart and tables show.
    pub resolve_minutes: Vec<f64>,
    pub severity_mix: String,
}

/// One guardrail replayed over the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWhatIf {
    pub rule: String,
    pub gated_changes: Vec<String>,
    pub gated_operations: Vec<String>,
    pub incidents_prevented: Vec<String>,
    pub added_lead_time_hours: f64,
    pub method: String,
}

/// The filters a report was built under, as the cover prints them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportFilters {
    /// Inclusive start of the time window, RFC 3339.
    pub from: Option<String>,
    /// Exclusive end of the time window, RFC 3339.
    pub to: Option<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub severities: Vec<String>,
    /// Attribution classes (`ai`, `human`, `automation`, `unknown`) or AI tool names.
    pub cohorts: Vec<String>,
    /// Incidents selected for full sections, as given (`42`, `PT4KHLK`, `pagerduty:PT4KHLK`).
    pub incidents: Vec<String>,
}

impl ReportFilters {
    /// True when nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// One plain line per filter in force, or `everything in the store` when none is.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match (&self.from, &self.to) {
            (None, None) => {}
            (from, to) => lines.push(format!(
                "Time window: from {} to {}",
                from.as_deref().map_or("the start".to_owned(), display_time),
                to.as_deref().map_or("the end".to_owned(), display_time)
            )),
        }
        for (label, values) in [
            ("Services", &self.services),
            ("Teams", &self.teams),
            ("Severities", &self.severities),
            ("Cohorts", &self.cohorts),
            ("Incidents shown in full", &self.incidents),
        ] {
            if !values.is_empty() {
                lines.push(format!("{label}: {}", values.join(", ")));
            }
        }
        if lines.is_empty() {
            lines.push("Scope: everything in the store (no filters)".to_owned());
        }
        lines
    }
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

/// The headline counts and failure measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSummary {
    pub incidents: i64,
    pub deployments: i64,
    pub changes: i64,
    /// Suspects ranked first at or above this score count as failures "including suspected".
    pub suspect_threshold: f64,
    /// Per attribution class: ai, human, automation, unknown.
    pub cohorts: Vec<ReportCohort>,
    /// Per AI tool.
    pub by_tool: Vec<ReportCohort>,
    /// Per service and class (`checkout: ai`), for services with deployed changes.
    pub by_service: Vec<ReportCohort>,
    /// AI against human, on each basis.
    pub comparisons: Vec<ReportComparison>,
}

/// The failure measures of one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportCohort {
    pub cohort: String,
    pub changes: i64,
    pub deployed: i64,
    pub failed_confirmed: ReportRate,
    pub failed_including_suspected: ReportRate,
    pub warning: Option<String>,
}

/// A proportion with its Wilson score 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRate {
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<f64>,
    pub ci95_lower: Option<f64>,
    pub ci95_upper: Option<f64>,
}

/// An estimate with its 95% interval and the method that produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportEstimate {
    pub value: f64,
    pub ci95_lower: f64,
    pub ci95_upper: f64,
    pub method: String,
}

/// AI against human changes on one basis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportComparison {
    /// `confirmed` or `including suspected`.
    pub basis: String,
    pub risk_ratio: Option<ReportEstimate>,
    pub risk_difference: Option<ReportEstimate>,
    pub fisher_p: Option<f64>,
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
    /// Why the incident is classed as not caused by a change (provider, hardware, capacity,
    /// third-party), or `None`. Such incidents count as no change's failure.
    pub not_change_caused: Option<String>,
    /// Whether the incident gets its full section (timeline, suspects, evidence); a scope
    /// that selects incidents leaves the others in the incident table only.
    pub detailed: bool,
    /// The other tools' records of the same outage (`statuspage abc123`), merged into this
    /// incident: counted once, their timelines merged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    pub timeline: Vec<ReportEvent>,
    pub suspects: Vec<ReportSuspect>,
    /// The key moments a reviewer marked (detection, diagnosis, repair), in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_moments: Vec<ReportKeyMoment>,
}

/// A key moment a reviewer marked on an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportKeyMoment {
    /// `detection`, `diagnosis` or `repair`.
    pub moment: String,
    pub at: String,
    /// The marked event.
    pub title: String,
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

impl ReportChange {
    /// Its evidence in one line: `signal at location: matched text; …`.
    pub(crate) fn evidence_line(&self) -> String {
        let evidence: Vec<String> = self
            .evidence
            .iter()
            .map(|e| format!("{} at {}: {}", e.signal, e.location, e.matched_text))
            .collect();
        evidence.join("; ")
    }
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
        ReportFormat::Pdf => return Err(ReportError::Binary("pdf")),
        ReportFormat::Csv => return Err(ReportError::Binary("csv")),
    })
}

/// Renders the report in any format as bytes.
///
/// `Pdf` gives the PDF document. `Csv` gives only the `changes.csv` table: the full set of
/// tables (cohorts, tools, incidents, suspects, changes, sources) comes from
/// [`render_csv_tables`], which a caller writes into a folder. Text formats give the UTF-8
/// bytes of [`render`].
pub fn render_bytes(report: &Report, format: ReportFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Pdf => Ok(render_pdf(report)),
        ReportFormat::Csv => Ok(csv::changes_csv(report).into_bytes()),
        other => render(report, other).map(String::into_bytes),
    }
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

/// `3.1% (19 of 612; 95% CI 1.9–4.8%)`, or `no deployed changes`.
pub(crate) fn display_rate(rate: &ReportRate) -> String {
    match (rate.rate, rate.ci95_lower, rate.ci95_upper) {
        (Some(r), Some(lo), Some(hi)) => format!(
            "{:.1}% ({} of {}; 95% CI {:.1}–{:.1}%)",
            r * 100.0,
            rate.numerator,
            rate.denominator,
            lo * 100.0,
            hi * 100.0
        ),
        _ => "n/a (no deployed changes)".to_owned(),
    }
}

/// `2.61 (95% CI 1.12–6.07; Katz log interval)`.
pub(crate) fn display_estimate(estimate: &Option<ReportEstimate>, percent: bool) -> String {
    match estimate {
        Some(e) if percent => format!(
            "{:+.1} points (95% CI {:+.1} to {:+.1}; {})",
            e.value * 100.0,
            e.ci95_lower * 100.0,
            e.ci95_upper * 100.0,
            e.method
        ),
        Some(e) => format!(
            "{:.2} (95% CI {:.2}–{:.2}; {})",
            e.value, e.ci95_lower, e.ci95_upper, e.method
        ),
        None => "not defined (a cohort has no deployed changes)".to_owned(),
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
    pub fn report() -> Report {
        Report {
            schema: REPORT_SCHEMA.into(),
            generated_at: "2026-11-26T00:00:00.000Z".into(),
            hindsight_version: "0.1.0".into(),
            scope: ReportFilters {
                from: Some("2026-11-16T00:00:00.000Z".into()),
                to: None,
                services: vec![
                    "checkout".into(),
                    "<b>evil</b> | [x](javascript:alert(1))".into(),
                ],
                teams: vec![],
                severities: vec!["P1".into()],
                cohorts: vec!["ai".into()],
                incidents: vec![],
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
                by_tool: vec![],
                by_service: vec![],
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
                key_moments: vec![],
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
                crude: None,
                by_size: None,
                by_service: None,
                unknown_as_ai: None,
                unknown_as_human: None,
                interpretation: "no comparison: a cohort has no deployed changes".into(),
            },
            dora: ReportDora {
                window_start: Some("2026-11-16T00:00:00.000Z".into()),
                window_end: Some("2026-11-23T00:00:00.000Z".into()),
                deployments: 1,
                deployments_per_week: Some(1.0),
                lead_time_median_hours: Some(1.85),
                lead_time_p90_hours: Some(1.85),
                change_failure_rate: rate(1, 1, Some((0.2065, 1.0))),
                recovery_median_minutes: Some(65.0),
                recovery_p90_minutes: Some(65.0),
                unrecovered_failed_deployments: 0,
                estimator: "type 7".into(),
            },
            recovery: vec![ReportRecovery {
                cohort: "ai".into(),
                incidents: 1,
                open: 0,
                acknowledge_median_minutes: Some(4.0),
                acknowledge_p90_minutes: Some(4.0),
                resolve_median_minutes: Some(65.0),
                resolve_p90_minutes: Some(65.0),
                resolve_minutes: vec![65.0],
                severity_mix: "P1 ×1".into(),
            }],
            what_ifs: vec![ReportWhatIf {
                rule: "no_agent_operator_deploys".into(),
                gated_changes: vec![],
                gated_operations: vec!["op-4".into()],
                incidents_prevented: vec!["pagerduty PT4KHLK".into()],
                added_lead_time_hours: 0.0,
                method: "replayed; prevented incidents are an upper bound".into(),
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
            findings: None,
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
    fn rates_and_estimates_read_as_sentences() {
        let md = render(&sample::report(), ReportFormat::Markdown).expect("md");
        assert!(
            md.contains("AI-assisted changes failed 100.0% (1 of 1; 95% CI 20.6–100.0%) against n/a (no deployed changes) for human changes"),
            "{md}"
        );
        assert!(md.contains("risk ratio not defined (a cohort has no deployed changes)"));
        assert!(md.contains("ai: only 1 deployed change"));
        let estimate = Some(ReportEstimate {
            value: 2.5,
            ci95_lower: 1.1,
            ci95_upper: 5.75,
            method: "Katz".into(),
        });
        assert_eq!(
            display_estimate(&estimate, false),
            "2.50 (95% CI 1.10–5.75; Katz)"
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!(ReportFormat::parse("MD"), Some(ReportFormat::Markdown));
        assert_eq!(ReportFormat::parse("pdf"), Some(ReportFormat::Pdf));
        assert_eq!(ReportFormat::parse("CSV"), Some(ReportFormat::Csv));
        assert_eq!(ReportFormat::parse("docx"), None);
        assert!(render(&sample::report(), ReportFormat::Pdf).is_err());
        let bytes = render_bytes(&sample::report(), ReportFormat::Json).expect("json");
        assert_eq!(
            bytes,
            render(&sample::report(), ReportFormat::Json)
                .expect("json")
                .into_bytes()
        );
    }
}
