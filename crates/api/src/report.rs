//! Builds the report model from the store and renders it.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::io::Write;

use hindsight_analysis::groups::IncidentGroup;
use hindsight_analysis::measures::{cohort_measures, compare, ChangeOutcome, CohortMeasure};
use hindsight_analysis::stats::{Estimate, Proportion};
use hindsight_model::AttributionClass;
use hindsight_report::{
    render, Report, ReportChange, ReportChangeRef, ReportCohort, ReportComparison,
    ReportDeployment, ReportEstimate, ReportEvent, ReportEvidence, ReportFormat, ReportIncident,
    ReportKeyMoment, ReportRate, ReportSource, ReportSummary, ReportSuspect, REPORT_SCHEMA,
};
use hindsight_store::{ChangeRow, DeploymentRow, IncidentRow, LinkRow, TimelineRow};

use crate::findings::StoreRows;
use crate::query::{duration_minutes, incident_facts_in};
use crate::scope::{ReportScope, Resolved};
use crate::{ApiError, Hindsight, Result};

/// A top-ranked suspect at or above this score counts as a failure "including suspected",
/// unless the settings choose another threshold.
pub const SUSPECT_THRESHOLD: f64 = 0.5;

/// What the report says about its own method; shown in every format. The suspects line, with
/// the link window and threshold in force, comes from [`suspects_method`] after the second.
const METHODOLOGY: &[&str] = &[
    "Attribution: a change is AI when a Co-authored-by trailer anywhere in its message, or its author, names a known AI tool by its exact e-mail address (rules in crates/attribution/rules/builtin.toml). Known automation bots are automation. Any other change with an author is human: no AI marker was found, which an undisclosed AI session would not leave either. A change without authorship data is unknown.",
    "What a deployment shipped: the commits of its repository after the revision of the previous successful deployment of the same service and environment, up to its own revision (by commit graph when parent links were ingested, otherwise by commit time). Rollbacks and environment operations ship no change of their own.",
    "Failure rates: a deployed change (one some deployment shipped) counts as failed when a deployment that shipped it is linked to an incident. Two bases are reported and never mixed: reviewer-confirmed links only, and confirmed links plus top-ranked suspects at or above the score threshold. Denominators are deployed changes per cohort. Intervals are Wilson score 95% intervals; the AI vs human risk ratio uses the Katz log interval, the risk difference Newcombe's hybrid score interval, and the p-value Fisher's exact test (two-sided).",
    "Caveats: suspects are candidates, not causes, until a reviewer confirms them; small cohorts carry wide intervals and are flagged; the unknown cohort is reported separately and not folded into either side.",
];

/// How suspects are found and scored, with the link window and score threshold in force.
fn suspects_method(window_hours: f64, half_life_hours: f64, threshold: f64) -> String {
    format!(
        "Suspects: a deployment the incident names (by id, version, commit or PR), rolled back or reverted during it links first (score 0.95 to 1). Then every deployment or operation on the incident's service or its declared upstreams in the {} h link window before impact start is scored: the score halves every {} h before impact and is lowered for non-production environments and upstream hops and raised by risk signals (destructive action, rollback, agent with elevated permissions, no approval, emergency change, size); it orders suspects and is not a probability. A top-ranked suspect scoring at or above {threshold:.2} counts as a failure on the \"including suspected\" basis. The link window and threshold are settings.",
        num(window_hours),
        num(half_life_hours)
    )
}

