//! What a report covers: a time window, services, teams, severities, cohorts and the incidents
//! shown in full. One [`ReportScope`] serves the CLI flags and the app's scope controls; it is
//! resolved once against the store and then applied to every section alike.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use hindsight_report::ReportFilters;
use hindsight_store::{format_time, ChangeRow, DeploymentRow, IncidentRow, LinkRow};

use crate::{ApiError, Hindsight, Result};

/// The filters of a report. Empty lists and `None` mean "all"; filters of different kinds
/// narrow each other (a service and a team give that service only if the team owns it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct ReportScope {
    /// Start of the window (inclusive): RFC 3339, or a date meaning its midnight UTC.
    pub from: Option<String>,
    /// End of the window (exclusive): RFC 3339, or a date meaning the end of that day UTC.
    pub to: Option<String>,
    /// Services (incidents and deployments by service, changes by repository).
    pub services: Vec<String>,
    /// Teams: the services whose deployment records carry `team=<name>`.
    pub teams: Vec<String>,
    /// Incident severities (`P1`, `SEV2`, `critical`, ... as the source wrote them).
    pub severities: Vec<String>,
    /// Attribution classes (`ai`, `human`, `automation`, `unknown`) or AI tool names
    /// (`claude-code`).
    pub cohorts: Vec<String>,
    /// Incidents shown with full sections (timeline, suspects): store id, source id or
    /// `system:source_id`. Without any, every incident in scope gets its section.
    pub incidents: Vec<String>,
}

/// A scope resolved against the store: sets of names and ids, parsed instants.
pub(crate) struct Resolved {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Lower-cased services allowed (from `services` and `teams`), or `None` for all.
    services: Option<HashSet<String>>,
    severities: Option<HashSet<String>>,
    cohorts: Option<HashSet<String>>,
    /// Deployments that shipped a change of the cohorts, or operations by an actor of them.
    cohort_deployments: HashSet<i64>,
    /// Incident ids shown in full, or `None` for all.
    detailed: Option<HashSet<i64>>,
    /// What the cover prints.
    pub filters: ReportFilters,
}

fn lower(values: &[String]) -> Option<HashSet<String>> {
    let set: HashSet<String> = values
        .iter()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    (!set.is_empty()).then_some(set)
}

/// `2026-11-16` or an RFC 3339 instant; a bare date as `to` means the end of that day.
fn instant(text: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::BadInput(format!(
            "{text:?} is not a date (2026-11-16) or an RFC 3339 time (2026-11-16T08:00:00Z)"
        ))
    })?;
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .ok_or_else(|| ApiError::BadInput(format!("{text:?} is not a date")))?;
    Ok(if end_of_day {
        midnight + Duration::days(1)
    } else {
        midnight
    })
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl Resolved {
    fn in_window(&self, at: Option<&str>) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(at) = at.and_then(parse) else {
            return false;
        };
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }

    fn service_ok(&self, service: Option<&str>) -> bool {
        match (&self.services, service) {
            (None, _) => true,
            (Some(set), Some(s)) => set.contains(&s.to_lowercase()),
            (Some(_), None) => false,
        }
    }

    /// A change is in scope by its repository, class or tool, and commit time.
    pub fn change(&self, c: &ChangeRow) -> bool {
        self.service_ok(c.repo.as_deref())
            && self.cohorts.as_ref().is_none_or(|set| {
                set.contains(&c.class.to_lowercase())
                    || c.tool
                        .as_deref()
                        .is_some_and(|t| set.contains(&t.to_lowercase()))
            })
            && self.in_window(c.committed_at.as_deref())
    }

    /// A deployment is in scope by service, cohort and time.
    pub fn deployment(&self, d: &DeploymentRow) -> bool {
        self.suspect(d) && self.in_window(Some(&d.at))
    }

    /// A deployment may stand as a suspect of an in-scope incident by service and cohort; its
    /// time is the incident's business (it may precede the window).
    pub fn suspect(&self, d: &DeploymentRow) -> bool {
        self.service_ok(Some(&d.service))
            && (self.cohorts.is_none() || self.cohort_deployments.contains(&d.id))
    }

    /// An incident is in scope by service, severity and start time, and, with a cohort filter,
    /// when one of its suspects is of those cohorts.
    pub fn incident(&self, i: &IncidentRow, links: &[LinkRow]) -> bool {
        self.service_ok(i.service.as_deref())
            && self.severities.as_ref().is_none_or(|set| {
                i.severity
                    .as_deref()
                    .is_some_and(|s| set.contains(&s.to_lowercase()))
            })
            && self.in_window(Some(&i.started_at))
            && (self.cohorts.is_none()
                || links.iter().any(|l| {
                    l.incident_id == i.id && self.cohort_deployments.contains(&l.deployment_id)
                }))
    }

    /// Whether the incident gets its full section.
    pub fn detailed(&self, incident_id: i64) -> bool {
        self.detailed
            .as_ref()
            .is_none_or(|set| set.contains(&incident_id))
    }
}

