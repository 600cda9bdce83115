//! The incident deep-dive: one merged timeline of an incident's updates and alerts, the
//! deployments of its service around it and the changes they shipped, with the reviewer's key
//! moments, stars and notes. Annotations are an append-only edit log in the store; undo marks
//! an edit undone, so every edit stays on record with who and when.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use hindsight_store::{format_time, AnnotationRow, NewAnnotation};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Hindsight, Result};

/// The key moments a reviewer can mark, in incident order.
pub const KEY_MOMENTS: [&str; 3] = ["detection", "diagnosis", "repair"];

/// How long before impact start the deep-dive shows the service's deployments.
const BEFORE_IMPACT: Duration = Duration::hours(6);
/// How long after resolution it keeps showing them.
const AFTER_RESOLVE: Duration = Duration::hours(1);
/// How long before impact start a shipped change may be committed to be drawn.
const CHANGE_LOOKBACK: Duration = Duration::hours(72);

/// One event of the deep-dive timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DeepDiveEventDto {
    /// The event's identity, stable across re-ingest: `update:<at>:<kind>:<n>`,
    /// `deployment:<natural key>` or `change:<kind>:<natural key>`.
    pub key: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// `update`, `alert`, `deployment` or `change`.
    pub source: String,
    pub kind: String,
    pub title: String,
    pub actor: Option<String>,
    /// The attribution class of a change, the actor class of a deployment.
    pub class: Option<String>,
    pub starred: bool,
    /// `detection`, `diagnosis` or `repair` when marked.
    pub moment: Option<String>,
}

/// One note in force.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AnnotationNoteDto {
    #[ts(type = "number")]
    pub edit_id: i64,
    /// The event it is about; `None` for the incident as a whole.
    pub event_key: Option<String>,
    pub text: String,
    pub author: String,
    pub at: String,
}

/// One edit of the annotations, as kept: the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AnnotationEditDto {
    #[ts(type = "number")]
    pub id: i64,
    pub event_key: Option<String>,
    /// `star`, `moment` or `note`.
    pub kind: String,
    pub value: String,
    pub author: String,
    pub at: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

/// A key moment and the first event marked with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KeyMomentDto {
    pub moment: String,
    pub event_key: String,
    pub at: String,
    pub title: String,
}

/// Everything the incident deep-dive draws.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentTimelineDto {
    #[ts(type = "number")]
    pub incident_id: i64,
    /// The impact window: start ..
    pub impact_from: String,
    /// .. resolution, or `None` while unresolved.
    pub impact_to: Option<String>,
    /// The time axis: the earliest and latest instant drawn.
    pub axis_from: String,
    pub axis_to: String,
    /// Oldest first.
    pub events: Vec<DeepDiveEventDto>,
    /// In key-moment order.
    pub key_moments: Vec<KeyMomentDto>,
    /// Notes in force, oldest first.
    pub notes: Vec<AnnotationNoteDto>,
    /// Every edit, oldest first, undone ones included.
    pub history: Vec<AnnotationEditDto>,
    /// The newest edit not undone: what "undo" undoes.
    #[ts(type = "number | null")]
    pub undoable: Option<i64>,
}

/// An edit the reviewer makes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct AnnotationInputDto {
    /// The event; `None` only for a note on the incident as a whole.
    pub event_key: Option<String>,
    /// `star`, `moment` or `note`.
    pub kind: String,
    /// star: `on` / `off`; moment: a key moment or `""` to clear; note: its text.
    pub value: String,
}

