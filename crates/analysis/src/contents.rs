//! What each deployment shipped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::{ChangeFacts, DeploymentFacts};

/// One change a deployment shipped, and how that was worked out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShippedChange {
    pub deployment_id: i64,
    pub change_id: i64,
    /// Shared by every change of one deployment's range (a million copies otherwise).
    pub method: Arc<str>,
}

/// The shortest SHA prefix accepted as naming a commit.
const MIN_SHA_PREFIX: usize = 7;

/// For each deployment whose revision is a stored commit: the commits of that repository after
/// the revision of the previous successful deployment of the same service and environment, up
/// to and including its own. With full parent links this walks the commit graph; with a plain
/// `git log` export (no parents) it takes the commit-time range within the repository.
/// Rollbacks and operations without a revision ship nothing new. A deploy whose revision is not
/// in the store falls back to the changes it names ([`named`]).
pub fn deployment_contents(
    deployments: &[DeploymentFacts],
    changes: &[ChangeFacts],
) -> Vec<ShippedChange> {
    let mut walker = ContentsWalker::new(changes);
    let mut ordered: Vec<&DeploymentFacts> = deployments.iter().collect();
    ordered.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    let mut shipped = Vec::new();
    for deployment in ordered {
        walker.ship(deployment, &mut shipped);
    }
    shipped.sort();
    shipped
}

/// [`deployment_contents`] one deployment at a time, so that a caller can stream a million
/// deployments from the store without holding them: only the changes and the revision running
/// per service and environment are kept.
pub struct ContentsWalker<'a> {
    by_key: HashMap<&'a str, &'a ChangeFacts>,
    /// Keys sorted for prefix search: a linear scan per deployment made a million deployments
    /// against a hundred thousand commits take minutes. One sorted vector rather than a tree:
    /// a million keys insert several times faster. Of equal keys the last change counts, as in
    /// `by_key`.
    sorted: Vec<(&'a str, usize, &'a ChangeFacts)>,
    /// The longest key: a SHA at least as long names only an equal key (found in `by_key`),
    /// so its prefix search is skipped. A miss searched a hundred thousand keys for each of a
    /// million deployments, a cache miss per step.
    longest: usize,
    by_repo: HashMap<&'a str, Vec<&'a ChangeFacts>>,
    names: ChangeNames<'a>,
    /// The revision running per (service, environment), after each successful deploy or
    /// rollback.
    running: HashMap<(String, Option<String>), &'a ChangeFacts>,
}

