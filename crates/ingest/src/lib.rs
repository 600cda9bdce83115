//! Reads the files teams already have and turns them into domain records.
//!
//! The format is detected from the content, never from the file name. Each parser calls a
//! sink once per record or per rejected record; a rejection never aborts a file, while a
//! file that cannot be read as its format at all (truncated JSON) is an [`IngestError`].

mod argocd;
mod backstage;
mod csv;
mod deploylog;
mod devlake;
mod github_deployment_statuses;
mod github_deployments;
mod github_pulls;
mod gitlab_deployments;
mod gitlog;
mod grafana_oncall;
mod incidentio;
mod jira;
mod json;
mod kubernetes_events;
mod mapped;
mod opsgenie;
mod pagerduty;
mod pagerduty_log;
mod postmortem;
mod servicenow;
mod statuspage;
#[cfg(test)]
mod test_support;
pub mod time;

use std::borrow::Cow;
use std::io::BufRead;
use std::path::Path;

use hindsight_model::{Record, Rejection};
pub use mapped::{parse_mapped, Mapping, MappingError};
use sha2::{Digest, Sha256};

/// The input formats Hindsight reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `git log --format=fuller --date=iso-strict` output.
    GitLog,
    /// A local git repository, read with `git log`.
    GitRepository,
    /// A deploy log with one JSON object per line.
    DeployJsonLines,
    /// A deploy log in logfmt (`key=value key="quoted value"`).
    DeployLogfmt,
    /// A PagerDuty REST API v2 incidents response (`{"incidents": [...]}`).
    PagerDutyIncidents,
    /// An Atlassian Statuspage v2 `incidents.json` document.
    StatuspageIncidents,
    /// incident.io API v2 incidents (`{"incidents": [...]}` with `incident_status`).
    IncidentIoIncidents,
    /// GitHub REST deployments (`GET /repos/{owner}/{repo}/deployments`).
    GithubDeployments,
    /// GitHub REST deployment statuses (`GET .../deployments/{id}/statuses`) in a file of
    /// their own.
    GithubDeploymentStatuses,
    /// GitLab REST deployments (`GET /projects/:id/deployments`).
    GitlabDeployments,
    /// incidents: PagerDuty REST v2 incident log entries (timeline of known incidents).
    PagerDutyLogEntries,
    /// incidents: Opsgenie incidents or alerts API JSON.
    OpsgenieIncidents,
    /// incidents: Grafana OnCall alert groups API JSON.
    GrafanaOnCallAlertGroups,
    /// incidents: post-mortem Markdown with a timeline section.
    PostMortemMarkdown,
    /// deployments: Argo CD Application (JSON or YAML) sync history.
    ArgoCdApplication,
    /// deployments: `kubectl get events -o json` rollouts, scaling, failures.
    KubernetesEvents,
    /// changes: GitHub pull requests JSON, with reviews.
    GithubPullRequests,
    /// changes: ServiceNow change_request Table API JSON or list CSV.
    ServiceNowChanges,
    /// changes: Jira issues from the search API JSON.
    JiraIssues,
    /// catalog: Backstage `catalog-info.yaml` entities.
    BackstageCatalog,
    /// deployments: Apache DevLake `cicd_deployment_commits` table as CSV.
    DevlakeDeploymentCommits,
    /// incidents: Apache DevLake `incidents` table as CSV.
    DevlakeIncidents,
    /// catalog: Apache DevLake `project_mapping` table as CSV.
    DevlakeProjectMapping,
}

impl Format {
    pub const ALL: [Self; 23] = [
        Self::GitLog,
        Self::GitRepository,
        Self::DeployJsonLines,
        Self::DeployLogfmt,
        Self::PagerDutyIncidents,
        Self::StatuspageIncidents,
        Self::IncidentIoIncidents,
        Self::GithubDeployments,
        Self::GithubDeploymentStatuses,
        Self::GitlabDeployments,
        Self::PagerDutyLogEntries,
        Self::OpsgenieIncidents,
        Self::GrafanaOnCallAlertGroups,
        Self::PostMortemMarkdown,
        Self::ArgoCdApplication,
        Self::KubernetesEvents,
        Self::GithubPullRequests,
        Self::ServiceNowChanges,
        Self::JiraIssues,
        Self::BackstageCatalog,
        Self::DevlakeDeploymentCommits,
        Self::DevlakeIncidents,
        Self::DevlakeProjectMapping,
    ];

