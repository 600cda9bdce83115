//! Re-ingest by newest update, and deployment statuses stored apart from their deployment.

use chrono::{DateTime, Utc};
use hindsight_model::{
    Attribution, AttributionClass, Change, ChangeKind, DeployStatus, Deployment,
    DeploymentStatusUpdate, Incident, SourceRef,
};

use crate::{RunMeta, Store};

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .expect("time")
}

pub(crate) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
    (dir, store)
}

/// The deployments' keys as a walk in time order reads them.
pub(crate) fn walked(store: &Store) -> Vec<String> {
    let mut keys = Vec::new();
    store
        .for_each_deployment(|row| -> crate::Result<()> {
            keys.push(row.natural_key);
            Ok(())
        })
        .expect("walk");
    keys
}

/// The run of a test file `name`, which is its content hash too.
fn meta(name: &str) -> RunMeta {
    RunMeta {
        path: name.to_owned(),
        content_hash: name.to_owned(),
        format: "test".to_owned(),
        ingested_at: "2026-11-20T00:00:00.000Z".to_owned(),
    }
}

/// Runs `write` in its own ingest transaction, as one file would; returns what it stored.
fn ingest_counted(
    store: &Store,
    name: &str,
    write: impl FnOnce(&mut crate::IngestTransaction<'_>),
) -> crate::RunSummary {
    let mut tx = store.begin_ingest(&meta(name)).expect("begin");
    write(&mut tx);
    tx.commit().expect("commit")
}

/// Runs `write` in its own ingest transaction, as one file would; returns its run.
pub(crate) fn ingest(
    store: &Store,
    name: &str,
    write: impl FnOnce(&mut crate::IngestTransaction<'_>),
) -> i64 {
    ingest_counted(store, name, write).run_id
}

/// A file `name` that fails after a full batch of its deployments (keyed `{name}-0` on) was
/// written: its transaction is dropped.
fn drop_after_a_batch(store: &Store, name: &str) {
    let mut tx = store.begin_ingest(&meta(name)).expect("begin");
    for i in 0..100 {
        tx.add_deployment(deployment(&format!("{name}-{i}"), None, "v1"))
            .expect("add");
    }
    drop(tx);
}

fn incident(status: &str, updated_at: Option<&str>) -> Incident {
    Incident {
        source_system: "pagerduty".into(),
        source_id: "PT4KHLK".into(),
        number: Some(1234),
        title: format!("Checkout errors ({status})"),
        status: status.into(),
        severity: None,
        service: Some("checkout".into()),
        started_at: t("2026-11-17T14:05:00Z"),
        resolved_at: None,
        url: None,
        events: Vec::new(),
        attributes: [("assumed_zone".to_owned(), "Europe/Berlin".to_owned())].into(),
        updated_at: updated_at.map(t),
        source: SourceRef::pointer("pd.json", "/incidents/0"),
    }
}

fn deployment(key: &str, updated_at: Option<&str>, version: &str) -> Deployment {
    Deployment {
        natural_key: key.into(),
        service: "checkout".into(),
        environment: Some("production".into()),
        version: Some(version.into()),
        sha: Some("4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80".into()),
        status: DeployStatus::Unknown,
        actor: None,
        actor_type: None,
        action: "deploy".into(),
        at: t("2026-11-18T08:09:58Z"),
        attributes: Default::default(),
        updated_at: updated_at.map(t),
        source: SourceRef::pointer("deployments.json", "/0"),
    }
}

fn pull(title: &str, updated_at: Option<&str>) -> Change {
    let mut change = Change::new(
        ChangeKind::PullRequest,
        "acme/checkout#12",
        SourceRef::pointer("pulls.json", "/0"),
    );
    change.title = title.into();
    change.updated_at = updated_at.map(t);
    change
}

fn unknown() -> Attribution {
    Attribution {
        class: AttributionClass::Unknown,
        tool: None,
        involvement: None,
        model: None,
        line_share: None,
        confidence: 0.0,
        evidence: Vec::new(),
    }
}

fn status(key: &str, state: &str, at: &str, description: &str) -> DeploymentStatusUpdate {
    DeploymentStatusUpdate {
        deployment_key: key.into(),
        state: state.into(),
        status: match state {
            "success" | "inactive" => DeployStatus::Succeeded,
            "failure" | "error" => DeployStatus::Failed,
            _ => DeployStatus::InProgress,
        },
        at: t(at),
        environment: Some("production".into()),
        actor: Some("github-actions[bot]".into()),
        description: Some(description.into()).filter(|d: &String| !d.is_empty()),
        log_url: Some(format!("https://ci.example/{state}")),
        source: SourceRef::pointer("statuses.json", "/0"),
    }
}

#[test]
fn an_older_incident_never_overwrites_a_newer_one() {
    let (_dir, store) = store();
    ingest(&store, "new", |tx| {
        tx.add_incident(&incident("acknowledged", Some("2026-11-17T15:00:00Z")))
            .expect("add")
    });
    ingest(&store, "old", |tx| {
        tx.add_incident(&incident("triggered", Some("2026-11-17T14:30:00Z")))
            .expect("add")
    });
    let rows = store.incidents().expect("incidents");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "acknowledged");
    assert_eq!(
        rows[0].attributes.get("assumed_zone").map(String::as_str),
        Some("Europe/Berlin")
    );

    ingest(&store, "newer", |tx| {
        tx.add_incident(&incident("resolved", Some("2026-11-17T16:00:00Z")))
            .expect("add")
    });
    assert_eq!(store.incidents().expect("incidents")[0].status, "resolved");
    // Without updated_at the last file wins, as before.
    ingest(&store, "undated", |tx| {
        tx.add_incident(&incident("triggered", None)).expect("add")
    });
    let rows = store.incidents().expect("incidents");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "triggered");
    // The newest known update is kept, so an older dated copy still loses.
    ingest(&store, "old again", |tx| {
        tx.add_incident(&incident("acknowledged", Some("2026-11-17T15:30:00Z")))
            .expect("add")
    });
    assert_eq!(store.incidents().expect("incidents")[0].status, "triggered");
}

