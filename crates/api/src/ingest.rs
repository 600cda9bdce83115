//! Ingesting files: detect, parse, attribute, store (one transaction per file), then refresh
//! the derived tables (what each deployment shipped, suspect links).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hindsight_ingest::{Format, Parsed};
use hindsight_model::Record;
use hindsight_store::{RunMeta, WrittenRows};

use crate::{
    ApiError, FileOutcomeDto, Hindsight, IngestProgressDto, IngestReportDto, RejectionDto, Result,
};

/// How an ingest call runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Read every file as this format instead of detecting it.
    pub format: Option<String>,
    /// Recorded as the run's time.
    pub now: DateTime<Utc>,
    /// Set it to stop: the file being read is rolled back, later files are not read, files
    /// already stored stay.
    pub cancel: Option<Arc<AtomicBool>>,
    /// A TOML column mapping (`(origin, text)`) to read every file with, for exports no
    /// built-in format knows: CSV, JSON or regex-parsed lines.
    pub mapping: Option<(String, String)>,
}

impl IngestOptions {
    /// Detect formats, no cancel flag.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            format: None,
            now,
            cancel: None,
            mapping: None,
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Reports the bytes read from a stream every few megabytes and stops when cancelled.
struct ProgressReader<'a, R> {
    inner: R,
    read: u64,
    reported: u64,
    report: &'a mut dyn FnMut(u64),
    cancel: Option<&'a AtomicBool>,
    /// Set once the file is known to be ingested already: what is read then goes nowhere.
    duplicate: Option<&'a AtomicBool>,
}

