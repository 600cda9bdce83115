//! One outage reported by several tools is one incident.
//!
//! Incidents from different tools (`source_system`) are grouped when their services map to the
//! same name and their impact windows overlap, or the later one starts within `tolerance` of
//! the earlier one's end. The service mapping is an argument: without a catalog it is
//! [`hindsight_model::normalise_service_name`]; a catalog's service map can be plugged in.
//! Two incidents of the same tool are never merged automatically: the tool already decided
//! they are two. A reviewer's merge and split decisions are applied afterwards, in order.
//!
//! Cost: one sort per service and a single sweep, O(n log n).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

/// What grouping needs of an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupableIncident {
    pub id: i64,
    pub source_system: String,
    pub source_id: String,
    pub service: Option<String>,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A reviewer's decision about grouping, by the incidents' natural keys
/// (`source_system`, `source_id`) so it outlives any re-ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupDecision {
    /// Put the two incidents (and everything grouped with them) into one group.
    Merge {
        a: (String, String),
        b: (String, String),
    },
    /// Take the incident out of its group: it stands alone.
    Split { member: (String, String) },
}

/// One incident as counted: its primary (the earliest start, then the lowest id) and every
/// source record it merges, primary first.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentGroup {
    pub primary: i64,
    pub members: Vec<i64>,
    /// Why the members are one incident, in plain words; empty for a single record.
    pub reasons: Vec<String>,
}

/// How incidents are grouped.
pub struct GroupOptions<'a> {
    /// A service name as it is compared (a catalog's mapping, or the normalised name).
    pub service_key: &'a dyn Fn(&str) -> String,
    /// A later report starting this long after the earlier one ended still joins it.
    pub tolerance: Duration,
}

/// The default tolerance: a status page often opens a few minutes after the page went out.
pub const DEFAULT_TOLERANCE_MINUTES: i64 = 30;

/// Groups incidents; every incident appears in exactly one group. Groups are sorted by their
/// primary's start, then id.
pub fn group_incidents(
    incidents: &[GroupableIncident],
    options: &GroupOptions<'_>,
    decisions: &[GroupDecision],
) -> Vec<IncidentGroup> {
    let by_id: BTreeMap<i64, &GroupableIncident> = incidents.iter().map(|i| (i.id, i)).collect();
    let by_key: BTreeMap<(&str, &str), i64> = incidents
        .iter()
        .map(|i| ((i.source_system.as_str(), i.source_id.as_str()), i.id))
        .collect();

    // group label of each incident; labels are incident ids.
    let mut label: BTreeMap<i64, i64> = incidents.iter().map(|i| (i.id, i.id)).collect();
    let mut reasons: BTreeMap<i64, Vec<String>> = BTreeMap::new();

    let mut by_service: BTreeMap<String, Vec<&GroupableIncident>> = BTreeMap::new();
    for incident in incidents {
        if let Some(service) = incident.service.as_deref() {
            let key = (options.service_key)(service);
            if !key.is_empty() {
                by_service.entry(key).or_default().push(incident);
            }
        }
    }
    for (service, mut list) in by_service {
        list.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        // Groups still open for joining; one tool's second report starts a group of its own.
        let mut active: Vec<(i64, DateTime<Utc>, BTreeSet<&str>)> = Vec::new();
        for incident in list {
            let end = incident
                .resolved_at
                .unwrap_or(incident.started_at)
                .max(incident.started_at);
            active
                .retain(|(_, group_end, _)| incident.started_at <= *group_end + options.tolerance);
            let system = incident.source_system.as_str();
            if let Some((group, group_end, systems)) = active
                .iter_mut()
                .find(|(_, _, systems)| !systems.contains(system))
            {
                label.insert(incident.id, *group);
                systems.insert(system);
                *group_end = (*group_end).max(end);
                let first = by_id.get(group).map_or("", |g| g.source_system.as_str());
                reasons.entry(*group).or_default().push(format!(
                    "{system} {} and {first} report {service} at overlapping times",
                    incident.source_id
                ));
                continue;
            }
            active.push((incident.id, end, BTreeSet::from([system])));
        }
    }

    for decision in decisions {
        match decision {
            GroupDecision::Merge { a, b } => {
                let (Some(&a), Some(&b)) = (
                    by_key.get(&(a.0.as_str(), a.1.as_str())),
                    by_key.get(&(b.0.as_str(), b.1.as_str())),
                ) else {
                    continue;
                };
                let (into, from) = (label[&a], label[&b]);
                if into == from {
                    continue;
                }
                for value in label.values_mut() {
                    if *value == from {
                        *value = into;
                    }
                }
                let moved = reasons.remove(&from).unwrap_or_default();
                let entry = reasons.entry(into).or_default();
                entry.extend(moved);
                entry.push("merged by a reviewer".to_owned());
            }
            GroupDecision::Split { member } => {
                let Some(&id) = by_key.get(&(member.0.as_str(), member.1.as_str())) else {
                    continue;
                };
                let old = label[&id];
                let others: Vec<i64> = label
                    .iter()
                    .filter(|(m, l)| **l == old && **m != id)
                    .map(|(m, _)| *m)
                    .collect();
                if others.is_empty() {
                    continue;
                }
                // The rest keep a label of their own; the split incident stands alone.
                let rest = others[0];
                for m in &others {
                    label.insert(*m, rest);
                }
                label.insert(id, id);
                let kept = reasons.remove(&old).unwrap_or_default();
                if others.len() > 1 {
                    reasons.insert(rest, kept);
                }
                reasons.insert(id, vec!["split off by a reviewer".to_owned()]);
            }
        }
    }

    let mut members: BTreeMap<i64, Vec<&GroupableIncident>> = BTreeMap::new();
    for (id, group) in &label {
        if let Some(incident) = by_id.get(id) {
            members.entry(*group).or_default().push(incident);
        }
    }
    let mut groups: Vec<IncidentGroup> = members
        .into_iter()
        .map(|(label, mut list)| {
            list.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
            let reasons = if list.len() > 1 {
                reasons.remove(&label).unwrap_or_default()
            } else {
                Vec::new()
            };
            IncidentGroup {
                primary: list[0].id,
                members: list.iter().map(|i| i.id).collect(),
                reasons,
            }
        })
        .collect();
    groups.sort_by_key(|g| (by_id.get(&g.primary).map(|i| i.started_at), g.primary));
    groups
}