    /// The name used on the command line and in the store.
    pub fn name(self) -> &'static str {
        match self {
            Self::GitLog => "git-log",
            Self::GitRepository => "git-repository",
            Self::DeployJsonLines => "deploy-jsonl",
            Self::DeployLogfmt => "deploy-logfmt",
            Self::PagerDutyIncidents => "pagerduty-incidents",
            Self::StatuspageIncidents => "statuspage-incidents",
            Self::IncidentIoIncidents => "incidentio-incidents",
            Self::GithubDeployments => "github-deployments",
            Self::GithubDeploymentStatuses => "github-deployment-statuses",
            Self::GitlabDeployments => "gitlab-deployments",
            Self::PagerDutyLogEntries => "pagerduty-log-entries",
            Self::OpsgenieIncidents => "opsgenie",
            Self::GrafanaOnCallAlertGroups => "grafana-oncall",
            Self::PostMortemMarkdown => "postmortem-markdown",
            Self::ArgoCdApplication => "argocd-application",
            Self::KubernetesEvents => "kubernetes-events",
            Self::GithubPullRequests => "github-pulls",
            Self::ServiceNowChanges => "servicenow-change",
            Self::JiraIssues => "jira-issues",
            Self::BackstageCatalog => "backstage",
            Self::DevlakeDeploymentCommits => "devlake-deployment-commits",
            Self::DevlakeIncidents => "devlake-incidents",
            Self::DevlakeProjectMapping => "devlake-project-mapping",
        }
    }

    /// A one-line description for `--help` and listings.
    pub fn description(self) -> &'static str {
        match self {
            Self::GitLog => "changes: `git log --format=fuller --date=iso-strict` export",
            Self::GitRepository => {
                "changes: a local git repository (HEAD history with sizes and git-ai notes)"
            }
            Self::DeployJsonLines => "deployments: deploy log, one JSON object per line",
            Self::DeployLogfmt => "deployments: deploy log in logfmt (key=value pairs)",
            Self::PagerDutyIncidents => "incidents: PagerDuty REST v2 `{\"incidents\": [...]}`",
            Self::StatuspageIncidents => "incidents: Atlassian Statuspage v2 incidents.json",
            Self::IncidentIoIncidents => "incidents: incident.io API v2 incidents",
            Self::GithubDeployments => "deployments: GitHub REST deployments (statuses embedded)",
            Self::GithubDeploymentStatuses => {
                "deployments: GitHub REST deployment statuses, applied to their deployment by id"
            }
            Self::GitlabDeployments => "deployments: GitLab REST deployments",
            Self::PagerDutyLogEntries => {
                "incidents: PagerDuty log entries JSON (timelines of known incidents) or incidents CSV export"
            }
            Self::OpsgenieIncidents => "incidents: Opsgenie incidents or alerts API JSON",
            Self::GrafanaOnCallAlertGroups => "incidents: Grafana OnCall alert groups API JSON",
            Self::PostMortemMarkdown => "incidents: post-mortem Markdown with a timeline section",
            Self::ArgoCdApplication => {
                "deployments: Argo CD Application (JSON or YAML) sync history"
            }
            Self::KubernetesEvents => {
                "deployments: `kubectl get events -o json` rollouts, scaling, failures"
            }
            Self::GithubPullRequests => "changes: GitHub pull requests JSON, with reviews",
            Self::ServiceNowChanges => {
                "changes: ServiceNow change_request Table API JSON or list CSV"
            }
            Self::JiraIssues => "changes: Jira issues from the search API JSON",
            Self::BackstageCatalog => {
                "catalog: Backstage catalog-info.yaml (Component, System, Resource ...)"
            }
            Self::DevlakeDeploymentCommits => {
                "deployments: Apache DevLake cicd_deployment_commits table as CSV"
            }
            Self::DevlakeIncidents => "incidents: Apache DevLake incidents table as CSV",
            Self::DevlakeProjectMapping => {
                "catalog: Apache DevLake project_mapping table as CSV (scopes -> project)"
            }
        }
    }

    /// Looks a format up by [`Format::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Why a whole file could not be ingested.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: format not recognised (`hindsight formats` lists what Hindsight reads; `--format NAME` forces one)")]
    UnknownFormat { file: String },
    #[error("{file}: line {line}, column {column}: {message}")]
    Malformed {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: git failed: {message}")]
    Git { file: String, message: String },
}

/// What a parser hands to its sink.
// Records go to the sink one at a time and are never collected in bulk, so the size gap
// between a record and a rejection costs nothing worth a box per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Record(Record),
    Rejected(Rejection),
    /// A record the file holds but that describes nothing to store (a DevLake pipeline that
    /// never ran has no time): kept and listed with its reason like a rejection, not counted
    /// as one.
    Skipped(Rejection),
}