impl<'a> ContentsWalker<'a> {
    pub fn new(changes: &'a [ChangeFacts]) -> Self {
        // The per-repository history and the names build on a second core meanwhile.
        std::thread::scope(|scope| {
            let by_name = scope.spawn(|| (commits_by_repo(changes), ChangeNames::new(changes)));
            let by_key = changes
                .iter()
                .map(|c| (c.natural_key.as_str(), c))
                .collect();
            let mut sorted: Vec<(&str, usize, &ChangeFacts)> = changes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.natural_key.as_str(), i, c))
                .collect();
            sorted.sort_unstable_by(|a, b| crate::index::key_order(a.0, b.0).then(b.1.cmp(&a.1)));
            sorted.dedup_by(|later, first| later.0 == first.0);
            let (by_repo, names) = by_name
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            let longest = sorted
                .iter()
                .map(|(key, _, _)| key.len())
                .max()
                .unwrap_or(0);
            Self {
                by_key,
                sorted,
                longest,
                by_repo,
                names,
                running: HashMap::new(),
            }
        })
    }

    /// The change a SHA or a unique SHA prefix names.
    fn resolve(&self, sha: &str) -> Option<&'a ChangeFacts> {
        if let Some(change) = self.by_key.get(sha) {
            return Some(change);
        }
        if sha.len() < MIN_SHA_PREFIX || sha.len() >= self.longest {
            return None;
        }
        let start = self.sorted.partition_point(|(key, _, _)| *key < sha);
        let mut found = self.sorted[start..]
            .iter()
            .take_while(|(key, _, _)| key.starts_with(sha))
            .map(|(_, _, change)| *change);
        let first = found.next()?;
        // An ambiguous prefix names nothing.
        found.next().is_none().then_some(first)
    }

    /// Appends what `deployment` shipped to `shipped`. Deployments must come in time order,
    /// ties by id.
    pub fn ship(&mut self, deployment: &DeploymentFacts, shipped: &mut Vec<ShippedChange>) {
        let Some(head) = deployment.sha.as_deref().and_then(|sha| self.resolve(sha)) else {
            if deployment.action == "deploy" {
                shipped.extend(named(deployment, &self.names, &|sha: &str| {
                    self.resolve(sha)
                }));
            }
            return;
        };
        let slot = (deployment.service.clone(), deployment.environment.clone());
        let previous = self.running.get(&slot).copied();
        if deployment.action == "deploy" {
            let (ids, method) = match previous {
                Some(base) if base.id == head.id => (Vec::new(), String::new()),
                Some(base) => commits_between(base, head, &self.by_key, &self.by_repo),
                None => (
                    vec![head.id],
                    "the deployed commit only: no earlier deployment of this service and environment is stored"
                        .to_owned(),
                ),
            };
            let method: Arc<str> = method.into();
            shipped.extend(ids.into_iter().map(|change_id| ShippedChange {
                deployment_id: deployment.id,
                change_id,
                method: Arc::clone(&method),
            }));
        }
        if deployment.status == "succeeded" {
            self.running.insert(slot, head);
        }
    }

    /// Whether shipping `deployment` reads the revision running on its service and
    /// environment: its revision is a stored commit.
    pub fn reads_running(&self, deployment: &DeploymentFacts) -> bool {
        deployment
            .sha
            .as_deref()
            .is_some_and(|sha| self.resolve(sha).is_some())
    }

    /// Takes what `deployment` deployed as the revision running on its service and environment,
    /// as [`Self::ship`] does, without working out what it shipped: a walk that starts after
    /// the deployments already walked starts from each slot's latest successful deployment of a
    /// stored revision. Returns whether `deployment` is one (it succeeded and its revision is
    /// a stored commit).
    pub fn seed(&mut self, deployment: &DeploymentFacts) -> bool {
        if deployment.status != "succeeded" {
            return false;
        }
        let Some(head) = deployment.sha.as_deref().and_then(|sha| self.resolve(sha)) else {
            return false;
        };
        let slot = (deployment.service.clone(), deployment.environment.clone());
        self.running.insert(slot, head);
        true
    }
}

/// Each repository's commits, oldest first, so a deployment's commit range is two binary
/// searches.
fn commits_by_repo(changes: &[ChangeFacts]) -> HashMap<&str, Vec<&ChangeFacts>> {
    let mut by_repo: HashMap<&str, Vec<&ChangeFacts>> = HashMap::new();
    for change in changes {
        if let (Some(repo), Some(_)) = (change.repo.as_deref(), change.committed_at) {
            by_repo.entry(repo).or_default().push(change);
        }
    }
    for commits in by_repo.values_mut() {
        commits.sort_by_key(|c| (c.committed_at, c.id));
    }
    by_repo
}

/// The changes a deployment names, for when its revision's history is not stored: pull request
/// numbers (`#123`, `owner/repo#123`, `…/owner/repo/pull/123`), commit SHAs (7 to 40 hex
/// digits, at least one a letter, unique as a prefix) and ticket keys (`PAY-123`,
/// `CHG0030001`) in its version and attributes (its revision is what failed to resolve). A
/// bare `#123` counts when one pull request has that number, or one in the repository named
/// like the deployment's service.
pub fn named<'a>(
    deployment: &DeploymentFacts,
    names: &ChangeNames<'_>,
    resolve: &dyn Fn(&str) -> Option<&'a ChangeFacts>,
) -> Vec<ShippedChange> {
    let mut fields: Vec<(&str, &str)> = Vec::new();
    if let Some(version) = deployment.version.as_deref() {
        fields.push(("version", version));
    }
    fields.extend(
        deployment
            .attributes
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    );
    let commit = |part: &str| {
        is_sha_like(part)
            .then(|| resolve(&part.to_ascii_lowercase()).map(|c| c.id))
            .flatten()
    };
    let mut found: BTreeMap<i64, String> = BTreeMap::new();
    for (field, text) in fields {
        for token in text.split(|c: char| c.is_whitespace() || ",;()[]{}<>\"'`|".contains(c)) {
            let token = token.trim_end_matches(['.', ':', '!', '?']);
            let id = names.pull_request(token, &deployment.service).or_else(|| {
                token
                    .split(['/', '=', '@'])
                    .find_map(|part| names.ticket(part).or_else(|| commit(part)))
            });
            if let Some(id) = id {
                found
                    .entry(id)
                    .or_insert_with(|| format!("named by the deployment's {field}: {token}"));
            }
        }
    }
    found
        .into_iter()
        .map(|(change_id, method)| ShippedChange {
            deployment_id: deployment.id,
            change_id,
            method: method.into(),
        })
        .collect()
}