/// Incident id -> the primary of its group.
pub fn primary_of(groups: &[IncidentGroup]) -> BTreeMap<i64, i64> {
    groups
        .iter()
        .flat_map(|g| g.members.iter().map(move |m| (*m, g.primary)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_model::normalise_service_name;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn incident(
        id: i64,
        system: &str,
        service: &str,
        start: &str,
        end: Option<&str>,
    ) -> GroupableIncident {
        GroupableIncident {
            id,
            source_system: system.to_owned(),
            source_id: format!("{system}-{id}"),
            service: Some(service.to_owned()),
            started_at: at(start),
            resolved_at: end.map(at),
        }
    }

    fn run(incidents: &[GroupableIncident], decisions: &[GroupDecision]) -> Vec<Vec<i64>> {
        let key = |s: &str| normalise_service_name(s);
        let options = GroupOptions {
            service_key: &key,
            tolerance: Duration::minutes(DEFAULT_TOLERANCE_MINUTES),
        };
        group_incidents(incidents, &options, decisions)
            .into_iter()
            .map(|g| g.members)
            .collect()
    }

    fn key(system: &str, id: i64) -> (String, String) {
        (system.to_owned(), format!("{system}-{id}"))
    }

    fn outage() -> Vec<GroupableIncident> {
        vec![
            // PagerDuty 14:00-15:00, Statuspage 14:10-14:50 on "Checkout Service": one outage.
            incident(
                1,
                "pagerduty",
                "checkout-service",
                "2026-03-02T14:00:00Z",
                Some("2026-03-02T15:00:00Z"),
            ),
            incident(
                2,
                "statuspage",
                "Checkout Service",
                "2026-03-02T14:10:00Z",
                Some("2026-03-02T14:50:00Z"),
            ),
            // A post-mortem starting 20 min after PagerDuty resolved: within the 30 min tolerance.
            incident(
                3,
                "postmortem",
                "checkout_service",
                "2026-03-02T15:20:00Z",
                None,
            ),
            // Another PagerDuty incident overlapping: the same tool said it is a second one.
            incident(
                4,
                "pagerduty",
                "checkout-service",
                "2026-03-02T14:30:00Z",
                Some("2026-03-02T14:40:00Z"),
            ),
            // Same time, other service.
            incident(
                5,
                "statuspage",
                "payments",
                "2026-03-02T14:05:00Z",
                Some("2026-03-02T14:20:00Z"),
            ),
            // Statuspage, checkout, 2 h later: not the same outage.
            incident(
                6,
                "statuspage",
                "checkout-service",
                "2026-03-02T17:00:00Z",
                None,
            ),
        ]
    }

    #[test]
    fn overlapping_reports_of_one_service_from_different_tools_are_one_incident() {
        assert_eq!(
            run(&outage(), &[]),
            vec![vec![1, 2, 3], vec![5], vec![4], vec![6]]
        );
        let key_fn = |s: &str| normalise_service_name(s);
        let options = GroupOptions {
            service_key: &key_fn,
            tolerance: Duration::minutes(30),
        };
        let groups = group_incidents(&outage(), &options, &[]);
        assert_eq!(groups[0].primary, 1);
        assert_eq!(
            groups[0].reasons,
            vec![
                "statuspage statuspage-2 and pagerduty report checkout-service at overlapping times",
                "postmortem postmortem-3 and pagerduty report checkout-service at overlapping times",
            ]
        );
        assert!(groups[1].reasons.is_empty());
    }

    #[test]
    fn tolerance_and_the_service_map_are_inputs() {
        // With no tolerance the post-mortem 20 min after the end stays apart.
        let key_fn = |s: &str| normalise_service_name(s);
        let options = GroupOptions {
            service_key: &key_fn,
            tolerance: Duration::zero(),
        };
        let groups = group_incidents(&outage(), &options, &[]);
        assert_eq!(groups[0].members, vec![1, 2]);
        // A catalog mapping payments onto checkout merges incident 5 into the outage.
        let catalog = |s: &str| match normalise_service_name(s).as_str() {
            "payments" => "checkout-service".to_owned(),
            other => other.to_owned(),
        };
        let options = GroupOptions {
            service_key: &catalog,
            tolerance: Duration::minutes(30),
        };
        // Statuspage's payments report joins first; Statuspage's checkout report then starts a
        // group of its own (one record per tool in a group), which PagerDuty's second joins.
        let groups = group_incidents(&outage(), &options, &[]);
        let members: Vec<Vec<i64>> = groups.into_iter().map(|g| g.members).collect();
        assert_eq!(members, vec![vec![1, 5, 3], vec![2, 4], vec![6]]);
    }

    #[test]
    fn reviewer_merge_and_split_apply_in_order() {
        let split = GroupDecision::Split {
            member: key("statuspage", 2),
        };
        assert_eq!(
            run(&outage(), std::slice::from_ref(&split)),
            vec![vec![1, 3], vec![5], vec![2], vec![4], vec![6]]
        );
        let merge = GroupDecision::Merge {
            a: key("pagerduty", 1),
            b: key("statuspage", 6),
        };
        assert_eq!(
            run(&outage(), &[split.clone(), merge.clone()]),
            vec![vec![1, 3, 6], vec![5], vec![2], vec![4]]
        );
        // Splitting the primary leaves the rest together.
        let split_primary = GroupDecision::Split {
            member: key("pagerduty", 1),
        };
        assert_eq!(
            run(&outage(), &[split_primary]),
            vec![vec![1], vec![5], vec![2, 3], vec![4], vec![6]]
        );
        // Decisions naming unknown incidents are ignored.
        let ghost = GroupDecision::Merge {
            a: ("jira".into(), "X-1".into()),
            b: key("pagerduty", 1),
        };
        assert_eq!(run(&outage(), &[ghost]), run(&outage(), &[]));
    }

    #[test]
    fn incidents_without_service_stand_alone() {
        let mut list = outage();
        list[1].service = None;
        assert_eq!(
            run(&list, &[]),
            vec![vec![1, 3], vec![5], vec![2], vec![4], vec![6]]
        );
        let groups = group_incidents(
            &list,
            &GroupOptions {
                service_key: &|s: &str| normalise_service_name(s),
                tolerance: Duration::minutes(30),
            },
            &[],
        );
        assert_eq!(primary_of(&groups).get(&3), Some(&1));
    }
}