/// The shape of the line parsers: file name for locations, lines, sink.
#[cfg(test)]
pub(crate) type ParseFn =
    fn(&str, &mut dyn Iterator<Item = Line<'_>>, &mut dyn FnMut(Parsed)) -> Result<(), IngestError>;

/// The SHA-256 of a file's bytes, in hex: the identity of an ingested file.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of everything a reader yields, read in chunks so memory stays flat.
pub fn content_hash_of_reader(reader: &mut dyn std::io::Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Detects the format of a file from its first bytes.
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if gitlog::looks_like_commit_line(first_line) {
        return Some(Format::GitLog);
    }
    let trimmed = text.trim_start();
    // Document formats first: each checks for its own tell-tale keys in the head.
    match devlake::table_of(trimmed) {
        Some(devlake::Table::DeploymentCommits) => return Some(Format::DevlakeDeploymentCommits),
        Some(devlake::Table::Incidents) => return Some(Format::DevlakeIncidents),
        Some(devlake::Table::ProjectMapping) => return Some(Format::DevlakeProjectMapping),
        None => {}
    }
    if backstage::looks_like(trimmed) {
        return Some(Format::BackstageCatalog);
    }
    if statuspage::looks_like(trimmed) {
        return Some(Format::StatuspageIncidents);
    }
    if incidentio::looks_like(trimmed) {
        return Some(Format::IncidentIoIncidents);
    }
    if github_deployments::looks_like(trimmed) {
        return Some(Format::GithubDeployments);
    }
    if github_deployment_statuses::looks_like(trimmed) {
        return Some(Format::GithubDeploymentStatuses);
    }
    if gitlab_deployments::looks_like(trimmed) {
        return Some(Format::GitlabDeployments);
    }
    if pagerduty_log::looks_like(trimmed) {
        return Some(Format::PagerDutyLogEntries);
    }
    if opsgenie::looks_like(trimmed) {
        return Some(Format::OpsgenieIncidents);
    }
    if grafana_oncall::looks_like(trimmed) {
        return Some(Format::GrafanaOnCallAlertGroups);
    }
    if postmortem::looks_like(trimmed) {
        return Some(Format::PostMortemMarkdown);
    }
    if argocd::looks_like(trimmed) {
        return Some(Format::ArgoCdApplication);
    }
    if kubernetes_events::looks_like(trimmed) {
        return Some(Format::KubernetesEvents);
    }
    if github_pulls::looks_like(trimmed) {
        return Some(Format::GithubPullRequests);
    }
    if servicenow::looks_like(trimmed) {
        return Some(Format::ServiceNowChanges);
    }
    if jira::looks_like(trimmed) {
        return Some(Format::JiraIssues);
    }

    if trimmed.starts_with('{') {
        if serde_json::from_str::<serde_json::Value>(first_line).is_ok_and(|v| v.is_object())
            && !first_line.contains("\"incidents\"")
        {
            return Some(Format::DeployJsonLines);
        }
        if pagerduty::looks_like_incidents(trimmed) {
            return Some(Format::PagerDutyIncidents);
        }
        return None;
    }
    if deploylog::looks_like_logfmt(first_line) {
        return Some(Format::DeployLogfmt);
    }
    None
}

/// True when `path` is a git work tree or bare repository.
pub fn is_git_repository(path: &Path) -> bool {
    path.join(".git").exists()
        || (path.join("HEAD").is_file()
            && path.join("objects").is_dir()
            && path.join("refs").is_dir())
}

/// How the built-in parsers read what a file leaves open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// The zone of times that state none (ServiceNow display values and CSV, PagerDuty CSV,
    /// post-mortem timelines without a zone, deploy logs); records read with it carry the
    /// attribute `assumed_zone`. UTC by default.
    pub zone: time::Zone,
}

/// Parses the bytes of one file as `format`, naming it `file` in every location.
pub fn parse(
    format: Format,
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    parse_with(format, file, bytes, &ParseOptions::default(), sink)
}

/// Where a rejected record stood when that is the whole document: a JSON document holding one
/// record answers the root pointer, the empty string, which reads as no location at all.
pub const WHOLE_DOCUMENT: &str = "(the whole document)";

/// `sink`, with each rejection's empty location named [`WHOLE_DOCUMENT`].
pub(crate) fn located(sink: &mut dyn FnMut(Parsed)) -> impl FnMut(Parsed) + '_ {
    move |mut parsed| {
        if let Parsed::Rejected(r) | Parsed::Skipped(r) = &mut parsed {
            if r.location.is_empty() {
                r.location = WHOLE_DOCUMENT.to_owned();
            }
        }
        sink(parsed)
    }
}

