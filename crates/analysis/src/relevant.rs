//! Which deployments linking can read, so that a store of millions of deployments links
//! holding only those: the incidents are linked in batches of nearby ones, each with the
//! deployments of its time span (read from the store by time) and those that may be read
//! wherever they lie in time (kept while every deployment streams past once).
//!
//! [`link_incidents`](crate::link_incidents) reads a deployment when it is:
//! - in an incident's window before impact (scored candidates), or in the 24 hours before it
//!   (a deployment marked rolled back, and whether a newer one followed it);
//! - a rollback between impact start and the incident's end plus the rollback grace;
//! - the latest deployment of a service and environment at impact start (what a rollback
//!   without a `rollback_of` undid);
//! - named by the incident's text: its key, its version or a prefix of its SHA;
//! - the shipper of a change the text names by SHA prefix or pull request, or of a change a
//!   revert commit undoes;
//! - the deployment a rollback in a span names in `rollback_of` (fetched by the caller:
//!   [`missing_rollback_targets`]).
//!
//! [`Relevance::span`] and [`RelevantWalker`] together cover every deployment that may be one
//! of these (a superset, never fewer), so linking an incident with them gives the links linking
//! it with every deployment gives.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::explicit::{
    incident_end, is_key_like, is_sha_like, pull_request, reverted_sha, words, ROLLBACK_GRACE_HOURS,
};
use crate::index::{pr_numbers, version_key};
use crate::link::ChangeDetails;
use crate::{ChangeFacts, DeploymentFacts, IncidentFacts};

/// How far before impact a deployment marked rolled back is read.
const ROLLED_BACK_LOOKBACK_HOURS: i64 = 24;

/// What the incidents' windows and texts make a deployment worth keeping for.
pub struct Relevance {
    /// How far before impact start an incident's span begins: the link window, or the 24 hours
    /// in which a deployment marked rolled back is read, whichever is longer.
    before: Duration,
    /// Impact starts, ascending: the latest deployment of each slot at each is kept.
    starts: Vec<DateTime<Utc>>,
    /// Lower-case words of the texts that may be deployment keys.
    keys: HashSet<String>,
    /// The words as versions are compared (`version_key`).
    versions: HashSet<String>,
    /// Lower-case SHA-like words, with their lengths for prefix tests.
    sha_prefixes: HashSet<String>,
    sha_lengths: Vec<usize>,
    /// Changes the texts name (by SHA prefix or pull request) or a revert undoes.
    named_changes: HashSet<i64>,
}

impl Relevance {
    /// `window` is the link window in force.
    pub fn new(
        incidents: &[IncidentFacts],
        changes: &[ChangeFacts],
        details: &BTreeMap<i64, ChangeDetails>,
        window: Duration,
    ) -> Self {
        let before = window.max(Duration::hours(ROLLED_BACK_LOOKBACK_HOURS));
        let mut starts: Vec<DateTime<Utc>> = incidents.iter().map(|i| i.started_at).collect();
        starts.sort();
        starts.dedup();

        let (mut keys, mut versions, mut sha_prefixes) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        let mut pull_requests: HashSet<u64> = HashSet::new();
        for text in incidents.iter().flat_map(|i| &i.text) {
            for word in words(text) {
                let lower = word.to_lowercase();
                versions.insert(version_key(word));
                if let Some((_, number)) = pull_request(word) {
                    pull_requests.insert(number);
                }
                if is_sha_like(&lower) {
                    sha_prefixes.insert(lower.clone());
                }
                if is_key_like(&lower) {
                    keys.insert(lower);
                }
            }
        }
        // Reverts name the commit they undo by SHA: whatever shipped it may be a suspect.
        let mut change_prefixes = sha_prefixes.clone();
        change_prefixes.extend(
            details
                .values()
                .filter_map(|d| reverted_sha(&d.message))
                .map(|sha| sha.to_lowercase()),
        );
        let change_lengths = lengths(&change_prefixes);
        let named_changes = changes
            .iter()
            .filter(|c| {
                has_prefix(
                    &c.natural_key.to_lowercase(),
                    &change_prefixes,
                    &change_lengths,
                ) || pr_numbers(c, details.get(&c.id))
                    .iter()
                    .any(|n| pull_requests.contains(n))
            })
            .map(|c| c.id)
            .collect();
        let sha_lengths = lengths(&sha_prefixes);
        Self {
            before,
            starts,
            keys,
            versions,
            sha_prefixes,
            sha_lengths,
            named_changes,
        }
    }

