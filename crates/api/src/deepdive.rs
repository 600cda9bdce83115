//! The deep-dive sections beyond the failure rates: stratified comparison, DORA figures,
//! recovery by trigger cohort and policy what-ifs, built from the store for the report.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc, Weekday};
use hindsight_analysis::dora::{
    dora_figures, recovery_by_cohort, ChangeLead, DeploymentRecord, IncidentTimes,
};
use hindsight_analysis::policy::{simulate, PolicyChange, PolicyOperation, Rule};
use hindsight_analysis::stats::Estimate;
use hindsight_analysis::strata::{sensitivity_unknown, stratified_ai_vs_human, ChangeRecord};
use hindsight_report::{
    ReportDora, ReportEstimate, ReportRate, ReportRecovery, ReportStratified, ReportWhatIf,
};
use hindsight_store::{
    format_time, parse_time, ChangeRow, DeploymentRow, IncidentRow, LinkRow, TimelineRow,
};

use crate::findings::shipped_classes;
use crate::{Hindsight, Result};

/// The guardrails replayed in every report, as the debate about AI changes frames them.
pub fn default_guardrails() -> Vec<Rule> {
    vec![
        Rule::SeniorApprovalForAi {
            environments: vec!["production".into()],
            review_delay_hours: 4.0,
        },
        Rule::NoAgentOperatorDeploys,
        Rule::SecondApprovalForDestructive {
            review_delay_hours: 2.0,
        },
        Rule::Freeze {
            weekday: Weekday::Fri,
            after_hour: 16,
            timezone_offset_minutes: 0,
        },
    ]
}

/// What the sections are computed from, loaded once.
pub(crate) struct DeepDiveInput<'a> {
    pub changes: &'a [ChangeRow],
    pub deployments: Vec<DeploymentRow>,
    pub incidents: Vec<IncidentRow>,
    /// Links that count as failures: confirmed, or top suspects at or above the threshold, of
    /// incidents not classed as not change-caused.
    pub failing_links: Vec<LinkRow>,
    /// change id -> deployments that shipped it.
    pub shipped_by: &'a HashMap<i64, Vec<i64>>,
    /// deployment id -> changes it shipped, ascending.
    pub contents: &'a HashMap<i64, Vec<i64>>,
    /// incident id -> its timeline, oldest first.
    pub timelines: &'a HashMap<i64, Vec<TimelineRow>>,
}

fn estimate(e: Option<Estimate>) -> Option<ReportEstimate> {
    e.map(|e| ReportEstimate {
        value: e.value,
        ci95_lower: e.ci95.lower,
        ci95_upper: e.ci95.upper,
        method: e.method.to_owned(),
    })
}

fn time(text: &str) -> Result<DateTime<Utc>> {
    Ok(parse_time(text)?)
}

