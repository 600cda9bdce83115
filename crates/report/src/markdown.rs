//! GitHub-flavoured Markdown: tables and lists only, no raw HTML.

use std::fmt::Write;

use crate::escape::markdown as esc;
use crate::layout::{self, Table};
use crate::{
    display_class, display_duration, display_estimate, display_rate, display_time, short_sha,
    Report, ReportRecovery,
};

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "# Hindsight deep-dive report\n");
    let _ = writeln!(
        out,
        "Generated {} by Hindsight {}. Report schema `{}`.\n",
        display_time(&report.generated_at),
        esc(&report.hindsight_version),
        report.schema
    );
    cover(&mut out, report);
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "{} incidents, {} deployments and operations, {} changes.\n",
        s.incidents, s.deployments, s.changes
    );
    for line in summary_sentences(report) {
        let _ = writeln!(out, "- {}", esc(&line));
    }
    let _ = writeln!(out);
    for (title, rows) in [
        ("Attribution", &s.cohorts),
        ("AI tool", &s.by_tool),
        ("Service: attribution", &s.by_service),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.push_str(&layout::cohorts(title, rows, s.suspect_threshold).markdown());
    }

    let _ = writeln!(out, "## Incidents\n");
    if report.incidents.is_empty() {
        let _ = writeln!(out, "No incidents in the store.\n");
    } else {
        out.push_str(&incident_table(report).markdown());
    }

    for incident in report.incidents.iter().filter(|i| i.detailed) {
        let _ = writeln!(
            out,
            "### {} {}: {}\n",
            esc(&incident.source_system),
            esc(&incident.source_id),
            esc(&incident.title)
        );
        let _ = writeln!(
            out,
            "Service {}, severity {}, status {}, from {} for {}.\n",
            esc(incident.service.as_deref().unwrap_or("unknown")),
            esc(incident.severity.as_deref().unwrap_or("unknown")),
            esc(&incident.status),
            display_time(&incident.started_at),
            display_duration(incident.duration_minutes)
        );
        if let Some(cause) = &incident.not_change_caused {
            let _ = writeln!(
                out,
                "Not caused by a change: {}. It counts as no change's failure.\n",
                esc(cause)
            );
        }
        if !incident.key_moments.is_empty() {
            let moments: Vec<String> = incident
                .key_moments
                .iter()
                .map(|m| {
                    format!(
                        "{} {} ({})",
                        esc(&m.moment),
                        display_time(&m.at),
                        esc(&m.title)
                    )
                })
                .collect();
            let _ = writeln!(out, "Key moments: {}.\n", moments.join("; "));
        }
        if !incident.timeline.is_empty() {
            out.push_str(&layout::timeline(incident).markdown());
        }
        if incident.suspects.is_empty() {
            let _ = writeln!(
                out,
                "No deployment of this service in the link window before impact.\n"
            );
            continue;
        }
        let _ = writeln!(out, "Suspects:\n");
        for suspect in &incident.suspects {
            let d = &suspect.deployment;
            let _ = writeln!(
                out,
                "{}. {} {} on {} {} at {}, score {:.2} ({})",
                suspect.rank,
                esc(&d.action),
                esc(d
                    .version
                    .as_deref()
                    .or(d.sha.as_deref())
                    .unwrap_or(&d.natural_key)),
                esc(&d.service),
                esc(d.environment.as_deref().unwrap_or("")),
                display_time(&d.at),
                suspect.score,
                esc(&suspect.status)
            );
            for line in &suspect.evidence {
                let _ = writeln!(out, "   - {}", esc(line));
            }
            for change in &suspect.changes {
                let _ = writeln!(
                    out,
                    "   - shipped {} {} by {}: **{}**",
                    short_sha(&change.natural_key),
                    esc(&change.title),
                    esc(change.author.as_deref().unwrap_or("unknown")),
                    esc(&display_class(&change.class, change.tool.as_deref()))
                );
            }
        }
        let _ = writeln!(out);
    }

    let _ = writeln!(out, "## AI vs human, held fixed\n");
    let st = &report.stratified;
    for (label, estimate) in crate::charts::stratified_rows(st) {
        let _ = writeln!(
            out,
            "- {label}: {}",
            esc(&display_estimate(estimate, false))
        );
    }
    let _ = writeln!(out, "\n{}\n", esc(&st.interpretation));

    let d = &report.dora;
    let _ = writeln!(out, "## DORA figures (production)\n");
    out.push_str(&layout::dora(d).markdown());
    let _ = writeln!(out, "Quantiles: {}.\n", esc(&d.estimator));

    if !report.recovery.is_empty() {
        let _ = writeln!(out, "## Recovery by trigger cohort\n");
        out.push_str(&layout::recovery(&report.recovery).markdown());
        let _ = writeln!(out, "Time to resolve, one value per resolved incident:\n");
        out.push_str(&resolve_times(&report.recovery).markdown());
    }

    if !report.what_ifs.is_empty() {
        let _ = writeln!(out, "## Policy what-ifs\n");
        out.push_str(&layout::what_ifs(report).markdown());
        for w in &report.what_ifs {
            let _ = writeln!(out, "- {}: {}", esc(&w.rule), esc(&w.method));
        }
        let _ = writeln!(out);
    }

    if let Some(findings) = &report.findings {
        out.push_str(&crate::findings::markdown(findings));
    }

    let _ = writeln!(out, "## Changes\n");
    out.push_str(&layout::changes(report).markdown());

    let _ = writeln!(out, "## Method\n");
    for line in &report.methodology {
        let _ = writeln!(out, "- {}", esc(line));
    }
    out
}

