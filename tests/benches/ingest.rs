//! Ingest benchmark (issue: ingestion): 1,000,000 generated logfmt deploy lines and 100,000
//! generated commits, ingested through the api every host uses, next to `sqlite3 .import` of an
//! equivalent CSV into an equivalent table, measured in the same run on the same machine: the
//! two alternate for `HINDSIGHT_BENCH_ROUNDS` rounds (3 unless set), and the round with the
//! median ratio stands for them. Then
//! the same deploy log into a store that already holds 100 incidents, in a process of its own,
//! and 1,000 later lines into that store.
//!
//! Run: `cargo bench -p hindsight-tests --bench ingest` (release build), or with
//! `HINDSIGHT_BENCH_SCALE=0.01` for a quick smoke run. Prints figures; asserts nothing.
//!
//! `HINDSIGHT_BENCH_LARGE_LOG_GB=2` instead writes a deploy log of that many gigabytes and
//! ingests it alone into a new store, printing the time and the peak memory: the figure to set
//! beside the million-line run's to see memory stay flat as the file grows (it needs about
//! twice that much free disk, for the log and the store).

use anyhow::Context;
use hindsight_tests::{fake_sha, peak_rss_mib, write_gitlog};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use hindsight_api::{Hindsight, IngestOptions};

const SERVICES: [&str; 8] = [
    "checkout",
    "payments",
    "inventory",
    "search",
    "gateway",
    "ledger",
    "mailer",
    "auth",
];

