//! Lookup tables built once per linking run, so that each incident costs a few binary searches
//! and hash lookups instead of scans over every deployment and change (5,000 incidents against
//! 100,000 deployments and 1,000,000 changes must link in seconds).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use foldhash::{HashMap, HashMapExt, HashSet};

use crate::explicit::{is_key_like, is_sha_like, pull_request, reverted_sha, words};
use crate::link::ChangeDetails;
use crate::{ChangeFacts, DeploymentFacts, ShippedChange};

/// The words incident texts may name a deployment by, as explicit evidence looks them up
/// (`explicit::text_hits`): lower-case key-like words (its key), every word as versions are
/// compared (its version) and lower-case SHA-like words (a prefix of its SHA). A deployment
/// none of them names is never found through those tables, so [`Index`] leaves it out of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamedWords {
    pub keys: HashSet<String>,
    pub versions: HashSet<String>,
    pub sha_prefixes: HashSet<String>,
    sha_lengths: Vec<usize>,
    /// The pull request numbers the texts name.
    pub pull_requests: HashSet<u64>,
}

impl NamedWords {
    pub fn new<'t>(texts: impl IntoIterator<Item = &'t String>) -> Self {
        let mut names = Self::default();
        for text in texts {
            for word in words(text) {
                let lower = word.to_lowercase();
                names.versions.insert(version_key(word).into_owned());
                if let Some((_, number)) = pull_request(word) {
                    names.pull_requests.insert(number);
                }
                if is_sha_like(&lower) {
                    names.sha_prefixes.insert(lower.clone());
                }
                if is_key_like(&lower) {
                    names.keys.insert(lower);
                }
            }
        }
        names.sha_lengths = lengths(&names.sha_prefixes);
        names
    }

    // Each is asked of every deployment of a store: nothing is lower-cased for an empty set,
    // nor copied when already lower case.

    /// Whether a deployment key is named.
    pub fn key(&self, key: &str) -> bool {
        !self.keys.is_empty() && self.keys.contains(lower(key).as_ref())
    }

    /// Whether a deployment's version is named.
    pub fn version(&self, version: &str) -> bool {
        !self.versions.is_empty() && self.versions.contains(version_key(version).as_ref())
    }

    /// Whether a prefix of a deployment's SHA is named.
    pub fn sha(&self, sha: &str) -> bool {
        !self.sha_lengths.is_empty()
            && has_prefix(&lower(sha), &self.sha_prefixes, &self.sha_lengths)
    }
}

