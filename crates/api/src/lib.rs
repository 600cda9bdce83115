//! The use cases of Hindsight, shared by every host: the CLI, the desktop app and the tests.
//! Hosts call these functions and get DTOs or an [`ApiError`]; nothing here knows about
//! terminals or windows.

mod analytics;
mod annotations;
mod catalog;
mod deepdive;
mod demo;
mod detect;
mod devlake;
pub mod dto;
mod error;
mod findings;
mod incident_state;
mod incidents;
mod ingest;
#[cfg(test)]
mod ingest_tests;
mod query;
mod report;
mod review;
mod scope;
mod settings;
mod timeline;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use hindsight_attribution::Rules;
use hindsight_store::Store;

pub use analytics::{
    AnalyticsDto, CohortRateDto, ComparisonDto, DoraDto, EstimateDto, PolicyRuleDto, RecoveryDto,
    RecoveryPointDto, StratifiedDto, WhatIfDto,
};
pub use annotations::{
    AnnotationEditDto, AnnotationInputDto, AnnotationNoteDto, DeepDiveEventDto,
    IncidentTimelineDto, KeyMomentDto, KEY_MOMENTS,
};
pub use catalog::{ServiceAliasDto, ServiceDto, ServiceMap};
pub use demo::DEMO_FILES;
pub use detect::{read_mapping_file, DetectedFileDto};
pub use devlake::{devlake_links, DevlakeLinkDto};
pub use dto::*;
pub use error::{ApiError, ApiErrorDto, ApiErrorKind};
pub use findings::{
    AnalysisExtrasDto, AnalyzeOptions, BlastRadiusDto, FindingDto, RateDto, Roster, SensitivityDto,
    TeamDto,
};
pub use hindsight_report::ReportFormat;
pub use incidents::{
    IncidentCauseDto, IncidentGroupDecisionDto, IncidentGroupDto, IncidentMemberDto,
    NOT_CHANGE_CAUSED_CATEGORIES,
};
pub use ingest::IngestOptions;
pub use report::{parquet_tables, write_atomically, ReportOutput};
pub use scope::ReportScope;
pub use settings::{SettingsDto, SettingsUpdate};

/// The Hindsight version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub type Result<T> = std::result::Result<T, ApiError>;

/// An open Hindsight workspace: one store and the attribution rules in force.
pub struct Hindsight {
    store: Store,
    /// The rules in force and where they came from, built-in first. Behind a lock because the
    /// settings screen swaps them while the window keeps its workspace.
    rules: RwLock<(Arc<Rules>, Vec<String>)>,
    /// How many ingest runs' updates opening the store finished (see
    /// [`Hindsight::finish_interrupted_updates`]).
    finished_at_open: usize,
}

impl Hindsight {
    /// Opens (creating if needed) the store at `db` with the built-in attribution rules.
    /// A rules file chosen in the settings is applied when it still loads; when it does not,
    /// the built-in rules stay in force and the settings report why.
    pub fn open(db: &Path) -> Result<Self> {
        let mut app = Self {
            store: Store::open(db)?,
            rules: RwLock::new((Arc::new(Rules::builtin()), vec!["built-in".to_owned()])),
            finished_at_open: 0,
        };
        if let Some(path) = app.stored_rules_file()? {
            if let Ok(loaded) = load_rules(Path::new(&path)) {
                app.set_rules(loaded);
            }
        }
        app.finished_at_open = app.finish_interrupted_updates()?;
        Ok(app)
    }

    /// How many files' updates (links, timeline) opening the store finished because the
    /// process that ingested them stopped before writing them; 0 in the usual case.
    pub fn updates_finished_at_open(&self) -> usize {
        self.finished_at_open
    }

    /// Waits until everything stored so far is written into the store's file itself. Commits
    /// return once their pages are in the WAL; a thread of the store copies them on while the
    /// work goes on, and closing the store waits for it, so only a measurement needs this.
    pub fn wait_for_checkpoint(&self) -> Result<()> {
        Ok(self.store.checkpoint()?)
    }

    /// Adds a user's attribution rule file on top of the built-in rules. The store is not
    /// re-classified until [`Hindsight::reclassify`] runs.
    pub fn with_rules_file(self, path: &Path) -> Result<Self> {
        self.set_rules(load_rules(path)?);
        Ok(self)
    }

    /// The attribution rules in force.
    pub(crate) fn rules(&self) -> Arc<Rules> {
        self.rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }

    /// Where the rules in force came from, built-in first.
    pub(crate) fn rule_sources(&self) -> Vec<String> {
        self.rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    pub(crate) fn set_rules(&self, loaded: (Rules, Vec<String>)) {
        let mut slot = self.rules.write().unwrap_or_else(PoisonError::into_inner);
        *slot = (Arc::new(loaded.0), loaded.1);
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

/// The built-in rules plus a user's rule file, with their origins.
pub(crate) fn load_rules(path: &Path) -> Result<(Rules, Vec<String>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::BadInput(format!("{}: cannot read: {e}", path.display())))?;
    let origin = path.display().to_string();
    let rules = Rules::from_sources(&[
        ("built-in", hindsight_attribution::BUILTIN_RULES),
        (origin.as_str(), text.as_str()),
    ])?;
    Ok((rules, vec!["built-in".to_owned(), origin]))
}
