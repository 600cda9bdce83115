//! Inline SVG charts for the HTML report: fixed sizes, no scripts, nothing fetched, every
//! piece of input text escaped.

use std::fmt::Write;

use crate::{escape_html as esc, ReportCohort};

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
}