/// Pull requests and tickets by the names deployments use for them.
pub struct ChangeNames<'a> {
    /// `owner/repo#N` (lower case) -> id.
    pulls: HashMap<String, i64>,
    /// `N` -> (repository, id) of every pull request with that number.
    by_number: HashMap<&'a str, Vec<(&'a str, i64)>>,
    /// Ticket keys (`PAY-123`, `CHG0030001`) -> id.
    tickets: HashMap<&'a str, i64>,
}

impl<'a> ChangeNames<'a> {
    /// Indexes the pull requests (`owner/repo#N` keys) and tickets among `changes`.
    pub fn new(changes: &'a [ChangeFacts]) -> Self {
        let mut names = Self {
            pulls: HashMap::new(),
            by_number: HashMap::new(),
            tickets: HashMap::new(),
        };
        for change in changes {
            let key = change.natural_key.as_str();
            if let Some((repo, number)) = key.split_once('#') {
                if repo.contains('/') && is_number(number) {
                    names.pulls.insert(key.to_ascii_lowercase(), change.id);
                    names
                        .by_number
                        .entry(number)
                        .or_default()
                        .push((repo, change.id));
                }
            } else if is_ticket_key(key) {
                names.tickets.insert(key, change.id);
            }
        }
        names
    }

    fn ticket(&self, token: &str) -> Option<i64> {
        is_ticket_key(token)
            .then(|| self.tickets.get(token).copied())
            .flatten()
    }

    /// A pull request named by `token`: a URL, `owner/repo#N` or `#N`.
    fn pull_request(&self, token: &str, service: &str) -> Option<i64> {
        let segments: Vec<&str> = token.split('/').collect();
        if let Some(at) = segments.iter().position(|s| *s == "pull" || *s == "pulls") {
            let number = segments.get(at + 1).copied().filter(|n| is_number(n))?;
            let repo = segments.get(at.checked_sub(1)?)?;
            let owner = segments.get(at.checked_sub(2)?)?;
            return self
                .pulls
                .get(&format!("{owner}/{repo}#{number}").to_ascii_lowercase())
                .copied();
        }
        let (repo, number) = token.rsplit_once('#')?;
        if !is_number(number) {
            return None;
        }
        if !repo.is_empty() {
            return self
                .pulls
                .get(&format!("{repo}#{number}").to_ascii_lowercase())
                .copied();
        }
        let candidates = self.by_number.get(number)?;
        if let [(_, id)] = candidates.as_slice() {
            return Some(*id);
        }
        let service = normalise(service);
        let mut same_service = candidates.iter().filter(|(repo, _)| {
            repo.rsplit('/')
                .next()
                .is_some_and(|name| normalise(name) == service)
        });
        match (same_service.next(), same_service.next()) {
            (Some((_, id)), None) => Some(*id),
            _ => None,
        }
    }
}

fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `PAY-123` (Jira) or `CHG0030001` (ServiceNow): upper-case letters, then digits.
fn is_ticket_key(text: &str) -> bool {
    let letters = text
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || (b.is_ascii_digit()))
        .count();
    if let Some((project, number)) = text.split_once('-') {
        return project.len() >= 2
            && project.as_bytes()[0].is_ascii_uppercase()
            && project
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && is_number(number);
    }
    let prefix = text.bytes().take_while(u8::is_ascii_uppercase).count();
    letters == text.len() && prefix >= 2 && text.len() - prefix >= 4
}

/// A token that may be a commit SHA or a prefix of one; an all-digit token is more likely a
/// run or build number.
fn is_sha_like(token: &str) -> bool {
    (MIN_SHA_PREFIX..=40).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_hexdigit())
        && token.bytes().any(|b| b.is_ascii_alphabetic())
}

