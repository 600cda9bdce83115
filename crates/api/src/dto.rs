//! Data transfer objects: what every host (CLI, desktop, tests) receives from the api.
//! TypeScript twins are generated into `ui/src/lib/bindings/` by `cargo test -p hindsight-api`
//! (ts-rs); CI fails when the committed copies drift.

use serde::Serialize;
use ts_rs::TS;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceDto {
    pub file: String,
    pub location: String,
}

/// One observation behind an attribution.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EvidenceDto {
    pub signal: String,
    pub location: String,
    pub matched_text: String,
    pub tool: Option<String>,
}

/// A change with its attribution.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChangeDto {
    #[ts(type = "number")]
    pub id: i64,
    /// `commit`, `pull_request` or `ticket`.
    pub kind: String,
    /// Commit SHA, `owner/repo#N` or ticket number.
    pub natural_key: String,
    pub repo: Option<String>,
    pub title: String,
    pub author: Option<String>,
    pub committed_at: Option<String>,
    /// `ai`, `human`, `automation` or `unknown`.
    pub class: String,
    pub tool: Option<String>,
    pub involvement: Option<String>,
    /// The AI model, when stated.
    pub model: Option<String>,
    /// Share of added lines written by AI (0..1), when line-level data exists.
    pub line_share: Option<f64>,
    pub confidence: f64,
    pub evidence: Vec<EvidenceDto>,
    /// The reason of the reviewer's override in force, `null` when none is.
    pub override_reason: Option<String>,
    pub source: SourceDto,
}

/// A deployment or environment operation.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DeploymentDto {
    #[ts(type = "number")]
    pub id: i64,
    pub natural_key: String,
    pub service: String,
    pub environment: Option<String>,
    pub version: Option<String>,
    pub sha: Option<String>,
    pub status: String,
    pub actor: Option<String>,
    pub actor_type: Option<String>,
    /// Who performed it, by the attribution rules' field rules: `ai`, `human`, `automation`
    /// or `unknown`.
    pub actor_class: String,
    pub actor_tool: Option<String>,
    pub actor_evidence: Vec<EvidenceDto>,
    pub action: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub source: SourceDto,
}

/// A deployment suspected of triggering an incident, with the changes it shipped.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SuspectDto {
    #[ts(type = "number")]
    pub link_id: i64,
    #[ts(type = "number")]
    pub rank: i64,
    /// 0..1, higher is more likely.
    pub score: f64,
    /// `suspected`, `confirmed` or `rejected`.
    pub status: String,
    /// The reasons for the link, in plain words.
    pub evidence: Vec<String>,
    /// The newest reviewer decision on this link, if any.
    pub review: Option<LinkReviewDto>,
    pub deployment: DeploymentDto,
    pub changes: Vec<ChangeDto>,
}

/// One line of an incident list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentSummaryDto {
    #[ts(type = "number")]
    pub id: i64,
    /// The incident tool, e.g. `pagerduty`.
    pub source_system: String,
    /// The tool's own id.
    pub source_id: String,
    pub title: String,
    pub service: Option<String>,
    pub severity: Option<String>,
    pub status: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub resolved_at: Option<String>,
    #[ts(type = "number | null")]
    pub duration_minutes: Option<i64>,
    #[ts(type = "number")]
    pub suspect_count: i64,
    /// Attribution classes of the changes shipped by the top suspect, e.g. `["ai","human"]`.
    pub top_suspect_classes: Vec<String>,
    /// The team owning the incident's service in the service catalog, when one is ingested.
    pub team: Option<String>,
    /// Where the review of its links stands: `confirmed` (a reviewer confirmed a trigger),
    /// `suspected` (suspects await review), `rejected` (every suspect was rejected) or `none`
    /// (no suspect).
    pub link_status: String,
    /// The id of the incident this record is counted under (its own id when it is the
    /// primary or stands alone).
    #[ts(type = "number")]
    pub group_primary: i64,
    /// On a primary: the other tools' records merged into it, earliest first.
    pub merged: Vec<crate::IncidentMemberDto>,
    /// Whether the incident counts as change-caused, and who said so.
    pub cause: Option<IncidentCauseStateDto>,
    /// The reviewer's merge and split decisions in force naming this record, oldest first
    /// (what "undo merge/split" on it takes back, newest first).
    pub grouping: Vec<crate::IncidentGroupDecisionDto>,
}

