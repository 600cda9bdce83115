//! The report's human-readable tables, laid out once and rendered as Markdown or HTML: the
//! columns, which of them hold figures, and the rows as plain text. Every cell is escaped for
//! its format when rendered, so a builder never escapes.

use std::fmt::Write;

use crate::escape::{html as esc_html, markdown as esc_markdown};
use crate::{
    display_class, display_rate, display_time, short_sha, Report, ReportCohort, ReportDora,
    ReportRecovery,
};

/// One cell's text and, in HTML, its class (an attribution's colour) and whether it is code
/// (a SHA).
pub(crate) struct Cell {
    text: String,
    class: Option<String>,
    code: bool,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self {
            text,
            class: None,
            code: false,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        text.to_owned().into()
    }
}

impl Cell {
    /// A cell coloured as the attribution `class` in HTML.
    fn classed(text: impl Into<String>, class: &str) -> Self {
        Self {
            class: Some(class.to_owned()),
            ..Self::from(text.into())
        }
    }

    /// A cell set as code in HTML (a SHA, a hash).
    fn code(text: &str) -> Self {
        Self {
            code: true,
            ..Self::from(text)
        }
    }
}

/// A header with its columns and rows.
pub(crate) struct Table {
    /// Header text and whether the column holds figures (right-aligned).
    columns: Vec<(String, bool)>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with `columns` (header, holds figures) and no rows yet.
    pub(crate) fn new<S: Into<String>>(columns: impl IntoIterator<Item = (S, bool)>) -> Self {
        Self {
            columns: columns
                .into_iter()
                .map(|(name, figures)| (name.into(), figures))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Adds one row; it must have a cell per column.
    pub(crate) fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        self.rows.push(cells);
    }

    /// A table with one row per item of `items`.
    pub(crate) fn of<T, S: Into<String>>(
        columns: impl IntoIterator<Item = (S, bool)>,
        items: &[T],
        cells: impl Fn(&T) -> Vec<Cell>,
    ) -> Self {
        let mut table = Self::new(columns);
        for item in items {
            table.row(cells(item));
        }
        table
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A GitHub-flavoured Markdown table, followed by a blank line.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|(name, _)| esc_markdown(name).to_string())
            .collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let align: Vec<&str> = self
            .columns
            .iter()
            .map(|(_, figures)| if *figures { "---:" } else { "---" })
            .collect();
        let _ = writeln!(out, "| {} |", align.join(" | "));
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| esc_markdown(&cell.text).to_string())
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let _ = writeln!(out);
        out
    }

    /// An HTML table: figures right-aligned (`class="n"`), every text escaped.
    pub(crate) fn html(&self) -> String {
        let mut out = String::from("<table><tr>");
        for (name, _) in &self.columns {
            let _ = write!(out, "<th>{}</th>", esc_html(name));
        }
        let _ = writeln!(out, "</tr>");
        for row in &self.rows {
            out.push_str("<tr>");
            for (cell, (_, figures)) in row.iter().zip(&self.columns) {
                let class = match (&cell.class, figures) {
                    (Some(class), _) => format!(" class=\"{}\"", esc_html(class)),
                    (None, true) => " class=\"n\"".to_owned(),
                    (None, false) => String::new(),
                };
                let text = esc_html(&cell.text);
                if cell.code {
                    let _ = write!(out, "<td{class}><code>{text}</code></td>");
                } else {
                    let _ = write!(out, "<td{class}>{text}</td>");
                }
            }
            let _ = writeln!(out, "</tr>");
        }
        let _ = writeln!(out, "</table>");
        out
    }
}

/// `value unit` to one decimal, or `n/a`.
pub(crate) fn optional(value: Option<f64>, unit: &str) -> String {
    value.map_or("n/a".to_owned(), |v| format!("{v:.1} {unit}"))
}

/// Changes, deployments and failure rates of one breakdown of the summary (`title` names its
/// first column).
pub(crate) fn cohorts(title: &str, rows: &[ReportCohort], threshold: f64) -> Table {
    let including = format!("Failed, including suspects ≥ {threshold:.2}");
    Table::of(
        [
            (title, false),
            ("Changes", true),
            ("Deployed", true),
            ("Failed, confirmed links", false),
            (including.as_str(), false),
        ],
        rows,
        |c| {
            vec![
                Cell::classed(c.cohort.as_str(), &c.cohort),
                c.changes.to_string().into(),
                c.deployed.to_string().into(),
                display_rate(&c.failed_confirmed).into(),
                display_rate(&c.failed_including_suspected).into(),
            ]
        },
    )
}

/// The files the store was built from.
pub(crate) fn sources(report: &Report) -> Table {
    Table::of(
        [
            ("File", false),
            ("Format", false),
            ("SHA-256", false),
            ("Records", true),
            ("Stored", true),
            ("Rejected", true),
        ],
        &report.sources,
        |s| {
            vec![
                s.path.as_str().into(),
                s.format.as_str().into(),
                Cell::code(&s.content_hash),
                s.records_seen.to_string().into(),
                s.records_stored.to_string().into(),
                s.records_rejected.to_string().into(),
            ]
        },
    )
}

