//! Derived tables and the read side: what the incident list and detail views show.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use hindsight_analysis::groups::IncidentGroup;
use hindsight_analysis::{
    deployment_contents, link_incidents, ChangeDetails, ChangeFacts, ContentsWalker,
    DeploymentFacts, IncidentFacts, LinkExtras, LinkOptions,
};
use hindsight_store::{
    parse_time, AppendedDeployments, ChangeRow, DeploymentRow, EvidenceRow, IncidentRow, NewLink,
    TimelineRow,
};

use crate::{
    ChangeDto, DeploymentDto, EvidenceDto, Hindsight, IncidentDetailDto, IncidentSummaryDto,
    IngestRunDto, LinkReviewDto, RejectionDto, Result, SourceDto, StoreOverviewDto, SuspectDto,
    TimelineEventDto,
};

/// How many deployments of incident spans linking holds at a time (about 30 MB of them).
const LINK_BATCH_DEPLOYMENTS: usize = 20_000;

/// What [`Hindsight::stream_links`] found.
pub(crate) struct StreamedLinks {
    pub(crate) links: Vec<hindsight_analysis::SuspectLink>,
    pub(crate) shipped: Vec<hindsight_analysis::ShippedChange>,
    /// The most deployments one batch held (what tests check the bound on).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) most_held: usize,
}

impl Hindsight {
    /// Recomputes what each deployment shipped and the suspect links of every incident.
    /// Links a reviewer confirmed or rejected are kept.
    pub fn refresh_analysis(&self) -> Result<()> {
        self.refresh(None)
    }

    /// [`Self::refresh_analysis`] after the ingest runs `runs` stored files that changed only
    /// their own records: only those records' timeline events are written again (see
    /// `Store::refresh_events`). `None` rebuilds the whole timeline.
    pub(crate) fn refresh(&self, runs: Option<&[i64]>) -> Result<()> {
        self.refresh_in_steps(runs, &mut |_| {})
    }

    /// [`Self::refresh`], telling `step` as each of its steps starts: `links`, then
    /// `timeline` (see `IngestProgressDto::step`).
    pub(crate) fn refresh_in_steps(
        &self,
        runs: Option<&[i64]>,
        step: &mut dyn FnMut(&str),
    ) -> Result<()> {
        step("links");
        let appended = match runs {
            Some(runs) => self.store.appended_deployments(runs)?,
            None => None,
        };
        match &appended {
            Some(appended) if self.links_end_before(&appended.first_at)? => {
                self.refresh_appended_contents(appended)?
            }
            _ => self.refresh_links()?,
        }
        // The links are written and dropped by now: the timeline's write holds a large page
        // cache and a sorter of its own, and a dense deploy log's links can be 100 MB.
        step("timeline");
        match runs {
            Some(runs) => self
                .store
                .refresh_events_appended(runs, appended.as_ref())?,
            None => self.store.rebuild_events()?,
        }
        Ok(())
    }

    /// Whether every deployment linking may read comes before `at` (no incident, or each
    /// span ends before it; see `links_read_until`): deployments from `at` on then change no
    /// link.
    fn links_end_before(&self, at: &str) -> Result<bool> {
        if !self.store.has_incidents()? {
            return Ok(true);
        }
        let (_, incidents) = self.grouped_incidents()?;
        Ok(
            match hindsight_analysis::relevant::links_read_until(&incidents) {
                Some(until) => until < time(at)?,
                None => true,
            },
        )
    }

    /// What the deployments appended after every other shipped, worked out from them alone and
    /// written; what the others shipped stays (see `Store::appended_deployments`). A week of
    /// deploy logs added to a store of a million deployments reads that week, not the store.
    fn refresh_appended_contents(&self, appended: &AppendedDeployments) -> Result<()> {
        let shipped = self.stream_contents_from(appended)?;
        self.write_shipped(Some(appended.first_id), &shipped)
    }

    /// Stores what the deployments shipped: every deployment's, or those from `first_id` on.
    fn write_shipped(
        &self,
        first_id: Option<i64>,
        shipped: &[hindsight_analysis::ShippedChange],
    ) -> Result<()> {
        let rows: Vec<(i64, i64, &str)> = shipped
            .iter()
            .map(|s| (s.deployment_id, s.change_id, &*s.method))
            .collect();
        self.store.replace_deployment_changes(first_id, &rows)?;
        Ok(())
    }

    /// What the deployments from `appended.first_id` on shipped: the same as theirs in
    /// [`Self::stream_contents`], reading only the deployments each of their services and
    /// environments last ran before them.
    pub(crate) fn stream_contents_from(
        &self,
        appended: &AppendedDeployments,
    ) -> Result<Vec<hindsight_analysis::ShippedChange>> {
        let change_facts = self.all_change_facts()?;
        if change_facts.is_empty() {
            return Ok(Vec::new());
        }
        let services = self.service_map()?;
        let facts_of = |row: DeploymentRow| -> Result<DeploymentFacts> {
            let mut fact = into_deployment_facts(row)?;
            services.apply(std::slice::from_mut(&mut fact), &mut []);
            Ok(fact)
        };
        let mut walker = ContentsWalker::new(&change_facts);
        if appended.earlier {
            // Each service and environment they deploy a stored commit to (the only ones whose
            // running revision shipping reads) starts from the revision it last ran: found
            // reading backwards until every one is seen.
            let mut slots: HashSet<(String, Option<String>)> = HashSet::new();
            self.store
                .for_each_deployment_from(appended.first_id, |row| -> Result<()> {
                    let fact = facts_of(row)?;
                    if walker.reads_running(&fact) {
                        slots.insert((fact.service, fact.environment));
                    }
                    Ok(())
                })?;
            // Without a catalog a stored name is its service; with one, a deployment's
            // attributes may put it under another, so every service is read.
            let targets: HashSet<String> =
                slots.iter().map(|(service, _)| service.clone()).collect();
            let wanted = |name: &str| {
                !services.is_empty()
                    || targets.contains(name)
                    || targets.contains(&services.canonical(name))
            };
            if !slots.is_empty() {
                self.store.for_each_success_backwards(
                    appended.first_id,
                    &wanted,
                    |row| -> Result<bool> {
                        let fact = facts_of(row)?;
                        let slot = (fact.service.clone(), fact.environment.clone());
                        if slots.contains(&slot) && walker.seed(&fact) {
                            slots.remove(&slot);
                        }
                        Ok(!slots.is_empty())
                    },
                )?;
            }
        }
        let mut shipped = Vec::new();
        // Their ids follow time: read by id, they come in the walk's order.
        self.store
            .for_each_deployment_from(appended.first_id, |row| -> Result<()> {
                walker.ship(&facts_of(row)?, &mut shipped);
                Ok(())
            })?;
        shipped.sort();
        Ok(shipped)
    }