impl<'a, R> ProgressReader<'a, R> {
    /// `inner` from its start: progress to `report`, stopped by `cancel` or `duplicate`.
    fn new(
        inner: R,
        report: &'a mut dyn FnMut(u64),
        cancel: Option<&'a AtomicBool>,
        duplicate: Option<&'a AtomicBool>,
    ) -> Self {
        Self {
            inner,
            read: 0,
            reported: 0,
            report,
            cancel,
            duplicate,
        }
    }
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(std::io::Error::other("cancelled"));
        }
        if self.duplicate.is_some_and(|d| d.load(Ordering::Relaxed)) {
            return Err(std::io::Error::other("ingested already"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read - self.reported >= 8 << 20 || n == 0 {
            self.reported = self.read;
            (self.report)(self.read);
        }
        Ok(n)
    }
}

/// How much of a file is read to detect its format.
pub(crate) const DETECT_BYTES: usize = 64 * 1024;

impl Hindsight {
    /// Ingests files, directories (recursively, hidden entries skipped) and git repositories.
    /// A file that fails is reported and does not stop the others; `progress` hears each path
    /// before it is read.
    pub fn ingest_paths(
        &self,
        paths: &[PathBuf],
        options: &IngestOptions,
        progress: &mut dyn FnMut(&IngestProgressDto),
    ) -> Result<IngestReportDto> {
        self.ingest_paths_in_zone(paths, options, None, progress)
    }

    /// [`Hindsight::ingest_paths`] with the times files state without a zone read in `zone`
    /// (`UTC`, `+01:00`, an IANA name such as `Europe/Berlin`) instead of UTC; records read so
    /// carry the attribute `assumed_zone`.
    pub fn ingest_paths_in_zone(
        &self,
        paths: &[PathBuf],
        options: &IngestOptions,
        zone: Option<&str>,
        progress: &mut dyn FnMut(&IngestProgressDto),
    ) -> Result<IngestReportDto> {
        let parse_options = hindsight_ingest::ParseOptions {
            zone: match zone {
                Some(name) => hindsight_ingest::time::Zone::parse(name).ok_or_else(|| {
                    ApiError::BadInput(format!(
                        "unknown zone {name:?}: use UTC, an offset such as +01:00, or an IANA name such as Europe/Berlin"
                    ))
                })?,
                None => hindsight_ingest::time::Zone::default(),
            },
        };
        let forced = match &options.format {
            Some(name) => Some(Format::from_name(name).ok_or_else(|| {
                let known: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                ApiError::BadInput(format!(
                    "unknown format {name:?}; known: {}",
                    known.join(", ")
                ))
            })?),
            None => None,
        };
        let mut inputs = Vec::new();
        for path in paths {
            expand(path, &mut inputs)?;
        }
        let zoned = match &options.mapping {
            Some((origin, text)) => Some((origin.clone(), self.mapping_with_default_zone(text)?)),
            None => None,
        };
        let mapping = match &zoned {
            Some((origin, text)) => Some(
                hindsight_ingest::Mapping::from_toml(text, origin)
                    .map_err(|e| ApiError::BadInput(e.to_string()))?
                    .with_reference_time(options.now),
            ),
            None => None,
        };
        let mut files = Vec::with_capacity(inputs.len());
        let count = inputs.len() as i64;
        for (index, input) in inputs.iter().enumerate() {
            let name = input.display().to_string();
            if options.cancelled() {
                files.push(cancelled(&name));
                continue;
            }
            let total = std::fs::metadata(input)
                .map(|m| if m.is_file() { m.len() } else { 0 })
                .unwrap_or(0);
            let mut report = |read: u64| {
                progress(&IngestProgressDto {
                    phase: "reading".to_owned(),
                    step: String::new(),
                    file_index: index as i64,
                    files: count,
                    path: name.clone(),
                    bytes_read: read as i64,
                    bytes_total: total as i64,
                })
            };
            report(0);
            let outcome = match (&mapping, &zoned) {
                (Some(mapping), Some((_, mapping_text))) => {
                    self.ingest_mapped(input, mapping, mapping_text, options.now)
                }
                _ => self.ingest_one(input, forced, options, &parse_options, &mut report),
            };
            files.push(if options.cancelled() && outcome.status == "failed" {
                cancelled(&name)
            } else {
                outcome
            });
        }
        let stored = stored_runs(&files);
        // Nothing stored (every file already ingested, failed or cancelled): nothing changed.
        if !stored.is_empty() {
            let mut step = |step: &str| {
                progress(&IngestProgressDto {
                    phase: "updating".to_owned(),
                    step: step.to_owned(),
                    file_index: count - 1,
                    files: count,
                    path: String::new(),
                    bytes_read: 0,
                    bytes_total: 0,
                })
            };
            self.update_after(&stored, &mut step)?;
        }
        Ok(IngestReportDto { files })
    }

    /// Writes what follows from the files the runs `stored` (id and format of each) stored:
    /// classes of pull requests and tickets, what deployments shipped, the links and the
    /// timeline. Each run is marked updated once that is written. With no run, the links and
    /// the whole timeline are worked out again.
    pub(crate) fn update_after(
        &self,
        stored: &[(i64, &str)],
        step: &mut dyn FnMut(&str),
    ) -> Result<()> {
        let format_in = |names: &[&str]| stored.iter().any(|(_, format)| names.contains(format));
        // Pull requests and tickets take their class from related commits, which may arrive in
        // any file order: classify them together once everything is stored.
        let relational = ["github-pulls", "servicenow-change", "jira-issues"];
        let reclassified = format_in(&relational);
        if reclassified {
            self.reclassify()?;
        }
        let runs: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
        // Reclassified changes and log entries joining earlier incidents change events of
        // other runs' records: the whole timeline is rebuilt after those.
        let own_records_only =
            !runs.is_empty() && !reclassified && !format_in(&["pagerduty-log-entries"]);
        self.refresh_in_steps(own_records_only.then_some(runs.as_slice()), step)?;
        self.store.mark_runs_updated(&runs)?;
        Ok(())
    }

    /// Finishes the update of files whose records were stored by a process that stopped
    /// (killed, crashed, out of power) before it wrote what follows from them; without this
    /// their timeline events and links would never be written, as ingesting the same file
    /// again is a no-op. Returns how many runs it updated (none in the usual case). A store
    /// opened while another process is still writing an update writes it a second time, to
    /// the same result: each of its steps replaces what it writes in one transaction.
    pub fn finish_interrupted_updates(&self) -> Result<usize> {
        let waiting = self.store.runs_awaiting_update()?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let stored: Vec<(i64, &str)> = waiting
            .iter()
            .map(|(id, format)| (*id, format.as_str()))
            .collect();
        self.update_after(&stored, &mut |_| {})?;
        Ok(waiting.len())
    }

    /// Ingests bytes that did not come from a path of their own (the bundled demo, a dialog).
    pub fn ingest_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<FileOutcomeDto> {
        let format = hindsight_ingest::detect(&bytes[..bytes.len().min(DETECT_BYTES)]);
        let outcome = self.store_file(name, format, bytes, None, &Default::default(), now);
        Ok(outcome)
    }

    fn ingest_one(
        &self,
        path: &Path,
        forced: Option<Format>,
        options: &IngestOptions,
        parse_options: &hindsight_ingest::ParseOptions,
        report: &mut dyn FnMut(u64),
    ) -> FileOutcomeDto {
        let now = options.now;
        let name = path.display().to_string();
        if path.is_dir() {
            let bytes = match hindsight_ingest::read_git_repository(path) {
                Ok(bytes) => bytes,
                Err(e) => return failed(&name, Some(Format::GitRepository), e.into()),
            };
            let repo = path
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| name.clone());
            return self.store_file(
                &name,
                Some(Format::GitRepository),
                &bytes,
                Some(&repo),
                parse_options,
                now,
            );
        }
        match self.ingest_file(&name, path, forced, options, parse_options, report) {
            Ok(outcome) => outcome,
            Err((format, error)) => failed(&name, format, error),
        }
    }

    /// A regular file: line formats are hashed and parsed as streams, so that a deploy log of
    /// any size is read with flat memory; document formats are read whole.
    fn ingest_file(
        &self,
        name: &str,
        path: &Path,
        forced: Option<Format>,
        options: &IngestOptions,
        parse_options: &hindsight_ingest::ParseOptions,
        report: &mut dyn FnMut(u64),
    ) -> std::result::Result<FileOutcomeDto, (Option<Format>, ApiError)> {
        let now = options.now;
        let unreadable =
            |e: std::io::Error| ApiError::BadInput(format!("{name}: cannot read: {e}"));
        let cannot_read = |e: std::io::Error| (None, unreadable(e));
        let mut file = std::fs::File::open(path).map_err(cannot_read)?;
        let mut head = Vec::with_capacity(DETECT_BYTES);
        (&mut file)
            .take(DETECT_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(cannot_read)?;
        let format = forced.or_else(|| hindsight_ingest::detect(&head));
        let Some(format) = format.filter(|f| hindsight_ingest::is_line_format(*f)) else {
            let mut bytes = head;
            file.read_to_end(&mut bytes).map_err(cannot_read)?;
            return Ok(self.store_file(name, format, &bytes, None, parse_options, now));
        };
        let file = std::fs::File::open(path).map_err(cannot_read)?;
        // The file is hashed on a thread of its own while it is parsed and stored, rather than
        // in a pass before (a tenth of a million-line log's time). A file ingested before is
        // still a no-op: the hash is known long before the parse ends (hashing reads about
        // ten times faster), and stops it.
        let duplicate = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let hashing = scope.spawn(|| -> Result<Hashed> {
                // A cancel stops the hashing too, not only the parse that waits for it.
                let mut silent = |_| {};
                let mut reader = ProgressReader::new(
                    std::fs::File::open(path).map_err(unreadable)?,
                    &mut silent,
                    options.cancel.as_deref(),
                    None,
                );
                let hash =
                    hindsight_ingest::content_hash_of_reader(&mut reader).map_err(unreadable)?;
                let hash = identity(hash, parse_options);
                let stored_by = self.store.find_run(&hash, format.name())?.map(|run| run.0);
                duplicate.store(stored_by.is_some(), Ordering::Relaxed);
                Ok(Hashed { hash, stored_by })
            });
            let counting =
                ProgressReader::new(file, report, options.cancel.as_deref(), Some(&duplicate));
            let mut reader = std::io::BufReader::with_capacity(1 << 20, counting);
            let hashed = move || {
                hashing
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            };
            self.try_store_named(
                name,
                format.name(),
                Identity::Hashing(Box::new(hashed)),
                now,
                &mut |sink| {
                    hindsight_ingest::parse_stream_with(
                        format,
                        name,
                        &mut reader,
                        parse_options,
                        sink,
                    )
                },
            )
        })
        .map_err(|e| (Some(format), e))
    }

    /// A file read through a user's column mapping. Its identity covers the mapping too, so
    /// the same file read with a corrected mapping is ingested again.
    fn ingest_mapped(
        &self,
        path: &Path,
        mapping: &hindsight_ingest::Mapping,
        mapping_text: &str,
        now: DateTime<Utc>,
    ) -> FileOutcomeDto {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                return failed(
                    &name,
                    None,
                    ApiError::BadInput(format!("{name}: cannot read: {e}")),
                )
            }
        };
        let mut identity = bytes.clone();
        identity.extend_from_slice(mapping_text.as_bytes());
        let hash = hindsight_ingest::content_hash(&identity);
        let result =
            self.try_store_named(&name, "mapped", Identity::Known(hash), now, &mut |sink| {
                hindsight_ingest::parse_mapped(mapping, &name, &bytes, sink)
            });
        result.unwrap_or_else(|error| failed(&name, None, error))
    }

    /// Parses and stores one file in one transaction. `repo` is set for git repositories.
    fn store_file(
        &self,
        name: &str,
        format: Option<Format>,
        bytes: &[u8],
        repo: Option<&str>,
        parse_options: &hindsight_ingest::ParseOptions,
        now: DateTime<Utc>,
    ) -> FileOutcomeDto {
        let Some(format) = format else {
            let error = hindsight_ingest::IngestError::UnknownFormat {
                file: name.to_owned(),
            };
            return failed(name, None, error.into());
        };
        match self.try_store_file(name, format, bytes, repo, parse_options, now) {
            Ok(outcome) => outcome,
            Err(error) => failed(name, Some(format), error),
        }
    }

    fn try_store_file(
        &self,
        name: &str,
        format: Format,
        bytes: &[u8],
        repo: Option<&str>,
        parse_options: &hindsight_ingest::ParseOptions,
        now: DateTime<Utc>,
    ) -> Result<FileOutcomeDto> {
        let hash = identity(hindsight_ingest::content_hash(bytes), parse_options);
        self.try_store(name, format, hash, now, &mut |sink| match (format, repo) {
            (Format::GitRepository, Some(repo)) => {
                hindsight_ingest::parse_git_log_of(name, repo, bytes, sink)
            }
            (format, _) => hindsight_ingest::parse_with(format, name, bytes, parse_options, sink),
        })
    }

    /// Stores what `parse` hands over in one transaction, unless this content was stored before.
    fn try_store(
        &self,
        name: &str,
        format: Format,
        hash: String,
        now: DateTime<Utc>,
        parse: &mut ParseInto<'_>,
    ) -> Result<FileOutcomeDto> {
        self.try_store_named(name, format.name(), Identity::Known(hash), now, parse)
    }

    fn try_store_named(
        &self,
        name: &str,
        format_name: &str,
        identity: Identity<'_>,
        now: DateTime<Utc>,
        parse: &mut ParseInto<'_>,
    ) -> Result<FileOutcomeDto> {
        let already = |run_id: i64| FileOutcomeDto {
            path: name.to_owned(),
            format: Some(format_name.to_owned()),
            status: "already_ingested".to_owned(),
            run_id: Some(run_id),
            records_seen: 0,
            records_stored: 0,
            records_rejected: 0,
            records_skipped: 0,
            rejections: Vec::new(),
            error: None,
        };
        let (content_hash, hashed) = match identity {
            Identity::Known(hash) => {
                if let Some((run_id, _)) = self.store.find_run(&hash, format_name)? {
                    return Ok(already(run_id));
                }
                (hash, None)
            }
            // Set once the hash is known, before the commit: no run ever commits this one.
            Identity::Hashing(hashed) => (PENDING_HASH.to_owned(), Some(hashed)),
        };
        let meta = RunMeta {
            path: name.to_owned(),
            content_hash,
            format: format_name.to_owned(),
            ingested_at: hindsight_store::format_time(&now),
        };
        let mut tx = self.store.begin_ingest(&meta)?;
        let mut rejections = Vec::new();
        // The file is parsed on this thread and written on a second one, so a large file takes
        // the longer of the two rather than their sum. Records travel in batches, in order,
        // made ready here as far as they can be without the connection (the writer is the
        // slower of the two).
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Ready>>(PARSED_BATCHES);
        // The deployments' values come back to be freed on this thread, which made them (see
        // `IngestTransaction::keep_written`).
        let (written_back, spent) = std::sync::mpsc::channel::<WrittenRows>();
        let rules = self.rules();
        let (parsed, written) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| -> Result<()> {
                tx.keep_written();
                for batch in received {
                    for ready in batch {
                        store_ready(&mut tx, ready, &mut rejections)?;
                    }
                    // Freed by the parsing thread as it hands over its next batch; what comes
                    // back after the parse is freed as the ingest returns. The receiver lives
                    // until then, so the send cannot fail.
                    let _ = written_back.send(tx.take_written());
                }
                Ok(())
            });
            let mut batch = Vec::with_capacity(PARSED_BATCH);
            let parsed = parse(&mut |parsed: Parsed| {
                batch.push(Ready::new(parsed, &rules));
                if batch.len() == PARSED_BATCH {
                    spent.try_iter().for_each(drop);
                    // A writer that failed has stopped listening; its error is reported below.
                    let _ = batches.send(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(PARSED_BATCH),
                    ));
                }
            });
            if !batch.is_empty() {
                let _ = batches.send(batch);
            }
            drop(batches);
            let written = writer
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (parsed, written)
        });
        if let Some(hashed) = hashed {
            // Before the parse's own outcome: a parse stopped because the file was ingested
            // already is that, not a failure.
            let Hashed { hash, stored_by } = hashed()?;
            if let Some(run_id) = stored_by {
                return Ok(already(run_id));
            }
            tx.set_content_hash(&hash)?;
        }
        parsed?;
        written?;
        let summary = tx.commit()?;
        Ok(FileOutcomeDto {
            path: name.to_owned(),
            format: Some(format_name.to_owned()),
            status: "stored".to_owned(),
            run_id: Some(summary.run_id),
            records_seen: summary.seen,
            records_stored: summary.stored,
            records_rejected: summary.rejected,
            records_skipped: summary.skipped,
            rejections,
            error: None,
        })
    }
}

