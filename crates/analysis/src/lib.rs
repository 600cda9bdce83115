//! Incident linking and the measures of the deep-dive. Inputs are plain values handed over by
//! the api crate; nothing here reads the store or the clock.

mod contents;
pub mod devlake;
pub mod dora;
mod explicit;
pub mod findings;
pub mod groups;
mod index;
mod link;
pub mod measures;
pub mod parquet;
pub mod policy;
pub mod relevant;
pub mod stats;
pub mod strata;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

pub use contents::{deployment_contents, ContentsWalker, ShippedChange};
pub use explicit::classify_cause;
pub use index::ChangeTables;
pub use link::{
    link_incidents, link_incidents_with, narrow_window, ChangeDetails, LinkExtras, LinkOptions,
    SuspectLink,
};

/// Errors of the analysis layer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("statistics engine: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// A change as the analysis sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeFacts {
    pub id: i64,
    pub natural_key: String,
    pub repo: Option<String>,
    pub committed_at: Option<DateTime<Utc>>,
    pub parents: Vec<String>,
    pub class: String,
}

/// A deployment or environment operation as the analysis sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFacts {
    pub id: i64,
    pub service: String,
    pub environment: Option<String>,
    pub version: Option<String>,
    pub sha: Option<String>,
    pub status: String,
    pub action: String,
    pub actor: Option<String>,
    pub actor_type: Option<String>,
    pub at: DateTime<Utc>,
    pub attributes: BTreeMap<String, String>,
}

/// An incident as the analysis sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentFacts {
    pub id: i64,
    pub service: Option<String>,
    pub started_at: DateTime<Utc>,
    /// When impact ended, if known.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Title, details and timeline texts, searched for explicit evidence.
    pub text: Vec<String>,
}
