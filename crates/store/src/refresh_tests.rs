//! The timeline refreshed after files stored through real ingest transactions
//! (`Store::refresh_events`): whichever way it merges them (appended without a sort, or
//! sorted with the tail), it equals a rebuild from the source tables.

use chrono::{DateTime, Duration, Utc};
use hindsight_model::{
    Attribution, AttributionClass, Change, ChangeKind, DeployStatus, Deployment,
    DeploymentStatusUpdate, SourceRef,
};

use crate::updates_tests::{ingest, store, walked};
use crate::Store;

fn hour(n: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
        + Duration::hours(n)
}

/// A deployment `n` hours after the start, whose fields vary with `n` the ways its event's
/// title and approval can: no version (the sha shortened, by characters), no sha, no
/// environment or an empty one, approved, not approved or silent.
fn deployment(key: &str, n: i64) -> Deployment {
    const APPROVALS: [Option<&str>; 3] = [Some("1"), None, Some("0")];
    let i = n.unsigned_abs() as usize;
    Deployment {
        natural_key: key.into(),
        service: ["checkout", "payments", "søk"][i % 3].into(),
        environment: [Some("production"), None, Some("")][i % 3].map(str::to_owned),
        version: (i % 4 != 1).then(|| format!("v1.{n}")),
        sha: (!i.is_multiple_of(5)).then(|| "é4e5f60718293a4b5c6d7e8f".to_owned()),
        status: [DeployStatus::Succeeded, DeployStatus::Failed][i % 2],
        actor: i.is_multiple_of(2).then(|| "ci".to_owned()),
        actor_type: None,
        action: ["deploy", "rollback"][i % 7 / 6].into(),
        at: hour(n),
        attributes: APPROVALS[i % APPROVALS.len()]
            .map(|a| ("approvals".to_owned(), a.to_owned()))
            .into_iter()
            .collect(),
        updated_at: None,
        source: SourceRef::line("deploys.log", i + 1),
    }
}

/// A file of deployments at these hours, keyed by `prefix` and the hour.
fn deploys(store: &Store, prefix: &str, hours: impl IntoIterator<Item = i64>) -> i64 {
    ingest(store, prefix, |tx| {
        for n in hours {
            tx.add_deployment(deployment(&format!("{prefix}-{n}"), n))
                .expect("deployment");
        }
    })
}

/// A human commit to checkout `n` hours after the start.
fn add_change(tx: &mut crate::IngestTransaction<'_>, n: i64) {
    let mut change = Change::new(
        ChangeKind::Commit,
        format!("acme/checkout@{n}"),
        SourceRef::line("x", 1),
    );
    change.title = "bump retries".into();
    change.committed_at = Some(hour(n));
    let attribution = Attribution {
        class: AttributionClass::Human,
        tool: None,
        involvement: None,
        model: None,
        line_share: None,
        confidence: 1.0,
        evidence: Vec::new(),
    };
    tx.add_change(&change, &attribution).expect("change");
}