fn commits_between(
    base: &ChangeFacts,
    head: &ChangeFacts,
    by_key: &HashMap<&str, &ChangeFacts>,
    by_repo: &HashMap<&str, Vec<&ChangeFacts>>,
) -> (Vec<i64>, String) {
    if !head.parents.is_empty() {
        let mut ids = only_from_head(head, base, by_key).unwrap_or_else(|| {
            let excluded = ancestors(base, by_key);
            ancestors(head, by_key)
                .into_iter()
                .filter(|id| !excluded.contains(id))
                .collect()
        });
        ids.sort_unstable();
        let method = format!(
            "commits reachable from {} and not from {}",
            short(&head.natural_key),
            short(&base.natural_key)
        );
        return (ids, method);
    }
    let (Some(repo), Some(from), Some(to)) =
        (head.repo.as_deref(), base.committed_at, head.committed_at)
    else {
        return (
            vec![head.id],
            "the deployed commit only: commit times unknown".to_owned(),
        );
    };
    let ids = by_repo
        .get(repo)
        .map(|commits| {
            let lower = commits.partition_point(|c| c.committed_at.is_some_and(|t| t <= from));
            let upper = commits.partition_point(|c| c.committed_at.is_some_and(|t| t <= to));
            let mut ids: Vec<i64> = commits
                .get(lower..upper.max(lower))
                .unwrap_or_default()
                .iter()
                .map(|c| c.id)
                .collect();
            ids.sort_unstable();
            ids
        })
        .unwrap_or_default();
    let method = format!(
        "commits of {repo} committed after {} and up to {} (no parent links in the export)",
        short(&base.natural_key),
        short(&head.natural_key)
    );
    (ids, method)
}

/// The commits reachable from `head` and not from `base`, walking both histories newest first
/// and stopping once every commit still queued is reachable from `base` (git's paint-down walk,
/// as in `git log base..head`). Cost follows the commits between the two, not the whole history.
/// Like git, it trusts commit times not to go backwards along parent links. `None` when a
/// commit on the way has no time, so the caller walks everything instead.
fn only_from_head(
    head: &ChangeFacts,
    base: &ChangeFacts,
    by_key: &HashMap<&str, &ChangeFacts>,
) -> Option<Vec<i64>> {
    use std::collections::BinaryHeap;
    const HEAD: u8 = 1;
    const BASE: u8 = 2;
    let mut flags: HashMap<i64, u8> = HashMap::new();
    // Newest first; on equal times the base side first, so a shared commit is marked before
    // the head side expands it.
    let mut queue: BinaryHeap<(DateTime<Utc>, u8, i64)> = BinaryHeap::new();
    let mut by_id: HashMap<i64, &ChangeFacts> = HashMap::new();
    for (start, flag) in [(head, HEAD), (base, BASE)] {
        *flags.entry(start.id).or_default() |= flag;
        by_id.insert(start.id, start);
        queue.push((start.committed_at?, flag, start.id));
    }
    // Entries still queued that are not yet known to be reachable from base.
    let mut pending_head = queue.iter().filter(|(_, f, _)| *f == HEAD).count();
    while pending_head > 0 {
        let (_, pushed, id) = queue.pop()?;
        let flag = flags.get(&id).copied().unwrap_or(pushed);
        if pushed == HEAD {
            pending_head -= 1;
        }
        let change = *by_id.get(&id)?;
        for parent in &change.parents {
            let Some(p) = by_key.get(parent.as_str()).copied() else {
                continue;
            };
            let old = flags.get(&p.id).copied().unwrap_or(0);
            let new = old | flag;
            if new != old {
                flags.insert(p.id, new);
                by_id.insert(p.id, p);
                let entry = if new & BASE != 0 { BASE } else { HEAD };
                if entry == HEAD {
                    pending_head += 1;
                }
                queue.push((p.committed_at?, entry, p.id));
            }
        }
    }
    Some(
        flags
            .into_iter()
            .filter(|(_, f)| *f == HEAD)
            .map(|(id, _)| id)
            .collect(),
    )
}

