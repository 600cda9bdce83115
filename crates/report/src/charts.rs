//! Inline SVG charts for the HTML report: fixed sizes, no scripts, nothing fetched, every
//! piece of input text escaped.

use std::fmt::Write;

use crate::{escape_html as esc, ReportCohort, ReportEstimate, ReportRecovery, ReportStratified};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 48.0;

fn colour(cohort: &str) -> &'static str {
    match cohort {
        "ai" => "#8250df",
        "human" => "#1a7f37",
        "automation" => "#57606a",
        "unknown" => "#9a6700",
        _ => "#0969da",
    }
}

/// A bar chart of each cohort's failure rate including suspected links, with its Wilson 95%
/// interval as a whisker. Cohorts without deployed changes get an `n/a` label and no bar.
pub(crate) fn failure_rate_chart(cohorts: &[ReportCohort]) -> String {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let y_of = |fraction: f64| base - fraction.clamp(0.0, 1.0) * plot_h;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"Failure rate including suspected links, per cohort, with 95% intervals\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        out,
        "<title>Failure rate including suspected links, with 95% intervals</title>"
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = y_of(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#57606a\">{:.0}%</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            tick * 100.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\" fill=\"#1b1f24\">Failed changes (%)</text>",
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1b1f24\">Cohort (failure rate including suspected links, 95% interval)</text>",
        LEFT + plot_w / 2.0,
        HEIGHT - 8.0
    );
    let slot = plot_w / cohorts.len().max(1) as f64;
    let bar_w = (slot * 0.5).min(60.0);
    for (i, cohort) in cohorts.iter().enumerate() {
        let centre = LEFT + slot * (i as f64 + 0.5);
        let rate = &cohort.failed_including_suspected;
        let name = esc(&cohort.cohort);
        let _ = writeln!(
            out,
            "<text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1b1f24\">{name}</text>",
            base + 16.0
        );
        let Some(value) = rate.rate else {
            let _ = writeln!(
                out,
                "<text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#57606a\">n/a</text>",
                base - 6.0
            );
            continue;
        };
        let top = y_of(value);
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{top:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{name}: {:.1}% ({} of {})</title></rect>",
            centre - bar_w / 2.0,
            base - top,
            colour(&cohort.cohort),
            value * 100.0,
            rate.numerator,
            rate.denominator
        );
        if let (Some(lo), Some(hi)) = (rate.ci95_lower, rate.ci95_upper) {
            let (y_lo, y_hi) = (y_of(lo), y_of(hi));
            let cap = bar_w / 4.0;
            let _ = writeln!(
                out,
                "<path class=\"whisker\" d=\"M{centre:.1} {y_lo:.1}V{y_hi:.1}M{:.1} {y_lo:.1}H{:.1}M{:.1} {y_hi:.1}H{:.1}\" stroke=\"#1b1f24\" stroke-width=\"1.5\" fill=\"none\"/>",
                centre - cap,
                centre + cap,
                centre - cap,
                centre + cap
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1b1f24\">{:.1}%</text>",
            centre + bar_w / 2.0 + 3.0,
            (top - 3.0).max(TOP - 4.0),
            value * 100.0
        );
    }
    let _ = writeln!(out, "</svg></figure>");
    out
}

/// The estimates of the stratified comparison, labelled, in the order every format lists them.
pub(crate) fn stratified_rows(
    st: &ReportStratified,
) -> [(&'static str, &Option<ReportEstimate>); 5] {
    [
        (
            "Crude risk ratio, AI vs human (suspects included)",
            &st.crude,
        ),
        (
            "Mantel–Haenszel risk ratio, stratified by change size",
            &st.by_size,
        ),
        (
            "Mantel–Haenszel risk ratio, stratified by service",
            &st.by_service,
        ),
        (
            "Crude risk ratio if every unknown change were AI",
            &st.unknown_as_ai,
        ),
        (
            "Crude risk ratio if every unknown change were human",
            &st.unknown_as_human,
        ),
    ]
}

/// A forest plot of the AI vs human risk ratios: crude, held fixed by change size and by
/// service, and the unknown cohort counted either way, each with its 95% interval on a log
/// axis, and a reference line at 1 (no difference).
pub(crate) fn stratified_chart(st: &ReportStratified) -> String {
    let rows = stratified_rows(st);
    let label_w = 330.0;
    let row_h = 26.0;
    let height = TOP + row_h * rows.len() as f64 + BOTTOM;
    let (x0, x1) = (label_w, WIDTH - RIGHT - 40.0);
    // The axis spans 1/8 to 8 or further when an interval needs it, in powers of two.
    let mut lo_exp = -3i32;
    let mut hi_exp = 3i32;
    for (_, e) in &rows {
        if let Some(e) = e {
            if e.ci95_lower > 0.0 && e.ci95_lower.is_finite() {
                lo_exp = lo_exp.min(e.ci95_lower.log2().floor().max(-10.0) as i32);
            }
            if e.ci95_upper.is_finite() && e.ci95_upper > 0.0 {
                hi_exp = hi_exp.max(e.ci95_upper.log2().ceil().min(10.0) as i32);
            }
        }
    }
    let span = f64::from(hi_exp - lo_exp);
    let x_of = |v: f64| {
        let l = if v > 0.0 { v.log2() } else { f64::from(lo_exp) };
        x0 + (l.clamp(f64::from(lo_exp), f64::from(hi_exp)) - f64::from(lo_exp)) / span * (x1 - x0)
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<figure class=\"chart stratified\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"AI vs human risk ratios with 95% intervals, crude and held fixed\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(out, "<title>AI vs human risk ratio, crude and stratified, with 95% intervals (log scale)</title>");
    let base = TOP + row_h * rows.len() as f64;
    for exp in lo_exp..=hi_exp {
        let value = 2f64.powi(exp);
        let x = x_of(value);
        let label = if exp < 0 {
            format!("1/{}", 1u32 << (-exp))
        } else {
            format!("{}", 1u32 << exp)
        };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{base:.1}\" stroke=\"{}\" stroke-width=\"1\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#57606a\">{label}</text>",
            if exp == 0 { "#1b1f24" } else { "#d0d7de" },
            base + 14.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1b1f24\">Risk ratio, AI vs human (log scale; right of 1: AI changes failed more often)</text>",
        (x0 + x1) / 2.0,
        height - 8.0
    );
    for (i, (label, estimate)) in rows.iter().enumerate() {
        let y = TOP + row_h * (i as f64 + 0.5);
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1b1f24\">{}</text>",
            x0 - 8.0,
            y + 4.0,
            esc(label)
        );
        let Some(e) = estimate else {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#57606a\">not defined</text>",
                x0 + 4.0,
                y + 4.0
            );
            continue;
        };
        let (xl, xm, xh) = (x_of(e.ci95_lower), x_of(e.value), x_of(e.ci95_upper));
        let _ = writeln!(
            out,
            "<path class=\"interval\" d=\"M{xl:.1} {y:.1}H{xh:.1}M{xl:.1} {:.1}V{:.1}M{xh:.1} {:.1}V{:.1}\" stroke=\"#1b1f24\" stroke-width=\"1.5\" fill=\"none\"/><rect class=\"point\" x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#8250df\"><title>{}: {:.2} (95% CI {:.2}–{:.2}; {})</title></rect><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1b1f24\">{:.2}</text>",
            y - 4.0,
            y + 4.0,
            y - 4.0,
            y + 4.0,
            xm - 4.0,
            y - 4.0,
            esc(label),
            e.value,
            e.ci95_lower,
            e.ci95_upper,
            esc(&e.method),
            x1 + 6.0,
            y + 4.0,
            e.value
        );
    }
    let _ = writeln!(out, "</svg></figure>");
    out
}

/// Recovery time distributions by trigger cohort: one row per cohort with a dot per resolved
/// incident (minutes from start to resolution), a bar at the median and a tick at the p90.
pub(crate) fn recovery_chart(rows: &[ReportRecovery]) -> String {
    let label_w = 150.0;
    let row_h = 30.0;
    let height = TOP + row_h * rows.len().max(1) as f64 + BOTTOM;
    let (x0, x1) = (label_w, WIDTH - RIGHT - 10.0);
    let max = rows
        .iter()
        .flat_map(|r| r.resolve_minutes.iter().copied())
        .fold(0.0f64, f64::max);
    // A round axis end: the next multiple of 30 min (of 6 h past a day).
    let step = if max > 1440.0 { 360.0 } else { 30.0 };
    let end = ((max / step).ceil() * step).max(step);
    let x_of = |m: f64| x0 + (m.clamp(0.0, end) / end) * (x1 - x0);
    let base = TOP + row_h * rows.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<figure class=\"chart recovery\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"Time to resolve incidents, by trigger cohort\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(out, "<title>Time to resolve, by the class of the trigger change: one dot per incident, median bar, p90 tick</title>");
    for i in 0..=4 {
        let m = end * f64::from(i) / 4.0;
        let x = x_of(m);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{base:.1}\" stroke=\"#d0d7de\" stroke-width=\"1\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#57606a\">{m:.0}</text>",
            base + 14.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1b1f24\">Minutes from start to resolution</text>",
        (x0 + x1) / 2.0,
        height - 8.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + row_h * (i as f64 + 0.5);
        let name = esc(&r.cohort);
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1b1f24\">{name} (n={})</text>",
            x0 - 8.0,
            y + 4.0,
            r.resolve_minutes.len()
        );
        for m in &r.resolve_minutes {
            let _ = writeln!(
                out,
                "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.6\"><title>{name}: {m:.0} min</title></circle>",
                x_of(*m),
                colour(&r.cohort)
            );
        }
        if let Some(median) = r.resolve_median_minutes {
            let x = x_of(median);
            let _ = writeln!(
                out,
                "<path class=\"median\" d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"#1b1f24\" stroke-width=\"3\"><title>{name}: median {median:.0} min</title></path>",
                y - 10.0,
                y + 10.0
            );
        }
        if let Some(p90) = r.resolve_p90_minutes {
            let x = x_of(p90);
            let _ = writeln!(
                out,
                "<path class=\"p90\" d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"#cf222e\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\"><title>{name}: p90 {p90:.0} min</title></path>",
                y - 10.0,
                y + 10.0
            );
        }
    }
    let _ = writeln!(out, "</svg></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_and_whisker_per_defined_rate_and_names_are_escaped() {
        let mut cohorts = crate::sample::report().summary.cohorts;
        cohorts[1].cohort = "<script>alert(1)</script>".into();
        let mut third = cohorts[0].clone();
        third.cohort = "\"><img src=x onerror=alert(1)>".into();
        cohorts.push(third);
        let svg = failure_rate_chart(&cohorts);
        assert_eq!(svg.matches("class=\"bar\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("class=\"whisker\"").count(), 2, "{svg}");
        assert!(svg.contains("n/a"));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<img"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!svg.contains("href"), "no external references");
        assert!(svg.contains("Failed changes (%)"));
        // 100% bar fills the plot from its top.
        assert!(svg.contains(&format!("y=\"{TOP:.1}\"")));
    }

    #[test]
    fn forest_plot_draws_each_defined_estimate_on_a_log_axis() {
        let mut st = crate::sample::report().stratified;
        st.crude = Some(ReportEstimate {
            value: 2.0,
            ci95_lower: 1.0,
            ci95_upper: 4.0,
            method: "Katz <script>".into(),
        });
        st.by_size = Some(ReportEstimate {
            value: 0.5,
            ci95_lower: 0.01,
            ci95_upper: 1.5,
            method: "Mantel–Haenszel".into(),
        });
        let svg = stratified_chart(&st);
        assert_eq!(svg.matches("class=\"point\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("class=\"interval\"").count(), 2);
        assert_eq!(svg.matches("not defined").count(), 3);
        // 0.01 widens the axis to 1/128; 1 sits on the dark reference line.
        assert!(svg.contains(">1/128<"), "{svg}");
        assert!(svg.contains("stroke=\"#1b1f24\" stroke-width=\"1\"/><text"));
        assert!(svg.contains("Katz &lt;script&gt;"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn recovery_chart_has_a_dot_per_incident_and_escapes_cohorts() {
        let mut rows = crate::sample::report().recovery;
        rows[0].resolve_minutes = vec![20.0, 65.0, 200.0];
        let mut other = rows[0].clone();
        other.cohort = "<img src=x onerror=alert(1)>".into();
        other.resolve_minutes = vec![];
        other.resolve_median_minutes = None;
        other.resolve_p90_minutes = None;
        rows.push(other);
        let svg = recovery_chart(&rows);
        assert_eq!(svg.matches("class=\"dot\"").count(), 3, "{svg}");
        assert_eq!(svg.matches("class=\"median\"").count(), 1);
        assert_eq!(svg.matches("class=\"p90\"").count(), 1);
        // 200 min rounds the axis up to 210.
        assert!(svg.contains(">210<"), "{svg}");
        assert!(svg.contains("&lt;img src=x onerror=alert(1)&gt; (n=0)"));
        assert!(!svg.contains("<img"));
    }
}