impl Hindsight {
    /// The deep-dive timeline of one incident with its annotations.
    pub fn incident_timeline(&self, incident_id: i64) -> Result<IncidentTimelineDto> {
        let incident = self.store.incident(incident_id)?;
        let start = time(&incident.started_at)?;
        let end = incident
            .resolved_at
            .as_deref()
            .map(time)
            .transpose()?
            .unwrap_or(start);
        let mut events = Vec::new();
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for e in self.store.timeline(incident_id)? {
            let n = seen.entry((e.at.clone(), e.kind.clone())).or_default();
            let key = format!("update:{}:{}:{n}", e.at, e.kind);
            *n += 1;
            let lower = e.kind.to_lowercase();
            let source = if lower.contains("alert") || lower.contains("trigger") {
                "alert"
            } else {
                "update"
            };
            events.push(event(key, e.at, source, e.kind, e.text, None, None));
        }
        // The service's deployments around the impact window, and every suspect not rejected.
        let mut deployment_ids = match &incident.service {
            Some(service) => self.store.deployment_ids_of_service_between(
                service,
                &format_time(&(start - BEFORE_IMPACT)),
                &format_time(&(end + AFTER_RESOLVE)),
            )?,
            None => Vec::new(),
        };
        for link in self.store.links_of_incident(incident_id)? {
            if link.status != "rejected" {
                deployment_ids.push(link.deployment_id);
            }
        }
        deployment_ids.sort_unstable();
        deployment_ids.dedup();
        let oldest_change = format_time(&(start - CHANGE_LOOKBACK));
        let mut change_keys = Vec::new();
        for id in deployment_ids {
            let d = self.store.deployment(id)?;
            let actor = self.rules().classify_operation(
                d.actor.as_deref(),
                d.actor_type.as_deref(),
                &d.attributes,
            );
            let title = format!(
                "{} {} on {}{} ({})",
                d.action,
                d.version
                    .clone()
                    .or_else(|| d.sha.as_deref().map(|s| s.chars().take(10).collect()))
                    .unwrap_or_default(),
                d.service,
                d.environment
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default(),
                d.status
            );
            events.push(event(
                format!("deployment:{}", d.natural_key),
                d.at.clone(),
                "deployment",
                d.action.clone(),
                title,
                d.actor.clone(),
                Some(actor.class.as_str().to_owned()),
            ));
            for c in self.store.changes_of_deployment(id)? {
                let key = format!("change:{}:{}", c.kind, c.natural_key);
                match c.committed_at {
                    Some(at) if at >= oldest_change && !change_keys.contains(&key) => {
                        change_keys.push(key.clone());
                        events.push(event(
                            key,
                            at,
                            "change",
                            c.kind.clone(),
                            c.title.clone(),
                            c.author_name.clone(),
                            Some(c.class.clone()),
                        ));
                    }
                    _ => {}
                }
            }
        }
        events.sort_by(|a, b| (&a.at, &a.key).cmp(&(&b.at, &b.key)));
        let history = self.store.annotations_of(incident_id)?;
        Ok(apply_annotations(
            incident_id,
            &incident.started_at,
            incident.resolved_at.as_deref(),
            events,
            history,
        ))
    }

