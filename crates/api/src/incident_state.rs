//! What the incident list and detail show about grouping and cause: the group a record is
//! counted under, the other tools' records merged into a primary, and the cause in force.

use std::collections::{BTreeMap, HashMap};

use hindsight_model::normalise_service_name;
use hindsight_store::{CauseReviewRow, IncidentRow};

use crate::{Hindsight, IncidentCauseDto, IncidentCauseStateDto, IncidentMemberDto, Result};

/// Grouping and cause of every incident record, by id.
#[derive(Debug, Default)]
pub(crate) struct IncidentState {
    pub primary: HashMap<i64, i64>,
    pub merged: HashMap<i64, Vec<IncidentMemberDto>>,
    pub cause: HashMap<i64, IncidentCauseStateDto>,
}

impl IncidentState {
    /// `(group primary, merged records, cause)` of one record.
    pub fn of(
        &self,
        id: i64,
    ) -> (i64, Vec<IncidentMemberDto>, Option<IncidentCauseStateDto>) {
        (
            self.primary.get(&id).copied().unwrap_or(id),
            self.merged.get(&id).cloned().unwrap_or_default(),
            self.cause.get(&id).cloned(),
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