/// The cause in force for an incident (for its whole group): a reviewer's decision beats the
/// text classifier.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentCauseStateDto {
    /// True when the incident never counts as a change failure.
    pub not_change_caused: bool,
    /// provider, hardware, capacity, third-party or other; none for change-caused.
    pub category: Option<String>,
    /// `reviewer` or `classifier`.
    pub decided_by: String,
    /// The classifier's evidence or the reviewer's reason.
    pub why: String,
    /// The reviewer's decision with who/when; its `incident_id` is the record to undo it on.
    pub review: Option<crate::IncidentCauseDto>,
}

/// A dated entry of an incident timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TimelineEventDto {
    pub at: String,
    pub kind: String,
    pub text: String,
    pub source: SourceDto,
}

/// Everything the incident view shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentDetailDto {
    pub incident: IncidentSummaryDto,
    pub url: Option<String>,
    pub events: Vec<TimelineEventDto>,
    pub suspects: Vec<SuspectDto>,
}

/// Counts of what the open store holds.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StoreOverviewDto {
    pub db_path: String,
    pub version: String,
    #[ts(type = "number")]
    pub changes: i64,
    #[ts(type = "number")]
    pub deployments: i64,
    #[ts(type = "number")]
    pub incidents: i64,
    #[ts(type = "number")]
    pub ingest_runs: i64,
}

/// A record an ingester rejected, or skipped as describing nothing to store.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RejectionDto {
    pub location: String,
    pub field: Option<String>,
    pub reason: String,
    pub raw: String,
    /// Skipped (kept, not an error in the file: a DevLake pipeline that never ran) rather
    /// than rejected.
    pub skipped: bool,
}

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FileOutcomeDto {
    pub path: String,
    /// The detected (or forced) format name; `null` when it could not be told.
    pub format: Option<String>,
    /// `stored`, `already_ingested` or `failed`.
    pub status: String,
    #[ts(type = "number | null")]
    pub run_id: Option<i64>,
    #[ts(type = "number")]
    pub records_seen: i64,
    #[ts(type = "number")]
    pub records_stored: i64,
    #[ts(type = "number")]
    pub records_rejected: i64,
    /// Records kept as describing nothing to store; listed with the rejections.
    #[ts(type = "number")]
    pub records_skipped: i64,
    pub rejections: Vec<RejectionDto>,
    pub error: Option<crate::ApiErrorDto>,
}

/// The outcome of one ingest call.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IngestReportDto {
    pub files: Vec<FileOutcomeDto>,
}

impl IngestReportDto {
    /// True when at least one file could not be ingested at all.
    pub fn any_failed(&self) -> bool {
        self.files.iter().any(|f| f.status == "failed")
    }
}

/// One input format Hindsight reads.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FormatDto {
    pub name: String,
    pub description: String,
}

/// A reviewer's decision on a link.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LinkReviewDto {
    /// `confirmed`, `rejected`, or `suspected` (an undone decision).
    pub decision: String,
    pub reason: String,
    pub reviewer: String,
    pub at: String,
}

/// One ingest run with the records it rejected.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IngestRunDto {
    #[ts(type = "number")]
    pub id: i64,
    pub path: String,
    pub format: String,
    pub content_hash: String,
    pub ingested_at: String,
    #[ts(type = "number")]
    pub records_seen: i64,
    #[ts(type = "number")]
    pub records_stored: i64,
    #[ts(type = "number")]
    pub records_rejected: i64,
    #[ts(type = "number")]
    pub records_skipped: i64,
    pub rejections: Vec<RejectionDto>,
}

/// One entry of a change's override history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OverrideDto {
    #[ts(type = "number")]
    pub id: i64,
    pub class: String,
    pub tool: Option<String>,
    pub reason: String,
    pub author: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// Why a change has its class: the stored attribution, the evidence of every rule that fired,
/// and the override history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExplainDto {
    pub change: ChangeDto,
    /// The rule files in force, built-in first.
    pub rule_sources: Vec<String>,
    pub overrides: Vec<OverrideDto>,
}

/// A count under a name.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CountDto {
    pub name: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// How the store's changes are attributed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AttributionStatsDto {
    #[ts(type = "number")]
    pub changes: i64,
    /// Changes per class: ai, human, automation, unknown.
    pub by_class: Vec<CountDto>,
    /// AI changes per tool.
    pub by_tool: Vec<CountDto>,
    /// Changes with at least one piece of evidence of each signal.
    pub by_signal: Vec<CountDto>,
    /// AI changes per kind of involvement.
    pub by_involvement: Vec<CountDto>,
    #[ts(type = "number")]
    pub overrides_in_force: i64,
}

