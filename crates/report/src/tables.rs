//! The report's data tables with typed columns: the same tables and columns as the CSV files,
//! for writers that keep types (Parquet). Text stays as the input wrote it: a typed column is
//! never read as a formula, so no CSV neutralisation is applied.

use crate::{Report, ReportCohort, ReportEstimate, ReportRate};

/// The values of one column; `None` is a null.
#[derive(Debug, Clone, PartialEq)]
pub enum DataValues {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// One named table of equally long columns.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTable {
    /// The file stem: `cohorts`, `tools`, `comparisons`, `incidents`, `suspects`, `changes`,
    /// `sources`, `findings`.
    pub name: String,
    pub columns: Vec<(String, DataValues)>,
}

struct Builder<'a, T> {
    rows: &'a [T],
    columns: Vec<(String, DataValues)>,
}

impl<'a, T> Builder<'a, T> {
    fn new(rows: &'a [T]) -> Self {
        Self {
            rows,
            columns: Vec::new(),
        }
    }
    fn int(mut self, name: &str, f: impl Fn(&T) -> Option<i64>) -> Self {
        let values = self.rows.iter().map(f).collect();
        self.columns
            .push((name.to_owned(), DataValues::Int(values)));
        self
    }
    fn float(mut self, name: &str, f: impl Fn(&T) -> Option<f64>) -> Self {
        let values = self.rows.iter().map(f).collect();
        self.columns
            .push((name.to_owned(), DataValues::Float(values)));
        self
    }
    fn text(mut self, name: &str, f: impl Fn(&T) -> Option<String>) -> Self {
        let values = self.rows.iter().map(f).collect();
        self.columns
            .push((name.to_owned(), DataValues::Text(values)));
        self
    }
    fn rate(self, prefix: &str, f: impl Fn(&T) -> &ReportRate + Copy) -> Self {
        let failed = format!("failed_{prefix}");
        self.int(&failed, move |r| Some(f(r).numerator))
            .float(&format!("{prefix}_rate"), move |r| f(r).rate)
            .float(&format!("{prefix}_ci95_lower"), move |r| f(r).ci95_lower)
            .float(&format!("{prefix}_ci95_upper"), move |r| f(r).ci95_upper)
    }
    fn estimate(self, prefix: &str, f: impl Fn(&T) -> &Option<ReportEstimate> + Copy) -> Self {
        self.float(prefix, move |r| f(r).as_ref().map(|e| e.value))
            .float(&format!("{prefix}_ci95_lower"), move |r| {
                f(r).as_ref().map(|e| e.ci95_lower)
            })
            .float(&format!("{prefix}_ci95_upper"), move |r| {
                f(r).as_ref().map(|e| e.ci95_upper)
            })
            .text(&format!("{prefix}_method"), move |r| {
                f(r).as_ref().map(|e| e.method.clone())
            })
    }
    fn done(self, name: &str) -> DataTable {
        DataTable {
            name: name.to_owned(),
            columns: self.columns,
        }
    }
}

fn cohort_table(name: &str, first: &str, rows: &[ReportCohort]) -> DataTable {
    Builder::new(rows)
        .text(first, |c| Some(c.cohort.clone()))
        .int("changes", |c| Some(c.changes))
        .int("deployed", |c| Some(c.deployed))
        .rate("confirmed", |c| &c.failed_confirmed)
        .rate("including_suspected", |c| &c.failed_including_suspected)
        .text("warning", |c| c.warning.clone())
        .done(name)
}