/// A file's identity (see [`identity`]) as `try_store_named` is given it: known, or being
/// worked out on another thread while the file is parsed (its result, waited for).
enum Identity<'a> {
    Known(String),
    Hashing(Box<dyn FnOnce() -> Result<Hashed> + 'a>),
}

/// A file's identity worked out on the side, and the run that stored it already, if one did.
struct Hashed {
    hash: String,
    stored_by: Option<i64>,
}

/// The content hash a run holds while its file's own is being worked out: never committed.
const PENDING_HASH: &str = "pending";

/// What makes a file's content the same as one ingested before: its hash, and the zone its
/// zone-less times were read in when that is not the default. The same bytes read in another
/// zone are a different reading, ingested again; its records update the earlier ones by key.
fn identity(hash: String, options: &hindsight_ingest::ParseOptions) -> String {
    if options.zone == hindsight_ingest::time::Zone::default() {
        return hash;
    }
    let reading = format!("{hash}\nzone={}", options.zone.name());
    hindsight_ingest::content_hash(reading.as_bytes())
}

/// A parsed record on its way to the writing thread, with what could be worked out before
/// it: a change's attribution, a deployment's formatted values. Deployments, the largest, are
/// also what a large file holds a million of: they are not boxed, which would allocate once
/// more for each.
#[allow(clippy::large_enum_variant)]
enum Ready {
    Change(Box<hindsight_model::Change>, hindsight_model::Attribution),
    Deployment(hindsight_store::Result<hindsight_store::PreparedDeployment>),
    Incident(hindsight_model::Incident),
    IncidentEvents(hindsight_model::IncidentEvents),
    DeploymentStatus(hindsight_model::DeploymentStatusUpdate),
    CatalogEntity(hindsight_model::CatalogEntity),
    Rejected(hindsight_model::Rejection),
    Skipped(hindsight_model::Rejection),
}