/// The distinct lengths of `prefixes`, ascending.
pub(crate) fn lengths(prefixes: &HashSet<String>) -> Vec<usize> {
    let mut lengths: Vec<usize> = prefixes.iter().map(String::len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// Whether one of `prefixes` (whose lengths are `lengths`) begins `text`.
pub(crate) fn has_prefix(text: &str, prefixes: &HashSet<String>, lengths: &[usize]) -> bool {
    lengths
        .iter()
        .any(|n| text.get(..*n).is_some_and(|head| prefixes.contains(head)))
}

pub(crate) struct Index<'a> {
    pub by_id: HashMap<i64, &'a DeploymentFacts>,
    /// Per service, sorted by time then id.
    pub by_service: HashMap<&'a str, Vec<&'a DeploymentFacts>>,
    /// Deployment natural key (lower case) -> deployments.
    pub by_key_lower: HashMap<Cow<'a, str>, Vec<&'a DeploymentFacts>>,
    /// Deployment natural key as stored -> deployment, for the keys rollbacks name in
    /// `rollback_of`.
    pub by_key: HashMap<&'a str, &'a DeploymentFacts>,
    /// Version without a leading `v`, lower case -> deployments.
    pub by_version: HashMap<Cow<'a, str>, Vec<&'a DeploymentFacts>>,
    /// Lower-case SHA -> deployment, sorted for prefix search.
    pub by_sha: Vec<(Cow<'a, str>, &'a DeploymentFacts)>,
    /// The change tables, built once for every batch of incidents linked.
    pub changes: &'a ChangeTables<'a>,
    pub shipped_by_change: Grouped,
    pub shipped_by_deployment: Grouped,
    /// Rollback operations, sorted by time.
    pub rollbacks: Vec<&'a DeploymentFacts>,
    /// Deployments marked rolled back, sorted by time.
    pub rolled_back: Vec<&'a DeploymentFacts>,
    /// Service names as they are searched for in incident text (lower case).
    pub service_words: HashMap<String, Vec<&'a str>>,
}

/// Ids grouped by an id, as one sorted vector: a million changes each shipped once would cost
/// a million small vectors in a map.
#[derive(Debug, Default)]
pub(crate) struct Grouped {
    keys: Vec<i64>,
    values: Vec<i64>,
}

impl Grouped {
    fn new(pairs: impl Iterator<Item = (i64, i64)>) -> Self {
        let mut pairs: Vec<(i64, i64)> = pairs.collect();
        pairs.sort_unstable();
        let (keys, values) = pairs.into_iter().unzip();
        Self { keys, values }
    }

    /// The values of `key`, ascending; empty when it has none.
    pub(crate) fn get(&self, key: i64) -> &[i64] {
        let start = self.keys.partition_point(|k| *k < key);
        let end = start + self.keys[start..].partition_point(|k| *k == key);
        &self.values[start..end]
    }
}

/// Byte order of two keys, as `str::cmp`, comparing their first eight bytes as one integer
/// before calling into `memcmp`: sorting a million SHAs spent most of its time in that call.
pub(crate) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    // Zero padding keeps the order: where two heads differ, the first differing byte decides,
    // and a pad byte only ties with a real zero, which the full comparison then settles.
    // A fixed eight-byte load; a variable-length copy would itself call `memmove`.
    let head = |s: &str| match s.as_bytes().first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        None => s
            .bytes()
            .enumerate()
            .fold(0u64, |acc, (i, b)| acc | (u64::from(b) << (56 - 8 * i))),
    };
    head(a).cmp(&head(b)).then_with(|| a.cmp(b))
}

/// A version as compared: lower case, without a leading `v` before a digit.
pub(crate) fn version_key(text: &str) -> Cow<'_, str> {
    let strip = |t: &str| -> usize {
        match t.strip_prefix('v') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => 1,
            _ => 0,
        }
    };
    // Borrowed when already lower case, as built for every deployment of every batch.
    match lower(text) {
        Cow::Borrowed(t) => Cow::Borrowed(&t[strip(t)..]),
        Cow::Owned(t) => Cow::Owned(t[strip(&t)..].to_owned()),
    }
}

/// Lower case, borrowing when the text already is (commit SHAs are): a million keys copied
/// would cost tens of megabytes.
pub(crate) fn lower(text: &str) -> Cow<'_, str> {
    // Keys, SHAs and versions are ASCII: a byte test rather than a test per char.
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

fn by_time(list: &mut [&DeploymentFacts]) {
    list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
}