/// The cover: the filters in force and the files the store was built from.
fn cover(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Scope\n");
    for line in report.scope.lines() {
        let _ = writeln!(out, "- {}", esc(&line));
    }
    let _ = writeln!(out);
    if report.sources.is_empty() {
        let _ = writeln!(out, "No files ingested.\n");
        return;
    }
    let _ = writeln!(out, "### Sources ingested\n");
    out.push_str(&layout::sources(report).markdown());
}

/// One row per incident: its top suspect and the attribution of what that shipped.
fn incident_table(report: &Report) -> Table {
    Table::of(
        [
            ("Incident", false),
            ("Service", false),
            ("Severity", false),
            ("Start", false),
            ("Duration", false),
            ("Top suspect", false),
            ("Its changes", false),
        ],
        &report.incidents,
        |incident| {
            let (suspect, changes) = match incident.suspects.first() {
                Some(top) => (
                    format!(
                        "{} {}",
                        top.deployment.action,
                        top.deployment
                            .version
                            .as_deref()
                            .unwrap_or(&top.deployment.natural_key)
                    ),
                    summarise_classes(
                        top.changes
                            .iter()
                            .map(|c| display_class(&c.class, c.tool.as_deref())),
                    ),
                ),
                None => ("none in window".to_owned(), String::new()),
            };
            vec![
                format!(
                    "{} {}: {}",
                    incident.source_system, incident.source_id, incident.title
                )
                .into(),
                incident.service.as_deref().unwrap_or("-").into(),
                incident.severity.as_deref().unwrap_or("-").into(),
                display_time(&incident.started_at).into(),
                display_duration(incident.duration_minutes).into(),
                suspect.into(),
                changes.into(),
            ]
        },
    )
}

/// Each trigger cohort's times to resolve, one value per resolved incident.
fn resolve_times(rows: &[ReportRecovery]) -> Table {
    Table::of(
        [
            ("Trigger", false),
            ("Resolved", true),
            ("Minutes from start to resolution", false),
        ],
        rows,
        |r| {
            let minutes: Vec<String> = r
                .resolve_minutes
                .iter()
                .map(|m| format!("{m:.1}"))
                .collect();
            vec![
                r.cohort.as_str().into(),
                r.resolve_minutes.len().to_string().into(),
                if minutes.is_empty() {
                    "-".to_owned()
                } else {
                    minutes.join(", ")
                }
                .into(),
            ]
        },
    )
}