#[test]
fn changes_and_deployments_keep_their_newest_copy() {
    let (_dir, store) = store();
    ingest(&store, "new", |tx| {
        tx.add_change(
            &pull("Add retries (final)", Some("2026-11-18T10:00:00Z")),
            &unknown(),
        )
        .expect("change");
        tx.add_deployment(deployment("gh:1", Some("2026-11-18T10:00:00Z"), "v2"))
            .expect("deployment");
    });
    ingest(&store, "old", |tx| {
        tx.add_change(
            &pull("WIP: add retries", Some("2026-11-18T09:00:00Z")),
            &unknown(),
        )
        .expect("change");
        tx.add_deployment(deployment("gh:1", Some("2026-11-18T09:00:00Z"), "v1"))
            .expect("deployment");
    });
    let changes = store.changes().expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].title, "Add retries (final)");
    let deployments = store.deployments().expect("deployments");
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0].version.as_deref(), Some("v2"));

    // Equal times: the last file wins.
    ingest(&store, "same", |tx| {
        tx.add_change(
            &pull("Add retries (edited)", Some("2026-11-18T10:00:00Z")),
            &unknown(),
        )
        .expect("change");
    });
    assert_eq!(
        store.changes().expect("changes")[0].title,
        "Add retries (edited)"
    );
}

