//! Plain domain types shared by every layer of Hindsight. No I/O lives here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a record came from: the file (or virtual source name) and a line or JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: String,
    /// `line 12`, or a JSON pointer such as `/incidents/3`.
    pub location: String,
}

impl SourceRef {
    /// A reference to a 1-based line of a file.
    pub fn line(file: &str, line: usize) -> Self {
        Self {
            file: file.to_owned(),
            location: format!("line {line}"),
        }
    }

    /// A reference to a JSON pointer inside a file.
    pub fn pointer(file: &str, pointer: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: pointer.into(),
        }
    }
}

/// A name and e-mail address as recorded by a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// What kind of change record a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Commit,
    PullRequest,
    Ticket,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::PullRequest => "pull_request",
            Self::Ticket => "ticket",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "commit" => Some(Self::Commit),
            "pull_request" => Some(Self::PullRequest),
            "ticket" => Some(Self::Ticket),
            _ => None,
        }
    }
}

/// A change to a system: a commit, a pull request or a change ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// Commit SHA, `owner/repo#N` or a ticket number.
    pub natural_key: String,
    /// The repository the change belongs to, when known.
    pub repo: Option<String>,
    pub title: String,
    pub message: String,
    pub author: Option<Person>,
    pub committer: Option<Person>,
    pub authored_at: Option<DateTime<Utc>>,
    pub committed_at: Option<DateTime<Utc>>,
    pub parents: Vec<String>,
    /// Lines added and deleted, when the source states them (`--numstat`, a PR's counts).
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
    /// Labels or tags (pull request labels, ticket labels).
    pub labels: Vec<String>,
    /// Reviews and approvals, oldest first.
    pub reviews: Vec<Review>,
    /// Natural keys of related changes: a pull request's commits, a ticket's pull requests.
    pub related: Vec<String>,
    /// Notes attached to the change by namespace, e.g. `ai` for git-ai's `refs/notes/ai`.
    pub notes: BTreeMap<String, String>,
    /// Every other field of the source record worth keeping (branch, state, ticket type,
    /// risk, approval ...), verbatim.
    pub attributes: BTreeMap<String, String>,
    /// When the source tool last changed the record; a re-ingest never lets an older copy
    /// overwrite a newer one.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    pub source: SourceRef,
}

impl Change {
    /// A change with the given identity and nothing else known yet.
    pub fn new(kind: ChangeKind, natural_key: impl Into<String>, source: SourceRef) -> Self {
        Self {
            kind,
            natural_key: natural_key.into(),
            repo: None,
            title: String::new(),
            message: String::new(),
            author: None,
            committer: None,
            authored_at: None,
            committed_at: None,
            parents: Vec::new(),
            additions: None,
            deletions: None,
            labels: Vec::new(),
            reviews: Vec::new(),
            related: Vec::new(),
            notes: BTreeMap::new(),
            attributes: BTreeMap::new(),
            updated_at: None,
            source,
        }
    }
}

/// One review of a change: who, what they decided (`APPROVED`, `CHANGES_REQUESTED`,
/// `COMMENTED`, an approval record's state ...), and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub reviewer: String,
    pub state: String,
    pub at: Option<DateTime<Utc>>,
}

/// The outcome a deploy tool recorded for a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    Succeeded,
    Failed,
    RolledBack,
    InProgress,
    Unknown,
}

impl DeployStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::RolledBack => "rolled_back",
            Self::InProgress => "in_progress",
            Self::Unknown => "unknown",
        }
    }

    /// Maps the spellings deploy tools use onto a status; unknown words give `Unknown`.
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "succeeded" | "success" | "successful" | "ok" | "done" | "completed" | "deployed" => {
                Self::Succeeded
            }
            "failed" | "failure" | "error" | "errored" => Self::Failed,
            "rolled_back" | "rolledback" | "rollback" | "reverted" => Self::RolledBack,
            "in_progress" | "running" | "pending" | "started" | "queued" => Self::InProgress,
            _ => Self::Unknown,
        }
    }
}

