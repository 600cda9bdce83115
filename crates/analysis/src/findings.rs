//! Approval and permission findings, blast radius by trigger cohort, and measures per team.
//!
//! Findings (each with its count, the failures among them, a Wilson 95% failure rate and the
//! incidents involved):
//!
//! | finding | counted over |
//! | --- | --- |
//! | `ai_without_review` | deployed AI changes with no approving review |
//! | `ai_without_senior_approval` | deployed AI changes with no approval by a senior reviewer |
//! | `emergency_change` | deployed changes and operations typed `emergency` (ServiceNow) |
//! | `agent_elevated_permissions` | operations by an agent with operator/admin/owner/root |
//! | `destructive_without_second_approval` | delete/recreate/destroy/drop/force/purge/wipe/truncate with fewer than 2 approvals |
//!
//! A change counts as failed when a deployment that shipped it is linked to an incident
//! (the caller decides which links count); an operation when it is linked itself.

use std::collections::{BTreeMap, BTreeSet};

use crate::stats::Proportion;

/// What the findings need of a change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeFinding {
    pub class: String,
    pub deployed: bool,
    /// (reviewer, state) of every review, e.g. `("alice", "APPROVED")`.
    pub reviews: Vec<(String, String)>,
    /// Ticket or change type (`emergency`, `normal`, `standard`), when recorded.
    pub change_type: Option<String>,
    /// Incidents linked to a deployment that shipped the change (failures), sorted.
    pub incidents: Vec<i64>,
}

/// What the findings need of a deployment or operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationFinding {
    pub action: String,
    pub actor_type: Option<String>,
    pub permissions: Option<String>,
    /// Approvals recorded on the operation, when stated.
    pub approvals: Option<u32>,
    pub change_type: Option<String>,
    /// Incidents linked to the operation, sorted.
    pub incidents: Vec<i64>,
}

/// One finding with its failure rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub name: &'static str,
    pub description: &'static str,
    /// Failed over counted, with a Wilson 95% interval.
    pub failures: Proportion,
    /// Incidents involved, sorted.
    pub incidents: Vec<i64>,
}

const DESTRUCTIVE: &[&str] = &[
    "delete", "recreate", "destroy", "drop", "force", "purge", "wipe", "truncate",
];
const ELEVATED: &[&str] = &["operator", "admin", "owner", "root"];

fn approved(state: &str) -> bool {
    state.eq_ignore_ascii_case("approved") || state.eq_ignore_ascii_case("approve")
}

fn is_emergency(change_type: Option<&str>) -> bool {
    change_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("emergency"))
}

struct Tally {
    name: &'static str,
    description: &'static str,
    count: u64,
    failed: u64,
    incidents: BTreeSet<i64>,
}

impl Tally {
    fn new(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            description,
            count: 0,
            failed: 0,
            incidents: BTreeSet::new(),
        }
    }

    fn add(&mut self, incidents: &[i64]) {
        self.count += 1;
        if !incidents.is_empty() {
            self.failed += 1;
            self.incidents.extend(incidents.iter().copied());
        }
    }

    fn finish(self) -> Finding {
        Finding {
            name: self.name,
            description: self.description,
            failures: Proportion::new(self.failed, self.count),
            incidents: self.incidents.into_iter().collect(),
        }
    }
}

