//! Builds the report model from the store and renders it.

use chrono::{DateTime, Utc};
use hindsight_analysis::cohort_counts;
use hindsight_model::AttributionClass;
use hindsight_report::{
    render, Report, ReportChange, ReportChangeRef, ReportCohort, ReportDeployment, ReportEvent,
    ReportEvidence, ReportFormat, ReportIncident, ReportSource, ReportSummary, ReportSuspect,
    REPORT_SCHEMA,
};

use crate::query::{class_by_change, duration_minutes};
use crate::{Hindsight, Result};

/// What the report says about its own method; shown in every format.
const METHODOLOGY: &[&str] = &[
    "Attribution: a change is AI when a Co-authored-by trailer anywhere in its message, or its author, names a known AI tool by its exact e-mail address (rules in crates/attribution/rules/builtin.toml). Known automation bots are automation. Any other change with an author is human: no AI marker was found, which an undisclosed AI session would not leave either. A change without authorship data is unknown.",
    "What a deployment shipped: the commits of its repository after the revision of the previous successful deployment of the same service and environment, up to its own revision (by commit graph when parent links were ingested, otherwise by commit time). Rollbacks and environment operations ship no change of their own.",
    "Suspects: every deployment or operation on the incident's service in the 24 hours before impact start, newest first. The score falls linearly from 1 at impact start to 0 at the edge of the window; it orders suspects and is not a probability.",
    "No failure rates are given yet: counts of changes shipped by a top-ranked suspect are not confirmed causes.",
];

impl Hindsight {
    /// The whole report model. `generated_at` is an argument so the same store gives the same
    /// bytes.
    pub fn report(&self, generated_at: DateTime<Utc>) -> Result<Report> {
        let changes = self.store.changes()?;
        let evidence = self.store.evidence()?;
        let classes = class_by_change(&changes);
        let overview = self.store.overview()?;

        let mut incidents = Vec::new();
        let mut top_suspect_changes = std::collections::HashSet::new();
        for incident in self.store.incidents()? {
            let mut suspects = Vec::new();
            for link in self.store.links_of_incident(incident.id)? {
                let deployment = self.store.deployment(link.deployment_id)?;
                let shipped = self.store.changes_of_deployment(link.deployment_id)?;
                if link.rank == 1 && link.status != "rejected" {
                    top_suspect_changes.extend(shipped.iter().map(|c| c.id));
                }
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
                    changes: shipped
                        .iter()
                        .map(|c| ReportChangeRef {
                            natural_key: c.natural_key.clone(),
                            title: c.title.clone(),
                            author: c.author_name.clone(),
                            class: c.class.clone(),
                            tool: c.tool.clone(),
                        })
                        .collect(),
                });
            }
            let timeline = self
                .store
                .timeline(incident.id)?
                .into_iter()
                .map(|e| ReportEvent {
                    at: e.at,
                    kind: e.kind,
                    text: e.text,
                })
                .collect();
            incidents.push(ReportIncident {
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
                url: incident.url,
                timeline,
                suspects,
            });
        }

        let class_list: Vec<&str> = changes.iter().map(|c| classes[&c.id].as_str()).collect();
        let flagged: Vec<bool> = changes
            .iter()
            .map(|c| top_suspect_changes.contains(&c.id))
            .collect();
        let all: Vec<&str> = AttributionClass::ALL.iter().map(|c| c.as_str()).collect();
        let cohorts = cohort_counts(&class_list, &flagged, &all)?
            .into_iter()
            .map(|c| ReportCohort {
                class: c.class,
                changes: c.changes,
                shipped_by_top_suspect: c.shipped_by_top_suspect,
            })
            .collect();

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
            sources,
            summary: ReportSummary {
                incidents: overview.incidents,
                deployments: overview.deployments,
                changes: overview.changes,
                cohorts,
            },
            incidents,
            changes,
            methodology: METHODOLOGY.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// The report rendered in one format.
    pub fn render_report(
        &self,
        format: ReportFormat,
        generated_at: DateTime<Utc>,
    ) -> Result<String> {
        Ok(render(&self.report(generated_at)?, format)?)
    }
}