/// One deployment or operation on an environment, as a deploy log recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// The deploy tool's id, or a key built from service, environment, time and version.
    pub natural_key: String,
    pub service: String,
    pub environment: Option<String>,
    pub version: Option<String>,
    pub sha: Option<String>,
    pub status: DeployStatus,
    pub actor: Option<String>,
    /// `human`, `automation`, `agent` ... as the log states it.
    pub actor_type: Option<String>,
    /// `deploy`, `rollback`, `delete_environment` ... as the log states it.
    pub action: String,
    pub at: DateTime<Utc>,
    /// Every other field of the record, kept verbatim.
    pub attributes: BTreeMap<String, String>,
    /// When the deploy tool last changed the record, if it says.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    pub source: SourceRef,
}

/// The number of approvals an `approvals` attribute states: a whole number, surrounding
/// whitespace allowed; `None` for any other text.
pub fn approval_count(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// The number of approvals a record's `approvals` attribute states ([`approval_count`]);
/// `None` without the attribute or when its text is not a count. The guardrail figures read
/// this.
pub fn approvals(attributes: &BTreeMap<String, String>) -> Option<u32> {
    attributes
        .get("approvals")
        .and_then(|text| approval_count(text))
}

/// Whether a record whose attributes are `attributes` was approved: `Some(true)` when its
/// `approvals` attribute counts at least one, `Some(false)` when it has the attribute with
/// any other text (no approvals, or none that can be counted), `None` without it. The
/// timeline's approval filter reads this; it agrees with [`approvals`].
pub fn approved(attributes: &BTreeMap<String, String>) -> Option<bool> {
    attributes
        .get("approvals")
        .map(|text| approval_count(text).is_some_and(|n| n > 0))
}

/// A dated entry on an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    /// `triggered`, `acknowledged`, `resolved`, `update` ...
    pub kind: String,
    pub text: String,
    pub source: SourceRef,
}

/// An incident as one incident tool recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The tool: `pagerduty`, `statuspage` ...
    pub source_system: String,
    /// The tool's own id for the incident.
    pub source_id: String,
    pub number: Option<i64>,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub service: Option<String>,
    /// Start of impact, as far as the tool knows it.
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub events: Vec<TimelineEvent>,
    /// Facts about the record worth keeping that have no column: `assumed_zone` when a
    /// zone-less time was read in the configured zone ...
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// When the incident tool last changed the record, if it says.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    pub source: SourceRef,
}

/// Timeline events for an incident stored from another file (PagerDuty log entries, alerts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvents {
    pub source_system: String,
    /// The tool's id of the incident the events belong to.
    pub source_id: String,
    pub events: Vec<TimelineEvent>,
    pub source: SourceRef,
}

/// One status a deploy tool reported for a deployment that may be stored by another file
/// (GitHub deployment statuses). The latest status decides the deployment's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentStatusUpdate {
    /// The natural key of the deployment the status belongs to.
    pub deployment_key: String,
    /// The tool's own word (`success`, `failure`, `inactive` ...).
    pub state: String,
    pub status: DeployStatus,
    pub at: DateTime<Utc>,
    pub environment: Option<String>,
    pub actor: Option<String>,
    pub description: Option<String>,
    pub log_url: Option<String>,
    pub source: SourceRef,
}

/// One name a tool uses for a catalog entity, and the field or annotation that gave it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceAlias {
    /// The name, normalised with [`normalise_service_name`].
    pub alias: String,
    /// `metadata.name`, `github.com/project-slug`, `argocd/app-name`, `project_mapping` ...
    pub origin: String,
}

/// A service-catalog entity (a Backstage Component, System or Resource; a DevLake project):
/// the one canonical name every tool's spelling maps onto, its owner and its upstreams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntity {
    /// `component:default/payments`: kind, namespace and name in lower case; the natural key.
    pub entity_ref: String,
    /// `component`, `system`, `resource`, `project` (lower case).
    pub kind: String,
    /// The canonical service name: `metadata.name`, normalised.
    pub name: String,
    pub title: Option<String>,
    /// The owning team, without a `group:`/`user:` prefix or namespace.
    pub owner: Option<String>,
    /// The system the entity belongs to (its name).
    pub system: Option<String>,
    /// Entity refs of what this entity depends on, completed to `kind:namespace/name`.
    pub depends_on: Vec<String>,
    /// Every other name tools use for it, sorted.
    pub aliases: Vec<ServiceAlias>,
    pub source: SourceRef,
}

