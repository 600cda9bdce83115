//! Reviewer corrections and re-classification: attribution overrides, link decisions,
//! `attribution explain` and `attribution stats`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_model::AttributionClass;
use hindsight_store::format_time;

use crate::query::change_dto;
use crate::{
    ApiError, AttributionStatsDto, ChangeDto, CountDto, ExplainDto, Hindsight, IncidentDetailDto,
    OverrideDto, Result,
};

impl Hindsight {
    /// Classifies every stored change again with the rules in force (after a rule change), without
    /// re-ingesting; overrides in force still win. Returns how many changes were classified.
    pub fn reclassify(&self) -> Result<usize> {
        let loaded = self.store.load_changes()?;
        let (ids, changes): (Vec<i64>, Vec<_>) = loaded.into_iter().unzip();
        // Together, so that a pull request is AI when one of its commits is.
        let attributions: Vec<_> = ids
            .into_iter()
            .zip(self.rules().classify_all(&changes))
            .collect();
        self.store.update_attributions(&attributions)?;
        Ok(attributions.len())
    }

    /// Overrides the class of a change, with a reason; kept with who and when.
    pub fn override_attribution(
        &self,
        change_id: i64,
        class: &str,
        tool: Option<&str>,
        reason: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<ChangeDto> {
        if AttributionClass::parse(class).is_none() {
            return Err(ApiError::BadInput(format!(
                "unknown class {class:?}; use ai, human, automation or unknown"
            )));
        }
        if reason.trim().is_empty() {
            return Err(ApiError::BadInput("an override needs a reason".to_owned()));
        }
        let tool = tool.map(str::trim).filter(|t| !t.is_empty());
        self.store.add_override(
            change_id,
            class,
            tool,
            reason.trim(),
            author,
            &format_time(&now),
        )?;
        self.reclassify_one(change_id)
    }

    /// Revokes the override in force for a change (undo); its history stays.
    pub fn clear_override(
        &self,
        change_id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<ChangeDto> {
        if !self
            .store
            .revoke_override(change_id, by, &format_time(&now))?
        {
            return Err(ApiError::BadInput(format!(
                "change {change_id} has no override in force"
            )));
        }
        self.reclassify_one(change_id)
    }

    fn reclassify_one(&self, change_id: i64) -> Result<ChangeDto> {
        let changes = self.store.load_changes()?;
        let (_, change) = changes
            .iter()
            .find(|(id, _)| *id == change_id)
            .ok_or_else(|| ApiError::NotFound(format!("change {change_id} not found")))?;
        self.store
            .update_attributions(&[(change_id, self.rules().classify(change))])?;
        self.refresh_analysis()?;
        let evidence = self.store.evidence()?;
        Ok(change_dto(&self.store.change(change_id)?, &evidence))
    }

    /// Confirms, rejects or (with `suspected`) un-decides a link, with a reason.
    pub fn review_link(
        &self,
        link_id: i64,
        decision: &str,
        reason: &str,
        reviewer: &str,
        now: DateTime<Utc>,
    ) -> Result<IncidentDetailDto> {
        if !["confirmed", "rejected", "suspected"].contains(&decision) {
            return Err(ApiError::BadInput(format!(
                "unknown decision {decision:?}; use confirmed, rejected or suspected"
            )));
        }
        if reason.trim().is_empty() {
            return Err(ApiError::BadInput(
                "a link decision needs a reason".to_owned(),
            ));
        }
        let incident_id = self.store.review_link(
            link_id,
            decision,
            reason.trim(),
            reviewer,
            &format_time(&now),
        )?;
        self.incident_detail(incident_id)
    }

    /// Finds one change by natural key or unique SHA prefix.
    pub fn find_change(&self, key: &str) -> Result<ChangeDto> {
        let rows = self.store.find_changes(key.trim())?;
        match rows.as_slice() {
            [] => Err(ApiError::NotFound(format!("no change with key {key:?}"))),
            [row] => Ok(change_dto(row, &self.store.evidence()?)),
            many => Err(ApiError::BadInput(format!(
                "{key:?} is ambiguous: {} changes match ({} ...)",
                many.len(),
                many.iter()
                    .take(3)
                    .map(|r| r.natural_key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Why a change has its class.
    pub fn explain(&self, key: &str) -> Result<ExplainDto> {
        let change = self.find_change(key)?;
        let overrides = self
            .store
            .overrides_of(change.id)?
            .into_iter()
            .map(|o| OverrideDto {
                id: o.id,
                class: o.class,
                tool: o.tool,
                reason: o.reason,
                author: o.author,
                created_at: o.created_at,
                revoked_at: o.revoked_at,
                revoked_by: o.revoked_by,
            })
            .collect();
        Ok(ExplainDto {
            change,
            rule_sources: self.rule_sources(),
            overrides,
        })
    }

    /// Counts by class, tool, signal and involvement.
    pub fn attribution_stats(&self) -> Result<AttributionStatsDto> {
        let changes = self.store.changes()?;
        let evidence = self.store.evidence()?;
        let mut by_class: BTreeMap<String, i64> = AttributionClass::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), 0))
            .collect();
        let mut by_tool: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_signal: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_involvement: BTreeMap<String, i64> = BTreeMap::new();
        let mut overrides = 0;
        for change in &changes {
            *by_class.entry(change.class.clone()).or_default() += 1;
            if change.class == "ai" {
                *by_tool
                    .entry(change.tool.clone().unwrap_or_else(|| "unnamed".into()))
                    .or_default() += 1;
                *by_involvement
                    .entry(
                        change
                            .involvement
                            .clone()
                            .unwrap_or_else(|| "unstated".into()),
                    )
                    .or_default() += 1;
            }
            if change.override_reason.is_some() {
                overrides += 1;
            }
            let mut signals: Vec<&str> = evidence
                .get(&change.id)
                .map(|rows| rows.iter().map(|e| e.signal.as_str()).collect())
                .unwrap_or_default();
            signals.sort_unstable();
            signals.dedup();
            for signal in signals {
                *by_signal.entry(signal.to_owned()).or_default() += 1;
            }
        }
        let counts = |map: BTreeMap<String, i64>| {
            map.into_iter()
                .map(|(name, count)| CountDto { name, count })
                .collect()
        };
        let mut by_class: Vec<CountDto> = counts(by_class);
        let order = |name: &str| AttributionClass::parse(name).map_or(9, |c| c as usize);
        by_class.sort_by_key(|c| order(&c.name));
        Ok(AttributionStatsDto {
            changes: changes.len() as i64,
            by_class,
            by_tool: counts(by_tool),
            by_signal: counts(by_signal),
            by_involvement: counts(by_involvement),
            overrides_in_force: overrides,
        })
    }
}