    /// The stored incidents and their facts grouped as linking reads them (one per group,
    /// under its primary).
    fn grouped_incidents(&self) -> Result<(Vec<IncidentRow>, Vec<IncidentFacts>)> {
        let incidents = self.store.incidents()?;
        let groups = self.groups_of(&incidents, &|s: &str| {
            hindsight_model::normalise_service_name(s)
        })?;
        let facts = grouped_incident_facts(self.incident_facts(&incidents)?, &incidents, &groups)?;
        Ok((incidents, facts))
    }

    /// What each deployment shipped and the suspect links, worked out and written.
    fn refresh_links(&self) -> Result<()> {
        let (links, shipped) = if !self.store.has_incidents()? {
            // Nothing to link: what each deployment shipped is worked out one deployment at a
            // time, so a large deploy log never has all its deployments in memory.
            (Vec::new(), self.stream_contents()?)
        } else {
            // Deployments stream past; only those linking may read are held.
            let streamed = self.stream_links(&self.link_options()?, LINK_BATCH_DEPLOYMENTS)?;
            (streamed.links, streamed.shipped)
        };
        self.write_shipped(None, &shipped)?;
        drop(shipped);
        let links: Vec<NewLink> = links
            .into_iter()
            .map(|l| NewLink {
                incident_id: l.incident_id,
                deployment_id: l.deployment_id,
                rank: l.rank,
                score: l.score,
                method: l.method,
                evidence: l.evidence,
            })
            .collect();
        self.store.replace_suspected_links(&links)?;
        Ok(())
    }

    /// What each deployment shipped, read from the store one deployment at a time (the same
    /// result as [`deployment_contents`] over every deployment).
    fn stream_contents(&self) -> Result<Vec<hindsight_analysis::ShippedChange>> {
        let change_facts = self.all_change_facts()?;
        // Without a change no deployment shipped anything: a store of deploy logs alone is
        // not read through.
        if change_facts.is_empty() {
            return Ok(Vec::new());
        }
        let services = self.service_map()?;
        let mut walker = ContentsWalker::new(&change_facts);
        let mut shipped = Vec::new();
        self.store.for_each_deployment(|row| -> Result<()> {
            let mut fact = into_deployment_facts(row)?;
            services.apply(std::slice::from_mut(&mut fact), &mut []);
            walker.ship(&fact, &mut shipped);
            Ok(())
        })?;
        shipped.sort();
        Ok(shipped)
    }

    /// What each deployment shipped and the suspect links of every incident group, under the
    /// given options, with every deployment in memory; nothing is written. The reference the
    /// streamed linking (`stream_link_inputs`) is tested against.
    #[cfg(test)]
    pub(crate) fn compute_links(
        &self,
        options: &LinkOptions,
    ) -> Result<(
        Vec<hindsight_analysis::SuspectLink>,
        Vec<hindsight_analysis::ShippedChange>,
    )> {
        let inputs = self.link_inputs()?;
        let links = inputs.link(options);
        Ok((links, inputs.shipped))
    }

    /// Everything linking reads, every deployment included, loaded from the store once.
    #[cfg(test)]
    pub(crate) fn link_inputs(&self) -> Result<LinkInputs> {
        let changes = self.store.changes()?;
        let deployments = self.store.deployments()?;
        let (incidents, facts) = self.grouped_incidents()?;
        self.link_inputs_from(changes, deployments, &incidents, facts)
    }

    /// [`Self::link_inputs`] from rows already read, with the incidents' facts grouped
    /// ([`grouped_incident_facts`]). The deployments are moved into the facts.
    pub(crate) fn link_inputs_from(
        &self,
        changes: impl AsRef<[ChangeRow]>,
        deployments: Vec<DeploymentRow>,
        incidents: &[IncidentRow],
        mut incident_facts: Vec<IncidentFacts>,
    ) -> Result<LinkInputs> {
        let change_facts = changes
            .as_ref()
            .iter()
            .map(change_facts)
            .collect::<Result<Vec<_>>>()?;
        drop(changes);
        let deployment_keys = deployments
            .iter()
            .map(|d| (d.id, d.natural_key.clone()))
            .collect();
        // Deployment rows are moved into facts, not copied: a copy of every deployment's
        // attributes doubled the peak memory of a large store's refresh.
        let mut deployment_facts = deployments
            .into_iter()
            .map(into_deployment_facts)
            .collect::<Result<Vec<_>>>()?;
        // Every tool's name for a service onto the catalog's one; its dependsOn as upstreams.
        let services = self.service_map()?;
        services.apply(&mut deployment_facts, &mut []);
        resolve_incident_services(&services, incidents, &mut incident_facts);
        let shipped = deployment_contents(&deployment_facts, &change_facts);
        let extras = LinkExtras {
            deployment_keys,
            // Only linking reads change texts: without incidents there is nothing to link.
            change_details: if incident_facts.is_empty() {
                BTreeMap::new()
            } else {
                self.change_details()?
            },
        };
        Ok(LinkInputs {
            incident_facts,
            deployment_facts,
            change_facts,
            shipped,
            extras,
            depends_on: services.depends_on(),
        })
    }