/// `72` for a whole number, `1.5` otherwise.
fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Hindsight {
    /// The methodology lines with the link window and threshold in force.
    fn methodology(&self) -> Result<Vec<String>> {
        let link = self.link_options()?;
        let mut lines: Vec<String> = METHODOLOGY.iter().map(|s| (*s).to_owned()).collect();
        lines.insert(
            2.min(lines.len()),
            suspects_method(
                link.window.num_seconds() as f64 / 3600.0,
                link.half_life.num_seconds() as f64 / 3600.0,
                self.suspect_threshold()?,
            ),
        );
        Ok(lines)
    }

    /// The whole report model. `generated_at` is an argument so the same store gives the same
    /// bytes.
    pub fn report(&self, generated_at: DateTime<Utc>) -> Result<Report> {
        self.report_in(&ReportScope::default(), generated_at)
    }

    /// The report model over a scope: every section counts only the incidents, deployments
    /// and changes the scope admits, and the cover prints the scope.
    pub fn report_in(&self, scope: &ReportScope, generated_at: DateTime<Utc>) -> Result<Report> {
        let scope = self.resolve_scope(scope)?;
        let store_rows = StoreRows::load(self)?;
        std::thread::scope(|threads| {
            let mut linking =
                crate::findings::SensitivityLinking::start(threads, self, &store_rows);
            self.report_from(&scope, &store_rows, &mut linking, generated_at)
        })
    }

    fn report_from(
        &self,
        scope: &Resolved,
        store_rows: &StoreRows,
        linking: &mut crate::findings::SensitivityLinking<'_>,
        generated_at: DateTime<Utc>,
    ) -> Result<Report> {
        let all_links = &store_rows.links;
        let all_deployments = &store_rows.deployments;
        let suspect_ok: HashSet<i64> = all_deployments
            .iter()
            .filter(|d| scope.suspect(d))
            .map(|d| d.id)
            .collect();
        let all_changes = &store_rows.changes;
        let changes: Vec<ChangeRow> = all_changes
            .iter()
            .filter(|c| scope.change(c))
            .cloned()
            .collect();
        let evidence = self.store.evidence()?;
        let incident_rows: Vec<IncidentRow> = store_rows
            .incidents
            .iter()
            .filter(|i| scope.incident(i, all_links))
            .cloned()
            .collect();
        let incident_ids: HashSet<i64> = incident_rows.iter().map(|i| i.id).collect();
        let links: Vec<LinkRow> = all_links
            .iter()
            .filter(|l| {
                incident_ids.contains(&l.incident_id) && suspect_ok.contains(&l.deployment_id)
            })
            .cloned()
            .collect();
        let deployments: Vec<DeploymentRow> = all_deployments
            .iter()
            .filter(|d| scope.deployment(d))
            .cloned()
            .collect();
        let deployment_by_id: HashMap<i64, &DeploymentRow> =
            all_deployments.iter().map(|d| (d.id, d)).collect();
        // Links arrive ordered by incident, rank, deployment: each incident's run, in order.
        let mut links_of: HashMap<i64, Vec<&LinkRow>> = HashMap::new();
        for link in &links {
            links_of.entry(link.incident_id).or_default().push(link);
        }
        // What each deployment shipped, in the order of `changes_of_deployment`.
        let change_by_id: HashMap<i64, &ChangeRow> =
            all_changes.iter().map(|c| (c.id, c)).collect();
        let shipped_of = |deployment: i64| -> Vec<&ChangeRow> {
            let mut shipped: Vec<&ChangeRow> = store_rows
                .contents
                .get(&deployment)
                .into_iter()
                .flatten()
                .filter_map(|c| change_by_id.get(c).copied())
                .collect();
            shipped.sort_by(|a, b| {
                (&a.committed_at, &a.natural_key).cmp(&(&b.committed_at, &b.natural_key))
            });
            shipped
        };
        let timelines = &store_rows.timelines;
        let annotated = self.store.annotated_incidents()?;
        let counts = (
            incident_rows.len() as i64,
            deployments.len() as i64,
            changes.len() as i64,
        );

        // One outage reported by several tools is one incident: members are shown under their
        // group's primary, with the merged window and timeline. The groups and causes of a
        // scope that admits every incident are the store's.
        let scoped;
        let (groups, causes) = if incident_rows.len() == store_rows.incidents.len() {
            (&store_rows.groups, &store_rows.causes)
        } else {
            let groups = self.groups_of(&incident_rows, &|s: &str| {
                hindsight_model::normalise_service_name(s)
            })?;
            let causes = self.causes_of(&incident_rows, &groups, timelines)?;
            scoped = (groups, causes);
            (&scoped.0, &scoped.1)
        };
        let members_of: HashMap<i64, &[i64]> = groups
            .iter()
            .map(|g| (g.primary, g.members.as_slice()))
            .collect();
        let rows_by_id: HashMap<i64, &IncidentRow> =
            incident_rows.iter().map(|r| (r.id, r)).collect();
        std::thread::scope(|threads| -> Result<Report> {
            // The deep-dive sections on another core while the incident sections are laid out.
            let (changes_ref, incidents_ref, links_ref) = (&changes, &incident_rows, &links);
            let sections = threads.spawn(move || {
                self.deep_dive_sections(
                    store_rows,
                    changes_ref,
                    counts,
                    incidents_ref,
                    deployments,
                    links_ref,
                    causes,
                )
            });
            let mut incidents = Vec::new();
            for mut incident in incident_rows.iter().cloned() {
                let Some(members) = members_of.get(&incident.id) else {
                    continue;
                };
                let member_rows: Vec<&IncidentRow> = members
                    .iter()
                    .filter_map(|id| rows_by_id.get(id).copied())
                    .collect();
                let merged_from: Vec<String> = member_rows
                    .iter()
                    .skip(1)
                    .map(|m| format!("{} {}", m.source_system, m.source_id))
                    .collect();
                if member_rows.len() > 1 {
                    let (start, end) = crate::incidents::group_window(&member_rows)?;
                    incident.started_at = hindsight_store::format_time(&start);
                    incident.resolved_at = end.map(|e| hindsight_store::format_time(&e));
                }
                let mut suspects = Vec::new();
                let own = links_of.get(&incident.id).map(Vec::as_slice).unwrap_or(&[]);
                for link in own {
                    let deployment = match deployment_by_id.get(&link.deployment_id) {
                        Some(d) => (*d).clone(),
                        None => self.store.deployment(link.deployment_id)?,
                    };
                    let changes: Vec<ReportChangeRef> = shipped_of(link.deployment_id)
                        .into_iter()
                        .map(|c| ReportChangeRef {
                            natural_key: c.natural_key.clone(),
                            title: c.title.clone(),
                            author: c.author_name.clone(),
                            class: c.class.clone(),
                            tool: c.tool.clone(),
                        })
                        .collect();
                    suspects.push(ReportSuspect {
                        rank: link.rank,
                        score: link.score,
                        status: link.status.clone(),
                        method: link.method.clone(),
                        evidence: link.evidence.clone(),
                        deployment: ReportDeployment {
                            natural_key: deployment.natural_key,
                            service: deployment.service,
                            environment: deployment.environment,
                            version: deployment.version,
                            sha: deployment.sha,
                            status: deployment.status,
                            action: deployment.action,
                            actor: deployment.actor,
                            actor_type: deployment.actor_type,
                            at: deployment.at,
                        },
                        changes,
                    });
                }
                let mut timeline = Vec::new();
                for member in *members {
                    timeline.extend(timelines.get(member).into_iter().flatten().cloned().map(
                        |e| ReportEvent {
                            at: e.at,
                            kind: e.kind,
                            text: e.text,
                        },
                    ));
                }
                timeline.sort_by(|a, b| a.at.cmp(&b.at));
                // Only annotated incidents need their deep-dive built.
                let key_moments = if annotated.contains(&incident.id) {
                    self.incident_timeline(incident.id)?.key_moments
                } else {
                    Vec::new()
                }
                .into_iter()
                .map(|m| ReportKeyMoment {
                    moment: m.moment,
                    at: m.at,
                    title: m.title,
                })
                .collect();
                incidents.push(ReportIncident {
                    detailed: scope.detailed(incident.id),
                    duration_minutes: duration_minutes(&incident)?,
                    source_system: incident.source_system,
                    source_id: incident.source_id,
                    number: incident.number,
                    title: incident.title,
                    service: incident.service,
                    severity: incident.severity,
                    status: incident.status,
                    started_at: incident.started_at,
                    resolved_at: incident.resolved_at,
                    not_change_caused: causes.get(&incident.id).cloned(),
                    merged_from,
                    url: incident.url,
                    timeline,
                    suspects,
                    key_moments,
                });
            }

            let findings = crate::findings::report_findings(&self.measure_extras(
                store_rows,
                &crate::AnalyzeOptions {
                    from: scope.from,
                    to: scope.to,
                    roster: None,
                },
                &|_| None,
                Some(scope),
                linking,
            )?);
            let (summary, stratified, dora, recovery, what_ifs) = sections
                .join()
                .map_err(|_| ApiError::Internal("the deep-dive sections panicked".to_owned()))??;

            let sources = self
                .store
                .runs()?
                .into_iter()
                .map(|r| ReportSource {
                    path: r.path,
                    format: r.format,
                    content_hash: r.content_hash,
                    records_seen: r.seen,
                    records_stored: r.stored,
                    records_rejected: r.rejected,
                })
                .collect();

            let changes = changes
                .iter()
                .map(|c| ReportChange {
                    kind: c.kind.clone(),
                    natural_key: c.natural_key.clone(),
                    repo: c.repo.clone(),
                    title: c.title.clone(),
                    author: c.author_name.clone(),
                    committed_at: c.committed_at.clone(),
                    class: c.class.clone(),
                    tool: c.tool.clone(),
                    involvement: c.involvement.clone(),
                    confidence: c.confidence,
                    evidence: evidence
                        .get(&c.id)
                        .map(|rows| {
                            rows.iter()
                                .map(|e| ReportEvidence {
                                    signal: e.signal.clone(),
                                    location: e.location.clone(),
                                    matched_text: e.matched_text.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    source_file: c.source_file.clone(),
                    source_location: c.source_location.clone(),
                })
                .collect();

            Ok(Report {
                schema: REPORT_SCHEMA.to_owned(),
                generated_at: hindsight_store::format_time(&generated_at),
                hindsight_version: crate::VERSION.to_owned(),
                scope: scope.filters.clone(),
                sources,
                summary,
                stratified,
                dora,
                recovery,
                what_ifs,
                incidents,
                changes,
                findings: Some(findings),
                methodology: self.methodology()?,
            })
        })
    }

    /// The summary and the deep-dive sections: stratified, DORA, recovery and policy what-ifs.
    #[allow(clippy::too_many_arguments)]
    fn deep_dive_sections(
        &self,
        store_rows: &StoreRows,
        changes: &[ChangeRow],
        counts: (i64, i64, i64),
        incident_rows: &[IncidentRow],
        deployments: Vec<DeploymentRow>,
        links: &[LinkRow],
        causes: &HashMap<i64, String>,
    ) -> Result<DeepDiveSections> {
        let summary = self.failure_summary(store_rows, changes, counts, links, causes)?;
        let input = self.deep_dive_input(
            store_rows,
            changes,
            incident_rows,
            deployments,
            links,
            causes,
        )?;
        Ok((
            summary,
            self.stratified_section(&input)?,
            self.dora_section(&input)?,
            self.recovery_section(&input)?,
            self.what_if_section(&input)?,
        ))
    }

    /// What the deep-dive sections are computed from; `causes` are the incidents classed as
    /// not change-caused.
    pub(crate) fn deep_dive_input<'a>(
        &self,
        rows: &'a StoreRows,
        changes: &'a [ChangeRow],
        incidents: &[IncidentRow],
        deployments: Vec<DeploymentRow>,
        links: &[LinkRow],
        causes: &HashMap<i64, String>,
    ) -> Result<crate::deepdive::DeepDiveInput<'a>> {
        let threshold = self.suspect_threshold()?;
        // Only each group's primary counts (with the group's merged window), within the scope.
        let reviewer_ncc = &rows.reviewer_ncc;
        let counted: HashMap<i64, IncidentRow> = counted_incidents(&rows.incidents, &rows.groups)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let incidents: Vec<IncidentRow> = incidents
            .iter()
            .filter_map(|i| counted.get(&i.id).cloned())
            .collect();
        let failing_links = links
            .iter()
            .filter(|l| !reviewer_ncc.contains(&l.incident_id))
            .filter(|l| {
                l.status == "confirmed"
                    || (!causes.contains_key(&l.incident_id)
                        && l.status == "suspected"
                        && l.rank == 1
                        && l.score >= threshold)
            })
            .cloned()
            .collect();
        Ok(crate::deepdive::DeepDiveInput {
            changes,
            deployments,
            incidents,
            failing_links,
            shipped_by: &rows.shipped_by,
            contents: &rows.contents,
            timelines: &rows.timelines,
        })
    }

    /// Failure measures per class, AI tool and service, and AI against human.
    pub(crate) fn failure_summary(
        &self,
        rows: &StoreRows,
        changes: &[ChangeRow],
        (incidents, deployments, change_count): (i64, i64, i64),
        links: &[LinkRow],
        causes: &HashMap<i64, String>,
    ) -> Result<ReportSummary> {
        let shipped_by = &rows.shipped_by;
        // Suspects of incidents classed as not change-caused are not failures; a reviewer's
        // confirmation still is, unless a reviewer classed the incident as not change-caused.
        let reviewer_ncc = &rows.reviewer_ncc;
        let links: Vec<&LinkRow> = links
            .iter()
            .filter(|l| !reviewer_ncc.contains(&l.incident_id))
            .filter(|l| l.status == "confirmed" || !causes.contains_key(&l.incident_id))
            .collect();
        let threshold = self.suspect_threshold()?;
        let confirmed: HashSet<i64> = links
            .iter()
            .filter(|l| l.status == "confirmed")
            .map(|l| l.deployment_id)
            .collect();
        let suspected: HashSet<i64> = links
            .iter()
            .filter(|l| {
                l.status == "confirmed"
                    || (l.status == "suspected" && l.rank == 1 && l.score >= threshold)
            })
            .map(|l| l.deployment_id)
            .collect();
        let outcomes: Vec<ChangeOutcome> = changes
            .iter()
            .map(|c| {
                let deployments = shipped_by.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
                ChangeOutcome {
                    class: &c.class,
                    tool: c.tool.as_deref(),
                    deployed: !deployments.is_empty(),
                    failed_confirmed: deployments.iter().any(|d| confirmed.contains(d)),
                    failed_including_suspected: deployments.iter().any(|d| suspected.contains(d)),
                }
            })
            .collect();
        let classes: Vec<&str> = AttributionClass::ALL.iter().map(|c| c.as_str()).collect();
        let (per_class, per_tool) = cohort_measures(&outcomes, &classes)?;
        // The same per service: the change's repository stands for its service.
        let mut by_service = Vec::new();
        let mut services: Vec<&str> = changes.iter().filter_map(|c| c.repo.as_deref()).collect();
        services.sort_unstable();
        services.dedup();
        for service in services {
            let subset: Vec<ChangeOutcome> = changes
                .iter()
                .zip(&outcomes)
                .filter(|(c, _)| c.repo.as_deref() == Some(service))
                .map(|(_, o)| o.clone())
                .collect();
            if subset.is_empty() {
                continue;
            }
            let (rows, _) = cohort_measures(&subset, &classes)?;
            by_service.extend(rows.into_iter().filter(|r| r.deployed > 0).map(|mut r| {
                r.cohort = format!("{service}: {}", r.cohort);
                cohort(&r)
            }));
        }
        let find = |name: &str| per_class.iter().find(|m| m.cohort == name);
        let mut comparisons = Vec::new();
        if let (Some(ai), Some(human)) = (find("ai"), find("human")) {
            for (basis, a, h) in [
                ("confirmed", &ai.confirmed, &human.confirmed),
                (
                    "including suspected",
                    &ai.including_suspected,
                    &human.including_suspected,
                ),
            ] {
                let c = compare(basis, a, h);
                comparisons.push(ReportComparison {
                    basis: c.basis,
                    risk_ratio: c.risk_ratio.map(estimate),
                    risk_difference: c.risk_difference.map(estimate),
                    fisher_p: c.fisher_p,
                });
            }
        }
        Ok(ReportSummary {
            incidents,
            deployments,
            changes: change_count,
            suspect_threshold: threshold,
            cohorts: per_class.iter().map(cohort).collect(),
            by_tool: per_tool.iter().map(cohort).collect(),
            by_service,
            comparisons,
        })
    }

    /// Incidents whose text shows a provider, hardware, capacity or third-party cause, or that
    /// a reviewer classed so: id to `category (evidence)`. `groups` are the groups of
    /// `incidents`, `timelines` hold their events.
    pub(crate) fn causes_of(
        &self,
        incidents: &[IncidentRow],
        groups: &[IncidentGroup],
        timelines: &HashMap<i64, Vec<TimelineRow>>,
    ) -> Result<HashMap<i64, String>> {
        let classified: HashMap<i64, String> = incident_facts_in(incidents, timelines)?
            .iter()
            .filter_map(|facts| {
                hindsight_analysis::classify_cause(facts)
                    .map(|(category, evidence)| (facts.id, format!("{category} ({evidence})")))
            })
            .collect();
        // The reviewer's word beats the text classifier; a group has one cause.
        let reviewed = self.reviewed_causes(incidents)?;
        let mut out = HashMap::new();
        for group in groups {
            let by_reviewer = group.members.iter().find_map(|m| reviewed.get(m));
            let cause = match by_reviewer {
                Some((true, text)) => Some(text.clone()),
                Some((false, _)) => None,
                None => group
                    .members
                    .iter()
                    .find_map(|m| classified.get(m).cloned()),
            };
            if let Some(cause) = cause {
                out.extend(group.members.iter().map(|m| (*m, cause.clone())));
            }
        }
        Ok(out)
    }

    /// The report rendered in one format.
    pub fn render_report(
        &self,
        format: ReportFormat,
        generated_at: DateTime<Utc>,
    ) -> Result<String> {
        self.render_report_in(&ReportScope::default(), format, generated_at)
    }

    /// The report over a scope, rendered in one text format.
    pub fn render_report_in(
        &self,
        scope: &ReportScope,
        format: ReportFormat,
        generated_at: DateTime<Utc>,
    ) -> Result<String> {
        Ok(render(&self.report_in(scope, generated_at)?, format)?)
    }

    /// The report over a scope in any format, binary ones (PDF) included.
    pub fn render_report_bytes_in(
        &self,
        scope: &ReportScope,
        format: ReportFormat,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        Ok(hindsight_report::render_bytes(
            &self.report_in(scope, generated_at)?,
            format,
        )?)
    }

    /// The report rendered in any format, binary ones (PDF) included.
    pub fn render_report_bytes(
        &self,
        format: ReportFormat,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        Ok(hindsight_report::render_bytes(
            &self.report(generated_at)?,
            format,
        )?)
    }

    /// Writes every report table as one CSV file into `dir` (created if needed); returns the
    /// files written.
    pub fn save_report_tables(
        &self,
        dir: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<std::path::PathBuf>> {
        self.save_report_tables_in(&ReportScope::default(), dir, generated_at)
    }

    /// [`Hindsight::save_report_tables`] over a scope.
    pub fn save_report_tables_in(
        &self,
        scope: &ReportScope,
        dir: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<std::path::PathBuf>> {
        write_csv_tables(&self.report_in(scope, generated_at)?, dir)
    }
}

impl Hindsight {
    /// Writes every report table as one Parquet file (`cohorts.parquet`, ...) into `dir`
    /// (created if needed), columns typed; returns the files written.
    pub fn save_report_parquet(
        &self,
        scope: &ReportScope,
        dir: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<std::path::PathBuf>> {
        write_parquet_tables(&self.report_in(scope, generated_at)?, dir)
    }

    /// Writes the report in several outputs into `dir` (created if needed) from one build of
    /// the model, rendering on every core: `report.md`, `report.html`, `report.json`,
    /// `report.pdf`, the CSV tables under `csv/` and the Parquet tables under `parquet/`.
    /// Every file is written atomically; returns the files written, in the order of
    /// `outputs`.
    pub fn save_report_outputs(
        &self,
        scope: &ReportScope,
        outputs: &[ReportOutput],
        dir: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<Vec<std::path::PathBuf>> {
        create_dir(dir)?;
        let report = self.report_in(scope, generated_at)?;
        // The costliest first, so that the cores finish together.
        let mut order: Vec<usize> = (0..outputs.len()).collect();
        order.sort_by_key(|i| outputs[*i].cost_rank());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(outputs.len())
            .max(1);
        let mut written: Vec<Option<Result<Vec<std::path::PathBuf>>>> =
            (0..outputs.len()).map(|_| None).collect();
        let done: Vec<Vec<(usize, Result<Vec<std::path::PathBuf>>)>> =
            std::thread::scope(|threads| {
                let work = || {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(k) else {
                            return done;
                        };
                        done.push((i, outputs[i].write(&report, dir)));
                    }
                };
                let handles: Vec<_> = (1..workers).map(|_| threads.spawn(work)).collect();
                let mut done = vec![work()];
                for handle in handles {
                    done.push(handle.join().unwrap_or_default());
                }
                done
            });
        for (i, result) in done.into_iter().flatten() {
            written[i] = Some(result);
        }
        let mut paths = Vec::new();
        for (output, result) in outputs.iter().zip(written) {
            match result {
                Some(result) => paths.extend(result?),
                None => {
                    return Err(ApiError::Internal(format!(
                        "rendering the report as {} stopped",
                        output.name()
                    )))
                }
            }
        }
        Ok(paths)
    }

    /// Renders the report and writes it to `path` atomically (a temporary file in the same
    /// directory, then a rename), so that a reader never sees half a report.
    pub fn save_report(
        &self,
        format: ReportFormat,
        path: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<()> {
        self.save_report_in(&ReportScope::default(), format, path, generated_at)
    }

    /// [`Hindsight::save_report`] over a scope.
    pub fn save_report_in(
        &self,
        scope: &ReportScope,
        format: ReportFormat,
        path: &std::path::Path,
        generated_at: DateTime<Utc>,
    ) -> Result<()> {
        let bytes = self.render_report_bytes_in(scope, format, generated_at)?;
        write_atomically(path, &bytes)
    }
}

/// The summary, stratified, DORA, recovery and what-if sections.
type DeepDiveSections = (
    ReportSummary,
    hindsight_report::ReportStratified,
    hindsight_report::ReportDora,
    Vec<hindsight_report::ReportRecovery>,
    Vec<hindsight_report::ReportWhatIf>,
);

/// The incidents as counted: each group's primary, with the group's merged window. `groups`
/// are the groups of `rows`.
fn counted_incidents(rows: &[IncidentRow], groups: &[IncidentGroup]) -> Result<Vec<IncidentRow>> {
    let by_id: HashMap<i64, &IncidentRow> = rows.iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::with_capacity(groups.len());
    for group in groups {
        let members: Vec<&IncidentRow> = group
            .members
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .collect();
        let Some(first) = members.first() else {
            continue;
        };
        let mut row = (*first).clone();
        if members.len() > 1 {
            let (start, end) = crate::incidents::group_window(&members)?;
            row.started_at = hindsight_store::format_time(&start);
            row.resolved_at = end.map(|e| hindsight_store::format_time(&e));
        }
        out.push(row);
    }
    out.sort_by_key(|r| r.id);
    Ok(out)
}

fn rate(p: &Proportion) -> ReportRate {
    ReportRate {
        numerator: p.numerator as i64,
        denominator: p.denominator as i64,
        rate: p.rate,
        ci95_lower: p.ci95.map(|i| i.lower),
        ci95_upper: p.ci95.map(|i| i.upper),
    }
}

fn estimate(e: Estimate) -> ReportEstimate {
    ReportEstimate {
        value: e.value,
        ci95_lower: e.ci95.lower,
        ci95_upper: e.ci95.upper,
        method: e.method.to_owned(),
    }
}

fn cohort(m: &CohortMeasure) -> ReportCohort {
    ReportCohort {
        cohort: m.cohort.clone(),
        changes: m.changes as i64,
        deployed: m.deployed as i64,
        failed_confirmed: rate(&m.confirmed),
        failed_including_suspected: rate(&m.including_suspected),
        warning: m.warning.clone(),
    }
}

/// Writes through a temporary sibling file and a rename.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// [`write_atomically`] of what `write` streams into the file, buffered: a large output
/// needs no copy of itself in memory.
pub(crate) fn write_atomically_with(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    use std::path::Path;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp)
        .and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            write(&mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        crate::ApiError::BadInput(format!("{}: cannot write: {e}", path.display()))
    })
}

/// One output of [`Hindsight::save_report_outputs`]: a format, or the tables as Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutput {
    Format(ReportFormat),
    Parquet,
}

impl ReportOutput {
    /// Every output, in the order `all` lists them.
    pub const ALL: [ReportOutput; 6] = [
        ReportOutput::Format(ReportFormat::Markdown),
        ReportOutput::Format(ReportFormat::Html),
        ReportOutput::Format(ReportFormat::Json),
        ReportOutput::Format(ReportFormat::Pdf),
        ReportOutput::Format(ReportFormat::Csv),
        ReportOutput::Parquet,
    ];

    /// `all`, or names separated by commas (`md,html,parquet`), duplicates dropped.
    pub fn parse_list(text: &str) -> Result<Vec<Self>> {
        let mut outputs = Vec::new();
        for name in text.split(',').map(str::trim) {
            let parsed: &[Self] = if name.eq_ignore_ascii_case("all") {
                &Self::ALL
            } else if name.eq_ignore_ascii_case("parquet") {
                &[Self::Parquet]
            } else {
                match ReportFormat::parse(name) {
                    Some(ReportFormat::Markdown) => &[Self::ALL[0]],
                    Some(ReportFormat::Html) => &[Self::ALL[1]],
                    Some(ReportFormat::Json) => &[Self::ALL[2]],
                    Some(ReportFormat::Pdf) => &[Self::ALL[3]],
                    Some(ReportFormat::Csv) => &[Self::ALL[4]],
                    None => {
                        return Err(ApiError::BadInput(format!(
                            "unknown report format {name:?}; use md, html, json, pdf, csv, \
                             parquet or all"
                        )))
                    }
                }
            };
            for output in parsed {
                if !outputs.contains(output) {
                    outputs.push(*output);
                }
            }
        }
        Ok(outputs)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Format(ReportFormat::Markdown) => "md",
            Self::Format(ReportFormat::Html) => "html",
            Self::Format(ReportFormat::Json) => "json",
            Self::Format(ReportFormat::Pdf) => "pdf",
            Self::Format(ReportFormat::Csv) => "csv",
            Self::Parquet => "parquet",
        }
    }

    /// Costliest first (the 5,000-incident benchmark's order).
    fn cost_rank(self) -> u8 {
        match self {
            Self::Format(ReportFormat::Pdf) => 0,
            Self::Format(ReportFormat::Json) => 1,
            Self::Format(ReportFormat::Html) => 2,
            Self::Format(ReportFormat::Markdown) => 3,
            Self::Parquet => 4,
            Self::Format(ReportFormat::Csv) => 5,
        }
    }

    /// Renders `report` and writes it under `dir`; returns the files written.
    fn write(self, report: &Report, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
        match self {
            Self::Format(ReportFormat::Csv) => write_csv_tables(report, &dir.join("csv")),
            Self::Parquet => write_parquet_tables(report, &dir.join("parquet")),
            Self::Format(ReportFormat::Json) => {
                let path = dir.join("report.json");
                write_atomically_with(&path, |out| {
                    serde_json::to_writer_pretty(&mut *out, report)?;
                    out.write_all(b"\n")
                })?;
                Ok(vec![path])
            }
            Self::Format(format) => {
                let path = dir.join(format!("report.{}", self.name()));
                write_atomically(&path, &hindsight_report::render_bytes(report, format)?)?;
                Ok(vec![path])
            }
        }
    }
}

fn create_dir(dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ApiError::BadInput(format!("{}: cannot create: {e}", dir.display())))
}

/// Every report table as one CSV file in `dir` (created if needed).
fn write_csv_tables(report: &Report, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    create_dir(dir)?;
    let mut written = Vec::new();
    for (name, text) in hindsight_report::render_csv_tables(report) {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// Every report table as one Parquet file in `dir` (created if needed), columns typed.
fn write_parquet_tables(report: &Report, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    create_dir(dir)?;
    let mut written = Vec::new();
    for (name, bytes) in parquet_tables(report)? {
        let path = dir.join(format!("{name}.parquet"));
        write_atomically(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Every report table as a Parquet file's bytes, columns typed, with the table's name.
pub fn parquet_tables(report: &Report) -> Result<Vec<(String, Vec<u8>)>> {
    use hindsight_analysis::parquet::{write_parquet, ColumnValues, TableColumn};
    use hindsight_report::DataValues;
    let mut tables = Vec::new();
    for table in hindsight_report::data_tables(report) {
        let columns: Vec<TableColumn> = table
            .columns
            .into_iter()
            .map(|(name, values)| TableColumn {
                name,
                values: match values {
                    DataValues::Int(v) => ColumnValues::Int(v),
                    DataValues::Float(v) => ColumnValues::Float(v),
                    DataValues::Text(v) => ColumnValues::Text(v),
                },
            })
            .collect();
        tables.push((table.name, write_parquet(&columns)?));
    }
    Ok(tables)
}
