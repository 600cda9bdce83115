//! What each deployment shipped.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::{ChangeFacts, DeploymentFacts};

/// One change a deployment shipped, and how that was worked out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShippedChange {
    pub deployment_id: i64,
    pub change_id: i64,
    pub method: String,
}

/// The shortest SHA prefix accepted as naming a commit.
const MIN_SHA_PREFIX: usize = 7;

/// For each deployment whose revision is a stored commit: the commits of that repository after
/// the revision of the previous successful deployment of the same service and environment, up
/// to and including its own. With full parent links this walks the commit graph; with a plain
/// `git log` export (no parents) it takes the commit-time range within the repository.
/// Rollbacks and operations without a revision ship nothing new.
pub fn deployment_contents(
    deployments: &[DeploymentFacts],
    changes: &[ChangeFacts],
) -> Vec<ShippedChange> {
    let by_key: HashMap<&str, &ChangeFacts> = changes
        .iter()
        .map(|c| (c.natural_key.as_str(), c))
        .collect();
    // Sorted keys answer a prefix in O(log n): a linear scan per deployment made a million
    // deployments against a hundred thousand commits take minutes.
    let sorted: BTreeMap<&str, &ChangeFacts> = changes
        .iter()
        .map(|c| (c.natural_key.as_str(), c))
        .collect();
    let resolve = |sha: &str| -> Option<&ChangeFacts> {
        if let Some(change) = by_key.get(sha) {
            return Some(change);
        }
        if sha.len() < MIN_SHA_PREFIX {
            return None;
        }
        let mut found = sorted
            .range(sha..)
            .take_while(|(key, _)| key.starts_with(sha));
        let (_, first) = found.next()?;
        // An ambiguous prefix names nothing.
        found.next().is_none().then_some(*first)
    };
    let mut by_repo: HashMap<&str, Vec<&ChangeFacts>> = HashMap::new();
    for change in changes {
        if let (Some(repo), Some(_)) = (change.repo.as_deref(), change.committed_at) {
            by_repo.entry(repo).or_default().push(change);
        }
    }
    // Time-sorted per repository, so a deployment's commit range is two binary searches.
    for commits in by_repo.values_mut() {
        commits.sort_by_key(|c| (c.committed_at, c.id));
    }

    let mut ordered: Vec<&DeploymentFacts> = deployments.iter().collect();
    ordered.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    // The revision running per (service, environment), after each successful deploy/rollback.
    let mut running: HashMap<(&str, Option<&str>), &ChangeFacts> = HashMap::new();
    let mut shipped = Vec::new();
    for deployment in ordered {
        let Some(head) = deployment.sha.as_deref().and_then(resolve) else {
            continue;
        };
        let slot = (
            deployment.service.as_str(),
            deployment.environment.as_deref(),
        );
        let previous = running.get(&slot).copied();
        if deployment.action == "deploy" {
            let (ids, method) = match previous {
                Some(base) if base.id == head.id => (Vec::new(), String::new()),
                Some(base) => commits_between(base, head, &by_key, &by_repo),
                None => (
                    vec![head.id],
                    "the deployed commit only: no earlier deployment of this service and environment is stored"
                        .to_owned(),
                ),
            };
            shipped.extend(ids.into_iter().map(|change_id| ShippedChange {
                deployment_id: deployment.id,
                change_id,
                method: method.clone(),
            }));
        }
        if deployment.status == "succeeded" {
            running.insert(slot, head);
        }
    }
    shipped.sort();
    shipped
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
}