#[test]
fn statuses_stored_before_their_deployment_apply_when_it_arrives() {
    let (_dir, store) = store();
    let key = "github:acme/checkout:deployment:42";
    ingest(&store, "statuses", |tx| {
        for s in [
            status(
                key,
                "failure",
                "2026-11-18T08:14:55Z",
                "Health checks failed",
            ),
            status(key, "in_progress", "2026-11-18T08:10:03Z", "Rolling out"),
        ] {
            tx.add_deployment_status(&s).expect("status");
        }
    });
    assert!(store.deployments().expect("deployments").is_empty());

    ingest(&store, "deployments", |tx| {
        tx.add_deployment(deployment(key, None, "v2.16.0"))
            .expect("add")
    });
    let d = &store.deployments().expect("deployments")[0];
    assert_eq!(d.status, "failed");
    assert_eq!(d.at, "2026-11-18T08:14:55.000Z");
    let attr = |k: &str| d.attributes.get(k).map(String::as_str);
    assert_eq!(attr("state"), Some("failure"));
    assert_eq!(attr("finished_at"), Some("2026-11-18T08:14:55.000Z"));
    assert_eq!(attr("statuses_count"), Some("2"));
    assert_eq!(attr("status_description"), Some("Health checks failed"));

    store.rebuild_events().expect("events");
    let conn = store.connection().expect("conn");
    let mut stmt = conn
        .prepare("SELECT at, kind, title FROM events WHERE source = 'deployment' ORDER BY at, id")
        .expect("prepare");
    let events: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let statuses: Vec<&str> = events
        .iter()
        .filter(|(_, kind, _)| kind == "status")
        .map(|(_, _, title)| title.as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "status in_progress of deploy v2.16.0 on checkout: Rolling out",
            "status failure of deploy v2.16.0 on checkout: Health checks failed",
        ]
    );
}

#[test]
fn statuses_after_their_deployment_update_it_and_the_latest_decides() {
    let (_dir, store) = store();
    let key = "github:acme/platform:deployment:7";
    ingest(&store, "deployments", |tx| {
        tx.add_deployment(deployment(key, None, "v1")).expect("add")
    });
    assert_eq!(store.deployments().expect("d")[0].status, "unknown");
    ingest(&store, "statuses", |tx| {
        for s in [
            status(key, "inactive", "2026-11-19T09:00:00Z", ""),
            status(key, "success", "2026-11-18T08:20:00Z", "Live"),
            status(key, "queued", "2026-11-18T08:10:00Z", ""),
        ] {
            tx.add_deployment_status(&s).expect("status");
        }
    });
    let d = &store.deployments().expect("d")[0];
    // Superseded later: it succeeded, and went live when the success was reported.
    assert_eq!(d.status, "succeeded");
    assert_eq!(d.at, "2026-11-18T08:20:00.000Z");
    assert_eq!(
        d.attributes.get("state").map(String::as_str),
        Some("inactive")
    );
    // The same statuses again change nothing and duplicate nothing.
    ingest(&store, "statuses again", |tx| {
        tx.add_deployment_status(&status(key, "success", "2026-11-18T08:20:00Z", "Live"))
            .expect("status")
    });
    let conn = store.connection().expect("conn");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM deployment_statuses", [], |r| r.get(0))
        .expect("n");
    assert_eq!(n, 3);
}

#[test]
fn an_older_status_does_not_take_back_what_embedded_statuses_showed() {
    let (_dir, store) = store();
    let key = "github:acme/checkout:deployment:9";
    let mut embedded = deployment(key, None, "v3");
    embedded.status = DeployStatus::Succeeded;
    embedded.at = t("2026-11-18T10:05:00Z");
    ingest(&store, "deployments", |tx| {
        tx.add_deployment(embedded).expect("add")
    });
    ingest(&store, "statuses", |tx| {
        tx.add_deployment_status(&status(key, "in_progress", "2026-11-18T10:01:00Z", ""))
            .expect("status")
    });
    let d = &store.deployments().expect("d")[0];
    assert_eq!(d.status, "succeeded");
    assert_eq!(d.at, "2026-11-18T10:05:00.000Z");
}

#[test]
fn deployments_written_in_batches_keep_file_order_newest_copy_and_counts() {
    let (_dir, store) = store();
    // 150 deployments cross two batch boundaries; d-10 comes three times in one file (the last
    // copy wins), d-70 again with an older update (not written, not counted).
    let mut tx = store.begin_ingest(&meta("deploys.jsonl")).expect("begin");
    for i in 0..150 {
        let updated = format!("2026-11-18T09:00:{:02}Z", i % 60);
        tx.add_deployment(deployment(&format!("d-{i}"), Some(&updated), "v1"))
            .expect("add");
    }
    tx.add_deployment(deployment("d-10", Some("2026-11-19T00:00:00Z"), "v2"))
        .expect("add");
    tx.add_deployment(deployment("d-70", Some("2026-11-01T00:00:00Z"), "stale"))
        .expect("add");
    tx.add_deployment(deployment("d-10", Some("2026-11-19T01:00:00Z"), "v3"))
        .expect("add");
    let summary = tx.commit().expect("commit");
    assert_eq!(summary.seen, 153);
    assert_eq!(summary.stored, 152, "the stale copy of d-70 is not counted");
    let deployments = store.deployments().expect("deployments");
    assert_eq!(deployments.len(), 150);
    let version = |key: &str| {
        deployments
            .iter()
            .find(|d| d.natural_key == key)
            .and_then(|d| d.version.clone())
    };
    assert_eq!(version("d-10").as_deref(), Some("v3"));
    assert_eq!(version("d-70").as_deref(), Some("v1"));
    assert_eq!(version("d-149").as_deref(), Some("v1"));

    // A file that fails after a full batch was written leaves nothing behind.
    drop_after_a_batch(&store, "e");
    assert_eq!(store.deployments().expect("deployments").len(), 150);
}

