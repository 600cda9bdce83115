//! Explicit evidence that ties an incident to a deployment, and the incidents that read as not
//! caused by a change at all.
//!
//! Explicit evidence, strongest first (the strength becomes the link score):
//!
//! | Evidence | Strength |
//! | --- | --- |
//! | a rollback of the incident's service during the incident or up to 2 h after it, naming the deployment it rolls back (`rollback_of`) | 1.00 |
//! | the incident text names the deployment's key (`dep-0010`) | 1.00 |
//! | a commit `This reverts commit <sha>` made after impact start, reverting a change the deployment shipped | 0.98 |
//! | the incident text names the deployment's version (`v2.15.0`) | 0.97 |
//! | a rollback as above without `rollback_of`: the latest deployment of that service and environment before impact | 0.97 |
//! | the incident text names a commit SHA (7 to 40 hex digits, a prefix of a shipped change) | 0.96 |
//! | the incident text names a PR (`#123`, `o/r#123`, a pull or merge request URL) whose commit the deployment shipped | 0.95 |
//! | the deployment is marked `rolled_back` and is the last one of its service and environment before impact, within 24 h | 0.95 |
//!
//! Versions and keys that follow "rolled back to", "reverted to" and the like name the good
//! release, so they are ignored. Only deployments at or before impact start count, and when
//! both production and staging/test deployments match, only the production ones are kept (the
//! latest per environment).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::index::{version_key, Index};
use crate::link::{is_low_environment, ChangeDetails};
use crate::{ChangeFacts, DeploymentFacts, IncidentFacts};

/// One piece of explicit evidence for one deployment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExplicitHit {
    pub deployment_id: i64,
    pub strength: f64,
    pub evidence: String,
}

/// Everything the explicit rules look at, borrowed from the caller.
pub(crate) struct Context<'a> {
    pub deployment_keys: &'a BTreeMap<i64, String>,
    pub details: &'a BTreeMap<i64, ChangeDetails>,
    pub index: &'a Index<'a>,
}

/// How long after the incident a rollback still counts as its rollback.
pub(crate) const ROLLBACK_GRACE_HOURS: i64 = 2;
/// How long after the incident a revert commit still counts.
const REVERT_GRACE_HOURS: i64 = 24;

/// The explicit evidence of one incident. `scope` is the set of services whose deployments may
/// be named (the incident's service and its upstreams); `None` accepts every service.
pub(crate) fn explicit_hits(
    incident: &IncidentFacts,
    scope: Option<&BTreeSet<String>>,
    ctx: &Context<'_>,
) -> Vec<ExplicitHit> {
    let text_lower: String = incident.text.join("\n").to_lowercase();
    let mentioned = match scope {
        Some(_) => mentioned_services(&text_lower, ctx.index),
        None => HashSet::new(),
    };
    let in_scope = |d: &DeploymentFacts| match scope {
        None => true,
        Some(services) => services.contains(&d.service) || mentioned.contains(d.service.as_str()),
    };
    let eligible =
        |d: &DeploymentFacts| d.at <= incident.started_at && d.action != "rollback" && in_scope(d);

    let mut hits = Vec::new();
    text_hits(incident, &eligible, ctx, &mut hits);
    rollback_hits(incident, scope, ctx, &mut hits);
    revert_hits(incident, &eligible, ctx, &mut hits);
    hits
}

/// The services (as stored) the text names as whole words. Only names whose every word occurs
/// in the text are checked in full: services named alike (`svc-1` ... `svc-200`) share their
/// first word, and checking each of them in full made linking slow.
fn mentioned_services<'a>(text_lower: &str, index: &Index<'a>) -> HashSet<&'a str> {
    let mut runs: HashSet<&str> = HashSet::new();
    for run in text_lower.split(|c: char| !c.is_alphanumeric()) {
        if !run.is_empty() {
            runs.insert(run);
            if let Some(singular) = run.strip_suffix('s') {
                runs.insert(singular);
            }
        }
    }
    let mut found = HashSet::new();
    for (lower, services) in &index.service_words {
        // A whole-word mention has each of the name's words as a word of the text (its last
        // perhaps with an `s`, which `runs` holds without).
        let candidate = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|r| !r.is_empty())
            .all(|r| runs.contains(r));
        if candidate && mentions(text_lower, lower) {
            found.extend(services.iter().copied());
        }
    }
    found
}