    /// The time span of an incident's deployments linking reads: its window (or the 24 hours a
    /// rolled back deployment is looked for) before impact start, up to its end plus the
    /// rollback grace. Every deployment in it is read, whatever it is.
    pub fn span(&self, incident: &IncidentFacts) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = incident_end(incident) + Duration::hours(ROLLBACK_GRACE_HOURS);
        (
            incident.started_at - self.before,
            end.max(incident.started_at),
        )
    }

    /// Whether an incident's text may name `d` (stored under `key`), which shipped `shipped`,
    /// wherever it lies in time.
    fn named(&self, d: &DeploymentFacts, key: &str, shipped: &[i64]) -> bool {
        self.keys.contains(&key.to_lowercase())
            || d.version
                .as_deref()
                .is_some_and(|v| self.versions.contains(&version_key(v)))
            || d.sha.as_deref().is_some_and(|sha| {
                has_prefix(&sha.to_lowercase(), &self.sha_prefixes, &self.sha_lengths)
            })
            || shipped.iter().any(|c| self.named_changes.contains(c))
    }
}

fn lengths(prefixes: &HashSet<String>) -> Vec<usize> {
    let mut lengths: Vec<usize> = prefixes.iter().map(String::len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

fn has_prefix(text: &str, prefixes: &HashSet<String>, lengths: &[usize]) -> bool {
    lengths
        .iter()
        .any(|n| text.get(..*n).is_some_and(|head| prefixes.contains(head)))
}

/// Deployments in time order (ties by id) in; out, the ones linking may read wherever they lie
/// in time: those the texts name and each slot's latest at every impact start. The
/// deployments in an incident's [`Relevance::span`] are read apart.
pub struct RelevantWalker<'a> {
    relevance: &'a Relevance,
    /// The next impact start the stream has not passed.
    next_start: usize,
    /// The latest non-rollback deployment per (service, environment) so far.
    latest: HashMap<(String, Option<String>), (DeploymentFacts, String)>,
    kept: Vec<(DeploymentFacts, String)>,
    kept_ids: HashSet<i64>,
    seen: usize,
}

impl<'a> RelevantWalker<'a> {
    pub fn new(relevance: &'a Relevance) -> Self {
        Self {
            relevance,
            next_start: 0,
            latest: HashMap::new(),
            kept: Vec::new(),
            kept_ids: HashSet::new(),
            seen: 0,
        }
    }

    /// The next deployment of the stream, stored under `key`, which shipped `shipped`.
    pub fn push(&mut self, d: DeploymentFacts, key: String, shipped: &[i64]) {
        self.seen += 1;
        self.pass_starts_before(d.at);
        let keep = self.relevance.named(&d, &key, shipped);
        if d.action == "rollback" {
            if keep {
                self.keep(d, key);
            }
            return;
        }
        let slot = (d.service.clone(), d.environment.clone());
        if keep {
            self.keep(d.clone(), key.clone());
        }
        self.latest.insert(slot, (d, key));
    }

    /// The kept deployments with their keys, ordered as `Store::deployments` orders them (time,
    /// then key), and how many went past.
    pub fn finish(mut self) -> (Vec<(DeploymentFacts, String)>, usize) {
        if self.next_start < self.relevance.starts.len() {
            self.next_start = self.relevance.starts.len();
            self.keep_latest();
        }
        let mut kept = self.kept;
        kept.sort_by(|a, b| (a.0.at, &a.1).cmp(&(b.0.at, &b.1)));
        (kept, self.seen)
    }

    /// Every impact start before `at` has its slots' latest deployments kept.
    fn pass_starts_before(&mut self, at: DateTime<Utc>) {
        let starts = &self.relevance.starts;
        let passed = self.next_start + starts[self.next_start..].partition_point(|s| *s < at);
        if passed > self.next_start {
            self.next_start = passed;
            self.keep_latest();
        }
    }

    fn keep_latest(&mut self) {
        let latest: Vec<(DeploymentFacts, String)> = self
            .latest
            .values()
            .filter(|(d, _)| !self.kept_ids.contains(&d.id))
            .cloned()
            .collect();
        for (d, key) in latest {
            self.keep(d, key);
        }
    }

    fn keep(&mut self, d: DeploymentFacts, key: String) {
        if self.kept_ids.insert(d.id) {
            self.kept.push((d, key));
        }
    }
}

/// The deployments the kept rollbacks name in `rollback_of` (a key, or an id) that are not
/// kept yet: the caller fetches them from the store.
pub fn missing_rollback_targets(kept: &[(DeploymentFacts, String)]) -> Vec<String> {
    let keys: HashSet<&str> = kept.iter().map(|(_, k)| k.as_str()).collect();
    let ids: HashSet<String> = kept.iter().map(|(d, _)| d.id.to_string()).collect();
    let mut missing: Vec<String> = kept
        .iter()
        .filter(|(d, _)| d.action == "rollback")
        .filter_map(|(d, _)| d.attributes.get("rollback_of"))
        .filter(|of| !keys.contains(of.as_str()) && !ids.contains(of.as_str()))
        .cloned()
        .collect();
    missing.sort();
    missing.dedup();
    missing
}