/// Every data table of the report, in the order of the CSV files.
pub fn data_tables(report: &Report) -> Vec<DataTable> {
    let s = &report.summary;
    let suspects: Vec<(&crate::ReportIncident, &crate::ReportSuspect)> = report
        .incidents
        .iter()
        .flat_map(|i| i.suspects.iter().map(move |s| (i, s)))
        .collect();
    let findings: &[crate::ReportFinding] = report
        .findings
        .as_ref()
        .map_or(&[], |f| f.findings.as_slice());
    vec![
        cohort_table("cohorts", "cohort", &s.cohorts),
        cohort_table("tools", "tool", &s.by_tool),
        Builder::new(&s.comparisons)
            .text("basis", |c| Some(c.basis.clone()))
            .estimate("risk_ratio", |c| &c.risk_ratio)
            .estimate("risk_difference", |c| &c.risk_difference)
            .float("fisher_p", |c| c.fisher_p)
            .done("comparisons"),
        Builder::new(&report.incidents)
            .text("source_system", |i| Some(i.source_system.clone()))
            .text("source_id", |i| Some(i.source_id.clone()))
            .text("title", |i| Some(i.title.clone()))
            .text("service", |i| i.service.clone())
            .text("severity", |i| i.severity.clone())
            .text("started_at", |i| Some(i.started_at.clone()))
            .text("resolved_at", |i| i.resolved_at.clone())
            .int("duration_minutes", |i| i.duration_minutes)
            .text("top_suspect_key", |i| {
                i.suspects.first().map(|t| t.deployment.natural_key.clone())
            })
            .float("top_suspect_score", |i| i.suspects.first().map(|t| t.score))
            .int("suspect_count", |i| Some(i.suspects.len() as i64))
            .done("incidents"),
        Builder::new(&suspects)
            .text("incident_source_system", |(i, _)| {
                Some(i.source_system.clone())
            })
            .text("incident_source_id", |(i, _)| Some(i.source_id.clone()))
            .int("rank", |(_, s)| Some(s.rank))
            .float("score", |(_, s)| Some(s.score))
            .text("status", |(_, s)| Some(s.status.clone()))
            .text("deployment_key", |(_, s)| {
                Some(s.deployment.natural_key.clone())
            })
            .text("action", |(_, s)| Some(s.deployment.action.clone()))
            .text("actor", |(_, s)| s.deployment.actor.clone())
            .text("shipped_change_keys", |(_, s)| {
                let keys: Vec<&str> = s.changes.iter().map(|c| c.natural_key.as_str()).collect();
                Some(keys.join(" "))
            })
            .done("suspects"),
        Builder::new(&report.changes)
            .text("kind", |c| Some(c.kind.clone()))
            .text("natural_key", |c| Some(c.natural_key.clone()))
            .text("repo", |c| c.repo.clone())
            .text("title", |c| Some(c.title.clone()))
            .text("author", |c| c.author.clone())
            .text("committed_at", |c| c.committed_at.clone())
            .text("class", |c| Some(c.class.clone()))
            .text("tool", |c| c.tool.clone())
            .text("involvement", |c| c.involvement.clone())
            .float("confidence", |c| Some(c.confidence))
            .text("evidence", |c| Some(c.evidence_line()))
            .text("source_file", |c| Some(c.source_file.clone()))
            .text("source_location", |c| Some(c.source_location.clone()))
            .done("changes"),
        Builder::new(&report.sources)
            .text("path", |s| Some(s.path.clone()))
            .text("format", |s| Some(s.format.clone()))
            .text("content_hash", |s| Some(s.content_hash.clone()))
            .int("records_seen", |s| Some(s.records_seen))
            .int("records_stored", |s| Some(s.records_stored))
            .int("records_rejected", |s| Some(s.records_rejected))
            .done("sources"),
        Builder::new(findings)
            .text("name", |f| Some(f.name.clone()))
            .text("description", |f| Some(f.description.clone()))
            .int("failed", |f| Some(f.failures.numerator))
            .int("counted", |f| Some(f.failures.denominator))
            .float("rate", |f| f.failures.rate)
            .float("ci95_lower", |f| f.failures.ci95_lower)
            .float("ci95_upper", |f| f.failures.ci95_upper)
            .text("incidents", |f| Some(f.incidents.join("; ")))
            .done("findings"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_csv_files_column_for_column() {
        let report = crate::sample::report();
        let tables = data_tables(&report);
        let csv = crate::render_csv_tables(&report);
        assert_eq!(tables.len(), csv.len());
        for (table, (file, text)) in tables.iter().zip(&csv) {
            assert_eq!(format!("{}.csv", table.name), *file);
            let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
            let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, header, "{file}");
        }
        let cohorts = &tables[0].columns;
        assert_eq!(
            cohorts[3],
            (
                "failed_confirmed".into(),
                DataValues::Int(vec![Some(0), Some(0)])
            )
        );
        assert_eq!(
            cohorts[8].1,
            DataValues::Float(vec![Some(1.0), None]),
            "including_suspected_rate"
        );
        // Hostile text is kept verbatim: a typed text column is never evaluated.
        let changes = &tables[5].columns;
        assert_eq!(
            changes[3].1,
            DataValues::Text(vec![Some(
                "<img src=x onerror=alert(1)> *bold* | pipe".into()
            )])
        );
    }
}