/// The executive summary in plain sentences, each with its denominator and interval.
pub(crate) fn summary_sentences(report: &Report) -> Vec<String> {
    let s = &report.summary;
    let find = |name: &str| s.cohorts.iter().find(|c| c.cohort == name);
    let mut out = Vec::new();
    if let (Some(ai), Some(human)) = (find("ai"), find("human")) {
        out.push(format!(
            "AI-assisted changes failed {} against {} for human changes, counting a change as failed when a deployment that shipped it is the top suspect of an incident (score at least {:.2}) or a reviewer confirmed the link.",
            display_rate(&ai.failed_including_suspected),
            display_rate(&human.failed_including_suspected),
            s.suspect_threshold
        ));
        out.push(format!(
            "On reviewer-confirmed links only: AI {} against human {}.",
            display_rate(&ai.failed_confirmed),
            display_rate(&human.failed_confirmed)
        ));
    }
    for comparison in &s.comparisons {
        out.push(format!(
            "AI vs human ({}): risk ratio {}; risk difference {}; Fisher's exact test p = {}.",
            comparison.basis,
            display_estimate(&comparison.risk_ratio, false),
            display_estimate(&comparison.risk_difference, true),
            comparison
                .fisher_p
                .map_or("not defined".to_owned(), |p| format!("{p:.3}"))
        ));
    }
    for cohort in &s.cohorts {
        if let Some(warning) = &cohort.warning {
            if cohort.changes > 0 {
                out.push(format!("{}: {warning}", cohort.cohort));
            }
        }
    }
    out
}

/// `AI (claude-code) ×2, human ×1` in first-seen order.
fn summarise_classes(labels: impl Iterator<Item = String>) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for label in labels {
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    counts
        .iter()
        .map(|(l, n)| format!("{l} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_inert() {
        let text = render(&crate::sample::report());
        let unescaped = text.replace("\\<", "");
        assert!(!unescaped.contains("<img"), "{text}");
        assert!(!unescaped.contains("<script>"));
        assert!(!text.contains("[click](javascript"));
        assert!(text.contains("\\[click\\](javascript:alert(1))"));
        assert!(text.contains("\\<img src=x onerror=alert(1)\\> \\*bold\\* \\| pipe"));
        // Every table row keeps its column count despite pipes in titles.
        for line in text.lines().filter(|l| l.starts_with("| pagerduty")) {
            let unescaped = line.replace("\\|", "");
            assert_eq!(unescaped.matches('|').count(), 8, "{line}");
        }
    }

    #[test]
    fn names_incidents_suspects_and_attribution() {
        let text = render(&crate::sample::report());
        assert!(text.contains("### pagerduty PT4KHLK"));
        assert!(text.contains(
            "1. deploy v1 on checkout production at 2026-11-17 13:51 UTC, score 0.90 (suspected)"
        ));
        assert!(text.contains("**AI (claude-code)**"));
        assert!(text.contains("| 2026-11-17 14:05 UTC | 1 h 05 min |"));
    }

    #[test]
    fn cover_prints_the_scope_and_sources_and_recovery_values() {
        let text = render(&crate::sample::report());
        let cover = &text[..text.find("## Summary").expect("summary")];
        assert!(cover.contains("- Time window: from 2026-11-16 00:00 UTC to the end\n"));
        assert!(
            cover.contains(
                "- Services: checkout, \\<b\\>evil\\</b\\> \\| \\[x\\](javascript:alert(1))\n"
            ),
            "{cover}"
        );
        assert!(cover.contains("- Severities: P1\n- Cohorts: ai\n"));
        assert!(cover.contains(&format!(
            "| demo/deploys.jsonl | deploy-jsonl | {} | 3 | 2 | 1 |",
            "ab".repeat(32)
        )));
        assert!(text.contains("| ai | 1 | 65.0 |"), "{text}");
    }
}