impl Hindsight {
    /// Checks a scope against the store and resolves its names: teams to services, incident
    /// references to ids. An incident reference that matches nothing is an error.
    pub(crate) fn resolve_scope(&self, scope: &ReportScope) -> Result<Resolved> {
        let from = scope
            .from
            .as_deref()
            .map(|t| instant(t, false))
            .transpose()?;
        let to = scope.to.as_deref().map(|t| instant(t, true)).transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(ApiError::BadInput(format!(
                    "the time window is empty: {} is not before {}",
                    format_time(&f),
                    format_time(&t)
                )));
            }
        }
        // Only the team and cohort filters read the deployments.
        let deployments = if scope.teams.is_empty() && scope.cohorts.is_empty() {
            Vec::new()
        } else {
            self.store.deployments()?
        };
        let mut services = lower(&scope.services);
        if let Some(teams) = lower(&scope.teams) {
            let owned: HashSet<String> = deployments
                .iter()
                .filter(|d| {
                    d.attributes
                        .get("team")
                        .is_some_and(|t| teams.contains(&t.trim().to_lowercase()))
                })
                .map(|d| d.service.to_lowercase())
                .collect();
            services = Some(match services {
                Some(named) => named.intersection(&owned).cloned().collect(),
                None => owned,
            });
        }
        let cohorts = lower(&scope.cohorts);
        let mut cohort_deployments = HashSet::new();
        if let Some(set) = &cohorts {
            let changes: HashMap<i64, ChangeRow> = self
                .store
                .changes()?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
            let mut shipped: HashMap<i64, Vec<&ChangeRow>> = HashMap::new();
            for (d, c) in self.store.deployment_change_pairs()? {
                if let Some(change) = changes.get(&c) {
                    shipped.entry(d).or_default().push(change);
                }
            }
            for d in &deployments {
                let hit = match shipped.get(&d.id) {
                    Some(list) => list.iter().any(|c| {
                        set.contains(&c.class.to_lowercase())
                            || c.tool
                                .as_deref()
                                .is_some_and(|t| set.contains(&t.to_lowercase()))
                    }),
                    // An operation: its actor's class.
                    None => {
                        let class = self.rules().classify_operation(
                            d.actor.as_deref(),
                            d.actor_type.as_deref(),
                            &d.attributes,
                        );
                        set.contains(class.class.as_str())
                    }
                };
                if hit {
                    cohort_deployments.insert(d.id);
                }
            }
        }
        let detailed = if scope.incidents.is_empty() {
            None
        } else {
            let incidents = self.store.incidents()?;
            let mut ids = HashSet::new();
            for reference in &scope.incidents {
                let reference = reference.trim();
                let found: Vec<i64> = incidents
                    .iter()
                    .filter(|i| {
                        reference.parse::<i64>().ok() == Some(i.id)
                            || i.source_id == reference
                            || format!("{}:{}", i.source_system, i.source_id) == reference
                    })
                    .map(|i| i.id)
                    .collect();
                if found.is_empty() {
                    return Err(ApiError::BadInput(format!(
                        "no incident matches {reference:?}; use an id from `hindsight incidents`, a source id or system:source_id"
                    )));
                }
                ids.extend(found);
            }
            Some(ids)
        };
        let sorted = |values: &[String]| {
            let mut v: Vec<String> = values
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let filters = ReportFilters {
            from: from.as_ref().map(format_time),
            to: to.as_ref().map(format_time),
            services: sorted(&scope.services),
            teams: sorted(&scope.teams),
            severities: sorted(&scope.severities),
            cohorts: sorted(&scope.cohorts),
            incidents: sorted(&scope.incidents),
        };
        Ok(Resolved {
            from,
            to,
            services,
            severities: lower(&scope.severities),
            cohorts,
            cohort_deployments,
            detailed,
            filters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_parse_and_a_bare_end_date_covers_its_day() {
        assert_eq!(
            format_time(&instant("2026-11-16", false).expect("date")),
            "2026-11-16T00:00:00.000Z"
        );
        assert_eq!(
            format_time(&instant("2026-11-16", true).expect("date")),
            "2026-11-17T00:00:00.000Z"
        );
        assert_eq!(
            format_time(&instant("2026-11-16T10:00:00+02:00", true).expect("time")),
            "2026-11-16T08:00:00.000Z"
        );
        assert!(matches!(
            instant("last tuesday", false),
            Err(ApiError::BadInput(_))
        ));
    }
}
