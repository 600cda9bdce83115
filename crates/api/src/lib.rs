//! The use cases of Hindsight, shared by every host: the CLI, the desktop app and the tests.
//! Hosts call these functions and get DTOs or an [`ApiError`]; nothing here knows about
//! terminals or windows.

mod annotations;
mod catalog;
mod deepdive;
mod demo;
mod devlake;
pub mod dto;
mod error;
mod findings;
mod incidents;
mod ingest;
#[cfg(test)]
mod ingest_tests;
mod query;
mod report;
mod review;
mod scope;
mod timeline;

use std::path::{Path, PathBuf};

use hindsight_attribution::Rules;
use hindsight_store::Store;

pub use annotations::{
    AnnotationEditDto, AnnotationInputDto, AnnotationNoteDto, DeepDiveEventDto,
    IncidentTimelineDto, KeyMomentDto, KEY_MOMENTS,
};
pub use catalog::{ServiceAliasDto, ServiceDto, ServiceMap};
pub use demo::DEMO_FILES;
pub use devlake::{devlake_links, DevlakeLinkDto};
pub use dto::*;
pub use error::{ApiError, ApiErrorDto, ApiErrorKind};
pub use findings::{
    AnalysisExtrasDto, AnalyzeOptions, BlastRadiusDto, FindingDto, RateDto, Roster, SensitivityDto,
    TeamDto,
};
pub use hindsight_report::ReportFormat;
pub use incidents::{
    IncidentCauseDto, IncidentGroupDto, IncidentMemberDto, NOT_CHANGE_CAUSED_CATEGORIES,
};
pub use ingest::IngestOptions;
pub use report::write_atomically;
pub use scope::ReportScope;

/// The Hindsight version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub type Result<T> = std::result::Result<T, ApiError>;

/// An open Hindsight workspace: one store and the attribution rules in force.
pub struct Hindsight {
    store: Store,
    rules: Rules,
    /// Where the rules in force came from, built-in first.
    rule_sources: Vec<String>,
}

impl Hindsight {
    /// Opens (creating if needed) the store at `db` with the built-in attribution rules.
    pub fn open(db: &Path) -> Result<Self> {
        Ok(Self {
            store: Store::open(db)?,
            rules: Rules::builtin(),
            rule_sources: vec!["built-in".to_owned()],
        })
    }

    /// Adds a user's attribution rule file on top of the built-in rules. The store is not
    /// re-classified until [`Hindsight::reclassify`] runs.
    pub fn with_rules_file(mut self, path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ApiError::BadInput(format!("{}: cannot read: {e}", path.display())))?;
        let origin = path.display().to_string();
        self.rules = Rules::from_sources(&[
            ("built-in", hindsight_attribution::BUILTIN_RULES),
            (origin.as_str(), text.as_str()),
        ])?;
        self.rule_sources.push(origin);
        Ok(self)
    }

    /// The database file in the user's data directory, used when no `--db` is given.
    pub fn default_db_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("hindsight")
            .join("hindsight.sqlite")
    }

    /// The demo workspace's database file in the user's data directory.
    pub fn demo_db_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("hindsight")
            .join("demo.sqlite")
    }

    /// The file this workspace lives in.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// Every input format, for `hindsight formats` and the import screen.
    pub fn formats() -> Vec<FormatDto> {
        hindsight_ingest::Format::ALL
            .iter()
            .map(|f| FormatDto {
                name: f.name().to_owned(),
                description: f.description().to_owned(),
            })
            .collect()
    }
}