    /// What each deployment shipped and the suspect links of every incident group, under
    /// `options`, with the deployments streamed from the store once in time order
    /// (`hindsight_analysis::relevant::LinkSweep`): only the deployments of the incidents'
    /// spans still open (at least `batch_deployments` of them, so that nearby incidents link
    /// together) and those the incidents may read wherever they lie are held. A deploy log of
    /// millions of lines thus links in the memory of its incidents' spans. The links are those
    /// linking every deployment at once gives, in the same order.
    pub(crate) fn stream_links(
        &self,
        options: &LinkOptions,
        batch_deployments: usize,
    ) -> Result<StreamedLinks> {
        use hindsight_analysis::relevant::{LinkSweep, Lookup};
        let (incidents, mut incident_facts) = self.grouped_incidents()?;
        let services = self.service_map()?;
        resolve_incident_services(&services, &incidents, &mut incident_facts);
        let change_facts = self.all_change_facts()?;
        let change_details = self.change_details()?;
        let tables = hindsight_analysis::ChangeTables::build(&change_facts, &change_details);
        let mut options = options.clone();
        if options.depends_on.is_empty() {
            options.depends_on = services.depends_on();
        }
        let mut sweep = LinkSweep::new(
            &incident_facts,
            &tables,
            ContentsWalker::new(&change_facts),
            &change_facts,
            change_details,
            options,
            batch_deployments,
        );
        let facts_of = |row: DeploymentRow| -> Result<(DeploymentFacts, String)> {
            let key = row.natural_key.clone();
            let mut fact = into_deployment_facts(row)?;
            services.apply(std::slice::from_mut(&mut fact), &mut []);
            Ok((fact, key))
        };
        // Deployments a batch reads that are no longer held: a slot's latest at an impact
        // start, what a rollback names in `rollback_of` (a key, or an id).
        let mut fetch = |lookup: Lookup<'_>| -> Result<Option<(DeploymentFacts, String)>> {
            let row = match lookup {
                Lookup::Id(id) => Some(self.store.deployment(id)?),
                Lookup::RollbackOf(of) => match self.store.deployment_by_key(of)? {
                    Some(row) => Some(row),
                    None => match of.parse::<i64>() {
                        Ok(id) if id.to_string() == of => self.store.deployment(id).ok(),
                        _ => None,
                    },
                },
            };
            row.map(facts_of).transpose()
        };
        self.store.for_each_deployment(|row| -> Result<()> {
            let (fact, key) = facts_of(row)?;
            sweep.push(fact, key, &mut fetch)
        })?;
        let swept = sweep.finish(&mut fetch)?;
        Ok(StreamedLinks {
            links: swept.links,
            shipped: swept.shipped,
            most_held: swept.most_held,
        })
    }

    /// Every stored change as linking and contents read it.
    fn all_change_facts(&self) -> Result<Vec<ChangeFacts>> {
        self.store.changes()?.iter().map(change_facts).collect()
    }

    /// Every change's title, message and size, which explicit evidence and scoring read.
    fn change_details(&self) -> Result<BTreeMap<i64, ChangeDetails>> {
        Ok(self
            .store
            .change_texts()?
            .into_iter()
            .map(|(id, title, message, additions, deletions)| {
                let details = ChangeDetails {
                    title,
                    message,
                    additions,
                    deletions,
                };
                (id, details)
            })
            .collect())
    }

    /// Incidents with the text explicit evidence is searched in: title and timeline.
    pub(crate) fn incident_facts(&self, incidents: &[IncidentRow]) -> Result<Vec<IncidentFacts>> {
        // Many incidents: every timeline in one read rather than one query each.
        if incidents.len() > 16 {
            return incident_facts_in(incidents, &self.store.timelines()?);
        }
        let mut timelines = HashMap::new();
        for row in incidents {
            timelines.insert(row.id, self.store.timeline(row.id)?);
        }
        incident_facts_in(incidents, &timelines)
    }

    /// Counts of the open store.
    pub fn overview(&self) -> Result<StoreOverviewDto> {
        let o = self.store.overview()?;
        Ok(StoreOverviewDto {
            db_path: self.store.path().display().to_string(),
            version: crate::VERSION.to_owned(),
            changes: o.changes,
            deployments: o.deployments,
            incidents: o.incidents,
            ingest_runs: o.ingest_runs,
        })
    }

    /// Every incident, most recent first.
    pub fn list_incidents(&self) -> Result<Vec<IncidentSummaryDto>> {
        let mut out = Vec::new();
        let incidents = self.store.incidents()?;
        let state = self.incident_state(&incidents)?;
        let owners = self.store.service_owners()?;
        for incident in incidents {
            let links = self.store.links_of_incident(incident.id)?;
            let review = (
                team_of(&incident, &owners),
                link_status(links.iter().map(|l| l.status.as_str())),
            );
            let active: Vec<_> = links.iter().filter(|l| l.status != "rejected").collect();
            let mut classes = Vec::new();
            if let Some(top) = active.first() {
                for change in self.store.changes_of_deployment(top.deployment_id)? {
                    if !classes.contains(&change.class) {
                        classes.push(change.class);
                    }
                }
            }
            out.push(incident_summary(
                &incident,
                active.len() as i64,
                classes,
                review,
                state.of(incident.id),
            )?);
        }
        out.reverse();
        Ok(out)
    }

    /// One incident with its timeline and ranked suspects.
    pub fn incident_detail(&self, id: i64) -> Result<IncidentDetailDto> {
        let incident = self.store.incident(id)?;
        let links = self.store.links_of_incident(id)?;
        let evidence = self.store.evidence()?;
        let mut suspects = Vec::new();
        for link in &links {
            let deployment = self.store.deployment(link.deployment_id)?;
            let changes = self
                .store
                .changes_of_deployment(link.deployment_id)?
                .iter()
                .map(|c| change_dto(c, &evidence))
                .collect();
            suspects.push(SuspectDto {
                link_id: link.id,
                rank: link.rank,
                score: link.score,
                status: link.status.clone(),
                evidence: link.evidence.clone(),
                review: self
                    .store
                    .latest_link_review(link.id)?
                    .map(|r| LinkReviewDto {
                        decision: r.decision,
                        reason: r.reason,
                        reviewer: r.reviewer,
                        at: r.created_at,
                    }),
                deployment: deployment_dto(&deployment, &self.rules()),
                changes,
            });
        }
        let events = self
            .store
            .timeline(id)?
            .into_iter()
            .map(|e| TimelineEventDto {
                at: e.at,
                kind: e.kind,
                text: e.text,
                source: SourceDto {
                    file: e.source_file,
                    location: e.source_location,
                },
            })
            .collect();
        let active = links.iter().filter(|l| l.status != "rejected").count() as i64;
        let review = (
            team_of(&incident, &self.store.service_owners()?),
            link_status(links.iter().map(|l| l.status.as_str())),
        );
        let classes = suspects
            .iter()
            .find(|s| s.status != "rejected")
            .map(|s| {
                let mut classes: Vec<String> = Vec::new();
                for change in &s.changes {
                    if !classes.contains(&change.class) {
                        classes.push(change.class.clone());
                    }
                }
                classes
            })
            .unwrap_or_default();
        // Grouping and cause are group-wide: computed over every record.
        let state = self.incident_state(&self.store.incidents()?)?;
        Ok(IncidentDetailDto {
            incident: incident_summary(&incident, active, classes, review, state.of(id))?,
            url: incident.url.clone(),
            events,
            suspects,
        })
    }

    /// Every ingest run, newest first, with the records it rejected.
    pub fn list_runs(&self) -> Result<Vec<IngestRunDto>> {
        let mut out = Vec::new();
        for run in self.store.runs()?.into_iter().rev() {
            let rejections = self
                .store
                .rejections(run.id)?
                .into_iter()
                .map(|r| RejectionDto {
                    location: r.location,
                    field: r.field,
                    reason: r.reason,
                    raw: r.raw,
                    skipped: r.skipped,
                })
                .collect();
            out.push(IngestRunDto {
                id: run.id,
                path: run.path,
                format: run.format,
                content_hash: run.content_hash,
                ingested_at: run.ingested_at,
                records_seen: run.seen,
                records_stored: run.stored,
                records_rejected: run.rejected,
                records_skipped: run.skipped,
                rejections,
            });
        }
        Ok(out)
    }

    /// Every change with its attribution and evidence.
    pub fn list_changes(&self) -> Result<Vec<ChangeDto>> {
        let evidence = self.store.evidence()?;
        Ok(self
            .store
            .changes()?
            .iter()
            .map(|c| change_dto(c, &evidence))
            .collect())
    }
}