fn ancestors(start: &ChangeFacts, by_key: &HashMap<&str, &ChangeFacts>) -> HashSet<i64> {
    let mut seen = HashSet::new();
    let mut stack = vec![start];
    while let Some(change) = stack.pop() {
        if !seen.insert(change.id) {
            continue;
        }
        for parent in &change.parents {
            if let Some(p) = by_key.get(parent.as_str()) {
                stack.push(p);
            }
        }
    }
    seen
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-16T09:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("t0")
    }

    fn change(id: i64, key: &str, hour: i64, parents: &[&str]) -> ChangeFacts {
        ChangeFacts {
            id,
            natural_key: key.into(),
            repo: Some("checkout".into()),
            committed_at: Some(t0() + Duration::hours(hour)),
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            class: "human".into(),
        }
    }

    fn deploy(id: i64, sha: &str, hour: i64, status: &str, action: &str) -> DeploymentFacts {
        DeploymentFacts {
            id,
            service: "checkout".into(),
            environment: Some("production".into()),
            version: None,
            sha: Some(sha.into()),
            status: status.into(),
            action: action.into(),
            actor: None,
            actor_type: None,
            at: t0() + Duration::hours(hour),
            attributes: Default::default(),
        }
    }

    fn shipped_by(result: &[ShippedChange], deployment: i64) -> Vec<i64> {
        result
            .iter()
            .filter(|s| s.deployment_id == deployment)
            .map(|s| s.change_id)
            .collect()
    }

    #[test]
    fn time_ranges_without_parent_links() {
        let changes = vec![
            change(1, "aaaaaaaaaa1", 0, &[]),
            change(2, "bbbbbbbbbb2", 1, &[]),
            change(3, "cccccccccc3", 2, &[]),
            change(4, "dddddddddd4", 3, &[]),
        ];
        let deployments = vec![
            deploy(10, "aaaaaaaaaa1", 1, "succeeded", "deploy"),
            deploy(11, "ccccccc", 3, "failed", "deploy"),
            deploy(12, "dddddddddd4", 5, "succeeded", "deploy"),
            deploy(13, "aaaaaaaaaa1", 6, "succeeded", "rollback"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 10), vec![1]);
        // A failed deploy shipped its range but is not the new baseline.
        assert_eq!(shipped_by(&result, 11), vec![2, 3]);
        assert_eq!(shipped_by(&result, 12), vec![2, 3, 4]);
        assert_eq!(shipped_by(&result, 13), Vec::<i64>::new());
    }

    #[test]
    fn graph_walk_with_parent_links() {
        // a <- b <- d (merge of b and c), c branches from a.
        let changes = vec![
            change(1, "a000000000", 0, &[]),
            change(2, "b000000000", 1, &["a000000000"]),
            change(3, "c000000000", 2, &["a000000000"]),
            change(4, "d000000000", 3, &["b000000000", "c000000000"]),
        ];
        let deployments = vec![
            deploy(10, "b000000000", 1, "succeeded", "deploy"),
            deploy(11, "d000000000", 4, "succeeded", "deploy"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 11), vec![3, 4]);
        assert!(result.iter().any(|s| s.method.contains("reachable")));
    }

    #[test]
    fn graph_walk_stops_at_the_previous_deployment_in_a_long_history() {
        // A straight line of 2,000 commits with a side branch merged at the end: only the
        // commits after the previous deployment are shipped, and the merge brings its branch.
        let mut changes: Vec<ChangeFacts> = (0..2000)
            .map(|i| {
                let parents: Vec<String> = if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("{:010}", i - 1)]
                };
                let refs: Vec<&str> = parents.iter().map(String::as_str).collect();
                change(i + 1, &format!("{i:010}"), i, &refs)
            })
            .collect();
        // Branch from commit 1990 (id 1991), merged into a merge commit on top of 1999.
        changes.push(change(3001, "b000000001", 1995, &["0000001990"]));
        changes.push(change(
            3002,
            "m000000001",
            2001,
            &["0000001999", "b000000001"],
        ));
        let deployments = vec![
            deploy(10, "0000001994", 1994, "succeeded", "deploy"),
            deploy(11, "m000000001", 2002, "succeeded", "deploy"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(
            shipped_by(&result, 11),
            vec![1996, 1997, 1998, 1999, 2000, 3001, 3002]
        );
    }

    #[test]
    fn an_ambiguous_short_sha_names_nothing() {
        let changes = vec![
            change(1, "abcdef1000", 0, &[]),
            change(2, "abcdef1999", 1, &[]),
            change(3, "abcdef2000", 2, &[]),
        ];
        let deployments = vec![
            deploy(10, "abcdef1", 1, "succeeded", "deploy"),
            deploy(11, "abcdef2", 3, "succeeded", "deploy"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(
            shipped_by(&result, 10),
            Vec::<i64>::new(),
            "two commits start with abcdef1"
        );
        assert_eq!(shipped_by(&result, 11), vec![3]);
    }

    #[test]
    fn a_sha_as_long_as_every_key_is_looked_up_whole_and_a_longer_key_is_found_by_prefix() {
        let sha1 = "4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80";
        let absent = "4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f81";
        let sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        // Only SHA-1 keys: a full SHA is found whole, an absent one names nothing.
        let changes = vec![change(1, sha1, 0, &[])];
        let deployments = vec![
            deploy(10, sha1, 1, "succeeded", "deploy"),
            deploy(11, absent, 2, "succeeded", "deploy"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 10), vec![1]);
        assert_eq!(shipped_by(&result, 11), Vec::<i64>::new());
        // A SHA-256 repository: forty characters are a prefix of a longer key.
        let changes = vec![change(1, sha1, 0, &[]), change(2, sha256, 1, &[])];
        let deployments = vec![
            deploy(10, sha1, 1, "succeeded", "deploy"),
            deploy(11, &sha256[..40], 2, "succeeded", "deploy"),
            deploy(12, absent, 3, "succeeded", "deploy"),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 10), vec![1]);
        assert_eq!(shipped_by(&result, 11), vec![2]);
        assert_eq!(shipped_by(&result, 12), Vec::<i64>::new());
    }

    fn named_deploy(
        id: i64,
        sha: &str,
        attributes: &[(&str, &str)],
        action: &str,
    ) -> DeploymentFacts {
        let mut d = deploy(id, sha, 10, "succeeded", action);
        d.attributes = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        d
    }

    fn names_fixture() -> Vec<ChangeFacts> {
        let mut pr_other = change(4, "acme/search#12", 0, &[]);
        pr_other.repo = Some("acme/search".into());
        vec![
            change(1, "4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80", 0, &[]),
            change(2, "acme/checkout#12", 0, &[]),
            change(3, "acme/web#3", 0, &[]),
            pr_other,
            change(5, "PAY-123", 0, &[]),
            change(6, "CHG0030001", 0, &[]),
            change(7, "acme/web#7", 0, &[]),
            change(8, "acme/search#7", 0, &[]),
            change(9, "acme/checkout#1347", 0, &[]),
        ]
    }

    #[test]
    fn named_changes_when_the_revision_is_not_stored() {
        let changes = names_fixture();
        let deployments = vec![named_deploy(
            20,
            "ffffffffffffffffffffffffffffffffffffffff",
            &[
                (
                    "description",
                    "Release (#12), acme/web#3; fixes PAY-123 under CHG0030001.",
                ),
                ("cherry_pick", "4E5F607"),
                ("pr_url", "https://github.com/acme/checkout/pull/1347"),
                (
                    "log_url",
                    "https://github.com/acme/checkout/actions/runs/1180003",
                ),
            ],
            "deploy",
        )];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 20), vec![1, 2, 3, 5, 6, 9]);
        let method = |change: i64| {
            result
                .iter()
                .find(|s| s.change_id == change)
                .map(|s| s.method.to_string())
                .unwrap_or_default()
        };
        assert_eq!(method(2), "named by the deployment's description: #12");
        assert_eq!(method(1), "named by the deployment's cherry_pick: 4E5F607");
        assert_eq!(
            method(9),
            "named by the deployment's pr_url: https://github.com/acme/checkout/pull/1347"
        );
    }

    #[test]
    fn ambiguous_or_absent_names_ship_nothing() {
        let changes = names_fixture();
        let deployments = vec![
            // #7 is a pull request of web and of search, neither named like the service.
            named_deploy(
                21,
                "0000000",
                &[("description", "hotfix #7, PAY-999, 1180003")],
                "deploy",
            ),
            named_deploy(
                22,
                "0000000",
                &[("description", "roll back PAY-123")],
                "rollback",
            ),
        ];
        let result = deployment_contents(&deployments, &changes);
        assert!(result.is_empty(), "{result:?}");
    }

    #[test]
    fn a_stored_revision_wins_over_names() {
        let changes = names_fixture();
        let deployments = vec![named_deploy(
            23,
            "4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80",
            &[("description", "PAY-123")],
            "deploy",
        )];
        let result = deployment_contents(&deployments, &changes);
        assert_eq!(shipped_by(&result, 23), vec![1]);
    }
}