fn text_hits(
    incident: &IncidentFacts,
    eligible: &dyn Fn(&DeploymentFacts) -> bool,
    ctx: &Context<'_>,
    hits: &mut Vec<ExplicitHit>,
) {
    let mut seen: BTreeSet<(i64, String)> = BTreeSet::new();
    let mut push =
        |hits: &mut Vec<ExplicitHit>, d: &DeploymentFacts, strength, evidence: String| {
            if seen.insert((d.id, evidence.clone())) {
                hits.push(ExplicitHit {
                    deployment_id: d.id,
                    strength,
                    evidence,
                });
            }
        };
    for text in &incident.text {
        let words = words(text);
        for (index, word) in words.iter().enumerate() {
            let lower = word.to_lowercase();
            if names_good_release(&words, index) {
                continue;
            }
            // Deployment key.
            if is_key_like(&lower) {
                let keyed = ctx
                    .index
                    .by_key_lower
                    .get(lower.as_str())
                    .into_iter()
                    .flatten();
                for d in keyed.copied().filter(|d| eligible(d)) {
                    push(hits, d, 1.0, format!("the incident names {word}"));
                }
            }
            // Version.
            let versioned: Vec<&DeploymentFacts> = ctx
                .index
                .by_version
                .get(version_key(word).as_ref())
                .into_iter()
                .flatten()
                .copied()
                .filter(|d| {
                    eligible(d) && d.version.as_deref().is_some_and(|v| same_version(word, v))
                })
                .collect();
            for d in prefer_production(versioned) {
                push(hits, d, 0.97, format!("the incident names {word}"));
            }
            // Commit SHA.
            if is_sha_like(&lower) {
                let named = ctx.index.changes_with_prefix(&lower);
                if let [change] = named.as_slice() {
                    let by_sha = ctx
                        .index
                        .deployments_with_sha_prefix(&lower)
                        .into_iter()
                        .filter(|d| eligible(d));
                    let by_content = shipped_by(change.id, eligible, ctx.index);
                    let mut found: Vec<&DeploymentFacts> = by_sha.chain(by_content).collect();
                    found.sort_by_key(|d| d.id);
                    found.dedup_by_key(|d| d.id);
                    for d in prefer_production(found) {
                        push(
                            hits,
                            d,
                            0.96,
                            format!(
                                "the incident names commit {}, shipped by this deployment",
                                short(&change.natural_key)
                            ),
                        );
                    }
                }
            }
            // Pull request.
            if let Some((repo, number)) = pull_request(word) {
                for change in pr_changes(repo.as_deref(), number, ctx) {
                    let found = shipped_by(change.id, eligible, ctx.index);
                    for d in prefer_production(found) {
                        push(
                            hits,
                            d,
                            0.95,
                            format!(
                                "the incident names PR #{number}, shipped by this deployment ({})",
                                short(&change.natural_key)
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn rollback_hits(
    incident: &IncidentFacts,
    scope: Option<&BTreeSet<String>>,
    ctx: &Context<'_>,
    hits: &mut Vec<ExplicitHit>,
) {
    let until = incident_end(incident) + Duration::hours(ROLLBACK_GRACE_HOURS);
    let in_scope = |d: &DeploymentFacts| scope.is_none_or(|s| s.contains(&d.service));
    let index = ctx.index;
    for rollback in Index::between(&index.rollbacks, incident.started_at, until)
        .iter()
        .copied()
        .filter(|d| in_scope(d))
    {
        let key = ctx
            .deployment_keys
            .get(&rollback.id)
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        let evidence = format!(
            "rolled back at {}{key}",
            clock(rollback.at, incident.started_at)
        );
        let named = rollback.attributes.get("rollback_of").and_then(|of| {
            index.by_key.get(of.as_str()).copied().or_else(|| {
                of.parse::<i64>()
                    .ok()
                    .filter(|id| id.to_string() == *of)
                    .and_then(|id| index.by_id.get(&id).copied())
            })
        });
        if let Some(target) = named {
            if target.at <= incident.started_at {
                hits.push(ExplicitHit {
                    deployment_id: target.id,
                    strength: 1.0,
                    evidence,
                });
            }
            continue;
        }
        let latest = index
            .service_until(&rollback.service, incident.started_at)
            .iter()
            .rev()
            .find(|d| d.environment == rollback.environment && d.action != "rollback");
        if let Some(target) = latest {
            hits.push(ExplicitHit {
                deployment_id: target.id,
                strength: 0.97,
                evidence,
            });
        }
    }
    // A deployment marked rolled back that was the last of its slot before impact.
    let since = incident.started_at - Duration::hours(24);
    for d in Index::between(&index.rolled_back, since, incident.started_at)
        .iter()
        .copied()
        .filter(|d| in_scope(d))
    {
        let newer = index
            .service_between(&d.service, d.at, incident.started_at)
            .iter()
            .any(|o| o.id != d.id && o.environment == d.environment && o.at > d.at);
        if !newer {
            hits.push(ExplicitHit {
                deployment_id: d.id,
                strength: 0.95,
                evidence: format!(
                    "marked rolled back, and the last change to {} before impact",
                    place(d)
                ),
            });
        }
    }
}

fn revert_hits(
    incident: &IncidentFacts,
    eligible: &dyn Fn(&DeploymentFacts) -> bool,
    ctx: &Context<'_>,
    hits: &mut Vec<ExplicitHit>,
) {
    let until = incident_end(incident) + Duration::hours(REVERT_GRACE_HOURS);
    let reverts = &ctx.index.changes.reverts;
    let lower = reverts.partition_point(|(at, _, _)| *at < incident.started_at);
    let upper = reverts
        .partition_point(|(at, _, _)| *at <= until)
        .max(lower);
    for (at, revert, target_sha) in &reverts[lower..upper] {
        let targets: Vec<&ChangeFacts> = ctx
            .index
            .changes_with_prefix(target_sha)
            .into_iter()
            .filter(|c| c.id != revert.id)
            .collect();
        let [target] = targets.as_slice() else {
            continue;
        };
        for d in prefer_production(shipped_by(target.id, eligible, ctx.index)) {
            hits.push(ExplicitHit {
                deployment_id: d.id,
                strength: 0.98,
                evidence: format!(
                    "reverted by {} at {} (it reverts {}, shipped by this deployment)",
                    short(&revert.natural_key),
                    clock(*at, incident.started_at),
                    short(&target.natural_key)
                ),
            });
        }
    }
}

/// What an incident reads as when no change caused it.
///
/// Returns the category (`provider`, `third-party`, `hardware` or `capacity`) and the evidence,
/// from keywords in the incident text. Conservative: a few unambiguous phrases only, and
/// nothing when the text mentions a rollback or a revert (a fix by undoing a change says a
/// change was the cause).
pub fn classify_cause(incident: &IncidentFacts) -> Option<(String, String)> {
    const RULES: [(&str, &str, &[&str]); 4] = [
        (
            "provider",
            "a cloud provider problem",
            &[
                "aws",
                "amazon web services",
                "azure",
                "gcp",
                "google cloud",
                "cloud provider",
                "upstream provider",
                "hosting provider",
                "health dashboard",
                "region outage",
                "availability zone outage",
            ],
        ),
        (
            "third-party",
            "a third-party outage",
            &[
                "third-party",
                "third party",
                "supplier",
                "vendor outage",
                "upstream outage",
                "partner outage",
                "outage at",
                "their status page",
            ],
        ),
        (
            "hardware",
            "a hardware failure",
            &[
                "hardware failure",
                "hardware fault",
                "faulty hardware",
                "disk failure",
                "failed disk",
                "power outage",
                "power failure",
            ],
        ),
        (
            "capacity",
            "a capacity shortage",
            &[
                "out of capacity",
                "insufficient capacity",
                "capacity exhausted",
                "capacity limit",
                "capacity shortage",
                "ran out of capacity",
            ],
        ),
    ];
    let text = incident.text.join("\n").to_lowercase();
    if ["rolled back", "roll back", "rollback", "revert"]
        .iter()
        .any(|w| text.contains(w))
    {
        return None;
    }
    let mut best: Option<(&str, &str, Vec<&str>)> = None;
    for (category, words, phrases) in RULES {
        let found: Vec<&str> = phrases
            .iter()
            .copied()
            .filter(|p| mentions(&text, p))
            .collect();
        if !found.is_empty() && best.as_ref().is_none_or(|(_, _, b)| found.len() > b.len()) {
            best = Some((category, words, found));
        }
    }
    let (category, words, found) = best?;
    let quoted: Vec<String> = found.iter().map(|f| format!("\"{f}\"")).collect();
    let mut evidence = format!(
        "the incident text points to {words}: it mentions {}",
        quoted.join(", ")
    );
    if [
        "no change on our side",
        "no changes on our side",
        "not caused by a change",
    ]
    .iter()
    .any(|p| text.contains(p))
    {
        evidence.push_str(", and says no change on our side caused it");
    }
    Some((category.to_owned(), evidence))
}

/// Where an incident ends for the rollback and revert rules: its resolution, or 24 h after
/// impact start while unresolved.
pub(crate) fn incident_end(incident: &IncidentFacts) -> DateTime<Utc> {
    incident
        .resolved_at
        .filter(|end| *end >= incident.started_at)
        .unwrap_or(incident.started_at + Duration::hours(24))
}

/// The eligible deployments that shipped a change, in time order.
fn shipped_by<'a>(
    change_id: i64,
    eligible: &dyn Fn(&DeploymentFacts) -> bool,
    index: &Index<'a>,
) -> Vec<&'a DeploymentFacts> {
    let mut found: Vec<&DeploymentFacts> = index
        .shipped_by_change
        .get(change_id)
        .iter()
        .filter_map(|id| index.by_id.get(id).copied())
        .filter(|d| eligible(d))
        .collect();
    found.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    found.dedup_by_key(|d| d.id);
    found
}

/// Keeps production (or unknown-environment) deployments when there are any, else the rest;
/// then the latest per service and environment.
fn prefer_production(found: Vec<&DeploymentFacts>) -> Vec<&DeploymentFacts> {
    let has_production = found.iter().any(|d| !is_low_environment(d));
    let mut latest: BTreeMap<(&str, Option<&str>), &DeploymentFacts> = BTreeMap::new();
    for d in found {
        if has_production && is_low_environment(d) {
            continue;
        }
        let slot = (d.service.as_str(), d.environment.as_deref());
        match latest.get(&slot) {
            Some(kept) if (kept.at, kept.id) >= (d.at, d.id) => {}
            _ => {
                latest.insert(slot, d);
            }
        }
    }
    latest.into_values().collect()
}

/// The changes a PR reference names: PR changes keyed `o/r#123`, and commits titled `... (#123)`
/// or `Merge pull request #123 ...`.
fn pr_changes<'a>(repo: Option<&str>, number: u64, ctx: &Context<'a>) -> Vec<&'a ChangeFacts> {
    let suffix = format!("#{number}");
    let titled = format!("(#{number})");
    let merge = format!("merge pull request #{number} ");
    ctx.index
        .changes
        .changes_by_pr
        .get(&number)
        .into_iter()
        .flatten()
        .copied()
        .filter(|c| {
            let key_match = match repo {
                Some(repo) => c
                    .natural_key
                    .eq_ignore_ascii_case(&format!("{repo}#{number}")),
                None => c.natural_key.ends_with(&suffix) && c.natural_key.contains('/'),
            };
            let title_match = ctx.details.get(&c.id).is_some_and(|d| {
                let title = d.title.trim().to_lowercase();
                let repo_ok = match (repo, c.repo.as_deref()) {
                    (Some(want), Some(have)) => {
                        want.eq_ignore_ascii_case(have)
                            || want
                                .rsplit('/')
                                .next()
                                .is_some_and(|w| w.eq_ignore_ascii_case(have))
                    }
                    _ => true,
                };
                repo_ok && (title.ends_with(&titled) || format!("{title} ").starts_with(&merge))
            });
            key_match || title_match
        })
        .collect()
}

/// `#123`, `o/r#123`, `https://github.com/o/r/pull/123`, `.../merge_requests/123`.
pub(crate) fn pull_request(word: &str) -> Option<(Option<String>, u64)> {
    for marker in ["/pull/", "/pulls/", "/merge_requests/"] {
        if let Some(at) = word.find(marker) {
            let number: String = word[at + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let number = number.parse().ok()?;
            let path = word[..at].split("://").last().unwrap_or_default();
            let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            if parts.last() == Some(&"-") {
                parts.pop();
            }
            let repo = (parts.len() >= 3).then(|| parts[parts.len() - 2..].join("/"));
            return Some((repo, number));
        }
    }
    let (repo, number) = word.rsplit_once('#')?;
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let repo = match repo {
        "" => None,
        r if r.contains('/') => Some(r.to_owned()),
        _ => return None,
    };
    Some((repo, number.parse().ok()?))
}

/// `<sha>` in `This reverts commit <sha>`.
pub(crate) fn reverted_sha(message: &str) -> Option<String> {
    // Compared in place, ignoring ASCII case: a million commit messages copied to lower case
    // only to find that none reverts anything cost a quarter of a second.
    const NEEDLE: &[u8] = b"this reverts commit ";
    let at = message
        .as_bytes()
        .windows(NEEDLE.len())
        .position(|w| w.eq_ignore_ascii_case(NEEDLE))?;
    // The needle is ASCII, so the byte after it starts a character.
    let sha: String = message[at + NEEDLE.len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (sha.len() >= 7).then_some(sha)
}

/// The words of a text, stripped of surrounding punctuation.
pub(crate) fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|w| {
            let bracket = |c: char| {
                matches!(
                    c,
                    '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\'' | '`' | '!' | '?' | '<' | '>'
                )
            };
            w.trim_start_matches(bracket)
                .trim_end_matches(|c: char| bracket(c) || c == '.' || c == ':')
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// True when the word at `index` follows "rolled back to", "reverted to", "restored", ...:
/// it names the good release, not the suspect.
fn names_good_release(words: &[&str], index: usize) -> bool {
    let previous = |n: usize| -> String {
        index
            .checked_sub(n)
            .and_then(|i| words.get(i))
            .map(|w| w.to_lowercase())
            .unwrap_or_default()
    };
    let one = previous(1);
    let two = previous(2);
    if one == "restored" || one == "restoring" {
        return true;
    }
    one == "to"
        && [
            "back", "roll", "revert", "downgrad", "restor", "pinned", "pin",
        ]
        .iter()
        .any(|w| two.starts_with(w))
}

/// `v2.15.0` names version `v2.15.0` or `2.15.0`; a bare number needs two dots (`2.15.0`).
fn same_version(word: &str, version: &str) -> bool {
    let strip = |s: &str| -> String {
        let lower = s.to_lowercase();
        lower
            .strip_prefix('v')
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_owned)
            .unwrap_or(lower)
    };
    let w = strip(word);
    if w.is_empty() || !w.chars().any(|c| c.is_ascii_digit()) || w != strip(version) {
        return false;
    }
    let lower = word.to_lowercase();
    lower.starts_with('v') || w.matches('.').count() >= 2
}

/// A deployment key worth matching in prose: letters and digits both (`dep-0010`, `op-4`).
pub(crate) fn is_key_like(key: &str) -> bool {
    key.len() >= 4
        && key.chars().any(|c| c.is_ascii_alphabetic())
        && key.chars().any(|c| c.is_ascii_digit())
}

/// 7 to 40 hex digits with at least one letter and one digit.
pub(crate) fn is_sha_like(word: &str) -> bool {
    (7..=40).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_hexdigit())
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// `phrase` occurs in `text` as whole words (a plural `s` allowed).
pub(crate) fn mentions(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut start = 0;
    while let Some(found) = text[start..].find(phrase) {
        let at = start + found;
        let end = at + phrase.len();
        let before = text[..at].chars().next_back();
        let mut after = text[end..].chars();
        let next = after.next();
        if boundary(before) && (boundary(next) || (next == Some('s') && boundary(after.next()))) {
            return true;
        }
        start = at + phrase.len().max(1);
        while !text.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

fn place(d: &DeploymentFacts) -> String {
    match &d.environment {
        Some(env) => format!("{} {env}", d.service),
        None => d.service.clone(),
    }
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// `15:32 UTC` on the day of `reference`, else `2026-11-17 15:32 UTC`.
pub(crate) fn clock(at: DateTime<Utc>, reference: DateTime<Utc>) -> String {
    if at.date_naive() == reference.date_naive() {
        at.format("%H:%M UTC").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentioned_services_are_whole_words_among_services_named_alike() {
        let deployment = |id: i64, service: &str| DeploymentFacts {
            id,
            service: service.into(),
            environment: None,
            version: None,
            sha: None,
            status: "succeeded".into(),
            action: "deploy".into(),
            actor: None,
            actor_type: None,
            at: DateTime::<Utc>::UNIX_EPOCH,
            attributes: std::collections::BTreeMap::new(),
        };
        let deployments: Vec<DeploymentFacts> = ["svc-1", "svc-12", "svc-2", "Payment", "edge api"]
            .iter()
            .enumerate()
            .map(|(i, s)| deployment(i as i64, s))
            .collect();
        let keys = std::collections::BTreeMap::new();
        let details = std::collections::BTreeMap::new();
        let tables = crate::index::ChangeTables::build(&[], &details);
        let refs: Vec<&DeploymentFacts> = deployments.iter().collect();
        let index = Index::build(&refs, &keys, &[], &tables, None);
        let found = |text: &str| {
            let mut names: Vec<&str> = mentioned_services(&text.to_lowercase(), &index)
                .into_iter()
                .collect();
            names.sort_unstable();
            names
        };
        assert_eq!(
            found("Errors on svc-12 after a deploy of svc-2"),
            ["svc-12", "svc-2"]
        );
        assert_eq!(
            found("payments failing behind the edge APIs"),
            ["Payment", "edge api"]
        );
        assert!(found("svc 120 and 1 api edge").is_empty());
    }

    #[test]
    fn words_versions_and_references() {
        assert_eq!(
            words("Suspect search v1.8.2 (PR #536, normalisation)."),
            vec!["Suspect", "search", "v1.8.2", "PR", "#536", "normalisation"]
        );
        assert!(same_version("v2.15.0", "v2.15.0"));
        assert!(same_version("2.15.0", "v2.15.0"));
        assert!(!same_version("2.6", "v2.6"));
        assert!(!same_version("7.8%", "7.8"));
        assert_eq!(pull_request("#536"), Some((None, 536)));
        assert_eq!(
            pull_request("https://github.com/o/r/pull/123"),
            Some((Some("o/r".into()), 123))
        );
        assert_eq!(
            pull_request("https://gitlab.com/g/p/-/merge_requests/9"),
            Some((Some("g/p".into()), 9))
        );
        assert_eq!(pull_request("o/r#7"), Some((Some("o/r".into()), 7)));
        assert_eq!(pull_request("C#"), None);
        assert!(is_sha_like("3f2a9c1"));
        assert!(!is_sha_like("1234567"));
        assert!(!is_sha_like("deadbeefcafe".get(..6).unwrap_or_default()));
        assert_eq!(
            reverted_sha("Revert \"x\"\n\nThis reverts commit 3F2A9C1d0e.\n"),
            Some("3f2a9c1d0e".into())
        );
        let w = words("rolled back to v2.14.0 at 15:32");
        assert!(names_good_release(&w, 3));
        let w = words("started after v2.15.0 reached production");
        assert!(!names_good_release(&w, 2));
        assert!(mentions("aws health dashboard", "aws"));
        assert!(!mentions("draws and laws", "aws"));
        assert!(mentions("the suppliers' feed", "supplier"));
    }
}