/// Each stored deployment's key with its id, version and run.
fn stored_deployments(store: &Store) -> Vec<(String, i64, Option<String>, i64)> {
    let conn = store.connection().expect("conn");
    let mut read = conn
        .prepare("SELECT natural_key, id, version, run_id FROM deployments ORDER BY id")
        .expect("prepare");
    let rows = read
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    rows
}

/// Foreign keys are on for the store's connections, and every reference holds.
fn assert_foreign_keys_on_and_whole(store: &Store) {
    let conn = store.connection().expect("conn");
    let on: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
        .expect("pragma");
    assert_eq!(
        on, 1,
        "foreign keys are on again once a file's transaction ends"
    );
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .expect("check");
    assert_eq!(broken, 0, "no stored row refers to a missing one");
}

#[test]
fn a_batch_of_new_and_stored_keys_inserts_the_new_in_order_and_updates_the_newer_copies() {
    let (_dir, store) = store();
    // The first file: a full batch and a remainder, all new.
    let first = ingest(&store, "first.jsonl", |tx| {
        for i in 0..70 {
            let updated = format!("2026-11-18T09:00:{:02}Z", i % 60);
            tx.add_deployment(deployment(&format!("d-{i}"), Some(&updated), "v1"))
                .expect("add");
        }
    });
    assert_foreign_keys_on_and_whole(&store);
    let before = stored_deployments(&store);
    assert_eq!(before.len(), 70);

    // The second file mixes, within one batch, new keys and keys the first stored: a newer
    // copy (updated), an older one (kept as it was), one with no update time (written), and
    // a new key twice (the later copy wins).
    let second = ingest_counted(&store, "second.jsonl", |tx| {
        for (key, updated, version) in [
            ("n-0", None, "v2"),
            ("d-3", Some("2026-11-19T00:00:00Z"), "v2"),
            ("n-1", Some("2026-11-19T00:00:00Z"), "v2"),
            ("d-4", Some("2026-11-01T00:00:00Z"), "old"),
            ("n-1", Some("2026-11-19T01:00:00Z"), "v3"),
            ("d-65", None, "v2"),
            ("n-2", None, "v2"),
        ] {
            tx.add_deployment(deployment(key, updated, version))
                .expect("add");
        }
    });
    assert_eq!(second.seen, 7);
    // What one upsert per row writes: n-0, d-3, n-1 twice, d-65 and n-2; not d-4.
    assert_eq!(second.stored, 6);
    assert_foreign_keys_on_and_whole(&store);

    let after = stored_deployments(&store);
    // Stored keys keep their ids; new ones are numbered after them, in file order.
    let new: Vec<_> = after[70..]
        .iter()
        .map(|(key, id, version, run)| (key.as_str(), *id, version.as_deref(), *run))
        .collect();
    assert_eq!(
        new,
        [
            ("n-0", 71, Some("v2"), second.run_id),
            ("n-1", 72, Some("v3"), second.run_id),
            ("n-2", 73, Some("v2"), second.run_id),
        ]
    );
    for (old, new) in before.iter().zip(&after) {
        let (key, id, _, _) = old;
        assert_eq!((key, id), (&new.0, &new.1), "a stored key keeps its id");
        let expected = match key.as_str() {
            "d-3" | "d-65" => (Some("v2"), second.run_id),
            _ => (Some("v1"), first),
        };
        assert_eq!((new.2.as_deref(), new.3), expected, "{key}");
    }

    // A file that fails after a batch was written leaves foreign keys on too.
    drop_after_a_batch(&store, "x");
    assert_foreign_keys_on_and_whole(&store);
    assert_eq!(stored_deployments(&store), after);
}