/// One incident's timeline.
pub(crate) fn timeline(incident: &crate::ReportIncident) -> Table {
    Table::of(
        [("Time", false), ("Event", false), ("Detail", false)],
        &incident.timeline,
        |e| {
            vec![
                display_time(&e.at).into(),
                e.kind.as_str().into(),
                e.text.as_str().into(),
            ]
        },
    )
}

/// The four DORA figures.
pub(crate) fn dora(d: &ReportDora) -> Table {
    let mut table = Table::new([("Figure", false), ("Value", false)]);
    let rows = [
        (
            "Deployments",
            format!(
                "{} ({} per week)",
                d.deployments,
                optional(d.deployments_per_week, "").trim()
            ),
        ),
        (
            "Lead time for changes",
            format!(
                "median {}, p90 {}",
                optional(d.lead_time_median_hours, "h"),
                optional(d.lead_time_p90_hours, "h")
            ),
        ),
        ("Change failure rate", display_rate(&d.change_failure_rate)),
        (
            "Failed deployment recovery time",
            format!(
                "median {}, p90 {} ({} not recovered)",
                optional(d.recovery_median_minutes, "min"),
                optional(d.recovery_p90_minutes, "min"),
                d.unrecovered_failed_deployments
            ),
        ),
    ];
    for (name, value) in rows {
        table.row(vec![name.into(), value.into()]);
    }
    table
}

/// Acknowledge and resolve times per trigger cohort.
pub(crate) fn recovery(rows: &[ReportRecovery]) -> Table {
    Table::of(
        [
            ("Trigger", false),
            ("Incidents", true),
            ("Open", true),
            ("Acknowledge (median / p90)", false),
            ("Resolve (median / p90)", false),
            ("Severities", false),
        ],
        rows,
        |r| {
            vec![
                r.cohort.as_str().into(),
                r.incidents.to_string().into(),
                r.open.to_string().into(),
                format!(
                    "{} / {}",
                    optional(r.acknowledge_median_minutes, "min"),
                    optional(r.acknowledge_p90_minutes, "min")
                )
                .into(),
                format!(
                    "{} / {}",
                    optional(r.resolve_median_minutes, "min"),
                    optional(r.resolve_p90_minutes, "min")
                )
                .into(),
                r.severity_mix.as_str().into(),
            ]
        },
    )
}

/// What each proposed guardrail would have gated and cost.
pub(crate) fn what_ifs(report: &Report) -> Table {
    Table::of(
        [
            ("Guardrail", false),
            ("Changes gated", true),
            ("Operations gated", true),
            ("Incidents it would have gated", false),
            ("Added lead time", true),
        ],
        &report.what_ifs,
        |w| {
            vec![
                w.rule.as_str().into(),
                w.gated_changes.len().to_string().into(),
                w.gated_operations.len().to_string().into(),
                w.incidents_prevented.join(", ").into(),
                format!("{:.1} h", w.added_lead_time_hours).into(),
            ]
        },
    )
}

/// Every change with its attribution and the evidence that decided it.
pub(crate) fn changes(report: &Report) -> Table {
    Table::of(
        [
            ("Change", false),
            ("Repository", false),
            ("Title", false),
            ("Author", false),
            ("Attribution", false),
            ("Evidence", false),
        ],
        &report.changes,
        |c| {
            vec![
                Cell::code(short_sha(&c.natural_key)),
                c.repo.as_deref().unwrap_or("-").into(),
                c.title.as_str().into(),
                c.author.as_deref().unwrap_or("unknown").into(),
                Cell::classed(display_class(&c.class, c.tool.as_deref()), &c.class),
                c.evidence_line().into(),
            ]
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new([("Name | kind", false), ("Count", true)]);
        table.row(vec![Cell::classed("<b>x</b>", "ai"), "3".into()]);
        table.row(vec![Cell::code("a|b"), "*4*".into()]);
        table
    }

    #[test]
    fn markdown_aligns_figures_and_escapes_every_cell_and_header() {
        assert_eq!(
            sample().markdown(),
            "| Name \\| kind | Count |\n| --- | ---: |\n| \\<b\\>x\\</b\\> | 3 |\n\
             | a\\|b | \\*4\\* |\n\n"
        );
    }

    #[test]
    fn html_classes_figures_and_escapes_every_cell_and_header() {
        assert_eq!(
            sample().html(),
            "<table><tr><th>Name | kind</th><th>Count</th></tr>\n\
             <tr><td class=\"ai\">&lt;b&gt;x&lt;/b&gt;</td><td class=\"n\">3</td></tr>\n\
             <tr><td><code>a|b</code></td><td class=\"n\">*4*</td></tr>\n</table>\n"
        );
    }

    #[test]
    fn a_table_of_items_has_a_row_each() {
        let table = Table::of([("n", true)], &[1, 2, 3], |n| vec![n.to_string().into()]);
        assert!(!table.is_empty());
        assert_eq!(table.markdown().lines().count(), 2 + 3 + 1);
        assert!(Table::of([("n", true)], &[] as &[i32], |_| Vec::new()).is_empty());
    }
}
