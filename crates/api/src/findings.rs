//! The measures `hindsight analyze` adds to the report's: a chosen time window, rows per team,
//! approval and permission findings (seniority from a roster file), blast radius by trigger
//! cohort, and how the AI vs human ratio moves with the link window and the score threshold.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use hindsight_analysis::findings::{
    approval_findings, blast_radius, team_rows, ChangeFinding, IncidentReach, OperationFinding,
};
use hindsight_analysis::groups::{primary_of, IncidentGroup};
use hindsight_analysis::stats::{risk_ratio, Proportion};
use hindsight_analysis::LinkOptions;
use hindsight_model::{normalise_service_name, Review};
use hindsight_store::{parse_time, DeploymentRow, LinkRow};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::query::{grouped_incident_facts, incident_facts_in, LinkInputs};
use crate::scope::Resolved;
use crate::{ApiError, Hindsight, Result};

/// Senior reviewers, read from a TOML roster (`--roster FILE`):
///
/// ```toml
/// # Approvals by these people (name or e-mail, as reviews record them) count as senior.
/// senior_reviewers = ["alice", "bob@example.com"]
/// # Members of these groups count as senior too.
/// senior_groups = ["platform-leads"]
///
/// [groups]
/// platform-leads = ["carol", "dave@example.com"]
/// ```
///
/// Names compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    #[serde(default)]
    pub senior_reviewers: Vec<String>,
    #[serde(default)]
    pub senior_groups: Vec<String>,
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
}

impl Roster {
    /// Parses a roster file's text.
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| ApiError::BadInput(format!("roster: {e}")))
    }

    /// The senior people, lower case.
    fn seniors(&self) -> HashSet<String> {
        let mut out: HashSet<String> = self
            .senior_reviewers
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        for group in &self.senior_groups {
            for member in self.groups.get(group).into_iter().flatten() {
                out.insert(member.trim().to_lowercase());
            }
        }
        out
    }
}

/// What `hindsight analyze` is asked for.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// Only changes committed, deployments made and incidents started in `[from, to)`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub roster: Option<Roster>,
}

/// A rate with its numerator, denominator and Wilson 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RateDto {
    #[ts(type = "number")]
    pub numerator: u64,
    #[ts(type = "number")]
    pub denominator: u64,
    pub rate: Option<f64>,
    pub ci95_lower: Option<f64>,
    pub ci95_upper: Option<f64>,
}

fn rate(p: &Proportion) -> RateDto {
    RateDto {
        numerator: p.numerator,
        denominator: p.denominator,
        rate: p.rate,
        ci95_lower: p.ci95.map(|c| c.lower),
        ci95_upper: p.ci95.map(|c| c.upper),
    }
}

/// One approval or permission finding.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FindingDto {
    pub name: String,
    pub description: String,
    /// Failed over counted.
    pub failures: RateDto,
    /// The incidents involved, as `source_system source_id`.
    pub incidents: Vec<String>,
}

/// Failure rate of one team and class.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TeamDto {
    pub team: String,
    pub class: String,
    pub failures: RateDto,
}

/// Blast radius of one trigger cohort.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BlastRadiusDto {
    pub cohort: String,
    #[ts(type = "number")]
    pub incidents: u64,
    pub services: Vec<String>,
    pub components: Vec<String>,
    pub regions: Vec<String>,
    pub services_per_incident: f64,
    /// Start of impact to resolution, summed over resolved incidents.
    pub impact_minutes: f64,
    #[ts(type = "number")]
    pub unresolved: u64,
}

/// The AI vs human ratio under one link window and score threshold.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SensitivityDto {
    #[ts(type = "number")]
    pub window_hours: i64,
    pub threshold: f64,
    pub ai: RateDto,
    pub human: RateDto,
    /// AI over human failure rate, Katz 95% interval.
    pub risk_ratio: Option<f64>,
    pub ci95_lower: Option<f64>,
    pub ci95_upper: Option<f64>,
}

/// The measures `hindsight analyze --json` adds.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AnalysisExtrasDto {
    pub from: Option<String>,
    pub to: Option<String>,
    pub senior_roster: bool,
    pub teams: Vec<TeamDto>,
    pub findings: Vec<FindingDto>,
    pub blast_radius: Vec<BlastRadiusDto>,
    pub sensitivity: Vec<SensitivityDto>,
}