fn main() -> anyhow::Result<()> {
    if let Ok(args) = std::env::var(WITH_INCIDENTS) {
        return with_incidents(&args);
    }
    if let Ok(gb) = std::env::var(LARGE_LOG_GB) {
        return large_log(gb.parse()?);
    }
    let scale = hindsight_tests::bench_scale();
    let deploy_lines = (1_000_000.0 * scale) as usize;
    let commits = (100_000.0 * scale) as usize;
    let dir = tempfile::tempdir()?;
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;

    let logfmt = dir.path().join("deploys.logfmt");
    let csv = dir.path().join("deploys.csv");
    write_deploys(&logfmt, &csv, 0..deploy_lines, start)?;
    let gitlog = dir.path().join("monorepo.gitlog");
    write_gitlog(&gitlog, commits, &SERVICES, 2, |i| {
        (start + Duration::minutes(i as i64 * 5))
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    })?;

    // Baseline: sqlite3's own CSV import into a table with the same columns, in one transaction.
    let baseline_db = dir.path().join("baseline.sqlite");
    let schema = "CREATE TABLE deployments(ts TEXT, id TEXT, service TEXT, environment TEXT, \
                  version TEXT, sha TEXT, status TEXT, actor TEXT, actor_type TEXT, action TEXT, \
                  approvals TEXT);";
    // It and the ingest alternate, round after round: on a machine whose speed drifts (a
    // shared virtual machine), one pair alone gives a ratio anywhere in a wide range.
    let options = IngestOptions {
        format: None,
        now: Utc::now(),
        cancel: None,
        mapping: None,
    };
    let mut rounds: Vec<(f64, TimedIngest)> = Vec::new();
    let mut app = None;
    let store_path = dir.path().join("hindsight.sqlite");
    for _ in 0..bench_rounds() {
        // Each round's store goes before the next is written: only the last one is read on.
        drop(app.take());
        remove_store(&store_path)?;
        remove_store(&baseline_db)?;
        let baseline = timed_import(&baseline_db, schema, &csv)?;
        let store = Hindsight::open(&store_path)?;
        let deploys = timed_ingest(&store, &logfmt, &options)?;
        anyhow::ensure!(
            deploys.stored == deploy_lines,
            "{} of {deploy_lines} deploy lines stored",
            deploys.stored
        );
        rounds.push((baseline, deploys));
        app = Some(store);
    }
    let app = app.context("no round ran")?;
    // The round whose ratio is the median stands for them all below.
    let mut by_ratio: Vec<&(f64, TimedIngest)> = rounds.iter().collect();
    by_ratio.sort_by(|a, b| (a.0 / a.1.total).total_cmp(&(b.0 / b.1.total)));
    let (baseline, deploys) = by_ratio[by_ratio.len() / 2];
    let baseline = *baseline;
    // The same import into a table keyed as Hindsight's is: a unique natural key (what makes a
    // re-ingest update rather than duplicate) and the (service, time) index linking reads.
    let keyed_schema = schema.replace("id TEXT,", "id TEXT NOT NULL UNIQUE,")
        + " CREATE INDEX deployments_service_time ON deployments(service, ts);";
    let keyed = timed_import(&dir.path().join("keyed.sqlite"), &keyed_schema, &csv)?;
    // A new Hindsight store, where SQLite's floor is measured below; its page size is that of
    // every new store.
    let floor_db = dir.path().join("floor.sqlite");
    drop(Hindsight::open(&floor_db)?);
    let store_page_kb = page_size_of(&floor_db)? / 1024;
    // The keyed import again with the pages a new Hindsight store has (SQLite's default, which
    // the imports above use, is 4 KB): the same table in the same page size.
    let keyed_paged = timed_import(
        &dir.path().join("keyed-paged.sqlite"),
        &format!(
            "PRAGMA page_size = {}; {keyed_schema}",
            store_page_kb * 1024
        ),
        &csv,
    )?;

    // SQLite's own floor for Hindsight's table: the same rows moved by one INSERT … SELECT into
    // a store with Hindsight's schema (its natural-key index, time index and foreign keys) and
    // pragmas. No parsing, no binding: what storing costs before Hindsight does anything.
    let t = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&floor_db)
        .arg(FLOOR_SQL.replace("BASELINE", &baseline_db.display().to_string()))
        .stdout(std::process::Stdio::null())
        .status()?;
    let floor = t.elapsed().as_secs_f64();
    anyhow::ensure!(status.success(), "sqlite3 floor insert failed");

    let (deploy_secs, store_secs, timeline_secs) =
        (deploys.total, deploys.stored_after, deploys.timeline);
    let commits_run = timed_ingest(&app, &gitlog, &options)?;
    anyhow::ensure!(
        commits_run.stored == commits,
        "{} of {commits} commits stored",
        commits_run.stored
    );
    let commit_secs = commits_run.total;
    // A small deploy log later than everything: what a regular import of new logs costs in a
    // store this size (the timeline's refresh should follow the file, not the store).
    let later = ingest_later(&app, dir.path(), deploy_lines, start, &options)?;

    let peak_mb = peak_rss_mib();
    println!("ingest benchmark ({deploy_lines} logfmt deploy lines, {commits} commits)");
    for (round, (import, ingest)) in rounds.iter().enumerate() {
        println!(
            "  round {}: sqlite3 .import {import:.2} s, then hindsight {:.2} s: {:.2}x",
            round + 1,
            ingest.total,
            import / ingest.total
        );
    }
    let ratios: Vec<f64> = by_ratio.iter().map(|(b, d)| b / d.total).collect();
    println!(
        "  the round with the median ratio of {} stands for them below (ratios {:.2}-{:.2}x)",
        rounds.len(),
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "  sqlite3 .import of the equivalent CSV: {baseline:.2} s = {:.0} rows/s",
        deploy_lines as f64 / baseline
    );
    println!(
        "  hindsight deploy log ingest:           {deploy_secs:.2} s = {:.0} records/s (includes re-linking)",
        deploy_lines as f64 / deploy_secs
    );
    println!(
        "  sqlite3 .import into a table keyed as Hindsight's (unique natural key, service and \
         time index): {keyed:.2} s = {:.0} rows/s",
        deploy_lines as f64 / keyed
    );
    println!(
        "  the same keyed import with {store_page_kb} KB pages, as a new Hindsight store has: \
         {keyed_paged:.2} s = {:.0} rows/s",
        deploy_lines as f64 / keyed_paged
    );
    println!(
        "  ratio to sqlite3 .import:              {:.2}x (target 0.5x or better); to the keyed \
         import: {:.2}x; to the keyed import with {store_page_kb} KB pages: {:.2}x",
        baseline / deploy_secs,
        keyed / deploy_secs,
        keyed_paged / deploy_secs
    );
    println!(
        "    parse and store:                     {store_secs:.2} s = {:.2}x of .import, {:.2}x \
         of the keyed import",
        baseline / store_secs,
        keyed / store_secs
    );
    println!(
        "    then shipped changes and links:      {:.2} s",
        deploy_secs - store_secs - timeline_secs
    );
    println!("    then the timeline and its search index: {timeline_secs:.2} s");
    let durable = deploy_secs + deploys.checkpoint;
    println!(
        "  until the last pages are in the database file (background checkpoint, {:.2} s after \
         the ingest returned): {durable:.2} s = {:.2}x of .import, {:.2}x of the keyed import",
        deploys.checkpoint,
        baseline / durable,
        keyed / durable
    );
    println!(
        "  SQLite's floor for Hindsight's table:  {floor:.2} s = {:.2}x of .import (INSERT … SELECT \
         of the same rows, same keys and indexes)",
        baseline / floor
    );
    println!(
        "  hindsight git log ingest:              {commit_secs:.2} s = {:.0} commits/s",
        commits as f64 / commit_secs
    );
    println!(
        "    parse, classify and store {:.2} s; what each deployment shipped {:.2} s; the \
         timeline {:.2} s; then the background checkpoint {:.2} s",
        commits_run.stored_after,
        commit_secs - commits_run.stored_after - commits_run.timeline,
        commits_run.timeline,
        commits_run.checkpoint
    );
    println!(
        "  then {LATER_LINES} later deploy lines into that store: {:.3} s (parse and store \
         {:.3} s, shipped changes {:.3} s, timeline {:.3} s)",
        later.total,
        later.stored_after,
        later.total - later.stored_after - later.timeline,
        later.timeline
    );
    match peak_mb {
        Some(mb) => {
            println!("  peak resident memory:                  {mb:.0} MB (target under 300 MB)")
        }
        None => {
            println!("  peak resident memory:                  unavailable (no /proc/self/status)")
        }
    }

    // The same deploy log into a store that already holds incidents, in a process of its own so
    // that its peak memory is its own: linking then runs over it too, holding only the
    // deployments it may read.
    drop(app);
    let status = Command::new(std::env::current_exe()?)
        .env(
            WITH_INCIDENTS,
            format!("{}\n{baseline}\n{deploy_lines}", logfmt.display()),
        )
        .status()?;
    anyhow::ensure!(status.success(), "the run with incidents failed");
    Ok(())
}