impl Ready {
    fn new(parsed: Parsed, rules: &hindsight_attribution::Rules) -> Self {
        match parsed {
            Parsed::Record(Record::Change(change)) => {
                let attribution = rules.classify(&change);
                Self::Change(Box::new(change), attribution)
            }
            Parsed::Record(Record::Deployment(deployment)) => {
                Self::Deployment(hindsight_store::PreparedDeployment::new(deployment))
            }
            Parsed::Record(Record::Incident(incident)) => Self::Incident(incident),
            Parsed::Record(Record::IncidentEvents(events)) => Self::IncidentEvents(events),
            Parsed::Record(Record::DeploymentStatus(status)) => Self::DeploymentStatus(status),
            Parsed::Record(Record::CatalogEntity(entity)) => Self::CatalogEntity(entity),
            Parsed::Rejected(rejection) => Self::Rejected(rejection),
            Parsed::Skipped(skipped) => Self::Skipped(skipped),
        }
    }
}

/// Stores one parsed record (or rejection) inside the file's transaction.
fn store_ready(
    tx: &mut hindsight_store::IngestTransaction<'_>,
    ready: Ready,
    rejections: &mut Vec<RejectionDto>,
) -> Result<()> {
    let mut list = |rejection: &hindsight_model::Rejection, skipped: bool| {
        // The first thousand are listed; all are stored and counted.
        if rejections.len() < MAX_LISTED_REJECTIONS {
            rejections.push(RejectionDto {
                location: rejection.location.clone(),
                field: rejection.field.clone(),
                reason: rejection.reason.clone(),
                raw: rejection.raw.clone(),
                skipped,
            });
        }
    };
    let mut reject = |tx: &mut hindsight_store::IngestTransaction<'_>,
                      rejection: hindsight_model::Rejection|
     -> Result<()> {
        list(&rejection, false);
        Ok(tx.add_rejection(&rejection)?)
    };
    match ready {
        Ready::Change(change, attribution) => Ok(tx.add_change(&change, &attribution)?),
        Ready::Deployment(deployment) => Ok(tx.add_prepared_deployment(deployment?)?),
        Ready::Incident(incident) => Ok(tx.add_incident(&incident)?),
        Ready::DeploymentStatus(status) => Ok(tx.add_deployment_status(&status)?),
        Ready::CatalogEntity(entity) => Ok(tx.add_catalog_entity(&entity)?),
        Ready::IncidentEvents(events) => {
            if tx.add_incident_events(&events)? {
                return Ok(());
            }
            let rejection = hindsight_model::Rejection {
                location: events.source.location.clone(),
                field: Some("incident".to_owned()),
                reason: format!(
                    "incident {} of {} is not in the store: ingest its incidents file first",
                    events.source_id, events.source_system
                ),
                raw: format!("{} events", events.events.len()),
            };
            reject(tx, rejection)
        }
        Ready::Rejected(rejection) => reject(tx, rejection),
        Ready::Skipped(skipped) => {
            list(&skipped, true);
            Ok(tx.add_skipped(&skipped)?)
        }
    }
}