/// [`parse`] with options.
pub fn parse_with(
    format: Format,
    file: &str,
    bytes: &[u8],
    options: &ParseOptions,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let sink = &mut located(sink);
    let zone = &options.zone;
    match format {
        Format::GitLog => gitlog::parse_lines(
            file,
            default_repo_name(file),
            &mut numbered_lines(bytes),
            sink,
        ),
        Format::GitRepository => Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "a git repository is read with `read_git_repository`".to_owned(),
        }),
        Format::DeployJsonLines => {
            deploylog::parse_json_lines_in(file, &mut numbered_lines(bytes), zone, sink)
        }
        Format::DeployLogfmt => {
            deploylog::parse_logfmt_in(file, &mut numbered_lines(bytes), zone, sink)
        }
        Format::PagerDutyIncidents => pagerduty::parse(file, bytes, sink),
        Format::StatuspageIncidents => statuspage::parse(file, bytes, sink),
        Format::IncidentIoIncidents => incidentio::parse(file, bytes, sink),
        Format::GithubDeployments => github_deployments::parse(file, bytes, sink),
        Format::GithubDeploymentStatuses => github_deployment_statuses::parse(file, bytes, sink),
        Format::GitlabDeployments => gitlab_deployments::parse(file, bytes, sink),
        Format::PagerDutyLogEntries => pagerduty_log::parse(file, bytes, zone, sink),
        Format::OpsgenieIncidents => opsgenie::parse(file, bytes, sink),
        Format::GrafanaOnCallAlertGroups => grafana_oncall::parse(file, bytes, sink),
        Format::PostMortemMarkdown => postmortem::parse(file, bytes, zone, sink),
        Format::ArgoCdApplication => argocd::parse(file, bytes, sink),
        Format::KubernetesEvents => kubernetes_events::parse(file, bytes, sink),
        Format::GithubPullRequests => github_pulls::parse(file, bytes, sink),
        Format::ServiceNowChanges => servicenow::parse(file, bytes, zone, sink),
        Format::JiraIssues => jira::parse(file, bytes, sink),
        Format::BackstageCatalog => backstage::parse(file, bytes, sink),
        Format::DevlakeDeploymentCommits => {
            devlake::parse(devlake::Table::DeploymentCommits, file, bytes, sink)
        }
        Format::DevlakeIncidents => devlake::parse(devlake::Table::Incidents, file, bytes, sink),
        Format::DevlakeProjectMapping => {
            devlake::parse(devlake::Table::ProjectMapping, file, bytes, sink)
        }
    }
}

/// Runs `git log` in a repository and returns its output, the bytes to hash and parse.
pub fn read_git_repository(path: &Path) -> Result<Vec<u8>, IngestError> {
    let file = path.display().to_string();
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(path)
        .args([
            "-c",
            "log.showSignature=false",
            "-c",
            "i18n.logOutputEncoding=UTF-8",
            "log",
            "--format=fuller",
            "--date=iso-strict",
            "--parents",
            "--numstat",
            "--notes=ai",
            "--no-decorate",
            "--no-color",
            "HEAD",
        ])
        .output()
        .map_err(|e| IngestError::Git {
            file: file.clone(),
            message: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(IngestError::Git {
            file,
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output.stdout)
}

/// Parses `git log` output of a repository whose name is `repo`.
pub fn parse_git_log_of(
    file: &str,
    repo: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    gitlog::parse_lines(file, repo.to_owned(), &mut numbered_lines(bytes), sink)
}

/// A git log export names no repository; its file stem stands in (`checkout.gitlog` ->
/// `checkout`).
fn default_repo_name(file: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file);
    name.split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
        .to_owned()
}

/// Cuts a raw record to a length that keeps rejection listings readable.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// One numbered line (from 1), without its line ending; `Err` carries the lossy text of a line
/// that is not valid UTF-8.
pub(crate) type Line<'a> = (usize, Result<Cow<'a, str>, String>);

/// Splits bytes into lines numbered from 1, without the line ending, tolerating CRLF, a BOM
/// and invalid UTF-8.
pub(crate) fn numbered_lines(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(index, line)| (index + 1, decode(line).map(Cow::Borrowed)))
}

fn decode(line: &[u8]) -> Result<&str, String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    std::str::from_utf8(line).map_err(|_| String::from_utf8_lossy(line).into_owned())
}

/// The same lines read from a stream one at a time, so that memory stays flat however long
/// the file is. A read error ends the lines and is kept for the caller.
struct ReaderLines<'r> {
    reader: &'r mut dyn BufRead,
    buffer: Vec<u8>,
    number: usize,
    error: Option<std::io::Error>,
}