/// Rounds of the baseline and the deploy log's ingest, alternating: `HINDSIGHT_BENCH_ROUNDS`,
/// 3 unless set.
fn bench_rounds() -> usize {
    hindsight_tests::env_number("HINDSIGHT_BENCH_ROUNDS", 3).max(1)
}

/// Removes the SQLite database `db` and its WAL and shared-memory files, where they exist.
fn remove_store(db: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", file.display()))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Seconds sqlite3 takes to create `db` with `schema` and import `csv` into its `deployments`.
fn timed_import(db: &Path, schema: &str, csv: &Path) -> anyhow::Result<f64> {
    let t = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .arg(schema)
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} deployments", csv.display()))
        .status()?;
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        status.success(),
        "sqlite3 .import into {} failed",
        db.display()
    );
    Ok(secs)
}

/// The page size of the SQLite database `db`, as the sqlite3 shell reads it.
fn page_size_of(db: &Path) -> anyhow::Result<u32> {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("PRAGMA page_size;")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "sqlite3 could not read {}",
        db.display()
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

/// One file's ingest, timed by its progress: in all, until every record was stored, and the
/// timeline step at the end.
struct TimedIngest {
    total: f64,
    /// After `total`, until the store's background checkpoint has written every page of the
    /// ingest into the database file (durable against a loss of power).
    checkpoint: f64,
    stored_after: f64,
    timeline: f64,
    stored: usize,
}

fn timed_ingest(
    app: &Hindsight,
    path: &Path,
    options: &IngestOptions,
) -> anyhow::Result<TimedIngest> {
    let t = Instant::now();
    let mut stored_after = None;
    let mut timeline_after = None;
    let report = app.ingest_paths(
        std::slice::from_ref(&path.to_path_buf()),
        options,
        &mut |p| match (p.phase.as_str(), p.step.as_str()) {
            ("updating", "timeline") => timeline_after = Some(t.elapsed().as_secs_f64()),
            ("updating", _) => stored_after = Some(t.elapsed().as_secs_f64()),
            _ => {}
        },
    )?;
    let total = t.elapsed().as_secs_f64();
    app.wait_for_checkpoint()?;
    let checkpoint = t.elapsed().as_secs_f64() - total;
    anyhow::ensure!(
        report.files[0].error.is_none(),
        "{:?}",
        report.files[0].error
    );
    Ok(TimedIngest {
        total,
        checkpoint,
        stored_after: stored_after.unwrap_or(total),
        timeline: total - timeline_after.unwrap_or(total),
        stored: report.files[0].records_stored as usize,
    })
}

/// The small later deploy log's lines.
const LATER_LINES: usize = 1_000;

/// Writes [`LATER_LINES`] deploy lines following the first `deploy_lines` into `dir` and
/// ingests them into `app`.
fn ingest_later(
    app: &Hindsight,
    dir: &Path,
    deploy_lines: usize,
    start: DateTime<Utc>,
    options: &IngestOptions,
) -> anyhow::Result<TimedIngest> {
    let (log, csv) = (dir.join("later.logfmt"), dir.join("later.csv"));
    write_deploys(&log, &csv, deploy_lines..deploy_lines + LATER_LINES, start)?;
    let later = timed_ingest(app, &log, options)?;
    anyhow::ensure!(
        later.stored == LATER_LINES,
        "{} of {LATER_LINES} later lines stored",
        later.stored
    );
    Ok(later)
}

/// Set (to the deploy log, the baseline seconds and the line count) in the child process that
/// ingests the deploy log into a store holding incidents.
const WITH_INCIDENTS: &str = "HINDSIGHT_BENCH_WITH_INCIDENTS";

/// The child's run: 100 incidents (scaled) stored, then the deploy log.
fn with_incidents(args: &str) -> anyhow::Result<()> {
    let mut parts = args.lines();
    let (Some(logfmt), Some(baseline), Some(deploy_lines)) =
        (parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("{WITH_INCIDENTS} needs the deploy log, the baseline and the line count");
    };
    let logfmt = std::path::PathBuf::from(logfmt);
    let baseline: f64 = baseline.parse()?;
    let deploy_lines: usize = deploy_lines.parse()?;
    let dir = tempfile::tempdir()?;
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;
    let incidents = (deploy_lines / 10_000).max(1);
    let pagerduty = dir.path().join("pagerduty-incidents.json");
    write_incidents(&pagerduty, incidents, deploy_lines, start)?;
    let options = IngestOptions {
        format: None,
        now: Utc::now(),
        cancel: None,
        mapping: None,
    };
    let app = Hindsight::open(&dir.path().join("with-incidents.sqlite"))?;
    app.ingest_paths(std::slice::from_ref(&pagerduty), &options, &mut |_| {})?;
    let run = timed_ingest(&app, &logfmt, &options)?;
    anyhow::ensure!(
        run.stored == deploy_lines,
        "{} of {deploy_lines} deploy lines stored",
        run.stored
    );
    let secs = run.total;
    println!(
        "  with {incidents} incidents stored first:   {secs:.2} s = {:.2}x of .import (ingest, \
         shipped changes, linking, timeline)",
        baseline / secs
    );
    println!(
        "    parse and store {:.2} s; shipped changes and links {:.2} s; the timeline {:.2} s; \
         then the background checkpoint {:.2} s",
        run.stored_after,
        secs - run.stored_after - run.timeline,
        run.timeline,
        run.checkpoint
    );
    // A regular import of new logs into that store: linking then reads the store again.
    let later = ingest_later(&app, dir.path(), deploy_lines, start, &options)?;
    println!(
        "    then {LATER_LINES} later deploy lines into that store: {:.3} s (parse and store \
         {:.3} s, shipped changes and links {:.3} s, timeline {:.3} s)",
        later.total,
        later.stored_after,
        later.total - later.stored_after - later.timeline,
        later.timeline
    );
    match peak_rss_mib() {
        Some(mb) => {
            println!("    peak resident memory of that process: {mb:.0} MB (target under 300 MB)")
        }
        None => println!("    peak resident memory of that process: unavailable"),
    }
    Ok(())
}

/// Set to a size in gigabytes: the run writes a deploy log that large and ingests it alone.
const LARGE_LOG_GB: &str = "HINDSIGHT_BENCH_LARGE_LOG_GB";

/// A deploy log of `gb` gigabytes (lines as the million-line run's, 216 bytes each) into a new
/// store: the time and the peak memory.
fn large_log(gb: f64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;
    let logfmt = dir.path().join("large.logfmt");
    let lines = (gb * 1e9 / 216.0) as usize;
    write_deploys(&logfmt, Path::new("/dev/null"), 0..lines, start)?;
    let bytes = std::fs::metadata(&logfmt)?.len();
    let app = Hindsight::open(&dir.path().join("large.sqlite"))?;
    let run = timed_ingest(&app, &logfmt, &IngestOptions::new(Utc::now()))?;
    anyhow::ensure!(
        run.stored == lines,
        "{} of {lines} lines stored",
        run.stored
    );
    println!(
        "large deploy log: {lines} lines, {:.2} GB: {:.1} s = {:.0} records/s (parse and store \
         {:.1} s, timeline {:.1} s)",
        bytes as f64 / 1e9,
        run.total,
        lines as f64 / run.total,
        run.stored_after,
        run.timeline
    );
    match peak_rss_mib() {
        Some(mb) => println!("  peak resident memory: {mb:.0} MB (target under 300 MB)"),
        None => println!("  peak resident memory: unavailable"),
    }
    Ok(())
}

/// `n` PagerDuty incidents spread evenly over the deploy log's time, each on a service of the
/// log; every tenth names a deployment by key.
fn write_incidents(
    path: &Path,
    n: usize,
    deploy_lines: usize,
    start: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    write!(out, "{{\"incidents\": [")?;
    let step = (deploy_lines / n.max(1)).max(1);
    for i in 0..n {
        let line = i * step + step / 2;
        let created = start + Duration::seconds(line as i64 * 7 + 60);
        let resolved = created + Duration::minutes(45);
        let service = SERVICES[line % SERVICES.len()];
        let named = if i % 10 == 0 {
            format!(" after dep-{}", line.saturating_sub(500))
        } else {
            String::new()
        };
        write!(
            out,
            "{}{{\"id\": \"Q{i:06}\", \"type\": \"incident\", \"incident_number\": {}, \"title\": \"{service} errors{named}\", \"status\": \"resolved\", \"created_at\": \"{}\", \"resolved_at\": \"{}\", \"service\": {{\"summary\": \"{service}\"}}, \"html_url\": \"https://example.pagerduty.com/incidents/Q{i:06}\"}}",
            if i == 0 { "" } else { "," },
            i + 1,
            created.format("%Y-%m-%dT%H:%M:%SZ"),
            resolved.format("%Y-%m-%dT%H:%M:%SZ"),
        )?;
    }
    writeln!(out, "], \"limit\": {n}, \"offset\": 0, \"more\": false}}")?;
    out.flush()?;
    Ok(())
}

/// The baseline's rows moved into Hindsight's `deployments` table by SQLite alone.
const FLOOR_SQL: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;
    ATTACH 'BASELINE' AS b;
    BEGIN;
    INSERT INTO ingest_runs(path, content_hash, format, ingested_at, records_seen, records_stored,
                            records_rejected)
        VALUES ('deploys.csv', 'floor', 'deploylog-logfmt', '2026-01-01T00:00:00.000Z', 0, 0, 0);
    INSERT INTO services(name) SELECT DISTINCT service FROM b.deployments;
    INSERT INTO deployments(natural_key, service_id, environment, version, sha, status, actor,
                            actor_type, action, at, attributes, source_file, source_location,
                            run_id)
        SELECT 'deploylog:' || d.id, s.id, d.environment, d.version, d.sha, d.status, d.actor,
               d.actor_type, d.action, d.ts, json_object('approvals', d.approvals),
               'deploys.logfmt', 'line ' || d.rowid, (SELECT max(id) FROM ingest_runs)
        FROM b.deployments d JOIN services s ON s.name = d.service;
    COMMIT;";

/// Deploy lines `lines` (seven seconds apart from `start`), as logfmt and as the same CSV.
fn write_deploys(
    logfmt: &Path,
    csv: &Path,
    lines: std::ops::Range<usize>,
    start: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut lf = BufWriter::new(std::fs::File::create(logfmt)?);
    let mut cs = BufWriter::new(std::fs::File::create(csv)?);
    writeln!(
        cs,
        "ts,id,service,environment,version,sha,status,actor,actor_type,action,approvals"
    )?;
    for i in lines {
        let ts = (start + Duration::seconds(i as i64 * 7)).format("%Y-%m-%dT%H:%M:%SZ");
        let service = SERVICES[i % SERVICES.len()];
        let env = if i % 3 == 0 { "staging" } else { "production" };
        let status = if i % 41 == 0 { "failed" } else { "succeeded" };
        let sha = fake_sha(1, i as u64);
        let version = format!("v{}.{}.{}", i / 10_000, (i / 100) % 100, i % 100);
        let actor = if i % 17 == 0 { "ops-agent" } else { "ci-bot" };
        let kind = if i % 17 == 0 { "agent" } else { "automation" };
        writeln!(
            lf,
            "ts={ts} id=dep-{i} service={service} environment={env} version={version} sha={sha} status={status} actor={actor} actor_type={kind} action=deploy approvals={}",
            i % 2
        )?;
        writeln!(
            cs,
            "{ts},dep-{i},{service},{env},{version},{sha},{status},{actor},{kind},deploy,{}",
            i % 2
        )?;
    }
    lf.flush()?;
    cs.flush()?;
    Ok(())
}