/// A question to the timeline explorer: every field narrows the answer; empty lists mean all.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, Serialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct EventQueryDto {
    /// Full-text search (SQLite FTS5 syntax: words, "phrases", prefix*).
    pub text: Option<String>,
    /// RFC 3339 bounds, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub services: Vec<String>,
    pub environments: Vec<String>,
    /// `incident`, `deployment`, `change`.
    pub sources: Vec<String>,
    /// Attribution classes of changes.
    pub classes: Vec<String>,
    pub tools: Vec<String>,
    pub severities: Vec<String>,
    pub actors: Vec<String>,
    /// `approved` or `not approved` (changes and deployments).
    pub approvals: Vec<String>,
    #[ts(type = "number")]
    pub offset: i64,
    /// At most 1000.
    #[ts(type = "number")]
    pub limit: i64,
}

/// One event of the merged timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EventDto {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    /// `incident`, `deployment` or `change`.
    pub source: String,
    /// The event's kind within its source: `triggered`, `deploy`, `commit` ...
    pub kind: String,
    pub service: Option<String>,
    pub environment: Option<String>,
    pub actor: Option<String>,
    /// For changes: the attribution class.
    pub class: Option<String>,
    pub tool: Option<String>,
    pub severity: Option<String>,
    pub title: String,
    /// The id of the incident, deployment or change in its own table.
    #[ts(type = "number")]
    pub ref_id: i64,
    /// `approved` or `not approved` for changes and deployments that record it.
    pub approval: Option<String>,
}

/// A page of events and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EventPageDto {
    /// How many events match; when `total_capped`, a lower bound (at least this many match).
    #[ts(type = "number")]
    pub total: i64,
    /// Counting stopped at `offset + COUNT_AHEAD` matches: more match than `total`.
    pub total_capped: bool,
    pub events: Vec<EventDto>,
    /// How long the store took to answer, in milliseconds.
    pub elapsed_ms: f64,
}

/// The values each timeline filter can take.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EventFacetsDto {
    pub services: Vec<String>,
    pub environments: Vec<String>,
    pub sources: Vec<String>,
    pub classes: Vec<String>,
    pub tools: Vec<String>,
    pub severities: Vec<String>,
    pub actors: Vec<String>,
    pub approvals: Vec<String>,
    pub min_at: Option<String>,
    pub max_at: Option<String>,
    #[ts(type = "number")]
    pub total: i64,
}

/// Event counts per time bucket over the whole stored range, for the timeline's time brush.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EventHistogramDto {
    /// The width of every bucket, in seconds: an aligned step (a minute up to four weeks, then
    /// multiples of four weeks) giving at most `MAX_BUCKETS`; 0 when there is no event.
    #[ts(type = "number")]
    pub bucket_seconds: i64,
    /// Oldest first and contiguous (each ends where the next starts), from the bucket holding
    /// the first stored event to the one holding the last, whatever the filters.
    pub buckets: Vec<EventBucketDto>,
    /// The sum of the counts: every matching event, exactly.
    #[ts(type = "number")]
    pub total: i64,
    /// How long the store took to answer, in milliseconds.
    pub elapsed_ms: f64,
}

/// One bucket of an [`EventHistogramDto`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EventBucketDto {
    /// RFC 3339, inclusive.
    pub start: String,
    /// RFC 3339, exclusive: the next bucket's start.
    pub end: String,
    /// Events matching the filters with `start <= at < end`.
    #[ts(type = "number")]
    pub count: i64,
}

/// How far an ingest has come; sent while files are read, then once when every file is
/// stored and the derived tables are brought up to date.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IngestProgressDto {
    /// `reading` while files are read and stored; `updating` once they all are, while what
    /// each deployment shipped, the suspect links and the timeline are brought up to date
    /// (this part cannot be cancelled: the files are already stored).
    pub phase: String,
    /// While `updating`, which of its steps, in this order: `links` (what each deployment
    /// shipped and the suspect links) then `timeline` (the merged timeline and its search
    /// index); empty while `reading`.
    pub step: String,
    /// 0-based index of the file being read.
    #[ts(type = "number")]
    pub file_index: i64,
    #[ts(type = "number")]
    pub files: i64,
    pub path: String,
    #[ts(type = "number")]
    pub bytes_read: i64,
    /// The file's size; 0 when unknown (a git repository).
    #[ts(type = "number")]
    pub bytes_total: i64,
}
