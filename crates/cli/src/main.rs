//! `hindsight`: the command-line face of Hindsight, a thin layer over the api crate.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use hindsight_api::{ApiError, ApiErrorKind, Hindsight, IngestOptions, ReportFormat};

const EXAMPLES: &str = "\
Examples:
  hindsight ingest fixtures/demo/*                 load the bundled demo data set
  hindsight ingest ~/src/checkout deploys.jsonl    a git repository and a deploy log
  hindsight incidents                              list incidents with their suspects
  hindsight report --format md                     the deep-dive report on stdout
  hindsight report --format html --out dive.html   ... as one self-contained HTML file
  hindsight --db team.sqlite --json changes        every change with its attribution, as JSON

Exit codes:
  0  success
  1  internal error (a bug, or the machine failed: disk full, permissions)
  2  bad input or usage (unreadable or malformed file, unknown option, missing record)";

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
    },
    /// Write the deep-dive report
    Report {
        /// md, html or json
        #[arg(long, default_value = "md", value_name = "FORMAT")]
        format: String,
        /// Write to this file (atomically) instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The report's generation time, RFC 3339 [default: $SOURCE_DATE_EPOCH or now]
        #[arg(long, value_name = "TIME")]
        generated_at: Option<String>,
    },
    /// List incidents, newest first, with their suspect count
    Incidents,
    /// Show one incident with its timeline and ranked suspects
    Incident {
        /// The incident's id, as listed by `hindsight incidents`
        id: i64,
    },
    /// List every change with its attribution
    Changes,
    /// List the input formats Hindsight reads
    Formats,
    /// Load the bundled demo data set into the database
    Demo,
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
    let db = cli.db.clone().unwrap_or_else(Hindsight::default_db_path);
    let app = Hindsight::open(&db)?;
    match &cli.command {
        Command::Ingest {
            paths,
            format,
            strict,
        } => {
            let options = IngestOptions {
                format: format.clone(),
                now: Utc::now(),
            };
            let show_progress = !cli.json && std::io::stderr().is_terminal();
            let report = app.ingest_paths(paths, &options, &mut |path: &Path| {
                if show_progress {
                    eprintln!("reading {}", path.display());
                }
            })?;
            if cli.json {
                print_json(&report)?;
            } else {
                for file in &report.files {
                    let format = file.format.as_deref().unwrap_or("?");
                    match file.status.as_str() {
                        "stored" => println!(
                            "{}: {format}, {} records stored, {} rejected",
                            file.path, file.records_stored, file.records_rejected
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
                        eprintln!(
                            "warning: {}: {}{field}: {} (record kept as rejected)",
                            file.path, r.location, r.reason
                        );
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
            format,
            out,
            generated_at,
        } => {
            let format = ReportFormat::parse(format).ok_or_else(|| {
                ApiError::BadInput(format!(
                    "unknown report format {format:?}; use md, html or json"
                ))
            })?;
            let generated_at = generation_time(generated_at.as_deref())?;
            let text = app.render_report(format, generated_at)?;
            match out {
                Some(path) => write_atomically(path, text.as_bytes())?,
                None => print!("{text}"),
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
        Command::Incident { id } => {
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
                    println!("No deployment of this service in the 24 hours before impact.");
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
        Command::Formats => Ok(ExitCode::SUCCESS),
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

/// Writes through a temporary file in the same directory, then renames it into place, so a
/// reader never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        ApiError::BadInput(format!("{}: cannot write: {e}", path.display()))
    })
}