/// Link windows and score thresholds the sensitivity grid varies.
pub const SENSITIVITY_WINDOWS_HOURS: &[i64] = &[24, 48, 72, 168];
pub const SENSITIVITY_THRESHOLDS: &[f64] = &[0.3, 0.5, 0.7];

fn in_window(at: DateTime<Utc>, o: &AnalyzeOptions) -> bool {
    o.from.is_none_or(|f| at >= f) && o.to.is_none_or(|t| at < t)
}

fn team_of_deployment(d: &DeploymentRow) -> Option<String> {
    ["team", "owner", "assignment_group"]
        .iter()
        .find_map(|k| d.attributes.get(*k))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn change_type(attributes: &BTreeMap<String, String>) -> Option<String> {
    ["type", "change_type"]
        .iter()
        .find_map(|k| attributes.get(*k))
        .cloned()
}

/// The rows most measures read, and what every section derives from them alike, loaded once
/// per request and shared by its sections.
pub(crate) struct StoreRows {
    pub(crate) changes: Vec<hindsight_store::ChangeRow>,
    pub(crate) deployments: Vec<DeploymentRow>,
    pub(crate) incidents: Vec<hindsight_store::IncidentRow>,
    pub(crate) links: Vec<LinkRow>,
    /// Change id -> the deployments that shipped it, ascending.
    pub(crate) shipped_by: HashMap<i64, Vec<i64>>,
    /// Deployment id -> the changes it shipped, ascending.
    pub(crate) contents: HashMap<i64, Vec<i64>>,
    /// Every incident's timeline, oldest first.
    pub(crate) timelines: HashMap<i64, Vec<hindsight_store::TimelineRow>>,
    /// The groups of every incident record.
    pub(crate) groups: Vec<IncidentGroup>,
    /// The incidents classed as not change-caused, over every record.
    pub(crate) causes: HashMap<i64, String>,
    /// The incidents a reviewer classed as not change-caused, spread over their groups.
    pub(crate) reviewer_ncc: HashSet<i64>,
}

impl StoreRows {
    pub(crate) fn load(app: &Hindsight) -> Result<Self> {
        let store = &app.store;
        // The two largest reads on a second connection and core, beside the others.
        std::thread::scope(|threads| {
            let large =
                threads.spawn(|| -> Result<_> { Ok((store.changes()?, store.deployments()?)) });
            let mut rows = Self::load_incidents(app)?;
            let (changes, deployments) = large.join().map_err(|_| {
                ApiError::Internal("reading changes and deployments panicked".to_owned())
            })??;
            rows.changes = changes;
            rows.deployments = deployments;
            Ok(rows)
        })
    }

    /// Everything but the changes and deployments, which are left empty.
    fn load_incidents(app: &Hindsight) -> Result<Self> {
        let store = &app.store;
        let incidents = store.incidents()?;
        let timelines = store.timelines()?;
        let groups = app.groups_of(&incidents, &|s: &str| normalise_service_name(s))?;
        let causes = app.causes_of(&incidents, &groups, &timelines)?;
        let reviewer_ncc = app.reviewer_not_change_caused(&incidents, &groups)?;
        let mut shipped_by: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut contents: HashMap<i64, Vec<i64>> = HashMap::new();
        for (d, c) in store.deployment_change_pairs()? {
            shipped_by.entry(c).or_default().push(d);
            contents.entry(d).or_default().push(c);
        }
        Ok(Self {
            changes: Vec::new(),
            deployments: Vec::new(),
            incidents,
            links: store.all_links()?,
            shipped_by,
            contents,
            timelines,
            groups,
            causes,
            reviewer_ncc,
        })
    }
}

/// The sensitivity grid links every incident again under the widest window. That runs on a
/// second core from the moment the store's rows are read, while the other sections are
/// measured; the grid waits for it once.
pub(crate) struct SensitivityLinking<'scope> {
    handle: Option<std::thread::ScopedJoinHandle<'scope, Result<Linked>>>,
}

type Linked = (LinkInputs, Vec<hindsight_analysis::SuspectLink>);