    /// Records one annotation edit, kept with who and when; returns the updated deep-dive.
    pub fn annotate_incident(
        &self,
        incident_id: i64,
        input: &AnnotationInputDto,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<IncidentTimelineDto> {
        let value = input.value.trim();
        match input.kind.as_str() {
            "star" if !["on", "off"].contains(&value) => {
                return Err(ApiError::BadInput(format!(
                    "a star is \"on\" or \"off\", not {value:?}"
                )))
            }
            "moment" if !value.is_empty() && !KEY_MOMENTS.contains(&value) => {
                return Err(ApiError::BadInput(format!(
                    "unknown key moment {value:?}; use detection, diagnosis or repair"
                )))
            }
            "note" if value.is_empty() => {
                return Err(ApiError::BadInput("a note needs text".to_owned()))
            }
            "star" | "moment" | "note" => {}
            other => {
                return Err(ApiError::BadInput(format!(
                    "unknown annotation {other:?}; use star, moment or note"
                )))
            }
        }
        let event_key = input
            .event_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let current = self.incident_timeline(incident_id)?;
        match event_key {
            Some(key) if !current.events.iter().any(|e| e.key == key) => {
                return Err(ApiError::NotFound(format!(
                    "incident {incident_id} has no event {key:?}"
                )))
            }
            None if input.kind != "note" => {
                return Err(ApiError::BadInput(format!(
                    "a {} needs an event",
                    input.kind
                )))
            }
            _ => {}
        }
        self.store.add_annotation(
            incident_id,
            &NewAnnotation {
                event_key,
                kind: &input.kind,
                value,
                author,
                at: &format_time(&now),
            },
        )?;
        self.incident_timeline(incident_id)
    }

    /// Undoes one annotation edit (it stays in the history, marked undone by whom and when).
    pub fn undo_annotation(
        &self,
        incident_id: i64,
        edit_id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<IncidentTimelineDto> {
        if !self
            .store
            .undo_annotation(incident_id, edit_id, by, &format_time(&now))?
        {
            return Err(ApiError::BadInput(format!(
                "edit {edit_id} is already undone"
            )));
        }
        self.incident_timeline(incident_id)
    }
}

fn time(text: &str) -> Result<DateTime<Utc>> {
    Ok(hindsight_store::parse_time(text)?)
}

fn event(
    key: String,
    at: String,
    source: &str,
    kind: String,
    title: String,
    actor: Option<String>,
    class: Option<String>,
) -> DeepDiveEventDto {
    DeepDiveEventDto {
        key,
        at,
        source: source.to_owned(),
        kind,
        title,
        actor,
        class,
        starred: false,
        moment: None,
    }
}

/// Replays the edit log over the events: the newest edit not undone of each star and moment
/// wins; notes not undone are kept.
fn apply_annotations(
    incident_id: i64,
    started_at: &str,
    resolved_at: Option<&str>,
    mut events: Vec<DeepDiveEventDto>,
    history: Vec<AnnotationRow>,
) -> IncidentTimelineDto {
    let mut stars: BTreeMap<&str, bool> = BTreeMap::new();
    let mut moments: BTreeMap<&str, &str> = BTreeMap::new();
    let mut notes = Vec::new();
    for edit in history.iter().filter(|e| e.undone_at.is_none()) {
        match (edit.kind.as_str(), edit.event_key.as_deref()) {
            ("star", Some(key)) => {
                stars.insert(key, edit.value == "on");
            }
            ("moment", Some(key)) => {
                moments.insert(key, edit.value.as_str());
            }
            ("note", key) => notes.push(AnnotationNoteDto {
                edit_id: edit.id,
                event_key: key.map(str::to_owned),
                text: edit.value.clone(),
                author: edit.author.clone(),
                at: edit.created_at.clone(),
            }),
            _ => {}
        }
    }
    for e in &mut events {
        e.starred = stars.get(e.key.as_str()).copied().unwrap_or(false);
        e.moment = moments
            .get(e.key.as_str())
            .filter(|m| !m.is_empty())
            .map(|m| (*m).to_owned());
    }
    let key_moments = KEY_MOMENTS
        .iter()
        .filter_map(|moment| {
            events
                .iter()
                .find(|e| e.moment.as_deref() == Some(moment))
                .map(|e| KeyMomentDto {
                    moment: (*moment).to_owned(),
                    event_key: e.key.clone(),
                    at: e.at.clone(),
                    title: e.title.clone(),
                })
        })
        .collect();
    let mut axis_from = started_at.to_owned();
    let mut axis_to = resolved_at.unwrap_or(started_at).to_owned();
    for e in &events {
        if e.at < axis_from {
            axis_from.clone_from(&e.at);
        }
        if e.at > axis_to {
            axis_to.clone_from(&e.at);
        }
    }
    let undoable = history
        .iter()
        .rev()
        .find(|e| e.undone_at.is_none())
        .map(|e| e.id);
    IncidentTimelineDto {
        incident_id,
        impact_from: started_at.to_owned(),
        impact_to: resolved_at.map(str::to_owned),
        axis_from,
        axis_to,
        events,
        key_moments,
        notes,
        history: history
            .into_iter()
            .map(|e| AnnotationEditDto {
                id: e.id,
                event_key: e.event_key,
                kind: e.kind,
                value: e.value,
                author: e.author,
                at: e.created_at,
                undone_at: e.undone_at,
                undone_by: e.undone_by,
            })
            .collect(),
        undoable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 12, minute, 0)
            .single()
            .expect("time")
    }

    fn demo() -> (tempfile::TempDir, Hindsight, i64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        app.load_demo(at(0)).expect("demo");
        // An incident with a suspect not rejected, so the timeline has deployments and changes.
        let id = app
            .list_incidents()
            .expect("incidents")
            .into_iter()
            .find(|i| i.suspect_count > 0)
            .expect("a linked incident")
            .id;
        (dir, app, id)
    }

    fn input(key: Option<&str>, kind: &str, value: &str) -> AnnotationInputDto {
        AnnotationInputDto {
            event_key: key.map(str::to_owned),
            kind: kind.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn the_deep_dive_merges_updates_deployments_and_changes_around_the_impact_window() {
        let (_dir, app, id) = demo();
        let detail = app.incident_detail(id).expect("detail");
        let t = app.incident_timeline(id).expect("timeline");
        assert_eq!(t.impact_from, detail.incident.started_at);
        assert_eq!(t.impact_to, detail.incident.resolved_at);
        let sources: Vec<&str> = t.events.iter().map(|e| e.source.as_str()).collect();
        assert!(sources.contains(&"deployment"), "{sources:?}");
        assert!(sources.contains(&"change"), "{sources:?}");
        assert_eq!(
            t.events
                .iter()
                .filter(|e| e.source == "update" || e.source == "alert")
                .count(),
            detail.events.len(),
            "every incident update is on the merged timeline"
        );
        let top = &detail.suspects[0].deployment;
        assert!(t
            .events
            .iter()
            .any(|e| e.key == format!("deployment:{}", top.natural_key)));
        assert!(t.events.windows(2).all(|w| w[0].at <= w[1].at), "sorted");
        assert!(t.axis_from <= t.impact_from);
        assert!(t
            .events
            .iter()
            .all(|e| e.at >= t.axis_from && e.at <= t.axis_to));
        let keys: std::collections::BTreeSet<&str> =
            t.events.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys.len(), t.events.len(), "event keys are unique");
        assert!(t.history.is_empty() && t.undoable.is_none());
    }

    #[test]
    fn stars_moments_and_notes_are_kept_with_who_and_when_and_undone() {
        let (_dir, app, id) = demo();
        let t = app.incident_timeline(id).expect("timeline");
        let first = t.events[0].key.clone();
        let deploy = t
            .events
            .iter()
            .find(|e| e.source == "deployment")
            .expect("deployment")
            .key
            .clone();
        let t = app
            .annotate_incident(id, &input(Some(&deploy), "star", "on"), "ana", at(1))
            .expect("star");
        let t2 = app
            .annotate_incident(
                id,
                &input(Some(&first), "moment", "detection"),
                "ana",
                at(2),
            )
            .expect("moment");
        let t3 = app
            .annotate_incident(
                id,
                &input(None, "note", "  alert fired 20 min late "),
                "bo",
                at(3),
            )
            .expect("note");
        assert!(t.events.iter().any(|e| e.key == deploy && e.starred));
        assert_eq!(t2.key_moments.len(), 1);
        assert_eq!(t2.key_moments[0].moment, "detection");
        assert_eq!(t2.key_moments[0].event_key, first);
        assert_eq!(t3.notes.len(), 1);
        assert_eq!(t3.notes[0].text, "alert fired 20 min late");
        assert_eq!(t3.notes[0].author, "bo");
        assert_eq!(t3.notes[0].at, "2025-03-01T12:03:00.000Z");
        assert_eq!(t3.history.len(), 3);

        // Undo the newest edit, then the moment; both stay in the history.
        let undo_note = t3.undoable.expect("undoable");
        assert_eq!(undo_note, t3.notes[0].edit_id);
        let t4 = app
            .undo_annotation(id, undo_note, "cy", at(4))
            .expect("undo");
        assert!(t4.notes.is_empty());
        let t5 = app
            .undo_annotation(id, t4.undoable.expect("moment edit"), "cy", at(5))
            .expect("undo");
        assert!(t5.key_moments.is_empty());
        assert!(t5.events.iter().all(|e| e.moment.is_none()));
        assert!(
            t5.events.iter().any(|e| e.key == deploy && e.starred),
            "star stays"
        );
        assert_eq!(t5.history.len(), 3);
        assert_eq!(t5.history[2].undone_by.as_deref(), Some("cy"));
        assert_eq!(
            t5.history[2].undone_at.as_deref(),
            Some("2025-03-01T12:04:00.000Z")
        );
        assert!(app.undo_annotation(id, undo_note, "cy", at(6)).is_err());

        // Un-starring is an edit too.
        let t6 = app
            .annotate_incident(id, &input(Some(&deploy), "star", "off"), "ana", at(7))
            .expect("unstar");
        assert!(t6.events.iter().all(|e| !e.starred));
    }

    #[test]
    fn bad_annotations_are_refused_with_a_reason() {
        let (_dir, app, id) = demo();
        let t = app.incident_timeline(id).expect("timeline");
        let key = t.events[0].key.clone();
        for (bad, why) in [
            (input(Some(&key), "moment", "panic"), "unknown key moment"),
            (input(Some(&key), "star", "yes"), "a star is"),
            (input(Some(&key), "note", "   "), "a note needs text"),
            (input(Some(&key), "tag", "x"), "unknown annotation"),
            (input(None, "star", "on"), "needs an event"),
        ] {
            let err = app
                .annotate_incident(id, &bad, "ana", at(1))
                .expect_err(why);
            assert!(err.to_string().contains(why), "{err}");
        }
        let missing = app.annotate_incident(
            id,
            &input(Some("change:commit:nope"), "star", "on"),
            "ana",
            at(1),
        );
        assert!(matches!(missing, Err(ApiError::NotFound(_))));
        assert!(app.incident_timeline(id).expect("t").history.is_empty());
    }

    #[test]
    fn annotations_survive_relinking_and_the_timeline_rebuild() {
        let (_dir, app, id) = demo();
        let t = app.incident_timeline(id).expect("timeline");
        let key = t.events.last().expect("event").key.clone();
        app.annotate_incident(id, &input(Some(&key), "moment", "repair"), "ana", at(1))
            .expect("moment");
        app.refresh_analysis().expect("relink and rebuild");
        app.load_demo(at(2)).expect("ingest again");
        let after = app.incident_timeline(id).expect("timeline");
        assert_eq!(after.key_moments.len(), 1);
        assert_eq!(after.key_moments[0].event_key, key);
        assert_eq!(after.key_moments[0].moment, "repair");
    }

    #[test]
    fn the_report_lists_each_incidents_key_moments() {
        let (_dir, app, id) = demo();
        let t = app.incident_timeline(id).expect("timeline");
        let event = t.events.first().expect("event");
        let md = app
            .render_report(crate::ReportFormat::Markdown, at(1))
            .expect("md");
        assert!(!md.contains("Key moments:"), "nothing marked yet");
        app.annotate_incident(
            id,
            &input(Some(&event.key), "moment", "detection"),
            "ana",
            at(1),
        )
        .expect("moment");
        let md = app
            .render_report(crate::ReportFormat::Markdown, at(2))
            .expect("md");
        assert_eq!(md.matches("Key moments: detection ").count(), 1, "{md}");
        let html = app
            .render_report(crate::ReportFormat::Html, at(2))
            .expect("html");
        assert!(html.contains("Key moments: <strong>detection</strong>"));
        let json = app
            .render_report(crate::ReportFormat::Json, at(2))
            .expect("json");
        assert!(json.contains("\"key_moments\""));
    }
}