/// [`Hindsight::incident_facts`] from every incident's timeline, read already.
pub(crate) fn incident_facts_in(
    incidents: &[IncidentRow],
    timelines: &HashMap<i64, Vec<TimelineRow>>,
) -> Result<Vec<IncidentFacts>> {
    incidents
        .iter()
        .map(|row| {
            let mut text = vec![row.title.clone()];
            text.extend(
                timelines
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|e| e.text.clone()),
            );
            Ok(IncidentFacts {
                id: row.id,
                service: row.service.clone(),
                started_at: time(&row.started_at)?,
                resolved_at: row.resolved_at.as_deref().map(time).transpose()?,
                text,
            })
        })
        .collect()
}

/// One fact per incident group, so that one outage reported by several tools is linked once:
/// the primary's id and service, the group's merged window, every record's text.
pub(crate) fn grouped_incident_facts(
    facts: Vec<IncidentFacts>,
    incidents: &[IncidentRow],
    groups: &[IncidentGroup],
) -> Result<Vec<IncidentFacts>> {
    let mut by_id: BTreeMap<i64, IncidentFacts> = facts.into_iter().map(|f| (f.id, f)).collect();
    let rows: BTreeMap<i64, &IncidentRow> = incidents.iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::with_capacity(groups.len());
    for group in groups {
        let Some(mut merged) = by_id.remove(&group.primary) else {
            continue;
        };
        if group.members.len() > 1 {
            let members: Vec<&IncidentRow> = group
                .members
                .iter()
                .filter_map(|id| rows.get(id).copied())
                .collect();
            let (start, end) = crate::incidents::group_window(&members)?;
            merged.started_at = start;
            merged.resolved_at = end;
            for id in group.members.iter().skip(1) {
                if let Some(member) = by_id.get(id) {
                    merged.text.extend(member.text.iter().cloned());
                }
            }
        }
        out.push(merged);
    }
    Ok(out)
}

fn time(text: &str) -> Result<DateTime<Utc>> {
    Ok(parse_time(text)?)
}

pub(crate) fn change_facts(row: &ChangeRow) -> Result<ChangeFacts> {
    Ok(ChangeFacts {
        id: row.id,
        natural_key: row.natural_key.clone(),
        repo: row.repo.clone(),
        committed_at: row.committed_at.as_deref().map(time).transpose()?,
        parents: row.parents.clone(),
        class: row.class.clone(),
    })
}

fn into_deployment_facts(row: DeploymentRow) -> Result<DeploymentFacts> {
    Ok(DeploymentFacts {
        id: row.id,
        at: time(&row.at)?,
        service: row.service,
        environment: row.environment,
        version: row.version,
        sha: row.sha,
        status: row.status,
        action: row.action,
        actor: row.actor,
        actor_type: row.actor_type,
        attributes: row.attributes,
    })
}

pub(crate) fn duration_minutes(incident: &IncidentRow) -> Result<Option<i64>> {
    match &incident.resolved_at {
        Some(end) => Ok(Some(
            (time(end)? - time(&incident.started_at)?).num_minutes(),
        )),
        None => Ok(None),
    }
}

/// Where the review of an incident's links stands (see `IncidentSummaryDto::link_status`).
fn link_status<'a>(statuses: impl IntoIterator<Item = &'a str>) -> String {
    let (mut any, mut confirmed, mut open) = (false, false, false);
    for status in statuses {
        any = true;
        confirmed |= status == "confirmed";
        open |= status == "suspected";
    }
    match (confirmed, open, any) {
        (true, _, _) => "confirmed",
        (false, true, _) => "suspected",
        (false, false, true) => "rejected",
        (false, false, false) => "none",
    }
    .to_owned()
}

/// The owning team of an incident's service, from the catalog's owners.
fn team_of(incident: &IncidentRow, owners: &BTreeMap<String, String>) -> Option<String> {
    let service = incident.service.as_deref()?;
    owners
        .get(service)
        .or_else(|| owners.get(&hindsight_model::normalise_service_name(service)))
        .cloned()
}

fn incident_summary(
    incident: &IncidentRow,
    suspect_count: i64,
    top_suspect_classes: Vec<String>,
    (team, link_status): (Option<String>, String),
    (group_primary, merged, cause, grouping): crate::incident_state::RecordState,
) -> Result<IncidentSummaryDto> {
    Ok(IncidentSummaryDto {
        id: incident.id,
        source_system: incident.source_system.clone(),
        source_id: incident.source_id.clone(),
        title: incident.title.clone(),
        service: incident.service.clone(),
        severity: incident.severity.clone(),
        status: incident.status.clone(),
        started_at: incident.started_at.clone(),
        resolved_at: incident.resolved_at.clone(),
        duration_minutes: duration_minutes(incident)?,
        suspect_count,
        top_suspect_classes,
        team,
        link_status,
        group_primary,
        merged,
        cause,
        grouping,
    })
}