impl<'scope> SensitivityLinking<'scope> {
    pub(crate) fn start<'env>(
        threads: &'scope std::thread::Scope<'scope, 'env>,
        app: &'env Hindsight,
        store_rows: &'env StoreRows,
    ) -> Self {
        let handle = threads.spawn(move || -> Result<Linked> {
            let facts = grouped_incident_facts(
                incident_facts_in(&store_rows.incidents, &store_rows.timelines)?,
                &store_rows.incidents,
                &store_rows.groups,
            )?;
            let inputs = app.link_inputs_from(
                &store_rows.changes,
                store_rows.deployments.clone(),
                &store_rows.incidents,
                facts,
            )?;
            let widest = SENSITIVITY_WINDOWS_HOURS
                .iter()
                .copied()
                .max()
                .unwrap_or(72);
            let links = inputs.link(&LinkOptions {
                window: Duration::hours(widest),
                ..LinkOptions::default()
            });
            Ok((inputs, links))
        });
        Self {
            handle: Some(handle),
        }
    }

    /// The links, once.
    fn wait(&mut self) -> Result<Linked> {
        match self.handle.take().map(|handle| handle.join()) {
            Some(Ok(linked)) => linked,
            Some(Err(_)) => Err(ApiError::Internal(
                "linking for the sensitivity grid panicked".to_owned(),
            )),
            None => Err(ApiError::Internal(
                "the sensitivity grid was linked twice".to_owned(),
            )),
        }
    }
}

