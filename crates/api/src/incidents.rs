//! Incidents as counted: one outage reported by several tools is one incident (grouping with
//! reviewer merge and split), and the reviewer's word on an incident's cause.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use hindsight_analysis::groups::{
    group_incidents, GroupDecision, GroupOptions, GroupableIncident, IncidentGroup,
    DEFAULT_TOLERANCE_MINUTES,
};
use hindsight_model::normalise_service_name;
use hindsight_store::{format_time, parse_time, IncidentRow};
use serde::Serialize;
use ts_rs::TS;

use crate::{ApiError, Hindsight, Result};

/// The categories an incident not caused by a change falls in.
pub const NOT_CHANGE_CAUSED_CATEGORIES: &[&str] = &["provider", "hardware", "capacity", "other"];

/// One source record of an incident group.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentMemberDto {
    #[ts(type = "number")]
    pub id: i64,
    pub source_system: String,
    pub source_id: String,
    pub title: String,
    pub started_at: String,
}

/// One incident as counted, with every tool's record of it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentGroupDto {
    /// The id the group is known by: its earliest record.
    #[ts(type = "number")]
    pub primary: i64,
    pub members: Vec<IncidentMemberDto>,
    /// Why the records are one incident (automatic overlap or a reviewer's merge).
    pub reasons: Vec<String>,
    /// The reviewer's merge and split decisions in force naming a member, oldest first.
    pub decisions: Vec<IncidentGroupDecisionDto>,
}

/// A reviewer's merge or split decision in force, with who, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentGroupDecisionDto {
    /// `merge` or `split`.
    pub action: String,
    /// The incident split off, or the first of a merge.
    #[ts(type = "number")]
    pub incident_id: i64,
    /// The second incident of a merge.
    #[ts(type = "number | null")]
    pub other_id: Option<i64>,
    pub reason: String,
    pub reviewer: String,
    pub at: String,
}

/// A reviewer's decision on an incident's cause.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentCauseDto {
    #[ts(type = "number")]
    pub incident_id: i64,
    /// `not_change_caused` or `change_caused`.
    pub decision: String,
    pub category: Option<String>,
    pub reason: String,
    pub reviewer: String,
    pub at: String,
}

impl Hindsight {
    /// Incidents grouped with the built-in service mapping (normalised names).
    pub fn incident_groups(&self) -> Result<Vec<IncidentGroupDto>> {
        let rows = self.store.incidents()?;
        let groups = self.groups_of(&rows, &|s: &str| normalise_service_name(s))?;
        let by_id: HashMap<i64, &IncidentRow> = rows.iter().map(|r| (r.id, r)).collect();
        let decisions = self.grouping_decisions(&rows)?;
        Ok(groups
            .into_iter()
            .map(|g| IncidentGroupDto {
                decisions: decisions
                    .iter()
                    .filter(|d| {
                        g.members.contains(&d.incident_id)
                            || d.other_id.is_some_and(|o| g.members.contains(&o))
                    })
                    .cloned()
                    .collect(),
                primary: g.primary,
                members: g
                    .members
                    .iter()
                    .filter_map(|id| by_id.get(id))
                    .map(|r| IncidentMemberDto {
                        id: r.id,
                        source_system: r.source_system.clone(),
                        source_id: r.source_id.clone(),
                        title: r.title.clone(),
                        started_at: r.started_at.clone(),
                    })
                    .collect(),
                reasons: g.reasons,
            })
            .collect())
    }

    /// The reviewer's merge and split decisions in force among the given incidents, oldest
    /// first (a decision naming an incident not among them is left out).
    pub(crate) fn grouping_decisions(
        &self,
        rows: &[IncidentRow],
    ) -> Result<Vec<IncidentGroupDecisionDto>> {
        let by_key: HashMap<(&str, &str), i64> = rows
            .iter()
            .map(|r| ((r.source_system.as_str(), r.source_id.as_str()), r.id))
            .collect();
        let id_of = |k: &(String, String)| by_key.get(&(k.0.as_str(), k.1.as_str())).copied();
        Ok(self
            .store
            .group_reviews()?
            .into_iter()
            .filter(|r| r.revoked_at.is_none())
            .filter_map(|r| {
                let other_id = match &r.b {
                    Some(b) => Some(id_of(b)?),
                    None => None,
                };
                Some(IncidentGroupDecisionDto {
                    incident_id: id_of(&r.a)?,
                    other_id,
                    action: r.action,
                    reason: r.reason,
                    reviewer: r.reviewer,
                    at: r.created_at,
                })
            })
            .collect())
    }