/// Parsed records handed from the parsing thread to the writing thread at a time, and how
/// many such batches may wait: enough to keep both busy, few enough to keep memory flat.
const PARSED_BATCH: usize = 1024;
const PARSED_BATCHES: usize = 4;

/// Runs a parser over one input, handing each record to the sink it is given.
type ParseInto<'a> = dyn FnMut(&mut dyn FnMut(Parsed)) -> std::result::Result<(), hindsight_ingest::IngestError>
    + 'a;

/// How many rejected records one file's outcome lists; the store keeps them all.
const MAX_LISTED_REJECTIONS: usize = 1000;

/// Lists the files to ingest under `path`: itself, a git repository, or a directory's files.
pub(crate) fn expand(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !path.exists() {
        return Err(ApiError::BadInput(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    if !path.is_dir() || hindsight_ingest::is_git_repository(path) {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| ApiError::BadInput(format!("{}: cannot list: {e}", path.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for entry in entries {
        expand(&entry, out)?;
    }
    Ok(())
}

fn cancelled(name: &str) -> FileOutcomeDto {
    FileOutcomeDto {
        path: name.to_owned(),
        format: None,
        status: "cancelled".to_owned(),
        run_id: None,
        records_seen: 0,
        records_stored: 0,
        records_rejected: 0,
        records_skipped: 0,
        rejections: Vec::new(),
        error: Some(ApiError::Cancelled.to_dto()),
    }
}

/// The run id and format of each file that was stored.
pub(crate) fn stored_runs(files: &[FileOutcomeDto]) -> Vec<(i64, &str)> {
    files
        .iter()
        .filter(|f| f.status == "stored")
        .filter_map(|f| Some((f.run_id?, f.format.as_deref()?)))
        .collect()
}

fn failed(name: &str, format: Option<Format>, error: ApiError) -> FileOutcomeDto {
    FileOutcomeDto {
        path: name.to_owned(),
        format: format.map(|f| f.name().to_owned()),
        status: "failed".to_owned(),
        run_id: None,
        records_seen: 0,
        records_stored: 0,
        records_rejected: 0,
        records_skipped: 0,
        rejections: Vec::new(),
        error: Some(error.to_dto()),
    }
}
