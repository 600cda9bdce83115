//! One self-contained HTML file: inline CSS, no scripts, nothing fetched.

use std::fmt::Write;

use crate::escape::html as esc;
use crate::layout;
use crate::{display_class, display_duration, display_time, short_sha, Report};

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}h3{margin-top:1.6rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right}code{font-size:.9em}
.ai{color:#8250df;font-weight:600}.human{color:#1a7f37}.automation{color:#57606a}.unknown{color:#9a6700}
.muted{color:#57606a}ol li{margin-bottom:.5rem}
@media print{body{margin:0;max-width:none}h2{break-before:page}table{page-break-inside:auto}tr{page-break-inside:avoid}}
";

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>Hindsight deep-dive report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(out, "<h1>Hindsight deep-dive report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"muted\">Generated {} by Hindsight {}. Report schema <code>{}</code>.</p>",
        esc(&display_time(&report.generated_at)),
        esc(&report.hindsight_version),
        esc(&report.schema)
    );
    cover(&mut out, report);
    let s = &report.summary;
    let _ = writeln!(out, "<h2>Summary</h2>");
    let _ = writeln!(
        out,
        "<p>{} incidents, {} deployments and operations, {} changes.</p>",
        s.incidents, s.deployments, s.changes
    );
    let _ = writeln!(out, "<ul>");
    for line in crate::markdown::summary_sentences(report) {
        let _ = writeln!(out, "<li>{}</li>", esc(&line));
    }
    let _ = writeln!(out, "</ul>");
    for (title, rows) in [
        ("Attribution", &s.cohorts),
        ("AI tool", &s.by_tool),
        ("Service: attribution", &s.by_service),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.push_str(&layout::cohorts(title, rows, s.suspect_threshold).html());
        out.push_str(&crate::charts::failure_rate_chart(rows));
    }

    let _ = writeln!(out, "<h2>Incidents</h2>");
    if report.incidents.is_empty() {
        let _ = writeln!(out, "<p>No incidents in the store.</p>");
    }
    for incident in &report.incidents {
        let _ = writeln!(
            out,
            "<h3>{} {}: {}</h3>",
            esc(&incident.source_system),
            esc(&incident.source_id),
            esc(&incident.title)
        );
        let _ = writeln!(
            out,
            "<p>Service {}, severity {}, status {}, from {} for {}.</p>",
            esc(incident.service.as_deref().unwrap_or("unknown")),
            esc(incident.severity.as_deref().unwrap_or("unknown")),
            esc(&incident.status),
            esc(&display_time(&incident.started_at)),
            esc(&display_duration(incident.duration_minutes))
        );
        if let Some(cause) = &incident.not_change_caused {
            let _ = writeln!(
                out,
                "<p class=\"muted\">Not caused by a change: {}. It counts as no change&#39;s failure.</p>",
                esc(cause)
            );
        }
        if !incident.detailed {
            continue;
        }
        if !incident.key_moments.is_empty() {
            let _ = write!(out, "<p class=\"key-moments\">Key moments:");
            for m in &incident.key_moments {
                let _ = write!(
                    out,
                    " <strong>{}</strong> {} ({});",
                    esc(&m.moment),
                    esc(&display_time(&m.at)),
                    esc(&m.title)
                );
            }
            let _ = writeln!(out, "</p>");
        }
        if !incident.timeline.is_empty() {
            out.push_str(&layout::timeline(incident).html());
        }
        if incident.suspects.is_empty() {
            let _ = writeln!(out, "<p class=\"muted\">No deployment of this service in the link window before impact.</p>");
            continue;
        }
        let _ = writeln!(out, "<ol>");
        for suspect in &incident.suspects {
            let d = &suspect.deployment;
            let _ = writeln!(
                out,
                "<li><strong>{} {}</strong> on {} {} at {}, score {:.2} ({})<ul>",
                esc(&d.action),
                esc(d
                    .version
                    .as_deref()
                    .or(d.sha.as_deref())
                    .unwrap_or(&d.natural_key)),
                esc(&d.service),
                esc(d.environment.as_deref().unwrap_or("")),
                esc(&display_time(&d.at)),
                suspect.score,
                esc(&suspect.status)
            );
            for line in &suspect.evidence {
                let _ = writeln!(out, "<li>{}</li>", esc(line));
            }
            for change in &suspect.changes {
                let _ = writeln!(
                    out,
                    "<li>shipped <code>{}</code> {} by {}: <span class=\"{}\">{}</span></li>",
                    esc(short_sha(&change.natural_key)),
                    esc(&change.title),
                    esc(change.author.as_deref().unwrap_or("unknown")),
                    esc(&change.class),
                    esc(&display_class(&change.class, change.tool.as_deref()))
                );
            }
            let _ = writeln!(out, "</ul></li>");
        }
        let _ = writeln!(out, "</ol>");
    }

    let st = &report.stratified;
    let _ = writeln!(out, "<h2>AI vs human, held fixed</h2>\n<ul>");
    for (label, estimate) in crate::charts::stratified_rows(st) {
        let _ = writeln!(
            out,
            "<li>{}: {}</li>",
            esc(label),
            esc(&crate::display_estimate(estimate, false))
        );
    }
    let _ = writeln!(out, "</ul>\n<p>{}</p>", esc(&st.interpretation));
    out.push_str(&crate::charts::stratified_chart(st));

    let d = &report.dora;
    let _ = writeln!(out, "<h2>DORA figures (production)</h2>");
    out.push_str(&layout::dora(d).html());
    let _ = writeln!(
        out,
        "<p class=\"muted\">Quantiles: {}.</p>",
        esc(&d.estimator)
    );

    if !report.recovery.is_empty() {
        let _ = writeln!(out, "<h2>Recovery by trigger cohort</h2>");
        out.push_str(&layout::recovery(&report.recovery).html());
        out.push_str(&crate::charts::recovery_chart(&report.recovery));
    }

    if !report.what_ifs.is_empty() {
        let _ = writeln!(out, "<h2>Policy what-ifs</h2>");
        out.push_str(&layout::what_ifs(report).html());
        let _ = writeln!(out, "<ul>");
        for w in &report.what_ifs {
            let _ = writeln!(out, "<li>{}: {}</li>", esc(&w.rule), esc(&w.method));
        }
        let _ = writeln!(out, "</ul>");
    }

    if let Some(findings) = &report.findings {
        out.push_str(&crate::findings::html(findings));
    }

    let _ = writeln!(out, "<h2>Changes</h2>");
    out.push_str(&layout::changes(report).html());

    let _ = writeln!(out, "<h2>Method</h2>\n<ul>");
    for line in &report.methodology {
        let _ = writeln!(out, "<li>{}</li>", esc(line));
    }
    let _ = writeln!(out, "</ul>\n</body>\n</html>");
    out
}

/// The cover: the filters in force and the files the store was built from.
fn cover(out: &mut String, report: &Report) {
    let _ = writeln!(out, "<h2>Scope</h2>\n<ul class=\"scope\">");
    for line in report.scope.lines() {
        let _ = writeln!(out, "<li>{}</li>", esc(&line));
    }
    let _ = writeln!(out, "</ul>");
    if report.sources.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">No files ingested.</p>");
        return;
    }
    let _ = writeln!(out, "<h3>Sources ingested</h3>");
    out.push_str(&layout::sources(report).html());
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_text_stays_inert_and_nothing_is_fetched() {
        let text = super::render(&crate::sample::report());
        assert!(!text.contains("<img"), "raw tag leaked");
        assert!(!text.contains("<script"), "script leaked");
        assert!(text.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!text.contains("src=\"http"), "no external resources");
        assert!(text.contains("<span class=\"ai\">AI (claude-code)</span>"));
    }

    #[test]
    fn cover_prints_the_scope_and_sources_escaped() {
        let text = super::render(&crate::sample::report());
        let cover = &text[..text.find("<h2>Summary</h2>").expect("summary")];
        assert!(cover.contains("<li>Time window: from 2026-11-16 00:00 UTC to the end</li>"));
        assert!(
            cover.contains(
                "<li>Services: checkout, &lt;b&gt;evil&lt;/b&gt; | [x](javascript:alert(1))</li>"
            ),
            "{cover}"
        );
        assert!(cover.contains("<li>Severities: P1</li>"));
        assert!(cover.contains("<li>Cohorts: ai</li>"));
        assert!(cover.contains("<td>demo/deploys.jsonl</td><td>deploy-jsonl</td>"));
        assert!(!cover.contains("<b>evil"));
    }
}