#[test]
fn change_reviews_match_the_full_records() {
    let (_dir, store) = store();
    let mut reviewed = pull("Add retries", None);
    reviewed.reviews = vec![hindsight_model::Review {
        reviewer: "ada".into(),
        state: "APPROVED".into(),
        at: Some(t("2026-11-18T09:30:00Z")),
    }];
    reviewed.attributes = [("type".to_owned(), "emergency".to_owned())].into();
    let mut plain = pull("Bump version", None);
    plain.natural_key = "acme/checkout#13".into();
    ingest(&store, "pulls", |tx| {
        tx.add_change(&reviewed, &unknown()).expect("change");
        tx.add_change(&plain, &unknown()).expect("change");
    });
    let light = store.change_reviews().expect("reviews");
    let full = store.load_changes().expect("changes");
    assert_eq!(light.len(), 2);
    for ((id, reviews, attributes), (full_id, change)) in light.iter().zip(&full) {
        assert_eq!(id, full_id);
        assert_eq!(reviews, &change.reviews);
        assert_eq!(attributes, &change.attributes);
    }
    assert_eq!(light[0].1[0].reviewer, "ada");
    assert_eq!(
        light[0].2.get("type").map(String::as_str),
        Some("emergency")
    );
    assert!(light[1].1.is_empty() && light[1].2.is_empty());
}

#[test]
fn every_deployment_streams_in_time_order_ties_by_id_and_the_read_leaves_nothing_behind() {
    let (_dir, store) = store();
    // Stored out of time order, two at the same time.
    let at = |key: &str, time: &str| Deployment {
        at: t(time),
        ..deployment(key, None, key)
    };
    ingest(&store, "a", |tx| {
        tx.add_deployment(at("late", "2026-11-18T12:00:00Z"))
            .expect("late");
        tx.add_deployment(at("tie-1", "2026-11-18T10:00:00Z"))
            .expect("tie 1");
        tx.add_deployment(at("early", "2026-11-18T08:00:00Z"))
            .expect("early");
        tx.add_deployment(at("tie-2", "2026-11-18T10:00:00Z"))
            .expect("tie 2");
    });
    let read = || walked(&store);
    assert_eq!(read(), ["early", "tie-1", "tie-2", "late"]);
    // A reader that stops with an error part-way; the next read is whole again.
    let stopped = store.for_each_deployment(|_| -> crate::Result<()> {
        Err(crate::StoreError::NotFound("stop".into()))
    });
    assert!(stopped.is_err());
    assert_eq!(read(), ["early", "tie-1", "tie-2", "late"]);
    let left: i64 = store
        .connection()
        .expect("conn")
        .query_row(
            "SELECT count(*) FROM temp.sqlite_master WHERE name = 'deployment_order'",
            [],
            |row| row.get(0),
        )
        .expect("temp schema");
    assert_eq!(left, 0, "no temporary table left on a pooled connection");
}

