//! Ingest through the api: deployment statuses from a file of their own, zones, re-ingest.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::{Hindsight, IngestOptions};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/formats")
        .join(path)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .expect("time")
}

fn open() -> (tempfile::TempDir, Hindsight) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
    (dir, app)
}

fn ingest(app: &Hindsight, paths: &[PathBuf], zone: Option<&str>) -> crate::IngestReportDto {
    let report = app
        .ingest_paths_in_zone(paths, &IngestOptions::new(now()), zone, &mut |_| {})
        .expect("ingest");
    for file in &report.files {
        assert_eq!(file.status, "stored", "{file:#?}");
    }
    report
}

#[test]
fn statuses_file_before_and_after_its_deployments() {
    let (_dir, app) = open();
    let report = ingest(
        &app,
        &[fixture("github_deployment_statuses/statuses.json")],
        None,
    );
    assert_eq!(
        report.files[0].format.as_deref(),
        Some("github-deployment-statuses")
    );
    assert_eq!(report.files[0].records_stored, 5);
    assert_eq!(report.files[0].records_rejected, 0);
    ingest(
        &app,
        &[
            fixture("github-deployments/deployments.json"),
            fixture("github_deployment_statuses/late-deployment.json"),
        ],
        None,
    );
    let deployments = app.store.deployments().expect("deployments");
    let find = |key: &str| {
        deployments
            .iter()
            .find(|d| d.natural_key == key)
            .unwrap_or_else(|| panic!("{key} stored"))
    };
    // The statuses arrived first and waited for the deployment.
    let late = find("github:acme-shop/checkout:deployment:1843412345");
    assert_eq!(late.status, "failed");
    assert_eq!(late.at, "2026-11-18T08:14:55.000Z");
    assert_eq!(
        late.attributes.get("finished_at").map(String::as_str),
        Some("2026-11-18T08:14:55.000Z")
    );
    // A deployment of the deployments file without embedded statuses gets them too.
    let platform = find("github:acme-shop/platform:deployment:1843391277");
    assert_eq!(platform.status, "succeeded");
    assert_eq!(platform.at, "2026-11-17T15:36:12.000Z");
    assert_eq!(
        platform.attributes.get("state").map(String::as_str),
        Some("success")
    );

    // Every status is on the merged timeline.
    let conn = app.store.connection().expect("conn");
    let titles: Vec<String> = conn
        .prepare("SELECT title FROM events WHERE kind = 'status' ORDER BY at, id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    // Five from the statuses file and nine embedded in the deployments file (each kept once).
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM deployment_statuses", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 14);
    assert_eq!(titles.len(), 14, "{titles:#?}");
    assert!(titles.contains(&"status queued of deploy main on payments".to_owned()));
    // An embedded status: the release superseded by the next one.
    assert!(
        titles
            .iter()
            .any(|t| t.contains("inactive") && t.contains("Superseded by deployment 1843377702")),
        "{titles:#?}"
    );
}

#[test]
fn zone_less_times_are_read_in_the_given_zone_and_marked() {
    let (_dir, app) = open();
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("changes.csv");
    std::fs::write(
        &csv,
        "number,short_description,type,start_date,end_date,sys_updated_on\n\
         CHG0040001,Rotate certificates,normal,2026-11-18 09:00:00,2026-11-18 10:00:00,2026-11-18 10:05:00\n",
    )
    .expect("write");
    ingest(&app, &[csv], Some("Europe/Berlin"));
    let changes = app.store.load_changes().expect("changes");
    let (_, change) = changes
        .into_iter()
        .find(|(_, c)| c.natural_key == "CHG0040001")
        .expect("stored");
    assert_eq!(
        change.committed_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-18T09:00:00+00:00")
    );
    assert_eq!(
        change.attributes.get("assumed_zone").map(String::as_str),
        Some("Europe/Berlin")
    );
    let bad = app.ingest_paths_in_zone(
        &[],
        &IngestOptions::new(now()),
        Some("Mars/Base"),
        &mut |_| {},
    );
    assert!(bad.is_err());
}

#[test]
fn the_devlake_corpus_tables_load_with_zero_rejections_and_one_skipped_pipeline() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/devlake-dora");
    let detected = Hindsight::detect_files(&[corpus]).expect("detect");
    let tables: Vec<PathBuf> = detected
        .iter()
        .filter(|f| {
            f.format
                .as_deref()
                .is_some_and(|n| n.starts_with("devlake-"))
        })
        .map(|f| PathBuf::from(&f.path))
        .collect();
    // cicd_deployment_commits (four files), incidents and project_mapping (three files).
    assert_eq!(tables.len(), 8, "{detected:#?}");
    let mut skipped = Vec::new();
    for table in &tables {
        // Each file on its own store: the corpus's tests reuse ids across fixtures.
        let (_dir, app) = open();
        let report = ingest(&app, std::slice::from_ref(table), None);
        let file = &report.files[0];
        assert_eq!(file.records_rejected, 0, "{file:#?}");
        assert!(file.records_stored > 0, "{file:#?}");
        skipped.extend(file.rejections.iter().filter(|r| r.skipped).cloned());
        assert_eq!(file.records_skipped as usize, file.rejections.len());
        // The run says the same.
        let runs = app.list_runs().expect("runs");
        assert_eq!(runs[0].records_skipped, file.records_skipped);
        assert_eq!(runs[0].rejections.len(), file.rejections.len());
    }
    // The one pipeline that never ran, kept with its line and reason.
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0].location, "line 2");
    assert!(
        skipped[0].reason.contains("never ran"),
        "{}",
        skipped[0].reason
    );
}

