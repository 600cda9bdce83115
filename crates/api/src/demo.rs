//! The bundled demo data set (`fixtures/demo/`), compiled in so that the desktop app can open
//! it anywhere.

use chrono::{DateTime, Utc};

use crate::ingest::stored_runs;
use crate::{Hindsight, IngestReportDto, Result};

/// `(name, bytes)` of every demo file, in ingest order.
pub const DEMO_FILES: &[(&str, &[u8])] = &[
    (
        "demo/checkout.gitlog",
        include_bytes!("../../../fixtures/demo/checkout.gitlog"),
    ),
    (
        "demo/payments.gitlog",
        include_bytes!("../../../fixtures/demo/payments.gitlog"),
    ),
    (
        "demo/inventory.gitlog",
        include_bytes!("../../../fixtures/demo/inventory.gitlog"),
    ),
    (
        "demo/search.gitlog",
        include_bytes!("../../../fixtures/demo/search.gitlog"),
    ),
    (
        "demo/gateway.gitlog",
        include_bytes!("../../../fixtures/demo/gateway.gitlog"),
    ),
    (
        "demo/deploys.jsonl",
        include_bytes!("../../../fixtures/demo/deploys.jsonl"),
    ),
    (
        "demo/ops-agent.logfmt",
        include_bytes!("../../../fixtures/demo/ops-agent.logfmt"),
    ),
    (
        "demo/pagerduty-incidents.json",
        include_bytes!("../../../fixtures/demo/pagerduty-incidents.json"),
    ),
];

impl Hindsight {
    /// Loads the bundled demo data set; files already stored are skipped, so this is safe to
    /// call on every start.
    pub fn load_demo(&self, now: DateTime<Utc>) -> Result<IngestReportDto> {
        let mut files = Vec::new();
        for (name, bytes) in DEMO_FILES {
            files.push(self.ingest_bytes(name, bytes, now)?);
        }
        // Every start refreshes what follows from the data, with this build's analysis.
        self.update_after(&stored_runs(&files), &mut |_| {})?;
        Ok(IngestReportDto { files })
    }
}