impl Iterator for ReaderLines<'_> {
    type Item = Line<'static>;

    fn next(&mut self) -> Option<Self::Item> {
        self.buffer.clear();
        match self.reader.read_until(b'\n', &mut self.buffer) {
            Ok(0) => None,
            Ok(_) => {
                self.number += 1;
                let mut line = self.buffer.as_slice();
                if self.number == 1 {
                    line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
                }
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                Some((
                    self.number,
                    decode(line).map(|text| Cow::Owned(text.to_owned())),
                ))
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// True for the formats that [`parse_stream`] reads line by line.
pub fn is_line_format(format: Format) -> bool {
    matches!(
        format,
        Format::GitLog | Format::DeployJsonLines | Format::DeployLogfmt
    )
}

/// Parses a line-based format from a stream without holding the file in memory.
pub fn parse_stream(
    format: Format,
    file: &str,
    reader: &mut dyn BufRead,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    parse_stream_with(format, file, reader, &ParseOptions::default(), sink)
}

/// [`parse_stream`] with options.
pub fn parse_stream_with(
    format: Format,
    file: &str,
    reader: &mut dyn BufRead,
    options: &ParseOptions,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let zone = &options.zone;
    let mut lines = ReaderLines {
        reader,
        buffer: Vec::with_capacity(4096),
        number: 0,
        error: None,
    };
    match format {
        Format::GitLog => gitlog::parse_lines(file, default_repo_name(file), &mut lines, sink),
        Format::DeployJsonLines => deploylog::parse_json_lines_in(file, &mut lines, zone, sink),
        Format::DeployLogfmt => deploylog::parse_logfmt_in(file, &mut lines, zone, sink),
        other => {
            return Err(IngestError::Invalid {
                file: file.to_owned(),
                message: format!("{} is not read line by line", other.name()),
            })
        }
    }?;
    match lines.error {
        Some(e) => Err(IngestError::Io {
            file: file.to_owned(),
            message: e.to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_from_content() {
        assert_eq!(
            detect(b"commit 0123456789abcdef0123456789abcdef01234567\nAuthor: a <a@b>\n"),
            Some(Format::GitLog)
        );
        assert_eq!(
            detect(b"{\"ts\":\"2026-11-16T10:00:00Z\",\"service\":\"checkout\"}\n"),
            Some(Format::DeployJsonLines)
        );
        assert_eq!(
            detect(b"ts=2026-11-16T10:00:00Z service=checkout action=deploy\n"),
            Some(Format::DeployLogfmt)
        );
        assert_eq!(
            detect(b"{\n  \"incidents\": [\n    {\n      \"id\": \"PT4KHLK\",\n      \"type\": \"incident\""),
            Some(Format::PagerDutyIncidents)
        );
        assert_eq!(detect(b"hello world\n"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_record_that_is_the_whole_document_is_rejected_there_by_name() {
        let rejection_of = |bytes: &[u8]| {
            let mut seen = Vec::new();
            parse(Format::GithubDeployments, "d.json", bytes, &mut |p| {
                seen.push(p)
            })
            .expect("parses");
            match seen.as_slice() {
                [Parsed::Rejected(r)] => r.clone(),
                other => panic!("{other:?}"),
            }
        };
        // One deployment object (not an array) without its id: the root pointer, "".
        let whole = rejection_of(br#"{"sha": "abc", "environment": "production"}"#);
        assert_eq!(whole.location, WHOLE_DOCUMENT);
        assert_eq!(whole.field.as_deref(), Some("id"));
        // An item of an array keeps its pointer.
        let item = rejection_of(br#"[{"sha": "abc", "environment": "production"}]"#);
        assert_eq!(item.location, "/0");
    }

    #[test]
    fn repo_name_is_the_file_stem() {
        assert_eq!(
            default_repo_name("fixtures/demo/checkout.gitlog"),
            "checkout"
        );
        assert_eq!(default_repo_name("log"), "log");
    }

    #[test]
    fn lines_tolerate_bom_crlf_and_bad_utf8() {
        let lines: Vec<_> = numbered_lines(b"\xef\xbb\xbfa\r\nb\xff\nc").collect();
        assert_eq!(lines[0], (1, Ok(Cow::Borrowed("a"))));
        assert!(lines[1].1.is_err());
        assert_eq!(lines[2], (3, Ok(Cow::Borrowed("c"))));
        let mut reader: &[u8] = b"\xef\xbb\xbfa\r\nb\xff\nc";
        let streamed: Vec<_> = ReaderLines {
            reader: &mut reader,
            buffer: Vec::new(),
            number: 0,
            error: None,
        }
        .collect();
        assert_eq!(streamed, lines);
    }
}
