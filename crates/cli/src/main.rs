//! `hindsight`: the command-line face of Hindsight, a thin layer over the api crate.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use hindsight_api::{
    AnalyzeOptions, ApiError, ApiErrorKind, Hindsight, IngestOptions, ReportFormat, ReportOutput,
    ReportScope, Roster,
};

const EXAMPLES: &str = "\
Examples:
  hindsight ingest fixtures/demo/*                 load the bundled demo data set
  hindsight ingest ~/src/checkout deploys.jsonl    a git repository and a deploy log
  hindsight ingest --mapping shipit.toml export.csv   an export no built-in format knows
  hindsight incidents                              list incidents with their suspects
  hindsight report --format md                     the deep-dive report on stdout
  hindsight report --format html --out dive.html   ... as one self-contained HTML file
  hindsight report --format pdf --out dive.pdf     ... as a PDF with contents and page numbers
  hindsight report --format csv --out tables/      ... every table as a CSV file
  hindsight report parquet --out tables/           ... every table as a typed Parquet file
  hindsight report all --out meeting/              every format at once: report.md, .html,
                                                   .json, .pdf, csv/ and parquet/
  hindsight report md --from 2026-11-16 --to 2026-11-20 --service checkout --cohort ai
                                                   a scoped report: filters narrow every section
  hindsight report html --incident PT4KHLK --out one.html   full sections for chosen incidents
  hindsight --db team.sqlite --json changes        every change with its attribution, as JSON
  hindsight attribution explain 3f2a9c1            why a change is AI, human, automation or unknown
  hindsight attribution override 3f2a9c1 --class human --reason \"pair-programmed, no AI\"
  hindsight --rules ours.toml attribution reclassify   apply edited rules without re-ingesting
  hindsight link confirm 12 --reason \"rollback fixed it\"   confirm suspect link 12 of `incident`

Exit codes:
  0  success
  1  internal error (a bug, or the machine failed: disk full, permissions)
  2  bad input or usage (unreadable or malformed file, unknown option, missing record)";

/// mimalloc: reports and ingests allocate millions of short strings, which it frees and reuses
/// faster than the system allocator (see ARCHITECTURE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Incident deep-dives from the data you already have: which deployments and changes triggered
/// an outage, and whether AI tools or humans wrote them.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, after_help = EXAMPLES)]
struct Cli {
    /// The database file [default: hindsight.sqlite in your data directory]
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    json: bool,
    /// An attribution rule file (TOML) on top of the built-in rules
    #[arg(long, global = true, value_name = "FILE", env = "HINDSIGHT_RULES")]
    rules: Option<PathBuf>,
    /// Who is making a review decision or override [default: $USER]
    #[arg(long = "as", global = true, value_name = "NAME")]
    reviewer: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ingest files, directories and git repositories (formats are detected from content)
    Ingest {
        /// Files, directories or git repositories
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Read every file as this format (see `hindsight formats`)
        #[arg(long, value_name = "NAME")]
        format: Option<String>,
        /// Exit with code 2 when any record was rejected, not only when a file failed
        #[arg(long)]
        strict: bool,
        /// Read every file through this TOML column mapping (CSV, JSON or regex lines); see
        /// fixtures/formats/mapped/ for examples
        #[arg(long, value_name = "FILE", conflicts_with = "format")]
        mapping: Option<PathBuf>,
        /// The zone of times a file states without one (ServiceNow, PagerDuty CSV, post-mortem
        /// timelines, deploy logs): UTC, +01:00 or an IANA name such as Europe/Berlin. Records
        /// read so carry the attribute assumed_zone [default: UTC]
        #[arg(long, value_name = "ZONE")]
        zone: Option<String>,
    },
    /// Write the deep-dive report
    Report {
        /// The format, as an alternative to --format
        #[arg(value_name = "FORMAT")]
        kind: Option<String>,
        /// md, html, json, pdf, csv or parquet (csv and parquet: one file per table, into the
        /// --out folder); several separated by commas, or all, into the --out folder from one
        /// build of the report
        #[arg(long, default_value = "md", value_name = "FORMAT")]
        format: String,
        /// Only what happened from this date or RFC 3339 time on (incidents by start,
        /// deployments by time, changes by commit time)
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Only what happened before this RFC 3339 time, or up to the end of this date
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Only this service (repeatable): incidents, deployments, changes by repository
        #[arg(long = "service", value_name = "NAME")]
        services: Vec<String>,
        /// Only the services whose deployment records carry `team=NAME` (repeatable)
        #[arg(long = "team", value_name = "NAME")]
        teams: Vec<String>,
        /// Only incidents of this severity (repeatable), as the source wrote it
        #[arg(long = "severity", value_name = "NAME")]
        severities: Vec<String>,
        /// Only changes of this class (ai, human, automation, unknown) or AI tool, the
        /// deployments that shipped them and the incidents they are suspected of (repeatable)
        #[arg(long = "cohort", value_name = "NAME")]
        cohorts: Vec<String>,
        /// Give this incident a full section (repeatable): id, source id or system:source_id;
        /// the others stay in the incident table
        #[arg(long = "incident", value_name = "ID")]
        incidents: Vec<String>,
        /// Write to this file (atomically) instead of standard output; a folder for csv,
        /// parquet and several formats
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// The report's generation time, RFC 3339 [default: $SOURCE_DATE_EPOCH or now]
        #[arg(long, value_name = "TIME")]
        generated_at: Option<String>,
    },
    /// List incidents, newest first, with their suspect count
    Incidents,
    /// Show one incident with its timeline and ranked suspects; or merge, split and class
    /// incidents (`hindsight incident merge 3 7 --why ...`)
    #[command(args_conflicts_with_subcommands = true)]
    Incident {
        /// The incident's id, as listed by `hindsight incidents`
        id: Option<i64>,
        #[command(subcommand)]
        action: Option<IncidentCommand>,
    },
    /// List every change with its attribution
    Changes,
    /// The analysis behind the report: failure measures per cohort and the links, or
    /// Apache DevLake's rule on DevLake tables (`--link-mode devlake`)
    Analyze {
        /// `hindsight` (the store's links and measures) or `devlake`
        #[arg(long, default_value = "hindsight", value_name = "MODE")]
        link_mode: String,
        /// With `--link-mode devlake`: a folder holding DevLake's `incidents.csv`,
        /// `project_mapping.csv` and `cicd_deployment_commits*.csv`
        #[arg(long, value_name = "DIR")]
        devlake_dir: Option<PathBuf>,
        /// With `--link-mode devlake`: the DevLake project
        #[arg(long, default_value = "project1", value_name = "NAME")]
        project: String,
        /// Teams, findings, blast radius and sensitivity only for changes, deployments and
        /// incidents from this time on (RFC 3339 or YYYY-MM-DD)
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// ... and before this time (RFC 3339 or YYYY-MM-DD)
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Senior reviewers and groups (TOML: senior_reviewers, senior_groups, [groups]; see
        /// fixtures/roster.toml) for the "without senior approval" finding
        #[arg(long, value_name = "FILE")]
        roster: Option<PathBuf>,
    },
    /// List the input formats Hindsight reads
    Formats,
    /// List ingest runs, newest first, with their rejected records
    Runs,
    /// List the service catalog (Backstage, DevLake projects): owner, aliases, dependencies
    Services,
    /// Explain, correct and re-run the AI / human / automation classification
    #[command(subcommand)]
    Attribution(AttributionCommand),
    /// Confirm, reject or un-decide a suspect link (ids from `hindsight incident ID`)
    #[command(subcommand)]
    Link(LinkCommand),
    /// Load the bundled demo data set into the database
    Demo,
}

#[derive(Debug, Subcommand)]
enum AttributionCommand {
    /// Show which rules fired for a change (commit SHA or prefix, owner/repo#N, ticket)
    Explain { key: String },
    /// Counts by class, tool, signal and kind of involvement
    Stats,
    /// Set a change's class by hand, with a reason; kept with who and when
    Override {
        key: String,
        /// ai, human, automation or unknown
        #[arg(long, value_name = "CLASS")]
        class: String,
        /// The AI tool, for class ai
        #[arg(long)]
        tool: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Revoke the override in force for a change (its history stays)
    ClearOverride { key: String },
    /// Classify every stored change again with the rules in force
    Reclassify,
}

#[derive(Debug, Subcommand)]
enum IncidentCommand {
    /// One outage reported by several tools: count two incidents (and their groups) as one
    Merge {
        first: i64,
        second: i64,
        #[arg(long)]
        why: String,
    },
    /// Take an incident out of the group it was merged into
    Split {
        id: i64,
        #[arg(long)]
        why: String,
    },
    /// Undo the newest merge or split naming the incident (its record is kept, revoked)
    UndoGroup { id: i64 },
    /// List incidents as counted: each group with every tool's record of it and the
    /// reviewer's merge/split decisions in force (who, when, why)
    Groups,
    /// Class the incident's cause: `not-change-caused` (never a change failure) or
    /// `change-caused`; the reviewer's word beats the text classifier
    Cause {
        id: i64,
        /// not-change-caused or change-caused
        #[arg(value_name = "CAUSE")]
        cause: String,
        /// With not-change-caused: provider, hardware, capacity or other [default: other]
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        why: String,
    },
    /// Undo the cause decision in force for the incident
    UndoCause { id: i64 },
}

#[derive(Debug, Subcommand)]
enum LinkCommand {
    /// Confirm that the suspect triggered the incident
    Confirm {
        link_id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Reject the suspect
    Reject {
        link_id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Undo a decision: the link is a suspect again
    Undo {
        link_id: i64,
        #[arg(long, default_value = "undo")]
        reason: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            if cli.json {
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    serde_json::to_string(&error).unwrap_or_default()
                );
            } else {
                let _ = writeln!(std::io::stderr(), "error: {error}");
            }
            match error.kind() {
                ApiErrorKind::BadInput | ApiErrorKind::NotFound => ExitCode::from(2),
                ApiErrorKind::Cancelled | ApiErrorKind::Internal => ExitCode::from(1),
            }
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, ApiError> {
    if let Command::Formats = cli.command {
        let formats = Hindsight::formats();
        if cli.json {
            print_json(&formats)?;
        } else {
            for f in formats {
                println!("{:<22} {}", f.name, f.description);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Analyze {
        link_mode,
        devlake_dir,
        project,
        ..
    } = &cli.command
    {
        if link_mode == "devlake" {
            // DevLake's rule runs on DevLake's tables alone; the store is not opened.
            let dir = devlake_dir.as_deref().ok_or_else(|| {
                ApiError::BadInput("--link-mode devlake needs --devlake-dir DIR".to_owned())
            })?;
            let links = hindsight_api::devlake_links(dir, project)?;
            if cli.json {
                print_json(&links)?;
            } else {
                println!("id,project_name,deployment_id");
                for l in links {
                    println!("{},{},{}", l.incident_id, l.project_name, l.deployment_id);
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    }
    let db = cli.db.clone().unwrap_or_else(Hindsight::default_db_path);
    let mut app = Hindsight::open(&db)?;
    match app.updates_finished_at_open() {
        0 => {}
        n => eprintln!(
            "note: finished the update (links, timeline) of {n} ingested file{} that an \
             interrupted run had left undone",
            if n == 1 { "" } else { "s" }
        ),
    }
    if let Some(rules) = &cli.rules {
        app = app.with_rules_file(rules)?;
    }
    let reviewer = cli
        .reviewer
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "reviewer".to_owned());
    match &cli.command {
        Command::Ingest {
            paths,
            format,
            strict,
            mapping,
            zone,
        } => {
            let mapping = match mapping {
                Some(path) => Some((
                    path.display().to_string(),
                    std::fs::read_to_string(path).map_err(|e| {
                        ApiError::BadInput(format!("{}: cannot read: {e}", path.display()))
                    })?,
                )),
                None => None,
            };
            let options = IngestOptions {
                format: format.clone(),
                now: Utc::now(),
                cancel: None,
                mapping,
            };
            let show_progress = !cli.json && std::io::stderr().is_terminal();
            let mut bar = ProgressBar::default();
            let report = app.ingest_paths_in_zone(paths, &options, zone.as_deref(), &mut |p| {
                if show_progress {
                    bar.draw(p);
                }
            })?;
            if show_progress {
                bar.finish();
            }
            if cli.json {
                print_json(&report)?;
            } else {
                for file in &report.files {
                    let format = file.format.as_deref().unwrap_or("?");
                    match file.status.as_str() {
                        "stored" => println!(
                            "{}: {format}, {} records stored, {} rejected{}",
                            file.path,
                            file.records_stored,
                            file.records_rejected,
                            skipped_note(file.records_skipped)
                        ),
                        "already_ingested" => println!(
                            "{}: {format}, already ingested (run {}), nothing changed",
                            file.path,
                            file.run_id.unwrap_or_default()
                        ),
                        _ => {}
                    }
                    for r in &file.rejections {
                        let field = r
                            .field
                            .as_deref()
                            .map(|f| format!(", field {f}"))
                            .unwrap_or_default();
                        if r.skipped {
                            println!(
                                "note: {}: {}{field}: {} (record kept as skipped)",
                                file.path, r.location, r.reason
                            );
                        } else {
                            eprintln!(
                                "warning: {}: {}{field}: {} (record kept as rejected)",
                                file.path, r.location, r.reason
                            );
                        }
                    }
                    if let Some(error) = &file.error {
                        eprintln!(
                            "error: {} (nothing from this file was stored)",
                            error.message
                        );
                    }
                }
            }
            let rejected = report.files.iter().any(|f| f.records_rejected > 0);
            Ok(if report.any_failed() || (*strict && rejected) {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Report {
            kind,
            format,
            from,
            to,
            services,
            teams,
            severities,
            cohorts,
            incidents,
            out,
            generated_at,
        } => {
            let scope = ReportScope {
                from: from.clone(),
                to: to.clone(),
                services: services.clone(),
                teams: teams.clone(),
                severities: severities.clone(),
                cohorts: cohorts.clone(),
                incidents: incidents.clone(),
            };
            let name = kind.as_deref().unwrap_or(format);
            let generated_at = generation_time(generated_at.as_deref())?;
            if name.contains(',') || name.eq_ignore_ascii_case("all") {
                let outputs = ReportOutput::parse_list(name)?;
                let dir = out.as_deref().ok_or_else(|| {
                    ApiError::BadInput(format!("{name} writes several files: give --out DIR"))
                })?;
                for path in app.save_report_outputs(&scope, &outputs, dir, generated_at)? {
                    eprintln!("wrote {}", path.display());
                }
                return Ok(ExitCode::SUCCESS);
            }
            if name.eq_ignore_ascii_case("parquet") {
                let dir = out.as_deref().ok_or_else(|| {
                    ApiError::BadInput("parquet writes one file per table: give --out DIR".into())
                })?;
                for path in app.save_report_parquet(&scope, dir, generated_at)? {
                    eprintln!("wrote {}", path.display());
                }
                return Ok(ExitCode::SUCCESS);
            }
            let format = ReportFormat::parse(name).ok_or_else(|| {
                ApiError::BadInput(format!(
                    "unknown report format {name:?}; use md, html, json, pdf, csv, parquet or all"
                ))
            })?;
            match (format, out) {
                (ReportFormat::Csv, Some(dir)) => {
                    for path in app.save_report_tables_in(&scope, dir, generated_at)? {
                        eprintln!("wrote {}", path.display());
                    }
                }
                (ReportFormat::Csv, None) => {
                    return Err(ApiError::BadInput(
                        "csv writes one file per table: give --out DIR".into(),
                    ))
                }
                (ReportFormat::Pdf, None) => {
                    return Err(ApiError::BadInput("pdf is binary: give --out FILE".into()))
                }
                (_, Some(path)) => app.save_report_in(&scope, format, path, generated_at)?,
                (_, None) => print!("{}", app.render_report_in(&scope, format, generated_at)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Incidents => {
            let incidents = app.list_incidents()?;
            if cli.json {
                print_json(&incidents)?;
            } else if incidents.is_empty() {
                println!("No incidents yet. Ingest some with `hindsight ingest PATH...` or try `hindsight demo`.");
            } else {
                for i in incidents {
                    println!(
                        "{:>4}  {}  {:<10} {:<4} {}:{}  {}  ({} suspects{})",
                        i.id,
                        &i.started_at[..16.min(i.started_at.len())],
                        i.service.as_deref().unwrap_or("-"),
                        i.severity.as_deref().unwrap_or("-"),
                        i.source_system,
                        i.source_id,
                        i.title,
                        i.suspect_count,
                        if i.top_suspect_classes.is_empty() {
                            String::new()
                        } else {
                            format!("; top suspect shipped {}", i.top_suspect_classes.join("+"))
                        }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Incident {
            action: Some(action),
            ..
        } => incident_action(cli, &app, &reviewer, action),
        Command::Incident { id: None, .. } => Err(ApiError::BadInput(
            "give an incident id, or one of merge, split, undo-group, groups, cause, undo-cause"
                .to_owned(),
        )),
        Command::Incident { id: Some(id), .. } => {
            let detail = app.incident_detail(*id)?;
            if cli.json {
                print_json(&detail)?;
            } else {
                let i = &detail.incident;
                println!("{}:{}  {}", i.source_system, i.source_id, i.title);
                println!(
                    "service {}  severity {}  status {}",
                    i.service.as_deref().unwrap_or("-"),
                    i.severity.as_deref().unwrap_or("-"),
                    i.status
                );
                for e in &detail.events {
                    println!("  {}  {:<12} {}", e.at, e.kind, e.text);
                }
                if detail.suspects.is_empty() {
                    println!("No deployment of this service in the link window before impact.");
                }
                for s in &detail.suspects {
                    let d = &s.deployment;
                    println!(
                        "#{} score {:.2} {}  {} {} {} at {}",
                        s.rank,
                        s.score,
                        s.status,
                        d.action,
                        d.service,
                        d.version.as_deref().unwrap_or("-"),
                        d.at
                    );
                    for line in &s.evidence {
                        println!("    - {line}");
                    }
                    for c in &s.changes {
                        let label = match (&c.class[..], &c.tool) {
                            ("ai", Some(tool)) => format!("AI ({tool})"),
                            (class, _) => class.to_owned(),
                        };
                        println!(
                            "    {} {:<14} {}",
                            &c.natural_key[..10.min(c.natural_key.len())],
                            label,
                            c.title
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Changes => {
            let changes = app.list_changes()?;
            if cli.json {
                print_json(&changes)?;
            } else {
                for c in changes {
                    let label = match (&c.class[..], &c.tool) {
                        ("ai", Some(tool)) => format!("AI ({tool})"),
                        (class, _) => class.to_owned(),
                    };
                    println!(
                        "{} {:<18} {:<10} {}",
                        &c.natural_key[..10.min(c.natural_key.len())],
                        label,
                        c.repo.as_deref().unwrap_or("-"),
                        c.title
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let report = app.load_demo(Utc::now())?;
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "Demo data set loaded into {}: {} files.",
                    app.db_path().display(),
                    report.files.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze {
            link_mode,
            from,
            to,
            roster,
            ..
        } => match link_mode.as_str() {
            "hindsight" => {
                let report = app.report(generation_time(None)?)?;
                let options = AnalyzeOptions {
                    from: from.as_deref().map(window_time).transpose()?,
                    to: to.as_deref().map(window_time).transpose()?,
                    roster: roster
                        .as_deref()
                        .map(|path| {
                            let text = std::fs::read_to_string(path).map_err(|e| {
                                ApiError::BadInput(format!("cannot read {}: {e}", path.display()))
                            })?;
                            Roster::parse(&text)
                        })
                        .transpose()?,
                };
                let extras = app.analysis_extras(&options, &|_| None)?;
                let analysis = serde_json::json!({
                    "summary": report.summary,
                    "incidents": report.incidents.iter().map(|i| serde_json::json!({
                        "source_system": i.source_system,
                        "source_id": i.source_id,
                        "suspects": i.suspects,
                    })).collect::<Vec<_>>(),
                    "methodology": report.methodology,
                    "window": { "from": extras.from, "to": extras.to },
                    "teams": extras.teams,
                    "findings": extras.findings,
                    "blast_radius": extras.blast_radius,
                    "sensitivity": extras.sensitivity,
                });
                if cli.json {
                    print_json(&analysis)?;
                } else {
                    let md = app.render_report(ReportFormat::Markdown, generation_time(None)?)?;
                    let summary = md.split("## Incidents").next().unwrap_or_default();
                    print!("{summary}");
                    print_extras(&extras);
                }
                Ok(ExitCode::SUCCESS)
            }
            other => Err(ApiError::BadInput(format!(
                "unknown --link-mode {other:?}; use hindsight or devlake"
            ))),
        },
        Command::Runs => {
            let runs = app.list_runs()?;
            if cli.json {
                print_json(&runs)?;
            } else if runs.is_empty() {
                println!("Nothing ingested yet.");
            } else {
                for r in runs {
                    println!(
                        "{:>4}  {}  {:<20} {} stored, {} rejected{}  {}",
                        r.id,
                        r.ingested_at,
                        r.format,
                        r.records_stored,
                        r.records_rejected,
                        skipped_note(r.records_skipped),
                        r.path
                    );
                    for x in r.rejections {
                        let kind = if x.skipped { " (skipped)" } else { "" };
                        println!("        {}{kind}: {}", x.location, x.reason);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Services => {
            let services = app.list_services()?;
            if cli.json {
                print_json(&services)?;
            } else if services.is_empty() {
                println!("No service catalog ingested; services are matched by normalised name.");
            } else {
                for s in services {
                    println!(
                        "{:<32} {:<10} owner {:<20} {}",
                        s.name,
                        s.kind,
                        s.owner.as_deref().unwrap_or("-"),
                        s.entity_ref
                    );
                    let aliases: Vec<String> = s
                        .aliases
                        .iter()
                        .map(|a| format!("{} ({})", a.alias, a.origin))
                        .collect();
                    if !aliases.is_empty() {
                        println!("    aliases: {}", aliases.join(", "));
                    }
                    if !s.depends_on.is_empty() {
                        println!("    depends on: {}", s.depends_on.join(", "));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Attribution(command) => attribution(cli, &app, &reviewer, command),
        Command::Link(command) => {
            let (link_id, decision, reason) = match command {
                LinkCommand::Confirm { link_id, reason } => (*link_id, "confirmed", reason),
                LinkCommand::Reject { link_id, reason } => (*link_id, "rejected", reason),
                LinkCommand::Undo { link_id, reason } => (*link_id, "suspected", reason),
            };
            let detail = app.review_link(link_id, decision, reason, &reviewer, Utc::now())?;
            if cli.json {
                print_json(&detail)?;
            } else {
                println!(
                    "link {link_id} of {}:{} is now {decision}",
                    detail.incident.source_system, detail.incident.source_id
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Formats => Ok(ExitCode::SUCCESS),
    }
}

fn class_label(class: &str, tool: Option<&str>) -> String {
    match (class, tool) {
        ("ai", Some(tool)) => format!("AI ({tool})"),
        (class, _) => class.to_owned(),
    }
}

fn attribution(
    cli: &Cli,
    app: &Hindsight,
    reviewer: &str,
    command: &AttributionCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        AttributionCommand::Explain { key } => {
            let explain = app.explain(key)?;
            if cli.json {
                return print_json(&explain).map(|()| ExitCode::SUCCESS);
            }
            let c = &explain.change;
            println!("{} {}  {}", c.kind, c.natural_key, c.title);
            println!(
                "class {}  involvement {}  confidence {:.2}",
                class_label(&c.class, c.tool.as_deref()),
                c.involvement.as_deref().unwrap_or("-"),
                c.confidence
            );
            if let Some(reason) = &c.override_reason {
                println!("override in force: {reason}");
            }
            println!("evidence (rules: {}):", explain.rule_sources.join(", "));
            for e in &c.evidence {
                println!(
                    "  {:<20} at {:<18} {}",
                    e.signal, e.location, e.matched_text
                );
            }
            for o in &explain.overrides {
                let state = match &o.revoked_at {
                    Some(at) => {
                        format!("revoked {at} by {}", o.revoked_by.as_deref().unwrap_or("?"))
                    }
                    None => "in force".to_owned(),
                };
                println!(
                    "override {} by {} at {}: {} ({}) [{state}]",
                    o.id, o.author, o.created_at, o.class, o.reason
                );
            }
        }
        AttributionCommand::Stats => {
            let stats = app.attribution_stats()?;
            if cli.json {
                return print_json(&stats).map(|()| ExitCode::SUCCESS);
            }
            println!("{} changes", stats.changes);
            for (title, rows) in [
                ("class", &stats.by_class),
                ("AI tool", &stats.by_tool),
                ("signal", &stats.by_signal),
                ("involvement", &stats.by_involvement),
            ] {
                println!("by {title}:");
                for row in rows {
                    println!("  {:<24} {:>7}", row.name, row.count);
                }
            }
            println!("overrides in force: {}", stats.overrides_in_force);
        }
        AttributionCommand::Override {
            key,
            class,
            tool,
            reason,
        } => {
            let change = app.find_change(key)?;
            let change = app.override_attribution(
                change.id,
                class,
                tool.as_deref(),
                reason,
                reviewer,
                Utc::now(),
            )?;
            if cli.json {
                return print_json(&change).map(|()| ExitCode::SUCCESS);
            }
            println!(
                "{} is now {} (override by {reviewer})",
                change.natural_key,
                class_label(&change.class, change.tool.as_deref())
            );
        }
        AttributionCommand::ClearOverride { key } => {
            let change = app.find_change(key)?;
            let change = app.clear_override(change.id, reviewer, Utc::now())?;
            if cli.json {
                return print_json(&change).map(|()| ExitCode::SUCCESS);
            }
            println!(
                "{} is {} again, by its evidence",
                change.natural_key,
                class_label(&change.class, change.tool.as_deref())
            );
        }
        AttributionCommand::Reclassify => {
            let n = app.reclassify()?;
            app.refresh_analysis()?;
            if cli.json {
                return print_json(&serde_json::json!({ "reclassified": n }))
                    .map(|()| ExitCode::SUCCESS);
            }
            println!("{n} changes classified with the rules in force");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The progress bar's line for `p`: a bar over the bytes of the file being read, then the
/// update's two steps by name.
fn progress_line(p: &hindsight_api::IngestProgressDto) -> String {
    const WIDTH: usize = 30;
    if p.phase == "updating" {
        return match p.step.as_str() {
            "timeline" => "updating 2/2: the timeline and its search index…",
            _ => "updating 1/2: what deployments shipped and the suspect links…",
        }
        .to_owned();
    }
    let fraction = if p.bytes_total > 0 {
        (p.bytes_read as f64 / p.bytes_total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (fraction * WIDTH as f64).round() as usize;
    let name = std::path::Path::new(&p.path)
        .file_name()
        .map_or(p.path.clone(), |n| n.to_string_lossy().into_owned());
    format!(
        "[{}{}] {:>3.0}%  file {}/{}  {} ({:.1} of {:.1} MB)",
        "=".repeat(filled),
        " ".repeat(WIDTH - filled),
        fraction * 100.0,
        p.file_index + 1,
        p.files,
        name,
        p.bytes_read as f64 / 1e6,
        p.bytes_total as f64 / 1e6
    )
}

/// A one-line progress bar on standard error, redrawn in place.
#[derive(Default)]
struct ProgressBar {
    drawn: bool,
}

impl ProgressBar {
    fn draw(&mut self, p: &hindsight_api::IngestProgressDto) {
        let _ = write!(std::io::stderr(), "\r\x1b[2K{}", progress_line(p));
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

fn incident_action(
    cli: &Cli,
    app: &Hindsight,
    reviewer: &str,
    action: &IncidentCommand,
) -> Result<ExitCode, ApiError> {
    let now = Utc::now();
    let groups = match action {
        IncidentCommand::Merge { first, second, why } => {
            app.merge_incidents(*first, *second, why, reviewer, now)?
        }
        IncidentCommand::Split { id, why } => app.split_incident(*id, why, reviewer, now)?,
        IncidentCommand::UndoGroup { id } => app.undo_incident_grouping(*id, reviewer, now)?,
        IncidentCommand::Groups => app.incident_groups()?,
        IncidentCommand::Cause {
            id,
            cause,
            category,
            why,
        } => {
            let decision =
                app.set_incident_cause(*id, cause, category.as_deref(), why, reviewer, now)?;
            if cli.json {
                print_json(&decision)?;
            } else {
                println!(
                    "incident {id} is now {} {}",
                    decision.decision.replace('_', "-"),
                    decision.category.as_deref().unwrap_or_default()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        IncidentCommand::UndoCause { id } => {
            app.undo_incident_cause(*id, reviewer, now)?;
            if !cli.json {
                println!("incident {id}: cause decision undone");
            } else {
                print_json(&serde_json::json!({ "incident_id": id, "undone": true }))?;
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    if cli.json {
        print_json(&groups)?;
    } else {
        for g in groups.iter().filter(|g| g.members.len() > 1) {
            let members: Vec<String> = g
                .members
                .iter()
                .map(|m| format!("{} ({} {})", m.id, m.source_system, m.source_id))
                .collect();
            println!("incident {}: {}", g.primary, members.join(" + "));
            for reason in &g.reasons {
                println!("    {reason}");
            }
            for d in &g.decisions {
                let other = d.other_id.map(|o| format!(" with {o}")).unwrap_or_default();
                println!(
                    "    {} of {}{other} by {} at {}: {}",
                    d.action, d.incident_id, d.reviewer, d.at, d.reason
                );
            }
        }
        let merged = groups.iter().filter(|g| g.members.len() > 1).count();
        println!(
            "{} incidents as counted, {merged} merged from several records",
            groups.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `2026-03-01` or an RFC 3339 time.
fn window_time(text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(t) = day.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ApiError::BadInput(format!("bad time {text:?}: {e}")))
}

fn print_extras(extras: &hindsight_api::AnalysisExtrasDto) {
    let pct = |r: &hindsight_api::RateDto| match (r.rate, r.ci95_lower, r.ci95_upper) {
        (Some(v), Some(l), Some(u)) => format!(
            "{}/{} = {:.1}% (95% CI {:.1}-{:.1}%)",
            r.numerator,
            r.denominator,
            v * 100.0,
            l * 100.0,
            u * 100.0
        ),
        _ => format!("{}/{}", r.numerator, r.denominator),
    };
    println!("\n## Approval and permission findings\n");
    for f in &extras.findings {
        println!("- {}: {} failed", f.description, pct(&f.failures));
        if !f.incidents.is_empty() {
            println!("  incidents: {}", f.incidents.join(", "));
        }
    }
    println!("\n## Failure rate per team\n");
    for t in &extras.teams {
        println!("- {} ({}): {}", t.team, t.class, pct(&t.failures));
    }
    println!("\n## Blast radius by trigger cohort\n");
    for b in &extras.blast_radius {
        println!(
            "- {}: {} incidents, services {}, regions {}, {:.0} impact minutes",
            b.cohort,
            b.incidents,
            b.services.join(", "),
            b.regions.join(", "),
            b.impact_minutes
        );
    }
    println!("\n## Sensitivity of AI vs human (link window x score threshold)\n");
    for s in &extras.sensitivity {
        let ratio = s.risk_ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}"));
        println!(
            "- {} h, >= {}: AI {}, human {}, ratio {ratio}",
            s.window_hours,
            s.threshold,
            pct(&s.ai),
            pct(&s.human)
        );
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), ApiError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// `--generated-at`, else `$SOURCE_DATE_EPOCH` (reproducible builds convention), else now.
fn generation_time(arg: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    if let Some(text) = arg {
        return DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| ApiError::BadInput(format!("--generated-at {text:?}: {e}")));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            ApiError::BadInput(format!("SOURCE_DATE_EPOCH {epoch:?} is not a number"))
        })?;
        return DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
            ApiError::BadInput(format!("SOURCE_DATE_EPOCH {epoch:?} is out of range"))
        });
    }
    Ok(Utc::now())
}

/// ", 1 skipped" when records were kept as describing nothing to store, else nothing.
fn skipped_note(skipped: i64) -> String {
    if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::progress_line;
    use hindsight_api::IngestProgressDto;

    fn progress(phase: &str, step: &str, read: i64, total: i64) -> IngestProgressDto {
        IngestProgressDto {
            phase: phase.to_owned(),
            step: step.to_owned(),
            file_index: 1,
            files: 3,
            path: "/logs/deploys.logfmt".to_owned(),
            bytes_read: read,
            bytes_total: total,
        }
    }

    #[test]
    fn reading_draws_the_file_bar_and_updating_names_each_step_in_order() {
        assert_eq!(
            progress_line(&progress("reading", "", 2_500_000, 10_000_000)),
            format!(
                "[{}{}]  25%  file 2/3  deploys.logfmt (2.5 of 10.0 MB)",
                "=".repeat(8),
                " ".repeat(22)
            )
        );
        // A git repository has no size: an empty bar rather than a division by zero.
        assert!(progress_line(&progress("reading", "", 4096, 0))
            .starts_with(&format!("[{}]   0%", " ".repeat(30))));
        assert_eq!(
            progress_line(&progress("updating", "links", 0, 0)),
            "updating 1/2: what deployments shipped and the suspect links…"
        );
        assert_eq!(
            progress_line(&progress("updating", "timeline", 0, 0)),
            "updating 2/2: the timeline and its search index…"
        );
    }
}