/// The five findings, in the order of the module table. `is_senior` says whether a reviewer
/// (name or e-mail, as the review records it) is senior, from a roster or a catalog.
pub fn approval_findings(
    changes: &[ChangeFinding],
    operations: &[OperationFinding],
    is_senior: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut no_review = Tally::new(
        "ai_without_review",
        "AI changes deployed without an approving review",
    );
    let mut no_senior = Tally::new(
        "ai_without_senior_approval",
        "AI changes deployed without approval by a senior reviewer",
    );
    let mut emergency = Tally::new(
        "emergency_change",
        "changes and operations of type emergency",
    );
    let mut agent = Tally::new(
        "agent_elevated_permissions",
        "operations by an agent with operator, admin, owner or root permissions",
    );
    let mut destructive = Tally::new(
        "destructive_without_second_approval",
        "destructive operations with fewer than two approvals",
    );
    for c in changes.iter().filter(|c| c.deployed) {
        if c.class == "ai" {
            let approvals: Vec<&str> = c
                .reviews
                .iter()
                .filter(|(_, state)| approved(state))
                .map(|(who, _)| who.as_str())
                .collect();
            if approvals.is_empty() {
                no_review.add(&c.incidents);
            }
            if !approvals.iter().any(|who| is_senior(who)) {
                no_senior.add(&c.incidents);
            }
        }
        if is_emergency(c.change_type.as_deref()) {
            emergency.add(&c.incidents);
        }
    }
    for o in operations {
        let permissions = o.permissions.as_deref().map(str::to_lowercase);
        if o.actor_type.as_deref() == Some("agent")
            && permissions
                .as_deref()
                .is_some_and(|p| ELEVATED.contains(&p))
        {
            agent.add(&o.incidents);
        }
        let action = o.action.to_lowercase();
        if DESTRUCTIVE.iter().any(|w| action.contains(w)) && o.approvals.unwrap_or(0) < 2 {
            destructive.add(&o.incidents);
        }
        if is_emergency(o.change_type.as_deref()) {
            emergency.add(&o.incidents);
        }
    }
    vec![
        no_review.finish(),
        no_senior.finish(),
        emergency.finish(),
        agent.finish(),
        destructive.finish(),
    ]
}

/// What blast radius needs of one counted incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentReach {
    /// The trigger cohort (`ai`, `human`, `operation by agent`, `none` ...).
    pub cohort: String,
    pub services: Vec<String>,
    pub components: Vec<String>,
    pub regions: Vec<String>,
    /// Impact minutes (start of impact to resolution), when resolved.
    pub impact_minutes: Option<f64>,
}

/// The reach of one cohort's incidents.
#[derive(Debug, Clone, PartialEq)]
pub struct BlastRadius {
    pub cohort: String,
    pub incidents: u64,
    /// Distinct services, components and regions touched, sorted.
    pub services: Vec<String>,
    pub components: Vec<String>,
    pub regions: Vec<String>,
    /// Mean distinct services per incident.
    pub services_per_incident: f64,
    /// Sum of the impact minutes of the resolved incidents.
    pub impact_minutes: f64,
    /// Incidents without a resolution, left out of the minutes.
    pub unresolved: u64,
}

/// Names gathered from several records (a trigger deployment's attribute, each tool's record
/// of the incident), each once: compared without case or surrounding blanks, the first
/// spelling kept, blanks dropped; sorted by the compared form.
pub fn distinct_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for name in names {
        let name = name.trim();
        if !name.is_empty() {
            seen.entry(name.to_lowercase())
                .or_insert_with(|| name.to_owned());
        }
    }
    seen.into_values().collect()
}

/// Blast radius per trigger cohort, sorted by cohort. Components and regions are counted
/// once per cohort however many incidents or tools name them ([`distinct_names`]).
pub fn blast_radius(incidents: &[IncidentReach]) -> Vec<BlastRadius> {
    let mut by_cohort: BTreeMap<&str, Vec<&IncidentReach>> = BTreeMap::new();
    for i in incidents {
        by_cohort.entry(i.cohort.as_str()).or_default().push(i);
    }
    by_cohort
        .into_iter()
        .map(|(cohort, list)| {
            let set = |f: &dyn Fn(&IncidentReach) -> &Vec<String>| -> Vec<String> {
                distinct_names(list.iter().flat_map(|i| f(i).iter().map(String::as_str)))
            };
            let per_incident: usize = list
                .iter()
                .map(|i| i.services.iter().collect::<BTreeSet<_>>().len())
                .sum();
            BlastRadius {
                cohort: cohort.to_owned(),
                incidents: list.len() as u64,
                services: set(&|i| &i.services),
                components: set(&|i| &i.components),
                regions: set(&|i| &i.regions),
                services_per_incident: per_incident as f64 / list.len() as f64,
                impact_minutes: list.iter().filter_map(|i| i.impact_minutes).sum(),
                unresolved: list.iter().filter(|i| i.impact_minutes.is_none()).count() as u64,
            }
        })
        .collect()
}