#[test]
fn links_found_again_keep_their_ids_and_only_undecided_ones_go() {
    let (_dir, store) = store();
    ingest(&store, "pd.json", |tx| {
        tx.add_incident(&incident("resolved", None))
            .expect("incident")
    });
    ingest(&store, "deploys.json", |tx| {
        for (key, version) in [("d1", "v1"), ("d2", "v2"), ("d3", "v3"), ("d4", "v4")] {
            tx.add_deployment(deployment(key, None, version))
                .expect("deployment");
        }
    });
    let conn = store.connection().expect("connection");
    let incident: i64 = conn
        .query_row("SELECT id FROM incidents", [], |r| r.get(0))
        .expect("incident id");
    let deployment = |key: &str| -> i64 {
        conn.query_row(
            "SELECT id FROM deployments WHERE natural_key = ?1",
            [key],
            |r| r.get(0),
        )
        .expect("deployment id")
    };
    let link = |key: &str, rank: i64, score: f64| crate::NewLink {
        incident_id: incident,
        deployment_id: deployment(key),
        rank,
        score,
        method: "window".into(),
        evidence: vec![format!("{key} in the window")],
    };
    let by_key = || -> Vec<(i64, i64, f64, String)> {
        store
            .links_of_incident(incident)
            .expect("links")
            .into_iter()
            .map(|l| (l.deployment_id, l.id, l.score, l.status))
            .collect()
    };
    store
        .replace_suspected_links(&[link("d1", 1, 0.9), link("d2", 2, 0.8), link("d3", 3, 0.7)])
        .expect("first linking");
    let first = by_key();
    let id_of = |key: &str| {
        first
            .iter()
            .find(|(d, ..)| *d == deployment(key))
            .map(|(_, id, ..)| *id)
            .expect("linked")
    };
    // A reviewer confirms the last link written, the one with the highest id.
    store
        .review_link(
            id_of("d3"),
            "confirmed",
            "matches",
            "ada",
            "2026-11-20T00:00:00.000Z",
        )
        .expect("confirm");

    // Linking again: d1 unchanged, d2 rescored, d3 (confirmed) and d1 found again, d4 new;
    // then d2 is no longer found.
    store
        .replace_suspected_links(&[
            link("d1", 1, 0.9),
            link("d2", 3, 0.5),
            link("d3", 2, 0.7),
            link("d4", 4, 0.4),
        ])
        .expect("second linking");
    let second = by_key();
    assert!(second.contains(&(deployment("d1"), id_of("d1"), 0.9, "suspected".into())));
    assert!(second.contains(&(deployment("d2"), id_of("d2"), 0.5, "suspected".into())));
    assert!(second.contains(&(deployment("d3"), id_of("d3"), 0.7, "confirmed".into())));
    assert_eq!(second.len(), 4, "{second:?}");
    let d4 = second
        .iter()
        .find(|(d, ..)| *d == deployment("d4"))
        .expect("the new link");
    assert!(first.iter().all(|(_, id, ..)| *id != d4.1), "a new id");

    store
        .replace_suspected_links(&[link("d4", 1, 0.4)])
        .expect("third linking");
    let third: Vec<(i64, i64)> = by_key().into_iter().map(|(d, id, ..)| (d, id)).collect();
    // The undecided suspects not found again go; the confirmed one stays.
    assert_eq!(third.len(), 2, "{third:?}");
    assert!(third.contains(&(deployment("d3"), id_of("d3"))));
    assert!(third.contains(&(deployment("d4"), d4.1)));
}

