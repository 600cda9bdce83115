//! Report benchmark (issue: the deep-dive report): a generated store of 5,000 incidents with
//! their deployments and commits, rendered in every format through the api every host uses.
//! Prints the time per format against the targets: all formats but PDF under 2 s together,
//! PDF under 10 s.
//!
//! Run: `cargo bench -p hindsight-tests --bench report` (release build), or with
//! `HINDSIGHT_BENCH_SCALE=0.02` for a quick smoke run (100 incidents). Prints figures;
//! asserts only that every format rendered.

use hindsight_tests::{fake_sha, write_gitlog};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use hindsight_api::{
    parquet_tables, Hindsight, IngestOptions, ReportFormat, ReportOutput, ReportScope,
};
use hindsight_report::{render_bytes, render_csv_tables};

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
    let scale = hindsight_tests::bench_scale();
    let incidents = ((5_000.0 * scale) as usize).max(1);
    // Four deployments and eight commits per incident, as a busy year might have.
    let deployments = incidents * 4;
    let commits = incidents * 8;
    let dir = tempfile::tempdir()?;
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;

    let gitlog = dir.path().join("monorepo.gitlog");
    write_gitlog(&gitlog, commits, &SERVICES, 2, |i| {
        (start + Duration::minutes(i as i64 * 30))
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    })?;
    let deploys = dir.path().join("deploys.jsonl");
    write_deploys(&deploys, deployments, commits, start)?;
    let pagerduty = dir.path().join("pagerduty-incidents.json");
    write_incidents(&pagerduty, incidents, start)?;

    let app = Hindsight::open(&dir.path().join("hindsight.sqlite"))?;
    let options = IngestOptions {
        format: None,
        now: start,
        cancel: None,
        mapping: None,
    };
    let t = Instant::now();
    let ingested = app.ingest_paths(&[gitlog, deploys, pagerduty], &options, &mut |_| {})?;
    for file in &ingested.files {
        anyhow::ensure!(file.error.is_none(), "{:?}", file.error);
    }
    let build = t.elapsed().as_secs_f64();
    let generated_at: DateTime<Utc> = "2026-12-01T00:00:00Z".parse()?;

    println!(
        "report benchmark ({incidents} incidents, {deployments} deployments, {commits} commits)"
    );
    println!("  building the store (ingest + linking):  {build:.2} s");
    // The model is built once, as every host does per export, then rendered in each format.
    let t = Instant::now();
    let report = app.report(generated_at)?;
    let model = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.incidents.len() == incidents,
        "{} incidents",
        report.incidents.len()
    );
    println!("  report model from the store: {model:>7.2} s");

    let mut text_total = model;
    for (name, format) in [
        ("Markdown", ReportFormat::Markdown),
        ("HTML", ReportFormat::Html),
        ("JSON", ReportFormat::Json),
    ] {
        let t = Instant::now();
        let bytes = render_bytes(&report, format)?;
        let secs = t.elapsed().as_secs_f64();
        text_total += secs;
        println!("  {name:<9} {secs:>7.2} s  {:>9} KiB", bytes.len() / 1024);
    }
    let t = Instant::now();
    let csv: usize = render_csv_tables(&report)
        .iter()
        .map(|(_, text)| text.len())
        .sum();
    let secs = t.elapsed().as_secs_f64();
    text_total += secs;
    println!(
        "  CSV       {secs:>7.2} s  {:>9} KiB in 7 tables",
        csv / 1024
    );
    let t = Instant::now();
    let parquet: usize = parquet_tables(&report)?
        .iter()
        .map(|(_, bytes)| bytes.len())
        .sum();
    let secs = t.elapsed().as_secs_f64();
    text_total += secs;
    println!(
        "  Parquet   {secs:>7.2} s  {:>9} KiB in 7 tables",
        parquet / 1024
    );
    println!("  model and each format but PDF, one after another: {text_total:.2} s");
    // What `hindsight report md,html,json,csv,parquet --out DIR` does: one build of the model,
    // the formats rendered on every core, every file written.
    let outputs = ReportOutput::parse_list("md,html,json,csv,parquet")?;
    let out = dir.path().join("meeting");
    let t = Instant::now();
    let written = app.save_report_outputs(&ReportScope::default(), &outputs, &out, generated_at)?;
    let together = t.elapsed().as_secs_f64();
    println!(
        "  model and all formats but PDF together, written to {} files: {together:.2} s \
         (target under 2 s: {})",
        written.len(),
        verdict(together < 2.0)
    );
    let t = Instant::now();
    let pdf = render_bytes(&report, ReportFormat::Pdf)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  PDF       {secs:>7.2} s  {:>9} KiB (with the model: {:.2} s; target under 10 s: {})",
        pdf.len() / 1024,
        secs + model,
        verdict(secs + model < 10.0)
    );
    // The api path a host takes, model included, for one format.
    let t = Instant::now();
    app.render_report_bytes(ReportFormat::Markdown, generated_at)?;
    println!(
        "  Markdown through the api (model + render): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn sha(i: usize) -> String {
    fake_sha(2, i as u64)
}

/// Deployments to production, each shipping up to the commit two steps ahead of the last.
fn write_deploys(
    path: &Path,
    n: usize,
    commits: usize,
    start: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        let ts = (start + Duration::minutes(i as i64 * 60 + 20)).format("%Y-%m-%dT%H:%M:%SZ");
        let service = SERVICES[i % SERVICES.len()];
        let commit = (i * commits / n.max(1) + 1).min(commits - 1);
        writeln!(
            out,
            "{{\"ts\": \"{ts}\", \"id\": \"dep-{i}\", \"service\": \"{service}\", \"environment\": \"production\", \"action\": \"deploy\", \"version\": \"v{i}\", \"sha\": \"{}\", \"status\": \"succeeded\", \"actor\": \"ci-bot\", \"actor_type\": \"automation\", \"approvals\": {}}}",
            sha(commit),
            i % 2
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A PagerDuty `GET /incidents` body: one incident 40 minutes after every fourth deployment.
fn write_incidents(path: &Path, n: usize, start: DateTime<Utc>) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{{\"incidents\": [")?;
    for i in 0..n {
        let deployment = i * 4;
        let created = start + Duration::minutes(deployment as i64 * 60 + 60);
        let resolved = created + Duration::minutes(15 + (i % 7) as i64 * 20);
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let service = SERVICES[deployment % SERVICES.len()];
        writeln!(
            out,
            "{}{{\"id\": \"Q{i:06}\", \"type\": \"incident\", \"incident_number\": {}, \"title\": \"{service} error rate above 5% <b>#{i}</b>\", \"status\": \"resolved\", \"urgency\": \"high\", \"priority\": {{\"summary\": \"P{}\"}}, \"created_at\": \"{}\", \"resolved_at\": \"{}\", \"last_status_change_at\": \"{}\", \"service\": {{\"summary\": \"{service}\"}}, \"html_url\": \"https://example.pagerduty.com/incidents/Q{i:06}\", \"acknowledgements\": [{{\"at\": \"{}\", \"acknowledger\": {{\"summary\": \"On-call {}\"}}}}]}}",
            if i == 0 { "" } else { "," },
            i + 1,
            1 + i % 3,
            fmt(created),
            fmt(resolved),
            fmt(resolved),
            fmt(created + Duration::minutes(4)),
            i % 9
        )?;
    }
    writeln!(out, "], \"limit\": {n}, \"offset\": 0, \"more\": false}}")?;
    out.flush()?;
    Ok(())
}