/// Deployed and failed changes of one team and class.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    pub team: String,
    pub class: String,
    /// Failed over deployed changes, Wilson 95% interval.
    pub failures: Proportion,
}

/// Failure rates per team and class from `(team, class, failed)` of each deployed change;
/// sorted by team, then class.
pub fn team_rows(changes: &[(String, String, bool)]) -> Vec<TeamRow> {
    let mut counts: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    for (team, class, failed) in changes {
        let entry = counts.entry((team.as_str(), class.as_str())).or_default();
        entry.1 += 1;
        if *failed {
            entry.0 += 1;
        }
    }
    counts
        .into_iter()
        .map(|((team, class), (failed, deployed))| TeamRow {
            team: team.to_owned(),
            class: class.to_owned(),
            failures: Proportion::new(failed, deployed),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        class: &str,
        reviews: &[(&str, &str)],
        kind: Option<&str>,
        inc: &[i64],
    ) -> ChangeFinding {
        ChangeFinding {
            class: class.into(),
            deployed: true,
            reviews: reviews
                .iter()
                .map(|(w, s)| ((*w).to_owned(), (*s).to_owned()))
                .collect(),
            change_type: kind.map(str::to_owned),
            incidents: inc.to_vec(),
        }
    }

    fn op(
        action: &str,
        actor: &str,
        perm: Option<&str>,
        approvals: Option<u32>,
        inc: &[i64],
    ) -> OperationFinding {
        OperationFinding {
            action: action.into(),
            actor_type: Some(actor.into()),
            permissions: perm.map(str::to_owned),
            approvals,
            change_type: None,
            incidents: inc.to_vec(),
        }
    }

    #[test]
    fn findings_count_failures_and_name_incidents() {
        let changes = vec![
            // AI, no review, failed in incident 7.
            change("ai", &[], None, &[7]),
            // AI, approved by a junior only: no senior approval; not failed.
            change("ai", &[("junior", "APPROVED")], None, &[]),
            // AI, approved by a senior: neither finding.
            change(
                "ai",
                &[("alice", "approved"), ("junior", "COMMENTED")],
                None,
                &[3],
            ),
            // AI, only commented: counts as without review; failed in incident 3.
            change("ai", &[("alice", "COMMENTED")], Some("Emergency"), &[3]),
            // Human emergency change, not failed.
            change("human", &[], Some("emergency"), &[]),
            // Not deployed: never counted.
            ChangeFinding {
                deployed: false,
                ..change("ai", &[], Some("emergency"), &[9])
            },
        ];
        let operations = vec![
            op("deploy", "agent", Some("Operator"), Some(1), &[5]),
            op("deploy", "agent", Some("read"), Some(1), &[]),
            op("delete_environment", "human", None, Some(1), &[5]),
            op("recreate_database", "agent", Some("admin"), Some(2), &[]),
            op("drop_table", "human", None, None, &[]),
        ];
        let senior = |who: &str| who == "alice";
        let found = approval_findings(&changes, &operations, &senior);
        let summary: Vec<(&str, u64, u64, Vec<i64>)> = found
            .iter()
            .map(|f| {
                (
                    f.name,
                    f.failures.numerator,
                    f.failures.denominator,
                    f.incidents.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("ai_without_review", 2, 2, vec![3, 7]),
                ("ai_without_senior_approval", 2, 3, vec![3, 7]),
                ("emergency_change", 1, 2, vec![3]),
                ("agent_elevated_permissions", 1, 2, vec![5]),
                ("destructive_without_second_approval", 1, 2, vec![5]),
            ]
        );
        // 2 of 3: Wilson 95% interval 0.2077..0.9385 (Newcombe 1998, method 3).
        let ci = found[1].failures.ci95.expect("interval");
        assert!((ci.lower - 0.2077).abs() < 1e-3, "{}", ci.lower);
        assert!((ci.upper - 0.9385).abs() < 1e-3, "{}", ci.upper);
    }

    #[test]
    fn blast_radius_per_cohort() {
        let reach = |cohort: &str, services: &[&str], regions: &[&str], minutes: Option<f64>| {
            IncidentReach {
                cohort: cohort.into(),
                services: services.iter().map(|s| (*s).to_owned()).collect(),
                components: Vec::new(),
                regions: regions.iter().map(|s| (*s).to_owned()).collect(),
                impact_minutes: minutes,
            }
        };
        let rows = blast_radius(&[
            reach("ai", &["checkout", "payments"], &["eu-west-1"], Some(90.0)),
            reach("ai", &["checkout"], &["us-east-1"], None),
            reach("human", &["search"], &[], Some(15.0)),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cohort, "ai");
        assert_eq!(rows[0].services, vec!["checkout", "payments"]);
        assert_eq!(rows[0].regions, vec!["eu-west-1", "us-east-1"]);
        assert_eq!(rows[0].services_per_incident, 1.5);
        assert_eq!(rows[0].impact_minutes, 90.0);
        assert_eq!(rows[0].unresolved, 1);
        assert_eq!(rows[1].impact_minutes, 15.0);
    }

    #[test]
    fn blast_radius_counts_every_tools_components_once_per_cohort() {
        let reach = |cohort: &str, components: &[&str], regions: &[&str]| IncidentReach {
            cohort: cohort.into(),
            services: vec!["checkout".into()],
            components: components.iter().map(|s| (*s).to_owned()).collect(),
            regions: regions.iter().map(|s| (*s).to_owned()).collect(),
            impact_minutes: Some(10.0),
        };
        // Incident 1 (ai): its trigger deployment names "api", its Statuspage record names
        // "API" and "Webhooks". Incident 2 (ai): the status page names "Webhooks " and
        // "Card payments", incident.io names region eu-west-1 twice. Incident 3 (human):
        // "Search" only. By hand: ai = {api, Card payments, Webhooks}, 2 regions; human = 1.
        let rows = blast_radius(&[
            reach("ai", &["api", "API", "Webhooks"], &["us-east-1"]),
            reach(
                "ai",
                &["Webhooks ", "Card payments"],
                &["eu-west-1", "EU-WEST-1"],
            ),
            reach("human", &["Search", ""], &[]),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cohort, "ai");
        assert_eq!(rows[0].incidents, 2);
        assert_eq!(rows[0].components, vec!["api", "Card payments", "Webhooks"]);
        assert_eq!(rows[0].regions, vec!["eu-west-1", "us-east-1"]);
        assert_eq!(rows[0].impact_minutes, 20.0);
        assert_eq!(rows[1].cohort, "human");
        assert_eq!(rows[1].components, vec!["Search"]);
        assert!(rows[1].regions.is_empty());
        assert_eq!(
            distinct_names(["b", " B", "a", "", "  "]),
            vec!["a".to_owned(), "b".to_owned()]
        );
    }

    #[test]
    fn team_rows_sorted_with_rates() {
        let rows = team_rows(&[
            ("payments".into(), "ai".into(), true),
            ("payments".into(), "ai".into(), false),
            ("checkout".into(), "human".into(), false),
            ("payments".into(), "ai".into(), false),
            ("payments".into(), "ai".into(), true),
        ]);
        assert_eq!(rows[0].team, "checkout");
        assert_eq!(rows[1].failures.numerator, 2);
        assert_eq!(rows[1].failures.denominator, 4);
        assert_eq!(rows[1].failures.rate, Some(0.5));
    }
}