impl Hindsight {
    pub(crate) fn stratified_section(&self, input: &DeepDiveInput<'_>) -> Result<ReportStratified> {
        let failing: HashSet<i64> = input
            .failing_links
            .iter()
            .map(|l| l.deployment_id)
            .collect();
        let records: Vec<ChangeRecord> = input
            .changes
            .iter()
            .map(|c| {
                let shipped = input
                    .shipped_by
                    .get(&c.id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                ChangeRecord {
                    class: &c.class,
                    service: c.repo.as_deref().unwrap_or("unknown"),
                    lines: match (c.additions, c.deletions) {
                        (None, None) => None,
                        (a, d) => Some(a.unwrap_or(0) + d.unwrap_or(0)),
                    },
                    deployed: !shipped.is_empty(),
                    failed: shipped.iter().any(|d| failing.contains(d)),
                }
            })
            .collect();
        let comparison = stratified_ai_vs_human(&records)?;
        let (as_ai, as_human) = sensitivity_unknown(&records);
        Ok(ReportStratified {
            crude: estimate(comparison.crude),
            by_size: estimate(comparison.by_size),
            by_service: estimate(comparison.by_service),
            unknown_as_ai: estimate(as_ai),
            unknown_as_human: estimate(as_human),
            interpretation: comparison.interpretation.to_owned(),
        })
    }

    pub(crate) fn dora_section(&self, input: &DeepDiveInput<'_>) -> Result<ReportDora> {
        let resolved: HashMap<i64, Option<DateTime<Utc>>> = input
            .incidents
            .iter()
            .map(|i| Ok((i.id, i.resolved_at.as_deref().map(time).transpose()?)))
            .collect::<Result<_>>()?;
        let mut failed_at: HashMap<i64, Option<DateTime<Utc>>> = HashMap::new();
        for link in &input.failing_links {
            let recovered = resolved.get(&link.incident_id).copied().flatten();
            failed_at.entry(link.deployment_id).or_insert(recovered);
        }
        let records: Vec<DeploymentRecord> = input
            .deployments
            .iter()
            .filter(|d| d.action == "deploy")
            .map(|d| {
                Ok(DeploymentRecord {
                    id: d.id,
                    service: d.service.clone(),
                    environment: d.environment.clone(),
                    at: time(&d.at)?,
                    status: d.status.clone(),
                    failed: failed_at.contains_key(&d.id),
                    recovered_at: failed_at.get(&d.id).copied().flatten(),
                })
            })
            .collect::<Result<_>>()?;
        let deployed_at: HashMap<i64, DateTime<Utc>> =
            records.iter().map(|r| (r.id, r.at)).collect();
        let production: HashSet<i64> = input
            .deployments
            .iter()
            .filter(|d| hindsight_analysis::dora::is_production(d.environment.as_deref()))
            .map(|d| d.id)
            .collect();
        let mut leads = Vec::new();
        for change in input.changes {
            let Some(committed) = change.committed_at.as_deref() else {
                continue;
            };
            let first = input
                .shipped_by
                .get(&change.id)
                .into_iter()
                .flatten()
                .filter(|d| production.contains(d))
                .filter_map(|d| deployed_at.get(d))
                .min();
            if let Some(deployed) = first {
                leads.push(ChangeLead {
                    committed_at: time(committed)?,
                    deployed_at: *deployed,
                });
            }
        }
        let start = records.iter().map(|r| r.at).min();
        let end = records
            .iter()
            .map(|r| r.at)
            .max()
            .map(|t| t + Duration::seconds(1));
        let (Some(start), Some(end)) = (start, end) else {
            return Ok(ReportDora {
                window_start: None,
                window_end: None,
                deployments: 0,
                deployments_per_week: None,
                lead_time_median_hours: None,
                lead_time_p90_hours: None,
                change_failure_rate: ReportRate {
                    numerator: 0,
                    denominator: 0,
                    rate: None,
                    ci95_lower: None,
                    ci95_upper: None,
                },
                recovery_median_minutes: None,
                recovery_p90_minutes: None,
                unrecovered_failed_deployments: 0,
                estimator: "no deployments".into(),
            });
        };
        let dora = dora_figures(&records, &leads, start, end);
        let cfr = &dora.change_failure_rate;
        Ok(ReportDora {
            window_start: Some(format_time(&start)),
            window_end: Some(format_time(&end)),
            deployments: dora.deployments as i64,
            deployments_per_week: dora.deployments_per_week,
            lead_time_median_hours: dora.lead_time_median_hours,
            lead_time_p90_hours: dora.lead_time_p90_hours,
            change_failure_rate: ReportRate {
                numerator: cfr.numerator as i64,
                denominator: cfr.denominator as i64,
                rate: cfr.rate,
                ci95_lower: cfr.ci95.map(|i| i.lower),
                ci95_upper: cfr.ci95.map(|i| i.upper),
            },
            recovery_median_minutes: dora.failed_deployment_recovery_median_minutes,
            recovery_p90_minutes: dora.failed_deployment_recovery_p90_minutes,
            unrecovered_failed_deployments: dora.unrecovered_failed_deployments as i64,
            estimator: dora.estimator.to_owned(),
        })
    }

    /// The cohort of an incident's trigger: the classes of the changes its top failing link
    /// shipped (`ai` when any is AI), or the operation's actor type, or `none`.
    pub(crate) fn trigger_cohorts(&self, input: &DeepDiveInput<'_>) -> HashMap<i64, String> {
        let class_of: HashMap<i64, &str> = input
            .changes
            .iter()
            .map(|c| (c.id, c.class.as_str()))
            .collect();
        let deployments: HashMap<i64, &DeploymentRow> =
            input.deployments.iter().map(|d| (d.id, d)).collect();
        let mut out = HashMap::new();
        for link in &input.failing_links {
            if out.contains_key(&link.incident_id) {
                continue;
            }
            let classes = shipped_classes(input.contents, link.deployment_id, &class_of);
            let cohort = if classes.contains(&"ai") {
                "ai".to_owned()
            } else if let Some(first) = classes.first() {
                (*first).to_owned()
            } else {
                let actor = deployments.get(&link.deployment_id).map_or("unknown", |d| {
                    self.rules()
                        .classify_operation(
                            d.actor.as_deref(),
                            d.actor_type.as_deref(),
                            &d.attributes,
                        )
                        .class
                        .as_str()
                });
                format!("operation by {actor}")
            };
            out.insert(link.incident_id, cohort);
        }
        out
    }

    pub(crate) fn recovery_section(
        &self,
        input: &DeepDiveInput<'_>,
    ) -> Result<Vec<ReportRecovery>> {
        let cohorts = self.trigger_cohorts(input);
        let mut times = Vec::new();
        for incident in &input.incidents {
            let timeline = input
                .timelines
                .get(&incident.id)
                .map_or(&[][..], Vec::as_slice);
            let first = |kinds: &[&str]| -> Result<Option<DateTime<Utc>>> {
                timeline
                    .iter()
                    .find(|e| kinds.contains(&e.kind.as_str()))
                    .map(|e| time(&e.at))
                    .transpose()
            };
            times.push(IncidentTimes {
                cohort: cohorts
                    .get(&incident.id)
                    .cloned()
                    .unwrap_or_else(|| "none".into()),
                started_at: time(&incident.started_at)?,
                detected_at: None,
                acknowledged_at: first(&["acknowledged", "acknowledge"])?,
                mitigated_at: first(&["mitigated", "outage_mitigated", "monitoring"])?,
                resolved_at: incident.resolved_at.as_deref().map(time).transpose()?,
                severity: incident.severity.clone(),
                services: incident.service.iter().cloned().collect(),
                customer_impact_minutes: None,
            });
        }
        let mut resolve_minutes: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for t in &times {
            if let Some(resolved) = t.resolved_at {
                let minutes = (resolved - t.started_at).num_seconds() as f64 / 60.0;
                resolve_minutes
                    .entry(t.cohort.clone())
                    .or_default()
                    .push(minutes);
            }
        }
        for values in resolve_minutes.values_mut() {
            values.sort_by(f64::total_cmp);
        }
        let minutes = |q: &Option<hindsight_analysis::stats::Quantiles>| {
            (q.as_ref().map(|q| q.median), q.as_ref().map(|q| q.p90))
        };
        Ok(recovery_by_cohort(&times)?
            .into_iter()
            .map(|c| {
                let (ack_median, ack_p90) = minutes(&c.time_to_acknowledge);
                let (res_median, res_p90) = minutes(&c.time_to_resolve);
                let resolved = resolve_minutes.remove(&c.cohort).unwrap_or_default();
                ReportRecovery {
                    cohort: c.cohort,
                    incidents: c.n as i64,
                    open: c.open as i64,
                    acknowledge_median_minutes: ack_median,
                    acknowledge_p90_minutes: ack_p90,
                    resolve_median_minutes: res_median,
                    resolve_p90_minutes: res_p90,
                    resolve_minutes: resolved,
                    severity_mix: c
                        .severity_mix
                        .iter()
                        .map(|(s, n)| format!("{s} ×{n}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })
            .collect())
    }

    pub(crate) fn what_if_section(&self, input: &DeepDiveInput<'_>) -> Result<Vec<ReportWhatIf>> {
        self.what_ifs(input, &default_guardrails())
    }

    /// Replays `rules` over the history in `input`.
    pub(crate) fn what_ifs(
        &self,
        input: &DeepDiveInput<'_>,
        rules: &[Rule],
    ) -> Result<Vec<ReportWhatIf>> {
        let incident_key: HashMap<i64, String> = input
            .incidents
            .iter()
            .map(|i| (i.id, format!("{} {}", i.source_system, i.source_id)))
            .collect();
        let mut incidents_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for link in &input.failing_links {
            if let Some(key) = incident_key.get(&link.incident_id) {
                incidents_of
                    .entry(link.deployment_id)
                    .or_default()
                    .push(key.clone());
            }
        }
        let deployments: HashMap<i64, &DeploymentRow> =
            input.deployments.iter().map(|d| (d.id, d)).collect();
        let mut changes = Vec::new();
        for change in input.changes {
            let shipped = input
                .shipped_by
                .get(&change.id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            // The change's first production deployment, else its first deployment anywhere.
            let rows: Vec<&DeploymentRow> = shipped
                .iter()
                .filter_map(|d| deployments.get(d).copied())
                .collect();
            let production = rows
                .iter()
                .filter(|d| hindsight_analysis::dora::is_production(d.environment.as_deref()))
                .min_by(|a, b| a.at.cmp(&b.at));
            let Some(first) = production.or_else(|| rows.iter().min_by(|a, b| a.at.cmp(&b.at)))
            else {
                continue;
            };
            let mut incident_keys: Vec<String> = shipped
                .iter()
                .flat_map(|d| incidents_of.get(d).cloned().unwrap_or_default())
                .collect();
            incident_keys.sort();
            incident_keys.dedup();
            changes.push(PolicyChange {
                key: change.natural_key.clone(),
                class: change.class.clone(),
                team: change.repo.clone().unwrap_or_else(|| "unknown".into()),
                environment: first.environment.clone().unwrap_or_default(),
                // Commits carry no review record; pull request reviews arrive with PR ingest.
                approvals: Vec::new(),
                deployed_at: time(&first.at)?,
                incident_keys,
            });
        }
        let operations: Vec<PolicyOperation> = input
            .deployments
            .iter()
            .map(|d| {
                Ok(PolicyOperation {
                    key: d.natural_key.clone(),
                    actor_type: d.actor_type.clone().unwrap_or_default(),
                    permissions: d.attributes.get("permissions").cloned().unwrap_or_default(),
                    action: d.action.clone(),
                    approvals: hindsight_model::approvals(&d.attributes).unwrap_or(0),
                    at: time(&d.at)?,
                    environment: d.environment.clone().unwrap_or_default(),
                    incident_keys: incidents_of.get(&d.id).cloned().unwrap_or_default(),
                })
            })
            .collect::<Result<_>>()?;
        // Without a roster nobody is known to be senior, so every AI change counts as needing
        // the extra review: an upper bound on the guardrail's cost, stated in its method.
        let seniors: Vec<String> = Vec::new();
        Ok(rules
            .iter()
            .map(|rule| {
                let w = simulate(rule, &changes, &operations, &seniors);
                ReportWhatIf {
                    rule: w.rule_name,
                    gated_changes: w.gated_changes,
                    gated_operations: w.gated_operations,
                    incidents_prevented: w.incidents_prevented,
                    added_lead_time_hours: w.added_lead_time_hours_total,
                    method: w.method,
                }
            })
            .collect())
    }
}