#[test]
fn the_same_file_in_another_zone_is_read_again_and_updates_its_records() {
    let (_dir, app) = open();
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("changes.csv");
    std::fs::write(
        &csv,
        "number,short_description,type,start_date,end_date\n\
         CHG0040002,Resize pool,normal,2026-11-18 09:00:00,2026-11-18 10:00:00\n",
    )
    .expect("write");
    let closed = |app: &Hindsight| {
        let changes = app.store.load_changes().expect("changes");
        assert_eq!(changes.len(), 1, "never duplicated");
        changes[0].1.committed_at.map(|t| t.to_rfc3339())
    };
    ingest(&app, std::slice::from_ref(&csv), None);
    assert_eq!(closed(&app).as_deref(), Some("2026-11-18T10:00:00+00:00"));
    // The same zone again (UTC is the default): nothing to do.
    let again = app
        .ingest_paths_in_zone(
            std::slice::from_ref(&csv),
            &IngestOptions::new(now()),
            Some("UTC"),
            &mut |_| {},
        )
        .expect("ingest");
    assert_eq!(again.files[0].status, "already_ingested");
    // Another zone: a new reading of the same rows, which replaces the first.
    let berlin = ingest(&app, std::slice::from_ref(&csv), Some("Europe/Berlin"));
    assert_eq!(berlin.files[0].records_stored, 1);
    assert_eq!(closed(&app).as_deref(), Some("2026-11-18T09:00:00+00:00"));
    let twice = app
        .ingest_paths_in_zone(
            std::slice::from_ref(&csv),
            &IngestOptions::new(now()),
            Some("Europe/Berlin"),
            &mut |_| {},
        )
        .expect("ingest");
    assert_eq!(twice.files[0].status, "already_ingested");
}

/// Every event of the timeline, oldest first.
fn all_events(app: &Hindsight) -> Vec<crate::EventDto> {
    let mut events = Vec::new();
    loop {
        let page = app
            .search_events(&crate::EventQueryDto {
                offset: events.len() as i64,
                limit: crate::timeline::MAX_PAGE,
                ..Default::default()
            })
            .expect("events");
        if page.events.is_empty() {
            return events;
        }
        events.extend(page.events);
    }
}

