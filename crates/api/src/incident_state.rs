//! What the incident list and detail show about grouping and cause: the group a record is
//! counted under, the other tools' records merged into a primary, and the cause in force.

use std::collections::{BTreeMap, HashMap};

use hindsight_model::normalise_service_name;
use hindsight_store::{CauseReviewRow, IncidentRow};

use crate::{
    Hindsight, IncidentCauseDto, IncidentCauseStateDto, IncidentGroupDecisionDto,
    IncidentMemberDto, Result,
};

/// Grouping and cause of every incident record, by id.
#[derive(Debug, Default)]
pub(crate) struct IncidentState {
    pub primary: HashMap<i64, i64>,
    pub merged: HashMap<i64, Vec<IncidentMemberDto>>,
    pub cause: HashMap<i64, IncidentCauseStateDto>,
    /// The reviewer's merge and split decisions in force naming the record.
    pub grouping: HashMap<i64, Vec<IncidentGroupDecisionDto>>,
}

/// What [`IncidentState::of`] answers for one record.
pub(crate) type RecordState = (
    i64,
    Vec<IncidentMemberDto>,
    Option<IncidentCauseStateDto>,
    Vec<IncidentGroupDecisionDto>,
);

impl IncidentState {
    /// `(group primary, merged records, cause, grouping decisions)` of one record.
    pub fn of(&self, id: i64) -> RecordState {
        (
            self.primary.get(&id).copied().unwrap_or(id),
            self.merged.get(&id).cloned().unwrap_or_default(),
            self.cause.get(&id).cloned(),
            self.grouping.get(&id).cloned().unwrap_or_default(),
        )
    }
}

impl Hindsight {
    /// Groups and causes of the given incident records, computed the way the report counts
    /// them: a reviewer's decision on any record of a group beats the text classifier.
    pub(crate) fn incident_state(&self, rows: &[IncidentRow]) -> Result<IncidentState> {
        let groups = self.groups_of(rows, &|s: &str| normalise_service_name(s))?;
        let by_id: HashMap<i64, &IncidentRow> = rows.iter().map(|r| (r.id, r)).collect();
        let classified: HashMap<i64, (String, String)> = self
            .incident_facts(rows)?
            .iter()
            .filter_map(|facts| hindsight_analysis::classify_cause(facts).map(|c| (facts.id, c)))
            .collect();
        let mut reviews: BTreeMap<(String, String), CauseReviewRow> = BTreeMap::new();
        for review in self.store.cause_reviews()? {
            if review.revoked_at.is_none() {
                reviews.insert(review.incident.clone(), review);
            }
        }
        let mut state = IncidentState::default();
        for decision in self.grouping_decisions(rows)? {
            for id in std::iter::once(decision.incident_id).chain(decision.other_id) {
                state.grouping.entry(id).or_default().push(decision.clone());
            }
        }
        for group in groups {
            let merged: Vec<IncidentMemberDto> = group
                .members
                .iter()
                .filter(|id| **id != group.primary)
                .filter_map(|id| by_id.get(id))
                .map(|r| IncidentMemberDto {
                    id: r.id,
                    source_system: r.source_system.clone(),
                    source_id: r.source_id.clone(),
                    title: r.title.clone(),
                    started_at: r.started_at.clone(),
                })
                .collect();
            let reviewed = group.members.iter().find_map(|id| {
                let row = by_id.get(id)?;
                let key = (row.source_system.clone(), row.source_id.clone());
                reviews.get(&key).map(|review| (*id, review))
            });
            let cause = match reviewed {
                Some((id, review)) => Some(IncidentCauseStateDto {
                    not_change_caused: review.decision == "not_change_caused",
                    category: review.category.clone(),
                    decided_by: "reviewer".into(),
                    why: review.reason.clone(),
                    review: Some(IncidentCauseDto {
                        incident_id: id,
                        decision: review.decision.clone(),
                        category: review.category.clone(),
                        reason: review.reason.clone(),
                        reviewer: review.reviewer.clone(),
                        at: review.created_at.clone(),
                    }),
                }),
                None => group.members.iter().find_map(|id| classified.get(id)).map(
                    |(category, evidence)| IncidentCauseStateDto {
                        not_change_caused: true,
                        category: Some(category.clone()),
                        decided_by: "classifier".into(),
                        why: evidence.clone(),
                        review: None,
                    },
                ),
            };
            for id in &group.members {
                state.primary.insert(*id, group.primary);
                if let Some(cause) = &cause {
                    state.cause.insert(*id, cause.clone());
                }
            }
            state.merged.insert(group.primary, merged);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use crate::Hindsight;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn list_and_detail_show_the_group_and_the_reviewers_cause() {
        let dir = tempfile::tempdir().expect("dir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        app.load_demo(now()).expect("demo");
        let before = app.list_incidents().expect("list");
        assert!(before
            .iter()
            .all(|i| i.group_primary == i.id && i.merged.is_empty()));
        let cause_of_1 = before
            .iter()
            .find(|i| i.id == 1)
            .and_then(|i| i.cause.clone());

        // Demo incidents 1 and 6 are both checkout; 1 is the earlier, so the primary.
        app.merge_incidents(1, 6, "same outage", "ana", now())
            .expect("merge");
        let list = app.list_incidents().expect("list");
        let one = list.iter().find(|i| i.id == 1).expect("1");
        let six = list.iter().find(|i| i.id == 6).expect("6");
        assert_eq!(six.group_primary, 1);
        assert!(six.merged.is_empty());
        let merged: Vec<(i64, &str, &str)> = one
            .merged
            .iter()
            .map(|m| (m.id, m.source_system.as_str(), m.source_id.as_str()))
            .collect();
        assert_eq!(merged, vec![(6, "pagerduty", "P06VDK4")]);

        // A cause set on the merged record holds for the whole group, with who/when/why.
        app.set_incident_cause(
            6,
            "not-change-caused",
            Some("hardware"),
            "disk died",
            "bo",
            now(),
        )
        .expect("cause");
        let detail = app.incident_detail(1).expect("detail");
        let cause = detail.incident.cause.expect("cause");
        assert!(cause.not_change_caused);
        assert_eq!(cause.category.as_deref(), Some("hardware"));
        assert_eq!(cause.decided_by, "reviewer");
        assert_eq!(cause.why, "disk died");
        let review = cause.review.expect("review");
        assert_eq!(
            (
                review.incident_id,
                review.reviewer.as_str(),
                review.at.as_str()
            ),
            (6, "bo", "2026-11-27T12:00:00.000Z")
        );
        assert_eq!(detail.incident.group_primary, 1);
        assert_eq!(detail.incident.merged.len(), 1);

        app.undo_incident_cause(6, "bo", now()).expect("undo");
        let list = app.list_incidents().expect("list");
        let one = list.iter().find(|i| i.id == 1).expect("1");
        assert_eq!(one.cause, cause_of_1);
    }
}