impl Hindsight {
    /// Teams, findings, blast radius and sensitivity over the chosen window. `team_of` maps a
    /// service to its team when a deployment names none (a catalog plugs in here).
    pub fn analysis_extras(
        &self,
        options: &AnalyzeOptions,
        team_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<AnalysisExtrasDto> {
        let store_rows = StoreRows::load(self)?;
        std::thread::scope(|threads| {
            let mut linking = SensitivityLinking::start(threads, self, &store_rows);
            self.measure_extras(&store_rows, options, team_of, None, &mut linking)
        })
    }

    pub(crate) fn measure_extras(
        &self,
        store_rows: &StoreRows,
        options: &AnalyzeOptions,
        team_of: &dyn Fn(&str) -> Option<String>,
        scope: Option<&Resolved>,
        linking: &mut SensitivityLinking<'_>,
    ) -> Result<AnalysisExtrasDto> {
        let changes: Vec<&hindsight_store::ChangeRow> = store_rows
            .changes
            .iter()
            .filter(|c| scope.is_none_or(|s| s.change(c)))
            .collect();
        let reviews: HashMap<i64, (Vec<Review>, BTreeMap<String, String>)> = self
            .store
            .change_reviews()?
            .into_iter()
            .map(|(id, reviews, attributes)| (id, (reviews, attributes)))
            .collect();
        let deployments = &store_rows.deployments;
        let rows = &store_rows.incidents;
        let groups = &store_rows.groups;
        let primary = primary_of(groups);
        let causes = &store_rows.causes;
        let reviewer_ncc = &store_rows.reviewer_ncc;
        let incident_name: HashMap<i64, String> = rows
            .iter()
            .map(|r| (r.id, format!("{} {}", r.source_system, r.source_id)))
            .collect();
        let started: HashMap<i64, DateTime<Utc>> = rows
            .iter()
            .map(|r| Ok((r.id, parse_time(&r.started_at)?)))
            .collect::<Result<_>>()?;
        let all_links = &store_rows.links;
        let in_scope: HashSet<i64> = rows
            .iter()
            .filter(|r| scope.is_none_or(|s| s.incident(r, all_links)))
            .map(|r| r.id)
            .collect();
        let counts = |incident: i64| -> bool {
            in_scope.contains(&incident)
                && started
                    .get(&incident)
                    .is_some_and(|at| in_window(*at, options))
        };
        let suspect_ok: HashSet<i64> = deployments
            .iter()
            .filter(|d| scope.is_none_or(|s| s.suspect(d)))
            .map(|d| d.id)
            .collect();

        // Failing links as the report counts them, mapped to their group's primary.
        let failing_of = |links: &[LinkRow], threshold: f64| -> BTreeMap<i64, BTreeSet<i64>> {
            let mut out: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
            for l in links {
                if !suspect_ok.contains(&l.deployment_id) {
                    continue;
                }
                let fails = !reviewer_ncc.contains(&l.incident_id)
                    && (l.status == "confirmed"
                        || (!causes.contains_key(&l.incident_id)
                            && l.status == "suspected"
                            && l.rank == 1
                            && l.score >= threshold));
                let group = primary
                    .get(&l.incident_id)
                    .copied()
                    .unwrap_or(l.incident_id);
                if fails && counts(group) {
                    out.entry(l.deployment_id).or_default().insert(group);
                }
            }
            out
        };
        let failing = failing_of(all_links, self.suspect_threshold()?);
        let shipped_by = &store_rows.shipped_by;
        let dep_by_id: HashMap<i64, &DeploymentRow> =
            deployments.iter().map(|d| (d.id, d)).collect();
        let dep_in_window = |d: &DeploymentRow| -> bool {
            parse_time(&d.at).is_ok_and(|at| in_window(at, options))
        };
        let change_in_window = |committed: Option<&str>| -> bool {
            match committed.map(parse_time) {
                Some(Ok(at)) => in_window(at, options),
                _ => options.from.is_none() && options.to.is_none(),
            }
        };

        // Per change: deployed, incidents, team.
        let mut change_findings = Vec::new();
        let mut team_input = Vec::new();
        for c in &changes {
            if !change_in_window(c.committed_at.as_deref()) {
                continue;
            }
            let ships: Vec<&DeploymentRow> = shipped_by
                .get(&c.id)
                .into_iter()
                .flatten()
                .filter_map(|d| dep_by_id.get(d).copied())
                .collect();
            let deployed = !ships.is_empty();
            let incidents: Vec<i64> = ships
                .iter()
                .flat_map(|d| failing.get(&d.id).into_iter().flatten().copied())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let record = reviews.get(&c.id);
            change_findings.push(ChangeFinding {
                class: c.class.clone(),
                deployed,
                reviews: record
                    .map(|(reviews, _)| {
                        reviews
                            .iter()
                            .map(|v| (v.reviewer.clone(), v.state.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                change_type: record.and_then(|(_, attributes)| change_type(attributes)),
                incidents: incidents.clone(),
            });
            if deployed {
                let team = ships
                    .iter()
                    .find_map(|d| team_of_deployment(d))
                    .or_else(|| ships.iter().find_map(|d| team_of(&d.service)))
                    .unwrap_or_else(|| "unassigned".to_owned());
                team_input.push((team, c.class.clone(), !incidents.is_empty()));
            }
        }
        let operations: Vec<OperationFinding> = deployments
            .iter()
            .filter(|d| dep_in_window(d) && scope.is_none_or(|s| s.deployment(d)))
            .map(|d| OperationFinding {
                action: d.action.clone(),
                actor_type: d.actor_type.clone(),
                permissions: d.attributes.get("permissions").cloned(),
                approvals: hindsight_model::approvals(&d.attributes),
                change_type: change_type(&d.attributes),
                incidents: failing
                    .get(&d.id)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
            })
            .collect();
        let seniors = options
            .roster
            .as_ref()
            .map(Roster::seniors)
            .unwrap_or_default();
        let is_senior = |who: &str| seniors.contains(&who.trim().to_lowercase());
        let findings = approval_findings(&change_findings, &operations, &is_senior)
            .into_iter()
            .map(|f| FindingDto {
                name: f.name.to_owned(),
                description: f.description.to_owned(),
                failures: rate(&f.failures),
                incidents: f
                    .incidents
                    .iter()
                    .map(|i| {
                        incident_name
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect(),
            })
            .collect();
        let teams = team_rows(&team_input)
            .into_iter()
            .map(|t| TeamDto {
                team: t.team,
                class: t.class,
                failures: rate(&t.failures),
            })
            .collect();

        // Blast radius: each counted incident with its top failing trigger's cohort.
        let class_of: HashMap<i64, &str> =
            changes.iter().map(|c| (c.id, c.class.as_str())).collect();
        // (deployment, group) -> best rank, a confirmed link first.
        let mut best_rank: HashMap<(i64, i64), i64> = HashMap::new();
        for l in all_links {
            let group = primary
                .get(&l.incident_id)
                .copied()
                .unwrap_or(l.incident_id);
            let rank = if l.status == "confirmed" { 0 } else { l.rank };
            let entry = best_rank.entry((l.deployment_id, group)).or_insert(rank);
            *entry = (*entry).min(rank);
        }
        let mut trigger: BTreeMap<i64, (i64, i64)> = BTreeMap::new(); // group -> (rank, deployment)
        for (deployment, incidents) in &failing {
            for group in incidents {
                let rank = best_rank
                    .get(&(*deployment, *group))
                    .copied()
                    .unwrap_or(i64::MAX);
                let entry = trigger.entry(*group).or_insert((rank, *deployment));
                if (rank, *deployment) < *entry {
                    *entry = (rank, *deployment);
                }
            }
        }
        let by_id: HashMap<i64, &hindsight_store::IncidentRow> =
            rows.iter().map(|r| (r.id, r)).collect();
        let mut reach = Vec::new();
        for group in groups {
            if !counts(group.primary) {
                continue;
            }
            let members: Vec<&hindsight_store::IncidentRow> = group
                .members
                .iter()
                .filter_map(|m| by_id.get(m).copied())
                .collect();
            let (start, end) = crate::incidents::group_window(&members)?;
            let mut services: Vec<String> =
                members.iter().filter_map(|m| m.service.clone()).collect();
            let (mut components, mut regions) = (Vec::new(), Vec::new());
            let cohort = match trigger
                .get(&group.primary)
                .and_then(|(_, d)| dep_by_id.get(d))
            {
                Some(d) => {
                    services.push(d.service.clone());
                    components.extend(d.attributes.get("component").cloned());
                    regions.extend(
                        ["region", "location"]
                            .iter()
                            .find_map(|k| d.attributes.get(*k))
                            .cloned(),
                    );
                    let classes = shipped_classes(&store_rows.contents, d.id, &class_of);
                    if classes.contains(&"ai") {
                        "ai".to_owned()
                    } else if let Some(first) = classes.first() {
                        (*first).to_owned()
                    } else {
                        format!(
                            "operation by {}",
                            d.actor_type.as_deref().unwrap_or("unknown")
                        )
                    }
                }
                None => "none".to_owned(),
            };
            // Every tool's record of the incident adds the components and regions it names:
            // `components` / `regions` (a JSON array of names, as Statuspage and incident.io
            // are ingested) or one name in `component` / `region` / `location`.
            let listed = |value: &String| -> Vec<String> {
                serde_json::from_str::<Vec<String>>(value).unwrap_or_else(|_| vec![value.clone()])
            };
            for m in &members {
                let named = |keys: &[&str]| -> Vec<String> {
                    keys.iter()
                        .filter_map(|k| m.attributes.get(*k))
                        .flat_map(listed)
                        .collect()
                };
                components.extend(named(&["components", "component"]));
                regions.extend(named(&["regions", "region", "location"]));
            }
            let components =
                hindsight_analysis::findings::distinct_names(components.iter().map(String::as_str));
            let regions =
                hindsight_analysis::findings::distinct_names(regions.iter().map(String::as_str));
            let mut names: Vec<String> =
                services.iter().map(|s| normalise_service_name(s)).collect();
            names.sort();
            names.dedup();
            reach.push(IncidentReach {
                cohort,
                services: names,
                components,
                regions,
                impact_minutes: end.map(|e| (e - start).num_seconds() as f64 / 60.0),
            });
        }
        let blast = blast_radius(&reach)
            .into_iter()
            .map(|b| BlastRadiusDto {
                cohort: b.cohort,
                incidents: b.incidents,
                services: b.services,
                components: b.components,
                regions: b.regions,
                services_per_incident: (b.services_per_incident * 1000.0).round() / 1000.0,
                impact_minutes: b.impact_minutes,
                unresolved: b.unresolved,
            })
            .collect();

        // Sensitivity: re-link under each window; reviewer decisions stay as stored.
        let decided: Vec<LinkRow> = all_links
            .iter()
            .filter(|l| l.status != "suspected")
            .cloned()
            .collect();
        // Linked once under the widest window, then narrowed window by window: the window
        // changes no score, it only admits older deployments (`narrow_window`).
        let mut per_window = Vec::new();
        let (inputs, mut links) = linking.wait()?;
        let mut windows = SENSITIVITY_WINDOWS_HOURS.to_vec();
        windows.sort_unstable_by(|a, b| b.cmp(a));
        let decided_pairs: HashSet<(i64, i64)> = decided
            .iter()
            .map(|l| (l.incident_id, l.deployment_id))
            .collect();
        // The deployed AI and human changes in the window, with what shipped them: the same for
        // every window and threshold.
        let compared: Vec<(bool, &Vec<i64>)> = changes
            .iter()
            .filter(|c| matches!(c.class.as_str(), "ai" | "human"))
            .filter(|c| change_in_window(c.committed_at.as_deref()))
            .filter_map(|c| Some((c.class == "ai", shipped_by.get(&c.id)?)))
            .collect();
        for hours in &windows {
            inputs.narrow(&mut links, Duration::hours(*hours));
            let mut candidate: Vec<LinkRow> = decided.clone();
            // Of the suspected links only the first of each incident can fail a change.
            candidate.extend(
                links
                    .iter()
                    .filter(|l| l.rank == 1)
                    .filter(|l| !decided_pairs.contains(&(l.incident_id, l.deployment_id)))
                    .map(|l| LinkRow {
                        id: 0,
                        incident_id: l.incident_id,
                        deployment_id: l.deployment_id,
                        rank: l.rank,
                        score: l.score,
                        status: "suspected".to_owned(),
                        method: l.method.clone(),
                        evidence: Vec::new(),
                    }),
            );
            let mut rows = Vec::new();
            for threshold in SENSITIVITY_THRESHOLDS {
                let failing = failing_of(&candidate, *threshold);
                let (mut ai, mut human) = ((0u64, 0u64), (0u64, 0u64));
                for (is_ai, ships) in &compared {
                    let failed = ships.iter().any(|d| failing.contains_key(d));
                    let slot = if *is_ai { &mut ai } else { &mut human };
                    slot.1 += 1;
                    slot.0 += u64::from(failed);
                }
                let ratio = risk_ratio(ai.0, ai.1, human.0, human.1);
                rows.push(SensitivityDto {
                    window_hours: *hours,
                    threshold: *threshold,
                    ai: rate(&Proportion::new(ai.0, ai.1)),
                    human: rate(&Proportion::new(human.0, human.1)),
                    risk_ratio: ratio.as_ref().map(|r| r.value),
                    ci95_lower: ratio.as_ref().map(|r| r.ci95.lower),
                    ci95_upper: ratio.as_ref().map(|r| r.ci95.upper),
                });
            }
            per_window.push(rows);
        }
        // Narrowest window first, as the windows are listed.
        let sensitivity: Vec<SensitivityDto> = per_window.into_iter().rev().flatten().collect();

        Ok(AnalysisExtrasDto {
            from: options.from.map(|t| hindsight_store::format_time(&t)),
            to: options.to.map(|t| hindsight_store::format_time(&t)),
            senior_roster: options.roster.is_some(),
            teams,
            findings,
            blast_radius: blast,
            sensitivity,
        })
    }
}

/// The classes of the changes a deployment shipped (of those in `class_of`), by change id.
pub(crate) fn shipped_classes<'a>(
    contents: &HashMap<i64, Vec<i64>>,
    deployment: i64,
    class_of: &HashMap<i64, &'a str>,
) -> Vec<&'a str> {
    contents
        .get(&deployment)
        .into_iter()
        .flatten()
        .filter_map(|c| class_of.get(c).copied())
        .collect()
}

fn report_rate(r: &RateDto) -> hindsight_report::ReportRate {
    hindsight_report::ReportRate {
        numerator: r.numerator as i64,
        denominator: r.denominator as i64,
        rate: r.rate,
        ci95_lower: r.ci95_lower,
        ci95_upper: r.ci95_upper,
    }
}

/// The report's findings sections from the analysis extras.
pub(crate) fn report_findings(x: &AnalysisExtrasDto) -> hindsight_report::ReportFindings {
    use hindsight_report::{
        ReportBlastRadius, ReportFinding, ReportFindings, ReportSensitivity, ReportTeam,
    };
    ReportFindings {
        from: x.from.clone(),
        to: x.to.clone(),
        senior_roster: x.senior_roster,
        findings: x
            .findings
            .iter()
            .map(|f| ReportFinding {
                name: f.name.clone(),
                description: f.description.clone(),
                failures: report_rate(&f.failures),
                incidents: f.incidents.clone(),
            })
            .collect(),
        teams: x
            .teams
            .iter()
            .map(|t| ReportTeam {
                team: t.team.clone(),
                class: t.class.clone(),
                failures: report_rate(&t.failures),
            })
            .collect(),
        blast_radius: x
            .blast_radius
            .iter()
            .map(|b| ReportBlastRadius {
                cohort: b.cohort.clone(),
                incidents: b.incidents as i64,
                services: b.services.clone(),
                components: b.components.clone(),
                regions: b.regions.clone(),
                services_per_incident: b.services_per_incident,
                impact_minutes: b.impact_minutes,
                unresolved: b.unresolved as i64,
            })
            .collect(),
        sensitivity: x
            .sensitivity
            .iter()
            .map(|s| ReportSensitivity {
                window_hours: s.window_hours,
                threshold: s.threshold,
                ai: report_rate(&s.ai),
                human: report_rate(&s.human),
                risk_ratio: s.risk_ratio,
                ci95_lower: s.ci95_lower,
                ci95_upper: s.ci95_upper,
            })
            .collect(),
    }
}