#[test]
fn files_whose_update_a_stopped_process_never_wrote_are_updated_when_the_store_opens() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&demo)
        .expect("demo")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    // Pull requests take their class from commits once everything is stored.
    files.push(fixture("github-pulls/pulls.json"));
    let (_reference_dir, reference) = open();
    ingest(&reference, &files, None);
    assert_eq!(reference.store.runs_awaiting_update().expect("runs"), []);

    // What a process killed between each file's commit and the update after it leaves: the
    // records stored and nothing that follows from them.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    {
        let stopped = Hindsight::open(&db).expect("open");
        for path in &files {
            let bytes = std::fs::read(path).expect("read");
            let outcome = stopped
                .ingest_bytes(&path.display().to_string(), &bytes, now())
                .expect("store");
            assert_eq!(outcome.status, "stored", "{outcome:#?}");
        }
        let waiting = stopped.store.runs_awaiting_update().expect("runs");
        assert_eq!(waiting.len(), files.len());
        assert!(waiting.iter().any(|(_, format)| format == "github-pulls"));
        assert!(all_events(&stopped).is_empty());
        assert!(stopped.store.all_links().expect("links").is_empty());
    }

    let app = Hindsight::open(&db).expect("open again");
    assert_eq!(app.updates_finished_at_open(), files.len());
    assert_eq!(app.store.runs_awaiting_update().expect("runs"), []);
    let events = all_events(&app);
    assert!(events.len() > 100, "{} events", events.len());
    assert_eq!(events, all_events(&reference));
    let links = app.store.all_links().expect("links");
    assert!(!links.is_empty());
    assert_eq!(links, reference.store.all_links().expect("links"));
    assert_eq!(
        app.store.changes().expect("changes"),
        reference.store.changes().expect("changes")
    );
    // Nothing is waiting any more: opening again does no work.
    drop(app);
    let again = Hindsight::open(&db).expect("open a third time");
    assert_eq!(again.updates_finished_at_open(), 0);
}

#[test]
fn a_deploy_log_hashed_while_it_is_stored_keeps_its_hash_and_is_a_no_op_when_ingested_again() {
    let (_dir, app) = open();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("deploys.logfmt");
    let lines: String = (0..20_000)
        .map(|i| {
            format!(
                "ts=2026-11-18T09:{:02}:{:02}Z id=dep-{i} service=checkout env=production version=v{i}\n",
                (i / 60) % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(&log, &lines).expect("write");
    let first = ingest(&app, std::slice::from_ref(&log), None);
    assert_eq!(first.files[0].status, "stored");
    assert_eq!(first.files[0].records_stored, 20_000);
    // The run holds the file's own hash, worked out on the side, not the one it held while
    // the file was being written.
    let stored_hash: String = app
        .store
        .connection()
        .expect("conn")
        .query_row("SELECT content_hash FROM ingest_runs", [], |row| row.get(0))
        .expect("run");
    assert_eq!(
        stored_hash,
        hindsight_ingest::content_hash(lines.as_bytes())
    );

    // Again, and the same bytes under another name: nothing is written either time.
    let copy = dir.path().join("copy.log");
    std::fs::copy(&log, &copy).expect("copy");
    for path in [&log, &copy] {
        let again = app
            .ingest_paths(
                std::slice::from_ref(path),
                &IngestOptions::new(now()),
                &mut |_| {},
            )
            .expect("ingest");
        assert_eq!(again.files[0].status, "already_ingested", "{path:?}");
        assert_eq!(again.files[0].run_id, first.files[0].run_id);
        assert_eq!(again.files[0].records_stored, 0);
    }
    let conn = app.store.connection().expect("conn");
    let (runs, deployments): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM ingest_runs), (SELECT count(*) FROM deployments)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("counts");
    assert_eq!((runs, deployments), (1, 20_000));
}