/// Any record an ingester produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    Change(Change),
    Deployment(Deployment),
    Incident(Incident),
    IncidentEvents(IncidentEvents),
    DeploymentStatus(DeploymentStatusUpdate),
    CatalogEntity(CatalogEntity),
}

/// A record an ingester could not accept, kept with its location and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub location: String,
    pub field: Option<String>,
    pub reason: String,
    /// The offending text, cut to a readable length.
    pub raw: String,
}

/// Who made a change, as far as the evidence tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionClass {
    Ai,
    Human,
    Automation,
    Unknown,
}

impl AttributionClass {
    pub const ALL: [Self; 4] = [Self::Ai, Self::Human, Self::Automation, Self::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ai => "ai",
            Self::Human => "human",
            Self::Automation => "automation",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ai" => Some(Self::Ai),
            "human" => Some(Self::Human),
            "automation" => Some(Self::Automation),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

/// One observation that decided, or supported, an attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The rule's signal, e.g. `co_authored_by`.
    pub signal: String,
    /// Where in the record it was seen, e.g. `message line 7`.
    pub location: String,
    /// The text that matched, verbatim.
    pub matched_text: String,
    pub tool: Option<String>,
}

/// The classification of one change with everything that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub class: AttributionClass,
    pub tool: Option<String>,
    /// `authored`, `coauthored`, `assisted`, `suggested` for AI changes.
    pub involvement: Option<String>,
    /// The model, when a trailer or note names it (`claude-opus-4`, `gpt-5-codex` ...).
    pub model: Option<String>,
    /// The share of added lines written by AI, when line-level data (git-ai notes) exists.
    pub line_share: Option<f64>,
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
}

/// The name every source's spelling of a service is compared by when no catalog maps it:
/// lower case, trimmed, with runs of spaces and underscores turned into one `-`.
pub fn normalise_service_name(name: &str) -> String {
    // Most names come normalised already (every deployment of a large log names its service
    // again): those are copied as they are rather than rebuilt character by character.
    let bytes = name.as_bytes();
    let normalised = bytes.iter().all(|&b| {
        b.is_ascii() && !b.is_ascii_uppercase() && !char::from(b).is_whitespace() && b != b'_'
    }) && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
        && !name.contains("--");
    if normalised {
        return name.to_owned();
    }
    normalise_each_character(name)
}

/// [`normalise_service_name`], one character at a time.
fn normalise_each_character(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for ch in name.trim().chars() {
        if ch.is_whitespace() || ch == '_' || ch == '-' {
            pending_dash = !out.is_empty();
            continue;
        }
        if pending_dash {
            out.push('-');
            pending_dash = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_normalised() {
        assert_eq!(
            normalise_service_name("  Checkout Service "),
            "checkout-service"
        );
        assert_eq!(normalise_service_name("payments_api"), "payments-api");
        assert_eq!(normalise_service_name("gateway"), "gateway");
    }

    #[test]
    fn names_taken_as_they_are_are_the_names_normalising_them_gives() {
        // Every string of up to four characters from an alphabet of the cases that matter.
        let alphabet = [
            "a", "Z", "0", "-", "_", " ", "\u{b}", "\t", "é", "İ", "\u{3000}", ".",
        ];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .filter(|n| n.chars().count() == names.last().map_or(0, |l| l.chars().count()))
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        assert!(names.len() > 20_000);
        for name in &names {
            assert_eq!(
                normalise_service_name(name),
                normalise_each_character(name),
                "{name:?}"
            );
        }
    }

    #[test]
    fn deploy_status_spellings() {
        assert_eq!(DeployStatus::parse("SUCCESS"), DeployStatus::Succeeded);
        assert_eq!(DeployStatus::parse("rolled_back"), DeployStatus::RolledBack);
        assert_eq!(DeployStatus::parse("weird"), DeployStatus::Unknown);
    }
}