/// Every event, every column, by id.
fn events(store: &Store) -> Vec<Vec<rusqlite::types::Value>> {
    let conn = store.connection().expect("conn");
    let mut stmt = conn
        .prepare("SELECT * FROM events ORDER BY id")
        .expect("prepare");
    let columns = stmt.column_count();
    let rows = stmt
        .query_map([], |row| {
            (0..columns)
                .map(|i| row.get(i))
                .collect::<rusqlite::Result<_>>()
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    rows
}

fn searched(store: &Store, text: &str) -> i64 {
    let filter = crate::EventFilter {
        text: Some(text.to_owned()),
        ..Default::default()
    };
    store
        .search_events(&filter, 0, 10, 1000)
        .expect("search")
        .total
}

/// Asserts that two timelines have the same rows, naming the first that differs.
fn assert_same(got: &[Vec<rusqlite::types::Value>], want: &[Vec<rusqlite::types::Value>]) {
    let differs = got.iter().zip(want).position(|(g, w)| g != w);
    if let Some(row) = differs {
        panic!("row {row}: {:?}, a rebuild has {:?}", got[row], want[row]);
    }
    assert_eq!(got.len(), want.len(), "as many rows as a rebuild");
}

/// The timeline after `refresh_events(runs)` equals a rebuild from the source tables (every
/// column; ids in the same order, though a merge leaves the ids of replaced events unused),
/// and the search index finds what a rebuilt one finds.
fn refreshed_equals_rebuild(store: &Store, runs: &[i64], word: &str) {
    store.refresh_events(runs).expect("refresh");
    let refreshed = events(store);
    let found = searched(store, word);
    let id = |row: &[rusqlite::types::Value]| match row[0] {
        rusqlite::types::Value::Integer(id) => id,
        _ => panic!("an id: {row:?}"),
    };
    assert!(refreshed.windows(2).all(|w| id(&w[0]) < id(&w[1])));
    store.rebuild_events().expect("rebuild");
    let without_ids = |rows: Vec<Vec<rusqlite::types::Value>>| -> Vec<_> {
        rows.into_iter().map(|row| row[1..].to_vec()).collect()
    };
    assert_same(&without_ids(refreshed), &without_ids(events(store)));
    assert_eq!(
        found,
        searched(store, word),
        "{word} found as after a rebuild"
    );
    assert!(found > 0, "{word} is found");
}

#[test]
fn a_deploy_log_in_time_order_after_the_timeline_is_appended_as_a_rebuild_would_number_it() {
    let (_dir, store) = store();
    let first = deploys(&store, "a", 0..10);
    store.refresh_events(&[first]).expect("first file");
    let before = events(&store);
    // 150 lines (more than two of the ingest's batches), after the timeline's last event.
    let later = deploys(&store, "b", 10..160);
    store.refresh_events(&[later]).expect("later file");
    let appended = events(&store);
    assert_eq!(
        appended[..10],
        before[..],
        "the earlier events keep their ids"
    );
    assert_eq!(searched(&store, "\"v1.159\""), 1);
    store.rebuild_events().expect("rebuild");
    assert_same(&appended, &events(&store));
}

#[test]
fn two_files_refreshed_together_are_merged_in_time_order() {
    let (_dir, store) = store();
    let later = deploys(&store, "a", 0..100);
    let earlier = deploys(&store, "b", -50..-40);
    refreshed_equals_rebuild(&store, &[later, earlier], "\"v1.-44\"");
    assert_eq!(events(&store).len(), 110);
}

#[test]
fn files_out_of_order_stored_again_or_mixed_are_merged_as_a_rebuild_would_order_them() {
    type File = fn(&Store) -> i64;
    let cases: [(&str, File); 6] = [
        ("a line goes back in time in the second batch", |store| {
            deploys(store, "x", (100..180).chain([99]).chain(180..200))
        }),
        ("a line goes back before the timeline's end", |store| {
            deploys(store, "x", [100, 101, 50, 102])
        }),
        ("the file starts before the timeline's end", |store| {
            deploys(store, "x", 50..150)
        }),
        ("a deployment of the first file is stored again", |store| {
            ingest(store, "x", |tx| {
                for n in 100..150 {
                    tx.add_deployment(deployment(&format!("x-{n}"), n))
                        .expect("deployment");
                }
                let mut again = deployment("a-5", 150);
                again.version = Some("v1.again".into());
                tx.add_deployment(again).expect("again");
            })
        }),
        ("a key twice in the file", |store| {
            ingest(store, "x", |tx| {
                for n in 100..170 {
                    tx.add_deployment(deployment("x-dup", n))
                        .expect("deployment");
                }
            })
        }),
        ("a change among the deployments", |store| {
            ingest(store, "x", |tx| {
                for n in 100..110 {
                    tx.add_deployment(deployment(&format!("x-{n}"), n))
                        .expect("deployment");
                }
                add_change(tx, 105);
            })
        }),
    ];
    for (case, file) in cases {
        let (_dir, store) = store();
        let first = deploys(&store, "a", 0..60);
        store.refresh_events(&[first]).expect("first file");
        let run = file(&store);
        eprintln!("case: {case}");
        // Nor is any of them deployments appended after the others.
        assert_eq!(store.appended_deployments(&[run]).expect("appended"), None);
        refreshed_equals_rebuild(&store, &[run], "checkout");
    }
}

#[test]
fn a_deploy_log_after_a_stored_status_brings_the_status_event() {
    let (_dir, store) = store();
    let statuses = ingest(&store, "s", |tx| {
        tx.add_deployment_status(&DeploymentStatusUpdate {
            deployment_key: "a-3".into(),
            state: "failure".into(),
            status: DeployStatus::Failed,
            environment: None,
            description: Some("smoke tests".into()),
            log_url: None,
            actor: None,
            at: hour(3) + Duration::minutes(5),
            source: SourceRef::pointer("statuses.json", "/0"),
        })
        .expect("status");
    });
    store.refresh_events(&[statuses]).expect("statuses");
    // A file in time order after the timeline: appending its deployments' events alone
    // would lose the status's.
    let run = deploys(&store, "a", 0..100);
    assert_eq!(store.appended_deployments(&[run]).expect("appended"), None);
    refreshed_equals_rebuild(&store, &[run], "smoke");
}

#[test]
fn deployments_after_every_other_are_appended_from_their_first_id() {
    let (_dir, store) = store();
    let first = deploys(&store, "a", 0..10);
    let appended = |runs: &[i64]| {
        store
            .appended_deployments(runs)
            .expect("appended")
            .map(|a| {
                let crate::AppendedDeployments {
                    first_id,
                    first_at,
                    earlier,
                } = a;
                (first_id, first_at, earlier)
            })
    };
    assert_eq!(
        appended(&[first]),
        Some((1, "2026-01-01T00:00:00.000Z".into(), false))
    );
    // A file that starts at the time the last one ended: ties go by id.
    let later = deploys(&store, "b", 9..20);
    assert_eq!(
        appended(&[later]),
        Some((11, "2026-01-01T09:00:00.000Z".into(), true))
    );
    // Two runs together, in time order: appended from the first one's first.
    let (c, d) = (deploys(&store, "c", 20..25), deploys(&store, "d", 25..30));
    assert_eq!(appended(&[c, d]).map(|a| a.0), Some(22));
    // The earlier runs are not: later deployments follow them.
    assert_eq!(appended(&[later]), None);
    assert_eq!(appended(&[c]), None);
    // The last deployment stored again, later still: it keeps its id, so it is the last, but
    // it is not new (its old event, links and contents are elsewhere).
    let again = ingest(&store, "e", |tx| {
        tx.add_deployment(deployment("d-29", 40))
            .expect("deployment");
    });
    assert_eq!(appended(&[again]), None);
}

#[test]
fn appended_deployments_before_a_later_event_are_merged_and_written_twice_are_written_once() {
    let (_dir, store) = store();
    let first = deploys(&store, "a", 0..10);
    let change = ingest(&store, "c", |tx| add_change(tx, 50));
    store.refresh_events(&[first, change]).expect("first files");
    // After every deployment, before the commit's event: merged with it.
    let later = deploys(&store, "b", 20..30);
    assert!(store
        .appended_deployments(&[later])
        .expect("appended")
        .is_some());
    refreshed_equals_rebuild(&store, &[later], "\"v1.26\"");
    // After everything; refreshed twice, as when a process stopped after writing the timeline
    // but before marking the run updated, and the next open updated it again.
    let last = deploys(&store, "d", 60..70);
    store.refresh_events(&[last]).expect("first time");
    refreshed_equals_rebuild(&store, &[last], "\"v1.66\"");
    assert_eq!(searched(&store, "\"v1.66\""), 1);
}

#[test]
fn successful_deployments_with_a_revision_are_read_backwards_across_services() {
    let (_dir, store) = store();
    // Hours deliberately out of id order, across the three services `deployment` uses.
    let hours = [5, 3, 9, 1, 7, 12, 11, 2, 8, 4, 6, 10, 13, 14];
    let run = ingest(&store, "x", |tx| {
        for n in hours {
            tx.add_deployment(deployment(&format!("x-{n}"), n))
                .expect("deployment");
        }
    });
    assert!(run > 0);
    let before_id = 13; // the first twelve of them
    let mut expected: Vec<(i64, i64)> = hours
        .iter()
        .enumerate()
        .map(|(index, &n)| (index as i64 + 1, n))
        .filter(|&(id, n)| {
            let d = deployment("", n);
            id < before_id && d.status == DeployStatus::Succeeded && d.sha.is_some()
        })
        .collect();
    expected.sort_by_key(|&(id, n)| std::cmp::Reverse((n, id)));
    assert!(expected.len() >= 4, "{expected:?}");
    let mut read = Vec::new();
    store
        .for_each_success_backwards(before_id, &|_| true, |row| -> crate::Result<bool> {
            read.push(row.id);
            Ok(true)
        })
        .expect("backwards");
    let ids: Vec<i64> = expected.iter().map(|&(id, _)| id).collect();
    assert_eq!(read, ids);
    // It stops when told to.
    let mut first_two = Vec::new();
    store
        .for_each_success_backwards(before_id, &|_| true, |row| -> crate::Result<bool> {
            first_two.push(row.id);
            Ok(first_two.len() < 2)
        })
        .expect("backwards");
    assert_eq!(first_two, ids[..2]);
    // Only the services asked for.
    let mut payments = Vec::new();
    store
        .for_each_success_backwards(
            before_id,
            &|name| name == "payments",
            |row| -> crate::Result<bool> {
                payments.push((row.service, row.id));
                Ok(true)
            },
        )
        .expect("backwards");
    let of_payments: Vec<(String, i64)> = expected
        .iter()
        .filter(|&&(_, n)| deployment("", n).service == "payments")
        .map(|&(id, _)| ("payments".to_owned(), id))
        .collect();
    assert!(!of_payments.is_empty());
    assert_eq!(payments, of_payments);
    // And reads forwards from an id.
    let mut from = Vec::new();
    store
        .for_each_deployment_from(12, |row| -> crate::Result<()> {
            from.push(row.id);
            Ok(())
        })
        .expect("forwards");
    assert_eq!(from, [12, 13, 14]);
}

/// Whether the store knows its deployments' ids follow time.
fn ids_follow_time(store: &Store) -> bool {
    store
        .connection()
        .expect("conn")
        .query_row("SELECT by_id FROM deployment_time_order", [], |row| {
            row.get(0)
        })
        .expect("order")
}

#[test]
fn a_walk_reads_by_id_while_every_file_appended_its_deployments_in_time_order() {
    let (_dir, store) = store();
    assert!(ids_follow_time(&store), "an empty store");
    deploys(&store, "a", 0..10);
    deploys(&store, "b", 10..20);
    let change = ingest(&store, "c", |tx| add_change(tx, 3));
    assert!(change > 0);
    assert!(ids_follow_time(&store), "appended, and a file of changes");
    let in_order: Vec<String> = (0..10)
        .map(|n| format!("a-{n}"))
        .chain((10..20).map(|n| format!("b-{n}")))
        .collect();
    assert_eq!(walked(&store), in_order);
    // A file that goes back in time: the walk sorts, ties by id.
    deploys(&store, "d", [5, 25]);
    assert!(!ids_follow_time(&store));
    let mut expected = in_order.clone();
    expected.insert(6, "d-5".into());
    expected.push("d-25".into());
    assert_eq!(walked(&store), expected);
    assert!(!ids_follow_time(&store), "the walk found them out of order");
}

#[test]
fn a_walk_that_finds_the_ids_in_time_order_again_says_so() {
    let (_dir, store) = store();
    deploys(&store, "a", 0..10);
    // The last one stored again at its own time: an update, which could have moved it.
    ingest(&store, "again", |tx| {
        tx.add_deployment(deployment("a-9", 9)).expect("again");
    });
    assert!(!ids_follow_time(&store));
    let keys: Vec<String> = (0..10).map(|n| format!("a-{n}")).collect();
    assert_eq!(walked(&store), keys);
    assert!(ids_follow_time(&store), "found in order by the sorted walk");
    assert_eq!(walked(&store), keys, "and read by id");
}

#[test]
fn a_status_that_moves_a_deployment_in_time_is_not_appended_and_unsettles_the_order() {
    let (_dir, store) = store();
    deploys(&store, "a", 0..10);
    let statuses = ingest(&store, "s", |tx| {
        tx.add_deployment_status(&DeploymentStatusUpdate {
            deployment_key: "a-2".into(),
            state: "success".into(),
            status: DeployStatus::Succeeded,
            environment: None,
            description: None,
            log_url: None,
            actor: None,
            at: hour(30),
            source: SourceRef::pointer("statuses.json", "/0"),
        })
        .expect("status");
    });
    assert!(!ids_follow_time(&store));
    assert_eq!(
        store.appended_deployments(&[statuses]).expect("appended"),
        None
    );
    let keys = walked(&store);
    assert_eq!(keys.last().map(String::as_str), Some("a-2"), "{keys:?}");
}

#[test]
fn appended_deployments_take_the_incident_change_and_status_events_after_them_in_without_a_rebuild()
{
    let (_dir, store) = store();
    let first = deploys(&store, "a", 0..40);
    // A status of one of them, reported late (one that leaves its time as it is).
    let status = ingest(&store, "s", |tx| {
        tx.add_deployment_status(&DeploymentStatusUpdate {
            deployment_key: "a-3".into(),
            state: "in_progress".into(),
            status: DeployStatus::InProgress,
            environment: None,
            description: Some("late smoke tests".into()),
            log_url: None,
            actor: None,
            at: hour(60),
            source: SourceRef::pointer("statuses.json", "/0"),
        })
        .expect("status");
    });
    store.refresh_events(&[first, status]).expect("first files");
    // A commit first stored at hour 2, then again (the same key, a changed export) at hour 35:
    // the merge that moves its event leaves its old id unused. A rebuild would number the
    // events from there on anew.
    let commit = |n: i64| {
        move |tx: &mut crate::IngestTransaction<'_>| {
            let mut change = Change::new(
                ChangeKind::Commit,
                "acme/checkout@moved",
                SourceRef::line("x", 1),
            );
            change.title = format!("retry budget {n}");
            change.committed_at = Some(hour(n));
            change.updated_at = Some(hour(n));
            let attribution = Attribution {
                class: AttributionClass::Ai,
                tool: Some("claude-code".into()),
                involvement: None,
                model: None,
                line_share: None,
                confidence: 0.9,
                evidence: Vec::new(),
            };
            tx.add_change(&change, &attribution).expect("change");
        }
    };
    let early = ingest(&store, "c2", commit(2));
    store.refresh_events(&[early]).expect("commit");
    let moved = ingest(&store, "c35", commit(35));
    store.refresh_events(&[moved]).expect("moved commit");
    // After every deployment's time: an incident whose events lie among and after the next
    // file's deployments, some at the very time of a deployment; a commit at such a time too
    // and one after all. With the status, they are more than the events before them (merging
    // them as a tail would rebuild the timeline), and far fewer than the file's.
    let at = |n: i64, minutes: i64| hour(n) + Duration::minutes(minutes);
    let others = ingest(&store, "o", |tx| {
        let event = |n: i64, minutes: i64, kind: &str| hindsight_model::TimelineEvent {
            at: at(n, minutes),
            kind: kind.into(),
            text: format!("{kind} at {n}:{minutes}"),
            source: SourceRef::line("pd.json", 1),
        };
        tx.add_incident(&hindsight_model::Incident {
            source_system: "pagerduty".into(),
            source_id: "P1".into(),
            number: Some(1),
            title: "Checkout errors".into(),
            status: "resolved".into(),
            severity: Some("SEV-2".into()),
            service: Some("checkout".into()),
            started_at: at(50, 30),
            resolved_at: Some(at(400, 0)),
            url: None,
            events: [
                event(50, 30, "triggered"),
                event(55, 0, "acknowledged"),
                event(55, 0, "annotated"),
                event(400, 0, "resolved"),
            ]
            .into_iter()
            .chain((0..60).map(|k| event(51 + 2 * k, 15 * (k % 2), "update")))
            .collect(),
            attributes: Default::default(),
            updated_at: None,
            source: SourceRef::pointer("pd.json", "/incidents/0"),
        })
        .expect("incident");
        add_change(tx, 55);
        add_change(tx, 500);
    });
    store.refresh_events(&[others]).expect("others");
    let before = events(&store);
    let id = |row: &Vec<rusqlite::types::Value>| match row[0] {
        rusqlite::types::Value::Integer(id) => id,
        _ => panic!("an id: {row:?}"),
    };
    assert!(
        before
            .iter()
            .map(id)
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[1] > w[0] + 1),
        "the moved commit left an unused id: {:?}",
        before.iter().map(id).collect::<Vec<_>>()
    );

    let later = deploys(&store, "b", 50..150);
    let first_at = store
        .appended_deployments(&[later])
        .expect("appended")
        .expect("appended after every deployment")
        .first_at;
    let head = before
        .iter()
        .take_while(|row| matches!(&row[1], rusqlite::types::Value::Text(at) if *at < first_at))
        .count();
    assert!(
        head >= 40 && head < before.len(),
        "{head} events before the file's"
    );
    store.refresh_events(&[later]).expect("later file");
    let merged = events(&store);
    assert_eq!(
        merged[..head],
        before[..head],
        "the events before the file's keep their ids: no rebuild"
    );
    assert_eq!(merged.len(), before.len() + 100);
    assert_eq!(searched(&store, "smoke"), 1);
    // Written again (a process stopped before it marked the run updated), as a rebuild has it;
    // and so was it the first time.
    refreshed_equals_rebuild(&store, &[later], "annotated");
    let without_ids = |rows: &[Vec<rusqlite::types::Value>]| -> Vec<_> {
        rows.iter().map(|row| row[1..].to_vec()).collect()
    };
    assert_same(&without_ids(&merged), &without_ids(&events(&store)));
}

#[test]
fn a_deployment_event_names_its_version_or_else_its_sha_and_any_environment() {
    let (_dir, store) = store();
    let run = deploys(&store, "a", 0..6);
    store.refresh_events(&[run]).expect("refresh");
    let titles: Vec<String> = events(&store)
        .into_iter()
        .map(|row| match &row[10] {
            rusqlite::types::Value::Text(title) => title.clone(),
            other => panic!("a title: {other:?}"),
        })
        .collect();
    assert_eq!(
        titles,
        [
            "deploy v1.0 on checkout production (succeeded)",
            // No version: the SHA's first ten characters (not bytes); no environment.
            "deploy é4e5f60718 on payments (failed)",
            // An empty environment is named as empty.
            "deploy v1.2 on søk  (succeeded)",
            "deploy v1.3 on checkout production (failed)",
            "deploy v1.4 on payments (succeeded)",
            // Neither version nor SHA.
            "deploy  on søk  (failed)",
        ]
    );
}