#[test]
fn links_and_shipped_changes_written_by_the_batch_are_each_stored_as_given() {
    let (_dir, store) = store();
    ingest(&store, "pd.json", |tx| {
        tx.add_incident(&incident("resolved", None))
            .expect("incident")
    });
    // Two full batches and a remainder.
    let count = 2 * crate::write::ROWS_PER_STATEMENT + 22;
    ingest(&store, "deploys.json", |tx| {
        for n in 0..count {
            tx.add_deployment(deployment(&format!("d{n}"), None, &format!("v{n}")))
                .expect("deployment");
        }
        tx.add_change(&pull("Retry budget", None), &unknown())
            .expect("change");
    });
    let conn = store.connection().expect("connection");
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let (incident, change) = (
        one("SELECT id FROM incidents"),
        one("SELECT id FROM changes"),
    );
    let deployments: Vec<i64> = conn
        .prepare("SELECT id FROM deployments ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("ids")
        .collect::<rusqlite::Result<_>>()
        .expect("ids");
    let links: Vec<crate::NewLink> = deployments
        .iter()
        .enumerate()
        .map(|(n, &deployment_id)| crate::NewLink {
            incident_id: incident,
            deployment_id,
            rank: n as i64 + 1,
            score: 1.0 / (n as f64 + 1.0),
            method: "scored".into(),
            evidence: vec![format!("deployed {n} hours before")],
        })
        .collect();
    store.replace_suspected_links(&links).expect("links");
    let stored: Vec<(i64, i64, f64, String)> = conn
        .prepare("SELECT deployment_id, rank, score, evidence FROM incident_links ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("links")
        .collect::<rusqlite::Result<_>>()
        .expect("links");
    let given: Vec<(i64, i64, f64, String)> = links
        .iter()
        .map(|l| {
            let evidence = serde_json::to_string(&l.evidence).expect("json");
            (l.deployment_id, l.rank, l.score, evidence)
        })
        .collect();
    assert_eq!(
        stored, given,
        "in the order given, each with its own values"
    );

    // What they shipped, one row given twice (kept once).
    let mut shipped: Vec<(i64, i64, &str)> =
        deployments.iter().map(|&d| (d, change, "named")).collect();
    shipped.push((deployments[5], change, "named"));
    store
        .replace_deployment_changes(None, &shipped)
        .expect("shipped");
    assert_eq!(one("SELECT count(*) FROM deployment_changes"), count as i64);
    assert_eq!(
        one("SELECT count(DISTINCT deployment_id) FROM deployment_changes WHERE method = 'named'"),
        count as i64
    );
}

#[test]
fn written_deployments_are_handed_back_once_and_only_when_kept() {
    let (_dir, store) = store();
    let mut tx = store.begin_ingest(&meta("a.log")).expect("begin");
    let add = |tx: &mut crate::IngestTransaction<'_>, keys: std::ops::Range<usize>| {
        for i in keys {
            tx.add_deployment(deployment(&format!("a-{i}"), None, "v1"))
                .expect("add");
        }
    };
    // One batch of 64 is written, 36 wait: nothing is kept unless asked.
    add(&mut tx, 0..100);
    assert_eq!(tx.take_written().rows(), 0);
    tx.keep_written();
    // 236 waiting make three batches written and 44 left waiting.
    add(&mut tx, 100..300);
    assert_eq!(tx.take_written().rows(), 3 * 64);
    assert_eq!(tx.take_written().rows(), 0, "each handed back once");
    add(&mut tx, 300..320);
    assert_eq!(tx.take_written().rows(), 64);
    let summary = tx.commit().expect("commit");
    assert_eq!((summary.seen, summary.stored), (320, 320));
}

#[test]
fn a_deployments_approval_is_stored_from_its_approvals_updated_with_it_and_read_by_the_timeline() {
    let (_dir, store) = store();
    let with_approvals = |key: &str, approvals: Option<&str>, updated: &str| {
        let mut d = deployment(key, Some(updated), "v1");
        d.attributes = approvals
            .map(|a| ("approvals".to_owned(), a.to_owned()))
            .into_iter()
            .collect();
        d
    };
    let cases = [
        ("two", Some("2")),
        ("zero", Some("0")),
        ("spaced", Some(" 1 ")),
        ("words", Some("two of them")),
        ("none", None),
    ];
    let first = ingest(&store, "first", |tx| {
        for (key, approvals) in cases {
            tx.add_deployment(with_approvals(key, approvals, "2026-11-18T09:00:00Z"))
                .expect("deployment");
        }
    });
    // A newer copy of one takes its approval with it; an older one does not.
    let second = ingest(&store, "second", |tx| {
        tx.add_deployment(with_approvals("zero", Some("1"), "2026-11-18T10:00:00Z"))
            .expect("newer");
        tx.add_deployment(with_approvals("two", Some("0"), "2026-11-18T08:00:00Z"))
            .expect("older");
    });
    store.refresh_events(&[first, second]).expect("timeline");
    let conn = store.connection().expect("conn");
    let stored = |key: &str| -> (Option<bool>, Option<String>) {
        conn.query_row(
            "SELECT d.approved, e.approval FROM deployments d
             JOIN events e ON e.source = 'deployment' AND e.ref_id = d.id
             WHERE d.natural_key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row")
    };
    let approved = (Some(true), Some("approved".to_owned()));
    let not_approved = (Some(false), Some("not approved".to_owned()));
    assert_eq!(stored("two"), approved);
    assert_eq!(stored("zero"), approved, "the newer copy's approval");
    assert_eq!(stored("spaced"), approved);
    assert_eq!(stored("words"), not_approved);
    assert_eq!(stored("none"), (None, None));
}