/// The pull request numbers a change may stand for, ascending: a PR change keyed `o/r#123`, a
/// commit titled `... (#123)` or `Merge pull request #123 ...`.
pub(crate) fn pr_numbers(c: &ChangeFacts, details: Option<&ChangeDetails>) -> Vec<u64> {
    let mut numbers = Vec::new();
    if let Some((_, n)) = c.natural_key.rsplit_once('#') {
        numbers.extend(n.parse::<u64>().ok());
    }
    if let Some(d) = details {
        let title = d.title.trim();
        if let Some(rest) = title.strip_suffix(')') {
            if let Some((_, n)) = rest.rsplit_once("(#") {
                numbers.extend(n.parse::<u64>().ok());
            }
        }
        const MERGE: &[u8] = b"merge pull request #";
        if title
            .as_bytes()
            .get(..MERGE.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(MERGE))
        {
            // The prefix is ASCII, so its end is a character boundary.
            let rest = &title[MERGE.len()..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            numbers.extend(n.parse::<u64>().ok());
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The change tables: a million changes, so they build on a core of their own, once for every
/// batch of incidents linked.
pub struct ChangeTables<'a> {
    /// Lower-case change key -> change, sorted for prefix search.
    changes_by_key: Vec<(Cow<'a, str>, &'a ChangeFacts)>,
    /// PR number -> changes whose key or title may name it.
    pub(crate) changes_by_pr: HashMap<u64, Vec<&'a ChangeFacts>>,
    /// Revert commits: time, the commit, and the SHA (prefix) it reverts; sorted by time.
    pub(crate) reverts: Vec<(DateTime<Utc>, &'a ChangeFacts, String)>,
}

impl<'a> ChangeTables<'a> {
    pub fn build(
        changes: &'a [ChangeFacts],
        details: &std::collections::BTreeMap<i64, ChangeDetails>,
    ) -> Self {
        let mut changes_by_key: Vec<(Cow<str>, &ChangeFacts)> =
            changes.iter().map(|c| (lower(&c.natural_key), c)).collect();
        changes_by_key.sort_unstable_by(|a, b| key_order(&a.0, &b.0).then(a.1.id.cmp(&b.1.id)));

        let mut changes_by_pr: HashMap<u64, Vec<&ChangeFacts>> = HashMap::new();
        let mut reverts = Vec::new();
        for c in changes {
            let details = details.get(&c.id);
            if let (Some(at), Some(sha)) = (
                c.committed_at,
                details.and_then(|d| reverted_sha(&d.message)),
            ) {
                reverts.push((at, c, sha));
            }
            for n in pr_numbers(c, details) {
                changes_by_pr.entry(n).or_default().push(c);
            }
        }
        reverts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        Self {
            changes_by_key,
            changes_by_pr,
            reverts,
        }
    }
}

impl<'a> Index<'a> {
    /// The deployment tables of `deployments` beside the change tables `changes`. With
    /// `named`, the tables text looks deployments up in (by key, version and SHA) hold only
    /// the deployments those words name: a batch of incidents against a hundred thousand
    /// deployments fills them with a handful instead of all.
    pub(crate) fn build(
        deployments: &[&'a DeploymentFacts],
        deployment_keys: &'a std::collections::BTreeMap<i64, String>,
        shipped: &[ShippedChange],
        changes: &'a ChangeTables<'a>,
        named: Option<&NamedWords>,
    ) -> Self {
        let mut by_id = HashMap::with_capacity(deployments.len());
        let mut by_service: HashMap<&str, Vec<&DeploymentFacts>> = HashMap::new();
        let mut by_version: HashMap<Cow<str>, Vec<&DeploymentFacts>> = HashMap::new();
        let mut by_sha = Vec::new();
        let mut rollbacks = Vec::new();
        let mut rolled_back = Vec::new();
        for &d in deployments {
            by_id.insert(d.id, d);
            by_service.entry(d.service.as_str()).or_default().push(d);
            if let Some(version) = d.version.as_deref() {
                if named.is_none_or(|n| n.version(version)) {
                    by_version.entry(version_key(version)).or_default().push(d);
                }
            }
            if let Some(sha) = d.sha.as_deref() {
                if named.is_none_or(|n| n.sha(sha)) {
                    by_sha.push((lower(sha), d));
                }
            }
            if d.action == "rollback" {
                rollbacks.push(d);
            }
            if d.status == "rolled_back" {
                rolled_back.push(d);
            }
        }
        for list in by_service.values_mut() {
            by_time(list);
        }
        by_time(&mut rollbacks);
        by_time(&mut rolled_back);
        by_sha.sort_unstable_by(|a, b| key_order(&a.0, &b.0).then(a.1.id.cmp(&b.1.id)));

        let mut by_key_lower: HashMap<Cow<str>, Vec<&DeploymentFacts>> = HashMap::new();
        let mut by_key = HashMap::new();
        // `by_key` is asked only for what a rollback names (`explicit.rs`): made whole for a
        // batch of incidents against tens of thousands of deployments, and most often for no
        // rollback at all, it was about two fifths of this build in the ingest bench's run with
        // incidents.
        let rollback_targets: HashSet<&str> = rollbacks
            .iter()
            .filter_map(|d| d.attributes.get("rollback_of"))
            .map(String::as_str)
            .collect();
        let keys_named = named.is_none_or(|n| !n.keys.is_empty());
        if keys_named || !rollback_targets.is_empty() {
            // Deployment order, so the first of equal keys wins as a scan would find it.
            for &d in deployments {
                if let Some(key) = deployment_keys.get(&d.id) {
                    if named.is_none_or(|n| n.key(key)) {
                        by_key_lower.entry(lower(key)).or_default().push(d);
                    }
                    if rollback_targets.contains(key.as_str()) {
                        by_key.entry(key.as_str()).or_insert(d);
                    }
                }
            }
        }

        let shipped_by_change =
            Grouped::new(shipped.iter().map(|s| (s.change_id, s.deployment_id)));
        let shipped_by_deployment =
            Grouped::new(shipped.iter().map(|s| (s.deployment_id, s.change_id)));

        let mut service_words: HashMap<String, Vec<&str>> = HashMap::new();
        for service in by_service.keys() {
            service_words
                .entry(service.to_lowercase())
                .or_default()
                .push(service);
        }

        Self {
            by_id,
            by_service,
            by_key_lower,
            by_key,
            by_version,
            by_sha,
            changes,
            shipped_by_change,
            shipped_by_deployment,
            rollbacks,
            rolled_back,
            service_words,
        }
    }

    /// The deployments of a service at or before `until`, oldest first.
    pub(crate) fn service_until(
        &self,
        service: &str,
        until: DateTime<Utc>,
    ) -> &[&'a DeploymentFacts] {
        let list = self.by_service.get(service).map_or(&[][..], Vec::as_slice);
        &list[..list.partition_point(|d| d.at <= until)]
    }

    /// The deployments of a service in `from..=until`, oldest first.
    pub(crate) fn service_between(
        &self,
        service: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> &[&'a DeploymentFacts] {
        let list = self.service_until(service, until);
        &list[list.partition_point(|d| d.at < from)..]
    }

    /// Changes whose lower-case key starts with `prefix`.
    pub(crate) fn changes_with_prefix(&self, prefix: &str) -> Vec<&'a ChangeFacts> {
        let by_key = &self.changes.changes_by_key;
        let start = by_key.partition_point(|(k, _)| k.as_ref() < prefix);
        by_key[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, c)| *c)
            .collect()
    }

    /// Deployments whose lower-case SHA starts with `prefix`.
    pub(crate) fn deployments_with_sha_prefix(&self, prefix: &str) -> Vec<&'a DeploymentFacts> {
        let start = self.by_sha.partition_point(|(k, _)| k.as_ref() < prefix);
        self.by_sha[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, d)| *d)
            .collect()
    }

    /// Entries of a time-sorted list in `from..=until`.
    pub(crate) fn between<'l>(
        list: &'l [&'a DeploymentFacts],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> &'l [&'a DeploymentFacts] {
        let lower = list.partition_point(|d| d.at < from);
        let upper = list.partition_point(|d| d.at <= until).max(lower);
        &list[lower..upper]
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{key_order, lower, version_key, Grouped};

    #[test]
    fn lower_borrows_what_is_already_lower_case_and_folds_the_rest() {
        assert!(matches!(
            lower("0a1b2c-dep-7"),
            Cow::Borrowed("0a1b2c-dep-7")
        ));
        assert!(matches!(lower("DEP-7"), Cow::Owned(ref s) if s == "dep-7"));
        // Beyond ASCII: the Unicode rules, borrowing when nothing changes.
        assert!(matches!(lower("straße"), Cow::Borrowed("straße")));
        assert!(matches!(lower("ÄRGER-v2"), Cow::Owned(ref s) if s == "ärger-v2"));
        assert_eq!(version_key("V2.1"), "2.1");
        assert!(matches!(version_key("v2.1"), Cow::Borrowed("2.1")));
        assert_eq!(version_key("vNext"), "vnext");
    }

    #[test]
    fn key_order_is_byte_order() {
        let keys = [
            "",
            "a",
            "a\0",
            "a\0b",
            "ab",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "abcdefgi",
            "b",
            "zz",
            "\u{e9}t\u{e9}",
            "3f2a9c1d",
            "3f2a9c1d0e",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(key_order(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn grouped_answers_each_keys_values_and_nothing_for_others() {
        let grouped = Grouped::new([(5, 50), (3, 31), (5, 51), (3, 30), (9, 90)].into_iter());
        assert_eq!(grouped.get(3), &[30, 31]);
        assert_eq!(grouped.get(5), &[50, 51]);
        assert_eq!(grouped.get(9), &[90]);
        for absent in [0, 4, 6, 10] {
            assert!(grouped.get(absent).is_empty(), "{absent}");
        }
        assert!(Grouped::new(std::iter::empty()).get(1).is_empty());
    }
}