    /// The groups of the given incidents under a service mapping (a catalog's `ServiceMap`
    /// plugs in here), with the reviewer's merge and split decisions in force applied.
    pub(crate) fn groups_of(
        &self,
        rows: &[IncidentRow],
        service_key: &dyn Fn(&str) -> String,
    ) -> Result<Vec<IncidentGroup>> {
        // Tools name one service differently: the catalog's canonical name decides.
        let services = self.service_map()?;
        let incidents = rows
            .iter()
            .map(|r| {
                Ok(GroupableIncident {
                    id: r.id,
                    source_system: r.source_system.clone(),
                    source_id: r.source_id.clone(),
                    service: services.resolve(r.service.as_deref(), &r.attributes),
                    started_at: parse_time(&r.started_at)?,
                    resolved_at: r.resolved_at.as_deref().map(parse_time).transpose()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decisions: Vec<GroupDecision> = self
            .store
            .group_reviews()?
            .into_iter()
            .filter(|r| r.revoked_at.is_none())
            .filter_map(|r| match (r.action.as_str(), r.b) {
                ("merge", Some(b)) => Some(GroupDecision::Merge { a: r.a, b }),
                ("split", _) => Some(GroupDecision::Split { member: r.a }),
                _ => None,
            })
            .collect();
        let options = GroupOptions {
            service_key,
            tolerance: Duration::minutes(DEFAULT_TOLERANCE_MINUTES),
        };
        Ok(group_incidents(&incidents, &options, &decisions))
    }

    /// Merges two incidents (and whatever is grouped with them) into one; kept with who, when
    /// and why, by natural keys. Links are recomputed.
    pub fn merge_incidents(
        &self,
        a: i64,
        b: i64,
        why: &str,
        reviewer: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<IncidentGroupDto>> {
        let why = needs_reason(why)?;
        if a == b {
            return Err(ApiError::BadInput(
                "merge needs two different incidents".into(),
            ));
        }
        let (ka, kb) = (
            self.store.incident_identity(a)?,
            self.store.incident_identity(b)?,
        );
        self.store
            .add_group_review("merge", &ka, Some(&kb), why, reviewer, &format_time(&now))?;
        self.refresh_analysis()?;
        self.incident_groups()
    }

    /// Takes an incident out of its group; it counts on its own. Links are recomputed.
    pub fn split_incident(
        &self,
        id: i64,
        why: &str,
        reviewer: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<IncidentGroupDto>> {
        let why = needs_reason(why)?;
        let key = self.store.incident_identity(id)?;
        self.store
            .add_group_review("split", &key, None, why, reviewer, &format_time(&now))?;
        self.refresh_analysis()?;
        self.incident_groups()
    }

    /// Undoes the newest merge or split naming the incident (its row stays, revoked).
    pub fn undo_incident_grouping(
        &self,
        id: i64,
        reviewer: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<IncidentGroupDto>> {
        let key = self.store.incident_identity(id)?;
        if self
            .store
            .revoke_group_review(&key, reviewer, &format_time(&now))?
            .is_none()
        {
            return Err(ApiError::NotFound(format!(
                "a merge or split decision naming incident {id}"
            )));
        }
        self.refresh_analysis()?;
        self.incident_groups()
    }

    /// Records the reviewer's word on an incident's cause: `not-change-caused` with a category
    /// (provider, hardware, capacity, other) or `change-caused`. It beats the text classifier;
    /// a not-change-caused incident never counts as a change failure.
    pub fn set_incident_cause(
        &self,
        id: i64,
        decision: &str,
        category: Option<&str>,
        why: &str,
        reviewer: &str,
        now: DateTime<Utc>,
    ) -> Result<IncidentCauseDto> {
        let why = needs_reason(why)?;
        let decision = match decision.replace('-', "_").as_str() {
            "not_change_caused" => "not_change_caused",
            "change_caused" => "change_caused",
            other => {
                return Err(ApiError::BadInput(format!(
                    "unknown cause {other:?}; use not-change-caused or change-caused"
                )))
            }
        };
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        let category = match (decision, category) {
            ("not_change_caused", None) => Some("other"),
            ("not_change_caused", Some(c)) if NOT_CHANGE_CAUSED_CATEGORIES.contains(&c) => Some(c),
            ("not_change_caused", Some(c)) => {
                return Err(ApiError::BadInput(format!(
                    "unknown category {c:?}; use {}",
                    NOT_CHANGE_CAUSED_CATEGORIES.join(", ")
                )))
            }
            (_, c) => c,
        };
        let key = self.store.incident_identity(id)?;
        let at = format_time(&now);
        self.store
            .add_cause_review(&key, decision, category, why, reviewer, &at)?;
        Ok(IncidentCauseDto {
            incident_id: id,
            decision: decision.to_owned(),
            category: category.map(str::to_owned),
            reason: why.to_owned(),
            reviewer: reviewer.to_owned(),
            at,
        })
    }

    /// Undoes the cause decision in force for an incident.
    pub fn undo_incident_cause(&self, id: i64, reviewer: &str, now: DateTime<Utc>) -> Result<()> {
        let key = self.store.incident_identity(id)?;
        if !self
            .store
            .revoke_cause_review(&key, reviewer, &format_time(&now))?
        {
            return Err(ApiError::NotFound(format!(
                "a cause decision for incident {id}"
            )));
        }
        Ok(())
    }

    /// The reviewer's cause decisions in force, by incident id: `(not change-caused, text)`.
    pub(crate) fn reviewed_causes(
        &self,
        rows: &[IncidentRow],
    ) -> Result<HashMap<i64, (bool, String)>> {
        let mut latest: BTreeMap<(String, String), hindsight_store::CauseReviewRow> =
            BTreeMap::new();
        for review in self.store.cause_reviews()? {
            if review.revoked_at.is_none() {
                latest.insert(review.incident.clone(), review);
            }
        }
        Ok(rows
            .iter()
            .filter_map(|r| {
                let review = latest.get(&(r.source_system.clone(), r.source_id.clone()))?;
                let not_change = review.decision == "not_change_caused";
                let text = format!(
                    "{} (reviewer {}: {})",
                    review.category.as_deref().unwrap_or("change-caused"),
                    review.reviewer,
                    review.reason
                );
                Some((r.id, (not_change, text)))
            })
            .collect())
    }

    /// Incidents a reviewer classed as not change-caused, spread over their `groups` (of every
    /// record): these never count as a failure, even through a confirmed link.
    pub(crate) fn reviewer_not_change_caused(
        &self,
        rows: &[IncidentRow],
        groups: &[IncidentGroup],
    ) -> Result<HashSet<i64>> {
        let reviewed = self.reviewed_causes(rows)?;
        let mut out = HashSet::new();
        for group in groups {
            if group
                .members
                .iter()
                .any(|m| reviewed.get(m).is_some_and(|(ncc, _)| *ncc))
            {
                out.extend(group.members.iter().copied());
            }
        }
        Ok(out)
    }
}

fn needs_reason(why: &str) -> Result<&str> {
    let why = why.trim();
    if why.is_empty() {
        return Err(ApiError::BadInput(
            "a decision needs a reason (--why)".into(),
        ));
    }
    Ok(why)
}

/// Merged start and end of a group: the earliest start, and the latest end when every record
/// is resolved.
pub(crate) fn group_window(
    members: &[&IncidentRow],
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut start: Option<DateTime<Utc>> = None;
    let mut end: Option<DateTime<Utc>> = None;
    let mut open = false;
    for m in members {
        let s = parse_time(&m.started_at)?;
        start = Some(start.map_or(s, |x| x.min(s)));
        match m.resolved_at.as_deref().map(parse_time).transpose()? {
            Some(e) => end = Some(end.map_or(e, |x| x.max(e))),
            None => open = true,
        }
    }
    let start = start.ok_or_else(|| ApiError::Internal("an empty incident group".into()))?;
    Ok((start, if open { None } else { end }))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
            .single()
            .expect("time")
    }

    fn demo() -> (tempfile::TempDir, Hindsight) {
        let dir = tempfile::tempdir().expect("dir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        app.load_demo(now()).expect("demo");
        (dir, app)
    }

    fn failed_including_suspected(app: &Hindsight, class: &str) -> i64 {
        let report = app.report(now()).expect("report");
        report
            .summary
            .cohorts
            .iter()
            .find(|c| c.cohort == class)
            .map(|c| c.failed_including_suspected.numerator)
            .expect("cohort")
    }

    #[test]
    fn merge_split_and_undo_change_what_is_counted() {
        let (_dir, app) = demo();
        assert_eq!(app.incident_groups().expect("groups").len(), 8);
        // Demo incidents 1 and 6 are both checkout; a reviewer says they are one outage.
        let groups = app
            .merge_incidents(1, 6, "same outage", "ana", now())
            .expect("merge");
        assert_eq!(groups.len(), 7);
        let merged = groups.iter().find(|g| g.primary == 1).expect("group");
        let ids: Vec<i64> = merged.members.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![1, 6]);
        assert_eq!(merged.reasons, vec!["merged by a reviewer"]);
        assert_eq!(
            merged.decisions,
            vec![IncidentGroupDecisionDto {
                action: "merge".into(),
                incident_id: 1,
                other_id: Some(6),
                reason: "same outage".into(),
                reviewer: "ana".into(),
                at: "2026-11-27T12:00:00.000Z".into(),
            }]
        );
        let report = app.report(now()).expect("report");
        assert_eq!(report.incidents.len(), 7);
        let shown = report
            .incidents
            .iter()
            .find(|i| i.source_id == "QG3Q2QN7TVSXVZ")
            .expect("primary");
        assert_eq!(shown.merged_from, vec!["pagerduty P06VDK4"]);
        // Only the primary is linked now.
        assert!(app.incident_detail(6).expect("detail").suspects.is_empty());

        let groups = app
            .split_incident(6, "two causes", "bo", now())
            .expect("split");
        assert_eq!(groups.len(), 8);
        // The split record stands alone, and its group still names both decisions.
        let alone = groups.iter().find(|g| g.primary == 6).expect("split off");
        let actions: Vec<(&str, &str)> = alone
            .decisions
            .iter()
            .map(|d| (d.action.as_str(), d.reviewer.as_str()))
            .collect();
        assert_eq!(actions, vec![("merge", "ana"), ("split", "bo")]);
        // Undo the split: merged again; undo the merge: apart again.
        assert_eq!(
            app.undo_incident_grouping(6, "bo", now())
                .expect("undo")
                .len(),
            7
        );
        assert_eq!(
            app.undo_incident_grouping(6, "bo", now())
                .expect("undo")
                .len(),
            8
        );
        assert!(matches!(
            app.undo_incident_grouping(6, "bo", now()),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            app.merge_incidents(1, 1, "x", "ana", now()),
            Err(ApiError::BadInput(_))
        ));
        assert!(matches!(
            app.split_incident(1, "  ", "ana", now()),
            Err(ApiError::BadInput(_))
        ));
    }

    #[test]
    fn a_reviewer_not_change_caused_incident_is_never_a_failure() {
        let (_dir, app) = demo();
        let before = failed_including_suspected(&app, "ai");
        // Incident 1 (checkout) is triggered by an AI change in the demo truth.
        let decision = app
            .set_incident_cause(
                1,
                "not-change-caused",
                Some("provider"),
                "CDN outage",
                "ana",
                now(),
            )
            .expect("cause");
        assert_eq!(decision.decision, "not_change_caused");
        assert_eq!(decision.category.as_deref(), Some("provider"));
        let after = failed_including_suspected(&app, "ai");
        assert!(after < before, "{after} < {before}");
        let report = app.report(now()).expect("report");
        let shown = report
            .incidents
            .iter()
            .find(|i| i.source_id == "QG3Q2QN7TVSXVZ")
            .expect("incident");
        assert_eq!(
            shown.not_change_caused.as_deref(),
            Some("provider (reviewer ana: CDN outage)")
        );
        app.undo_incident_cause(1, "ana", now()).expect("undo");
        assert_eq!(failed_including_suspected(&app, "ai"), before);
        assert!(matches!(
            app.undo_incident_cause(1, "ana", now()),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            app.set_incident_cause(1, "bad-luck", None, "x", "ana", now()),
            Err(ApiError::BadInput(_))
        ));
        assert!(matches!(
            app.set_incident_cause(1, "not-change-caused", Some("aliens"), "x", "ana", now()),
            Err(ApiError::BadInput(_))
        ));
    }

    #[test]
    fn a_scoped_report_counts_only_its_scope_in_the_findings() {
        let (_dir, app) = demo();
        let findings = |scope: crate::ReportScope| {
            app.report_in(&scope, now())
                .expect("report")
                .findings
                .expect("findings")
        };
        let all = findings(crate::ReportScope::default());
        let checkout = findings(crate::ReportScope {
            services: vec!["checkout".into()],
            ..Default::default()
        });
        let human = findings(crate::ReportScope {
            cohorts: vec!["human".into()],
            ..Default::default()
        });
        let reached = |f: &hindsight_report::ReportFindings| -> Vec<String> {
            let mut s: Vec<String> = f
                .blast_radius
                .iter()
                .flat_map(|b| b.services.clone())
                .collect();
            s.sort();
            s.dedup();
            s
        };
        let counted = |f: &hindsight_report::ReportFindings| -> Vec<i64> {
            f.findings.iter().map(|x| x.failures.denominator).collect()
        };
        let teams = |f: &hindsight_report::ReportFindings| -> Vec<String> {
            f.teams
                .iter()
                .map(|t| {
                    format!(
                        "{} {} {}/{}",
                        t.team, t.class, t.failures.numerator, t.failures.denominator
                    )
                })
                .collect()
        };
        let sens = |f: &hindsight_report::ReportFindings| -> Vec<(i64, i64)> {
            f.sensitivity
                .iter()
                .map(|s| (s.ai.denominator, s.human.denominator))
                .collect()
        };
        // The services filter narrows every findings section to checkout.
        assert_eq!(
            reached(&all),
            ["checkout", "gateway", "inventory", "payments", "search"]
        );
        assert_eq!(reached(&checkout), ["checkout"]);
        assert_eq!(counted(&all), [42, 42, 0, 6, 2]);
        assert_eq!(counted(&checkout), [6, 6, 0, 1, 0]);
        assert_eq!(
            teams(&all),
            [
                "unassigned ai 8/42",
                "unassigned automation 0/4",
                "unassigned human 4/74"
            ]
        );
        assert_eq!(
            teams(&checkout),
            [
                "unassigned ai 2/6",
                "unassigned automation 0/1",
                "unassigned human 1/17"
            ]
        );
        assert!(sens(&all).iter().all(|s| *s == (42, 74)));
        assert!(sens(&checkout).iter().all(|s| *s == (6, 17)));
        // The human cohort keeps the human rows as they were and drops the AI ones.
        assert_eq!(counted(&human), [0, 0, 0, 0, 0]);
        assert_eq!(teams(&human), ["unassigned human 4/74"]);
        assert!(sens(&human).iter().all(|s| *s == (0, 74)));
        assert!(human.blast_radius.iter().all(|b| b.cohort != "ai"));
        assert!(all.blast_radius.iter().any(|b| b.cohort == "ai"));
    }

    /// The Statuspage record of demo incident 1 (checkout, 14:46-16:09 on 16 Nov), shaped like
    /// Statuspage's `incidents.json`, naming two components.
    const CHECKOUT_STATUSPAGE: &str = r#"{
  "page": {"id": "hs7pg0000001", "name": "Shop", "url": "https://status.shop.example",
           "time_zone": "Etc/UTC", "updated_at": "2026-11-16T16:10:00.000Z"},
  "incidents": [
    {
      "id": "ch3ck0ut0001",
      "name": "Card payments failing at checkout",
      "status": "resolved",
      "created_at": "2026-11-16T14:52:00.000Z",
      "updated_at": "2026-11-16T16:05:00.000Z",
      "monitoring_at": null,
      "resolved_at": "2026-11-16T16:05:00.000Z",
      "impact": "major",
      "shortlink": "https://stspg.io/ch3ck",
      "started_at": "2026-11-16T14:50:00.000Z",
      "page_id": "hs7pg0000001",
      "incident_updates": [
        {
          "id": "updch3ck02",
          "status": "resolved",
          "body": "This incident has been resolved.",
          "incident_id": "ch3ck0ut0001",
          "created_at": "2026-11-16T16:05:00.000Z",
          "updated_at": "2026-11-16T16:05:00.000Z",
          "display_at": "2026-11-16T16:05:00.000Z",
          "affected_components": [
            {"code": "c0mp0order1", "name": "Order history",
             "old_status": "degraded_performance", "new_status": "operational"}
          ],
          "deliver_notifications": true,
          "custom_tweet": null,
          "tweet_id": null
        },
        {
          "id": "updch3ck01",
          "status": "investigating",
          "body": "Card payments are failing for some customers.",
          "incident_id": "ch3ck0ut0001",
          "created_at": "2026-11-16T14:52:00.000Z",
          "updated_at": "2026-11-16T14:52:00.000Z",
          "display_at": "2026-11-16T14:52:00.000Z",
          "affected_components": null,
          "deliver_notifications": true,
          "custom_tweet": null,
          "tweet_id": null
        }
      ],
      "components": [
        {"id": "c0mp0check1", "name": "Checkout", "status": "operational",
         "created_at": "2024-01-31T20:05:05.370Z", "updated_at": "2026-11-16T16:05:00.000Z",
         "position": 1, "description": null, "showcase": true, "start_date": null,
         "group_id": null, "page_id": "hs7pg0000001", "group": false, "only_show_if_degraded": false},
        {"id": "c0mp0cards1", "name": "Card payments", "status": "operational",
         "created_at": "2024-01-31T20:05:05.370Z", "updated_at": "2026-11-16T16:05:00.000Z",
         "position": 2, "description": null, "showcase": true, "start_date": null,
         "group_id": null, "page_id": "hs7pg0000001", "group": false, "only_show_if_degraded": false}
      ]
    }
  ]
}"#;

    #[test]
    fn blast_radius_counts_the_components_a_status_page_names() {
        let (_dir, app) = demo();
        let cohort_of = |extras: &crate::AnalysisExtrasDto, name: &str| {
            extras
                .blast_radius
                .iter()
                .find(|b| b.cohort == name)
                .cloned()
                .expect("cohort")
        };
        let before = app
            .analysis_extras(&Default::default(), &|_| None)
            .expect("extras");
        let ai_before = cohort_of(&before, "ai");
        // The demo's deployments name regions but no component.
        assert!(before.blast_radius.iter().all(|b| b.components.is_empty()));

        let outcome = app
            .ingest_bytes("status.json", CHECKOUT_STATUSPAGE.as_bytes(), now())
            .expect("ingest");
        assert_eq!(outcome.records_stored, 1, "{outcome:?}");
        // One outage, two tools: the status page joins demo incident 1's group.
        let groups = app.incident_groups().expect("groups");
        assert_eq!(groups.len(), 8);
        let checkout = groups.iter().find(|g| g.primary == 1).expect("group 1");
        let members: Vec<&str> = checkout
            .members
            .iter()
            .map(|m| m.source_system.as_str())
            .collect();
        assert_eq!(members, ["pagerduty", "statuspage"]);

        let after = app
            .analysis_extras(&Default::default(), &|_| None)
            .expect("extras");
        let ai = cohort_of(&after, "ai");
        // Incident 1's trigger is an AI change: its cohort now reaches the three components the
        // status page named (two on the incident, one on an update), counted once; nothing
        // else moves and the incident is not counted twice.
        assert_eq!(
            ai.components,
            ["Card payments", "Checkout", "Order history"]
        );
        assert_eq!(ai.incidents, ai_before.incidents);
        assert_eq!(ai.regions, ai_before.regions);
        assert_eq!(ai.services, ai_before.services);
        for b in after.blast_radius.iter().filter(|b| b.cohort != "ai") {
            assert!(b.components.is_empty(), "{b:?}");
        }
    }

    #[test]
    fn the_roster_fixture_parses_and_the_findings_use_it() {
        let text = include_str!("../../../fixtures/roster.toml");
        let roster = crate::Roster::parse(text).expect("roster");
        assert_eq!(roster.senior_groups, vec!["platform-leads"]);
        assert!(crate::Roster::parse("seniors = 1").is_err());
        let (_dir, app) = demo();
        let options = crate::AnalyzeOptions {
            roster: Some(roster),
            ..Default::default()
        };
        let extras = app.analysis_extras(&options, &|_| None).expect("extras");
        let names: Vec<&str> = extras.findings.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "ai_without_review",
                "ai_without_senior_approval",
                "emergency_change",
                "agent_elevated_permissions",
                "destructive_without_second_approval"
            ]
        );
        // 4 link windows x 3 thresholds.
        assert_eq!(extras.sensitivity.len(), 12);
        // A window before the demo's history counts nothing.
        let empty = crate::AnalyzeOptions {
            to: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single(),
            ..Default::default()
        };
        let extras = app.analysis_extras(&empty, &|_| None).expect("extras");
        assert!(extras.teams.is_empty());
        assert!(extras.blast_radius.is_empty());
        // A catalog's team mapping is used when deployments name no team.
        let extras = app
            .analysis_extras(&Default::default(), &|s: &str| Some(format!("team-{s}")))
            .expect("extras");
        assert!(extras.teams.iter().all(|t| t.team.starts_with("team-")));
    }
}