pub(crate) fn change_dto(row: &ChangeRow, evidence: &BTreeMap<i64, Vec<EvidenceRow>>) -> ChangeDto {
    let author = match (&row.author_name, &row.author_email) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (Some(name), None) => Some(name.clone()),
        (None, Some(email)) => Some(email.clone()),
        (None, None) => None,
    };
    ChangeDto {
        id: row.id,
        kind: row.kind.clone(),
        natural_key: row.natural_key.clone(),
        repo: row.repo.clone(),
        title: row.title.clone(),
        author,
        committed_at: row.committed_at.clone(),
        class: row.class.clone(),
        tool: row.tool.clone(),
        involvement: row.involvement.clone(),
        model: row.model.clone(),
        line_share: row.line_share,
        confidence: row.confidence,
        override_reason: row.override_reason.clone(),
        evidence: evidence
            .get(&row.id)
            .map(|rows| {
                rows.iter()
                    .map(|e| EvidenceDto {
                        signal: e.signal.clone(),
                        location: e.location.clone(),
                        matched_text: e.matched_text.clone(),
                        tool: e.tool.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        source: SourceDto {
            file: row.source_file.clone(),
            location: row.source_location.clone(),
        },
    }
}

/// An incident's tool may name its service only by id (PagerDuty's service id): every
/// incident's service onto the catalog's name.
fn resolve_incident_services(
    services: &crate::catalog::ServiceMap,
    incidents: &[IncidentRow],
    facts: &mut [IncidentFacts],
) {
    let attributes: BTreeMap<i64, &BTreeMap<String, String>> =
        incidents.iter().map(|r| (r.id, &r.attributes)).collect();
    let none = BTreeMap::new();
    for fact in facts {
        let attrs = attributes.get(&fact.id).copied().unwrap_or(&none);
        fact.service = services.resolve(fact.service.as_deref(), attrs);
    }
}

pub(crate) fn deployment_dto(
    row: &DeploymentRow,
    rules: &hindsight_attribution::Rules,
) -> DeploymentDto {
    let actor = rules.classify_operation(
        row.actor.as_deref(),
        row.actor_type.as_deref(),
        &row.attributes,
    );
    DeploymentDto {
        id: row.id,
        natural_key: row.natural_key.clone(),
        service: row.service.clone(),
        environment: row.environment.clone(),
        version: row.version.clone(),
        sha: row.sha.clone(),
        status: row.status.clone(),
        actor: row.actor.clone(),
        actor_type: row.actor_type.clone(),
        actor_class: actor.class.as_str().to_owned(),
        actor_tool: actor.tool.clone(),
        actor_evidence: actor
            .evidence
            .iter()
            .map(|e| EvidenceDto {
                signal: e.signal.clone(),
                location: e.location.clone(),
                matched_text: e.matched_text.clone(),
                tool: e.tool.clone(),
            })
            .collect(),
        action: row.action.clone(),
        at: row.at.clone(),
        source: SourceDto {
            file: row.source_file.clone(),
            location: row.source_location.clone(),
        },
    }
}

/// What linking reads, loaded once by [`Hindsight::link_inputs`].
pub(crate) struct LinkInputs {
    incident_facts: Vec<IncidentFacts>,
    deployment_facts: Vec<DeploymentFacts>,
    change_facts: Vec<ChangeFacts>,
    pub(crate) shipped: Vec<hindsight_analysis::ShippedChange>,
    extras: LinkExtras,
    /// The catalog's upstreams, used when the options name none.
    depends_on: BTreeMap<String, Vec<String>>,
}

impl LinkInputs {
    /// The suspect links of every incident group under `options`.
    /// Narrows links made under a wider window to `window` (see `narrow_window`).
    pub(crate) fn narrow(
        &self,
        links: &mut Vec<hindsight_analysis::SuspectLink>,
        window: Duration,
    ) {
        hindsight_analysis::narrow_window(
            links,
            &self.incident_facts,
            &self.deployment_facts,
            window,
        );
    }

    pub(crate) fn link(&self, options: &LinkOptions) -> Vec<hindsight_analysis::SuspectLink> {
        let mut options = options.clone();
        if options.depends_on.is_empty() {
            options.depends_on = self.depends_on.clone();
        }
        link_incidents(
            &self.incident_facts,
            &self.deployment_facts,
            &self.shipped,
            &self.change_facts,
            &self.extras,
            &options,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_status_says_where_the_review_stands() {
        assert_eq!(link_status([]), "none");
        assert_eq!(link_status(["suspected", "suspected"]), "suspected");
        assert_eq!(link_status(["rejected", "suspected"]), "suspected");
        assert_eq!(
            link_status(["rejected", "confirmed", "suspected"]),
            "confirmed"
        );
        assert_eq!(link_status(["rejected", "rejected"]), "rejected");
    }

    #[test]
    fn streamed_contents_match_the_in_memory_ones_and_need_no_incidents() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("time");
        let options = crate::IngestOptions {
            format: None,
            now,
            cancel: None,
            mapping: None,
        };
        // Deployments and commits only: nothing to link, so the refresh streams.
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        let files: Vec<_> = std::fs::read_dir(&demo)
            .expect("demo")
            .map(|e| e.expect("entry").path())
            .filter(|p| !p.to_string_lossy().contains("pagerduty"))
            .collect();
        app.ingest_paths(&files, &options, &mut |_| {})
            .expect("ingest");
        let (links, in_memory) = app
            .compute_links(&app.link_options().expect("options"))
            .expect("links");
        assert!(links.is_empty());
        let streamed = app.stream_contents().expect("stream");
        assert_eq!(streamed, in_memory);
        let stored = app.store.deployment_change_pairs().expect("pairs");
        let expected: Vec<(i64, i64)> = in_memory
            .iter()
            .map(|s| (s.deployment_id, s.change_id))
            .collect();
        assert!(expected.len() > 50, "{} shipped", expected.len());
        assert_eq!(stored, expected);
    }

    /// What the run `run` appended, what a full walk ships, and the part of it that is the
    /// appended deployments'.
    fn appended_and_full_walk(
        app: &Hindsight,
        run: i64,
    ) -> (
        AppendedDeployments,
        Vec<hindsight_analysis::ShippedChange>,
        Vec<hindsight_analysis::ShippedChange>,
    ) {
        let appended = app
            .store
            .appended_deployments(&[run])
            .expect("appended")
            .expect("after everything");
        let full = app.stream_contents().expect("full walk");
        let theirs = full
            .iter()
            .filter(|s| s.deployment_id >= appended.first_id)
            .cloned()
            .collect();
        (appended, full, theirs)
    }

    /// Asserts that what the store says the deployments shipped is `full`.
    fn assert_stored_shipped(app: &Hindsight, full: &[hindsight_analysis::ShippedChange]) {
        let stored = app.store.deployment_change_pairs().expect("pairs");
        let expected: Vec<(i64, i64)> = full
            .iter()
            .map(|s| (s.deployment_id, s.change_id))
            .collect();
        assert_eq!(stored, expected);
    }

    /// The SHA of change `i` of [`long_history`].
    fn history_sha(i: i64) -> String {
        format!("{:08x}{:032x}", 0xc0ffee00_u32 + i as u32, i * 7919)
    }

    /// A long history: 120 days of checkout and payments deployments, and incidents late in it
    /// that name old deployments every way explicit evidence can (key, version, commit, pull
    /// request, revert, rollback_of, the last deployment before a rollback).
    fn long_history(dir: &std::path::Path) -> Hindsight {
        use std::fmt::Write as _;
        let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
        let at = |hours: i64| (start + Duration::hours(hours)).to_rfc3339();
        let sha = history_sha;
        let (mut log, mut git) = (String::new(), String::new());
        for i in 0..480 {
            let status = if i == 470 { "rolled_back" } else { "succeeded" };
            writeln!(log, r#"{{"ts": "{}", "id": "dep-c-{i:04}", "service": "checkout", "environment": "production", "action": "deploy", "version": "v1.0.{i}", "sha": "{}", "status": "{status}", "actor": "ci", "actor_type": "automation", "approvals": 1}}"#, at(i * 6), sha(i)).expect("write");
            writeln!(git, "commit {}\nAuthor:     Dev <dev@x.example>\nAuthorDate: {}\nCommit:     Dev <dev@x.example>\nCommitDate: {}\n\n    checkout: change {i} (#{})\n", sha(i), at(i * 6 - 1), at(i * 6 - 1), 100 + i).expect("write");
        }
        for i in 0..240 {
            writeln!(log, r#"{{"ts": "{}", "id": "dep-p-{i:04}", "service": "payments", "environment": "production", "action": "deploy", "version": "v2.0.{i}", "status": "succeeded", "actor": "ci", "actor_type": "automation", "approvals": 1}}"#, at(i * 6 + 3)).expect("write");
        }
        // A revert of change 10 on day 112, and two rollbacks during incidents F and G.
        writeln!(git, "commit {}\nAuthor:     Dev <dev@x.example>\nAuthorDate: {}\nCommit:     Dev <dev@x.example>\nCommitDate: {}\n\n    Revert \"checkout: change 10\"\n    \n    This reverts commit {}.\n", sha(999), at(112 * 24 + 10), at(112 * 24 + 10), sha(10)).expect("write");
        writeln!(log, r#"{{"ts": "{}", "id": "dep-c-rb1", "service": "checkout", "environment": "production", "action": "rollback", "version": "v1.0.40", "status": "succeeded", "actor": "ops", "actor_type": "human", "approvals": 1, "rollback_of": "dep-c-0040"}}"#, at(114 * 24 + 1)).expect("write");
        writeln!(log, r#"{{"ts": "{}", "id": "dep-p-rb1", "service": "payments", "environment": "production", "action": "rollback", "status": "succeeded", "actor": "ops", "actor_type": "human", "approvals": 1}}"#, at(115 * 24 + 1)).expect("write");
        let incidents = [
            (
                "A",
                "checkout",
                110 * 24,
                "Checkout down after dep-c-0005".to_owned(),
            ),
            (
                "B",
                "checkout",
                111 * 24,
                "Checkout errors since v1.0.7".to_owned(),
            ),
            (
                "C",
                "checkout",
                111 * 24 + 12,
                format!("Checkout failing, suspect commit {}", &sha(20)[..10]),
            ),
            (
                "D",
                "checkout",
                113 * 24,
                "Checkout latency from #130".to_owned(),
            ),
            ("E", "checkout", 112 * 24 + 8, "Checkout slow".to_owned()),
            ("F", "checkout", 114 * 24, "Checkout 500s".to_owned()),
            ("G", "payments", 115 * 24, "Payments timeouts".to_owned()),
            (
                "H",
                "checkout",
                117 * 24 + 16,
                "Checkout cart empty".to_owned(),
            ),
        ];
        let mut pd = String::from("{\"incidents\": [");
        for (n, (id, service, hours, title)) in incidents.iter().enumerate() {
            if n > 0 {
                pd.push(',');
            }
            write!(pd, r#"{{"id": "Q{id}", "type": "incident", "incident_number": {}, "title": "{title}", "status": "resolved", "created_at": "{}", "resolved_at": "{}", "service": {{"summary": "{service}"}}, "html_url": "https://x.pagerduty.com/incidents/Q{id}"}}"#, n + 1, at(*hours), at(hours + 1)).expect("write");
        }
        pd.push_str("], \"limit\": 8, \"offset\": 0, \"more\": false}");
        let files = [
            ("deploys.jsonl", log),
            ("checkout.gitlog", git),
            ("pagerduty-incidents.json", pd),
        ];
        let paths: Vec<std::path::PathBuf> = files
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                std::fs::write(&path, text).expect("write");
                path
            })
            .collect();
        let app = Hindsight::open(&dir.join("h.sqlite")).expect("open");
        let options = crate::IngestOptions {
            format: None,
            now: start + Duration::days(200),
            cancel: None,
            mapping: None,
        };
        let report = app
            .ingest_paths(&paths, &options, &mut |_| {})
            .expect("ingest");
        for file in &report.files {
            assert!(
                file.error.is_none() && file.records_rejected == 0,
                "{file:?}"
            );
        }
        app
    }

    #[test]
    fn streamed_linking_holds_only_what_it_reads_and_links_as_if_it_read_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = long_history(dir.path());
        let options = app.link_options().expect("options");
        let (full, full_shipped) = app.compute_links(&options).expect("every deployment");
        // In one batch, one incident a batch, and a few nearby ones a batch.
        for cap in [100_000, 0, 120] {
            let streamed = app.stream_links(&options, cap).expect("streamed");
            assert_eq!(streamed.links, full, "batches of {cap}");
            assert_eq!(streamed.shipped, full_shipped);
            // Held: the incidents' spans and what they name, not the 722 deployments.
            assert!(streamed.most_held < 250, "{} held", streamed.most_held);
        }
        // What the refresh stored is the streamed linking.
        let stored = app.store.all_links().expect("links");
        assert_eq!(stored.len(), full.len());
        // Every kind of explicit evidence reached an old deployment, so none was left out.
        let evidence: Vec<&String> = full.iter().flat_map(|l| &l.evidence).collect();
        for expected in [
            "the incident names dep-c-0005",
            "the incident names v1.0.7",
            "the incident names commit",
            "the incident names PR #130",
            "reverted by",
            "rolled back at",
            "marked rolled back",
        ] {
            assert!(
                evidence.iter().any(|e| e.contains(expected)),
                "no evidence {expected:?} in {evidence:#?}"
            );
        }
        let key_of = |id: i64| app.store.deployment(id).expect("deployment").natural_key;
        let linked: std::collections::BTreeSet<String> =
            full.iter().map(|l| key_of(l.deployment_id)).collect();
        for old in [
            "dep-c-0005",
            "dep-c-0007",
            "dep-c-0020",
            "dep-c-0030",
            "dep-c-0010",
            "dep-c-0040",
            "dep-p-0239",
        ] {
            assert!(linked.contains(old), "{old} not linked: {linked:?}");
        }
        // A long incident, open from before A to after H: each of them is linked while it
        // is still open, holding deployments from before their spans. With every deployment
        // of a window a suspect, the oldest of each span too, a batch still links as if it
        // held everything; so does N, which names a deployment held only for the long one.
        let long = dir.path().join("long.json");
        std::fs::write(
            &long,
            r#"{"incidents": [{"id": "QL", "type": "incident", "incident_number": 99, "title": "Checkout degraded", "status": "resolved", "created_at": "2026-04-19T00:00:00Z", "resolved_at": "2026-05-01T00:00:00Z", "service": {"summary": "checkout"}, "html_url": "https://x.pagerduty.com/incidents/QL"}, {"id": "QN", "type": "incident", "incident_number": 98, "title": "Checkout errors after dep-c-0425", "status": "resolved", "created_at": "2026-04-21T12:00:00Z", "resolved_at": "2026-04-21T13:00:00Z", "service": {"summary": "checkout"}, "html_url": "https://x.pagerduty.com/incidents/QN"}]}"#,
        )
        .expect("write");
        app.ingest_paths(&[long], &crate::IngestOptions::new(Utc::now()), &mut |_| {})
            .expect("ingest");
        let everything = LinkOptions {
            min_score: 0.0,
            ..options.clone()
        };
        let (all_suspects, _) = app.compute_links(&everything).expect("every suspect");
        for cap in [0, 120] {
            let streamed = app.stream_links(&everything, cap).expect("streamed");
            assert_eq!(
                streamed.links, all_suspects,
                "every suspect, batches of {cap}"
            );
        }
        let named = app.store.deployment_by_key("dep-c-0425").expect("read");
        assert!(
            all_suspects
                .iter()
                .any(|l| Some(l.deployment_id) == named.as_ref().map(|d| d.id)
                    && l.evidence.iter().any(|e| e.contains("names dep-c-0425"))),
            "N links the deployment it names"
        );
        let demo_dir = tempfile::tempdir().expect("tempdir");
        let demo = Hindsight::open(&demo_dir.path().join("d.sqlite")).expect("open");
        demo.load_demo(
            DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .expect("time"),
        )
        .expect("demo");
        let options = demo.link_options().expect("options");
        let (links, shipped) = demo.compute_links(&options).expect("demo links");
        assert!(!links.is_empty());
        for cap in [100_000, 0] {
            let streamed = demo.stream_links(&options, cap).expect("streamed");
            assert_eq!(streamed.links, links, "batches of {cap}");
            assert_eq!(streamed.shipped, shipped);
        }
    }

    /// Writes `lines` of a JSON-lines deploy log to `dir/name` and ingests it; returns its run.
    fn ingest_deploys(app: &Hindsight, dir: &std::path::Path, name: &str, lines: &[String]) -> i64 {
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n")).expect("write");
        let now = "2026-09-01T00:00:00Z".parse().expect("time");
        let report = app
            .ingest_paths(&[path], &crate::IngestOptions::new(now), &mut |_| {})
            .expect("ingest");
        let file = &report.files[0];
        assert!(
            file.error.is_none() && file.records_rejected == 0,
            "{file:?}"
        );
        file.run_id.expect("stored")
    }

    #[test]
    fn deployments_appended_later_ship_what_a_full_walk_gives_and_leave_the_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = long_history(dir.path());
        let line = |id: &str, day: i64, env: &str, commit: i64, status: &str| {
            let at = "2026-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("time")
                + Duration::days(day);
            format!(
                r#"{{"ts": "{}", "id": "{id}", "service": "checkout", "environment": "{env}", "action": "deploy", "version": "v9.{day}", "sha": "{}", "status": "{status}"}}"#,
                at.to_rfc3339(),
                history_sha(commit)
            )
        };
        let links_before = app.store.all_links().expect("links");
        assert!(!links_before.is_empty());
        // Staging runs change 400 from day 130; production keeps change 479.
        let first = ingest_deploys(
            &app,
            dir.path(),
            "week-1.jsonl",
            &[line("late-1", 130, "staging", 400, "succeeded")],
        );
        assert!(app
            .store
            .appended_deployments(&[first])
            .expect("appended")
            .is_some_and(|a| a.earlier));
        // A failed deploy moves nothing; the next successful one ships 401..=410 after what
        // staging ran, which only the deployments before this file tell.
        let second = ingest_deploys(
            &app,
            dir.path(),
            "week-2.jsonl",
            &[
                line("late-2", 131, "staging", 405, "failed"),
                line("late-3", 132, "staging", 410, "succeeded"),
                line("late-4", 132, "production", 479, "succeeded"),
                line("late-5", 133, "qa", 420, "succeeded"),
            ],
        );
        let (appended, full, theirs) = appended_and_full_walk(&app, second);
        assert_eq!(
            app.stream_contents_from(&appended).expect("appended"),
            theirs
        );
        let late_3 = app
            .store
            .deployment_by_key("late-3")
            .expect("read")
            .expect("stored");
        let of_late_3: Vec<_> = theirs
            .iter()
            .filter(|s| s.deployment_id == late_3.id)
            .collect();
        assert_eq!(of_late_3.len(), 10, "{of_late_3:?}");
        // What the refresh stored is the full walk's, and the links are as they were.
        assert_stored_shipped(&app, &full);
        assert_eq!(app.store.all_links().expect("links"), links_before);
        let (links, _) = app
            .compute_links(&app.link_options().expect("options"))
            .expect("links");
        assert_eq!(links.len(), links_before.len());

        // An incident after them: the next deployments before its impact are linked to it.
        let pd = dir.path().join("late-incident.json");
        std::fs::write(&pd, r#"{"incidents": [{"id": "QLATE", "type": "incident", "incident_number": 99, "title": "Checkout down", "status": "resolved", "created_at": "2026-05-20T02:00:00Z", "resolved_at": "2026-05-20T03:00:00Z", "service": {"summary": "checkout"}}]}"#).expect("write");
        let now = "2026-09-01T00:00:00Z".parse().expect("time");
        app.ingest_paths(&[pd], &crate::IngestOptions::new(now), &mut |_| {})
            .expect("incident");
        ingest_deploys(
            &app,
            dir.path(),
            "week-3.jsonl",
            &[line("late-6", 139, "production", 478, "succeeded")],
        );
        let late_6 = app
            .store
            .deployment_by_key("late-6")
            .expect("read")
            .expect("stored");
        assert!(
            app.store
                .all_links()
                .expect("links")
                .iter()
                .any(|l| l.deployment_id == late_6.id),
            "the deployment before the late incident is a suspect"
        );

        // With a catalog, a deployment's attributes may put it under a service its stored name
        // does not say: `web-deployer` deploys acme/checkout, which the catalog calls checkout.
        let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/formats/backstage/catalog-info.yaml");
        app.ingest_paths(&[catalog], &crate::IngestOptions::new(now), &mut |_| {})
            .expect("catalog");
        let canary = |id: &str, day: i64, service: &str, commit: i64| {
            let at = "2026-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("time")
                + Duration::days(day);
            format!(
                r#"{{"ts": "{}", "id": "{id}", "service": "{service}", "environment": "canary", "action": "deploy", "sha": "{}", "status": "succeeded", "repo": "acme/checkout"}}"#,
                at.to_rfc3339(),
                history_sha(commit)
            )
        };
        ingest_deploys(
            &app,
            dir.path(),
            "week-4.jsonl",
            &[canary("late-7", 141, "web-deployer", 430)],
        );
        let fifth = ingest_deploys(
            &app,
            dir.path(),
            "week-5.jsonl",
            &[canary("late-8", 142, "checkout", 440)],
        );
        let (appended, full, theirs) = appended_and_full_walk(&app, fifth);
        assert_eq!(
            theirs.len(),
            10,
            "431..=440 after what web-deployer ran: {theirs:?}"
        );
        assert_eq!(
            app.stream_contents_from(&appended).expect("appended"),
            theirs
        );
        assert_stored_shipped(&app, &full);
    }

    /// A store with the demo data loaded, and the time it was loaded at.
    fn demo_store() -> (tempfile::TempDir, Hindsight, DateTime<Utc>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("time");
        app.load_demo(now).expect("demo");
        (dir, app, now)
    }

    #[test]
    fn a_link_keeps_its_id_when_linking_runs_again_after_a_review() {
        let (_dir, app, now) = demo_store();
        // (incident, deployment) -> link id, as a reviewer sees them listed.
        let listed = || -> BTreeMap<(i64, i64), i64> {
            app.list_incidents()
                .expect("list")
                .iter()
                .flat_map(|i| {
                    app.incident_detail(i.id)
                        .expect("detail")
                        .suspects
                        .into_iter()
                        .map(move |s| ((i.id, s.deployment.id), s.link_id))
                })
                .collect()
        };
        let before = listed();
        assert!(before.len() > 10, "{before:?}");
        // Deciding the link with the highest id is what renumbered all the others.
        let (&(incident, _), &last) = before.iter().max_by_key(|(_, id)| **id).expect("a link");
        app.review_link(last, "rejected", "unrelated", "ada", now)
            .expect("reject");
        app.refresh_analysis().expect("link again");
        assert_eq!(listed(), before);
        let detail = app.incident_detail(incident).expect("detail");
        let reviewed = detail
            .suspects
            .iter()
            .find(|s| s.link_id == last)
            .expect("still listed");
        assert_eq!(reviewed.status, "rejected");
    }

    #[test]
    fn the_demo_list_carries_link_status_and_a_review_moves_it() {
        let (_dir, app, now) = demo_store();
        let list = app.list_incidents().expect("list");
        assert!(list
            .iter()
            .all(|i| i.link_status == "suspected" || i.link_status == "none"));
        // No catalog in the demo: no team.
        assert!(list.iter().all(|i| i.team.is_none()));
        let incident = list
            .iter()
            .find(|i| i.link_status == "suspected")
            .expect("a suspected incident");
        let top = app.incident_detail(incident.id).expect("detail").suspects[0].clone();
        app.review_link(top.link_id, "confirmed", "matches", "ada", now)
            .expect("confirm");
        let after = app.list_incidents().expect("list");
        let reviewed = after
            .iter()
            .find(|i| i.id == incident.id)
            .expect("still listed");
        assert_eq!(reviewed.link_status, "confirmed");
        let detail = app.incident_detail(incident.id).expect("detail");
        assert_eq!(detail.incident.link_status, "confirmed");

        // With a catalog, each incident carries its service's owning team.
        let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/formats/backstage/catalog-info.yaml");
        app.ingest_paths(&[catalog], &crate::IngestOptions::new(now), &mut |_| {})
            .expect("catalog");
        let teams: Vec<(Option<String>, Option<String>)> = app
            .list_incidents()
            .expect("list")
            .into_iter()
            .map(|i| (i.service, i.team))
            .collect();
        assert!(teams.contains(&(Some("payments".into()), Some("team-payments".into()))));
        assert!(teams
            .iter()
            .filter(|(service, _)| service.as_deref() == Some("checkout"))
            .all(|(_, team)| team.as_deref() == Some("jdoe")));
    }
}
