//! Linking incidents to the deployments and operations that may have triggered them.
//!
//! 1. **Explicit evidence** (see [`crate::explicit`]): the incident names the deployment, its
//!    version, a commit or a PR it shipped; a rollback during the incident rolled it back; a
//!    revert after impact start undid a change it shipped. These links get method `explicit`, a
//!    score of 0.95..1 (the strongest piece, plus 0.01 per further piece, at most 1) and rank
//!    before every scored link.
//! 2. **Scored candidates**: the deployments and operations of the incident's service, and of
//!    its upstream services (`LinkOptions::depends_on`, followed up to `max_hops`), made at most
//!    `window` (72 h) before impact start. Each gets
//!
//!    ```text
//!    score = T · E · H · (0.6 + 0.3 · R) · C          (so at most 0.9 < any explicit link)
//!    T = 0.5 ^ (time before impact / half_life)         half_life 6 h
//!    E = 1 production or unknown, 0.6 other, 0.2 staging/test/dev/qa/sandbox/preview/uat
//!    H = 0.5 ^ hops                                      0 for the incident's own service
//!    R = 1 - Π (1 - r)                                   over the risk signals present:
//!        destructive action (delete/recreate/destroy/drop/force/purge/wipe/truncate) r = 0.5
//!        deployment later rolled back r = 0.4, failed r = 0.2
//!        agent actor with elevated permissions (operator/admin/owner/root) r = 0.3,
//!        other agent actor r = 0.1
//!        no approval recorded (approvals = 0) r = 0.2
//!        emergency change (attribute type/change_type = emergency) r = 0.2
//!        size of the shipped changes: ≥ 1000 lines r = 0.3, ≥ 300 lines r = 0.15
//!    C = 0.5 when [`classify_cause`](crate::explicit::classify_cause) reads the incident as not
//!        caused by a change, else 1
//!    ```
//!
//!    Candidates below `min_score` are dropped. Every factor that moved the score is stated in
//!    the evidence.
//!
//! Links are ranked by score (then newest first). Nothing here reads the store or the clock.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use chrono::Duration;

use crate::explicit::{classify_cause, explicit_hits, Context};
use crate::index::{ChangeTables, Index, NamedWords};
use crate::{ChangeFacts, DeploymentFacts, IncidentFacts, ShippedChange};

/// How links are searched.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkOptions {
    /// How far before impact start a deployment may be to count as a scored suspect.
    pub window: Duration,
    /// The time before impact after which the time factor halves.
    pub half_life: Duration,
    /// Service → the services it depends on (its direct upstreams). Followed transitively.
    pub depends_on: BTreeMap<String, Vec<String>>,
    /// How many dependency hops are followed.
    pub max_hops: u32,
    /// Scored candidates below this are dropped.
    pub min_score: f64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            window: Duration::hours(72),
            half_life: Duration::hours(6),
            depends_on: BTreeMap::new(),
            max_hops: 2,
            min_score: 0.01,
        }
    }
}

/// What linking reads about a change beyond [`ChangeFacts`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeDetails {
    pub title: String,
    pub message: String,
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
}

/// What linking reads beyond the facts shared with the other analyses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkExtras {
    /// The natural key of each deployment (`dep-0010`, `op-0004`), by deployment id.
    pub deployment_keys: BTreeMap<i64, String>,
    /// Title, message and size of each change, by change id.
    pub change_details: BTreeMap<i64, ChangeDetails>,
}

/// A deployment suspected of triggering an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct SuspectLink {
    pub incident_id: i64,
    pub deployment_id: i64,
    /// 1 is the most likely.
    pub rank: i64,
    /// 0..1: 0.95..1 for explicit links, at most 0.9 for scored ones (see the module doc).
    pub score: f64,
    /// `explicit` or `scored`.
    pub method: String,
    /// The reasons, in plain words.
    pub evidence: Vec<String>,
}

/// The suspects of every incident, ranked: explicit links first, then scored candidates.
pub fn link_incidents(
    incidents: &[IncidentFacts],
    deployments: &[DeploymentFacts],
    shipped: &[ShippedChange],
    changes: &[ChangeFacts],
    extras: &LinkExtras,
    options: &LinkOptions,
) -> Vec<SuspectLink> {
    let deployments: Vec<&DeploymentFacts> = deployments.iter().collect();
    let tables = ChangeTables::build(changes, &extras.change_details);
    link_incidents_with(incidents, &deployments, shipped, &tables, extras, options)
}

/// [`link_incidents`] with the change tables built once, for linking batches of incidents
/// each with the deployments it may read (see `relevant`).
pub fn link_incidents_with(
    incidents: &[IncidentFacts],
    deployments: &[&DeploymentFacts],
    shipped: &[ShippedChange],
    changes: &ChangeTables<'_>,
    extras: &LinkExtras,
    options: &LinkOptions,
) -> Vec<SuspectLink> {
    // Only what these incidents' texts name is looked up by key, version or SHA.
    let named = NamedWords::new(incidents.iter().flat_map(|i| &i.text));
    let index = Index::build(
        deployments,
        &extras.deployment_keys,
        shipped,
        changes,
        Some(&named),
    );
    link_with_index(incidents, &index, extras, options)
}

/// [`link_incidents_with`] over an index built already.
fn link_with_index(
    incidents: &[IncidentFacts],
    index: &Index<'_>,
    extras: &LinkExtras,
    options: &LinkOptions,
) -> Vec<SuspectLink> {
    let ctx = Context {
        deployment_keys: &extras.deployment_keys,
        details: &extras.change_details,
        index,
    };
    // Incidents link independently: on every core, each thread a run of them, joined in order.
    let link_one = |incident: &IncidentFacts| -> Vec<SuspectLink> {
        let hops = incident
            .service
            .as_deref()
            .map(|s| upstream_hops(s, options));
        let scope: Option<BTreeSet<String>> = hops.as_ref().map(|h| h.keys().cloned().collect());

        let mut ranked: Vec<SuspectLink> = Vec::new();
        let mut explicit: BTreeMap<i64, (f64, Vec<String>)> = BTreeMap::new();
        for hit in explicit_hits(incident, scope.as_ref(), &ctx) {
            let entry = explicit.entry(hit.deployment_id).or_default();
            if !entry.1.contains(&hit.evidence) {
                entry.0 = if entry.1.is_empty() {
                    hit.strength
                } else {
                    (entry.0.max(hit.strength) + 0.01).min(1.0)
                };
                entry.1.push(hit.evidence);
            }
        }
        for (deployment_id, (score, mut evidence)) in explicit {
            if let Some(d) = index.by_id.get(&deployment_id) {
                evidence.push(describe(d, incident.started_at - d.at));
            }
            ranked.push(SuspectLink {
                incident_id: incident.id,
                deployment_id,
                rank: 0,
                score: round(score),
                method: "explicit".to_owned(),
                evidence,
            });
        }
        let explicit_count = ranked.len();

        if let Some(hops) = &hops {
            let cause = classify_cause(incident);
            let explicit_ids: HashSet<i64> = ranked.iter().map(|l| l.deployment_id).collect();
            let from = incident.started_at - options.window;
            let candidates = hops.iter().flat_map(|(service, hop)| {
                index
                    .service_between(service, from, incident.started_at)
                    .iter()
                    .map(move |d| (*d, *hop))
            });
            for (d, hop) in candidates {
                if explicit_ids.contains(&d.id) {
                    continue;
                }
                let before = incident.started_at - d.at;
                // The score is at most T · E · H · 0.9 · C: a candidate that cannot reach
                // `min_score` is dropped before its evidence is written.
                let cause_factor = if cause.is_some() { 0.5 } else { 1.0 };
                let bound = time_factor(before, options)
                    * environment_weight(d).0
                    * 0.5_f64.powi(hop as i32)
                    * 0.9
                    * cause_factor;
                if bound < options.min_score * (1.0 - 1e-9) {
                    continue;
                }
                let (mut score, mut evidence) =
                    score_candidate(d, before, hop, incident, index, extras, options);
                if let Some((category, reason)) = &cause {
                    score *= 0.5;
                    evidence.push(format!(
                        "{reason} ({category}), so every change is weighted down"
                    ));
                }
                if score >= options.min_score {
                    ranked.push(SuspectLink {
                        incident_id: incident.id,
                        deployment_id: d.id,
                        rank: 0,
                        score: round(score),
                        method: "scored".to_owned(),
                        evidence,
                    });
                }
            }
        }

        let at = |id: i64| index.by_id.get(&id).map(|d| d.at);
        let order = |a: &SuspectLink, b: &SuspectLink| {
            b.score
                .total_cmp(&a.score)
                .then(at(b.deployment_id).cmp(&at(a.deployment_id)))
                .then(b.deployment_id.cmp(&a.deployment_id))
        };
        ranked[..explicit_count].sort_by(order);
        ranked[explicit_count..].sort_by(order);
        for (index, link) in ranked.iter_mut().enumerate() {
            link.rank = index as i64 + 1;
        }
        ranked
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads <= 1 || incidents.len() < 64 {
        return incidents.iter().flat_map(link_one).collect();
    }
    let run = incidents.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = incidents
            .chunks(run)
            .map(|part| scope.spawn(|| part.iter().flat_map(link_one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}

/// Narrows links made by [`link_incidents`] under a wide window to what a narrower `window`
/// gives, without linking again. The window only admits scored candidates deployed at most
/// `window` before impact start; it changes no score and no order. So narrowing drops the
/// scored links to older deployments and renumbers each incident's ranks; explicit links
/// stay. `links` must be as `link_incidents` answered them (each incident's run in rank
/// order). Narrowing step by step (168 h, then 72 h, then 24 h) equals narrowing at once.
pub fn narrow_window(
    links: &mut Vec<SuspectLink>,
    incidents: &[IncidentFacts],
    deployments: &[DeploymentFacts],
    window: Duration,
) {
    let started: HashMap<i64, chrono::DateTime<chrono::Utc>> =
        incidents.iter().map(|i| (i.id, i.started_at)).collect();
    let deployed: HashMap<i64, chrono::DateTime<chrono::Utc>> =
        deployments.iter().map(|d| (d.id, d.at)).collect();
    links.retain(|l| {
        l.method != "scored"
            || match (started.get(&l.incident_id), deployed.get(&l.deployment_id)) {
                (Some(start), Some(at)) => *at >= *start - window,
                _ => false,
            }
    });
    let mut previous = None;
    let mut rank = 0;
    for link in links.iter_mut() {
        if previous != Some(link.incident_id) {
            previous = Some(link.incident_id);
            rank = 0;
        }
        rank += 1;
        link.rank = rank;
    }
}

/// The incident's service at hop 0 and its upstreams (breadth first) up to `max_hops`.
fn upstream_hops(service: &str, options: &LinkOptions) -> BTreeMap<String, u32> {
    let mut hops = BTreeMap::from([(service.to_owned(), 0)]);
    let mut queue = VecDeque::from([(service.to_owned(), 0u32)]);
    while let Some((current, hop)) = queue.pop_front() {
        if hop >= options.max_hops {
            continue;
        }
        for upstream in options.depends_on.get(&current).into_iter().flatten() {
            if !hops.contains_key(upstream) {
                hops.insert(upstream.clone(), hop + 1);
                queue.push_back((upstream.clone(), hop + 1));
            }
        }
    }
    hops
}

/// Staging, test and other non-production environments.
pub(crate) fn is_low_environment(d: &DeploymentFacts) -> bool {
    environment_weight(d).0 < 0.5
}

/// The environment factor `E` and its evidence, if it moved the score.
fn environment_weight(d: &DeploymentFacts) -> (f64, Option<String>) {
    let Some(env) = d.environment.as_deref() else {
        return (1.0, None);
    };
    let lower = env.to_lowercase();
    if lower.contains("prod") || lower == "prd" || lower == "live" {
        return (1.0, None);
    }
    let low = [
        "stag", "test", "dev", "qa", "sandbox", "preview", "uat", "ci",
    ];
    if low
        .iter()
        .any(|w| lower.starts_with(w) || lower.contains(w))
    {
        return (0.2, Some(format!("{env} deployment, weighted down")));
    }
    (
        0.6,
        Some(format!(
            "{env} is not a production environment, weighted down"
        )),
    )
}

/// The time factor `T`: halves every `half_life` before impact.
fn time_factor(before: Duration, options: &LinkOptions) -> f64 {
    let half_life = options.half_life.num_seconds().max(1) as f64;
    0.5_f64.powf(before.num_seconds() as f64 / half_life)
}

fn score_candidate(
    d: &DeploymentFacts,
    before: Duration,
    hop: u32,
    incident: &IncidentFacts,
    index: &Index<'_>,
    extras: &LinkExtras,
    options: &LinkOptions,
) -> (f64, Vec<String>) {
    let mut evidence = vec![describe(d, before)];

    let time = time_factor(before, options);

    let (environment, env_note) = environment_weight(d);
    evidence.extend(env_note);

    let upstream = 0.5_f64.powi(hop as i32);
    if hop > 0 {
        let of = incident
            .service
            .as_deref()
            .unwrap_or("the incident's service");
        let hops = if hop == 1 { "hop" } else { "hops" };
        evidence.push(format!(
            "{} is upstream of {of} ({hop} {hops}), weighted down",
            d.service
        ));
    }

    let mut risks: Vec<f64> = Vec::new();
    let action = d.action.to_lowercase();
    if [
        "delete", "recreate", "destroy", "drop", "force", "purge", "wipe", "truncate",
    ]
    .iter()
    .any(|w| action.contains(w))
    {
        risks.push(0.5);
        evidence.push(format!(
            "a destructive action ({})",
            d.action.replace('_', " ")
        ));
    }
    match d.status.as_str() {
        "rolled_back" => {
            risks.push(0.4);
            evidence.push("the deployment was later rolled back".to_owned());
        }
        "failed" => {
            risks.push(0.2);
            evidence.push("the deployment failed".to_owned());
        }
        _ => {}
    }
    let permissions = d.attributes.get("permissions").map(|p| p.to_lowercase());
    let elevated = permissions
        .as_deref()
        .is_some_and(|p| ["operator", "admin", "owner", "root"].contains(&p));
    if d.actor_type.as_deref() == Some("agent") {
        if elevated {
            risks.push(0.3);
            evidence.push(format!(
                "an agent with {} permissions",
                permissions.as_deref().unwrap_or_default()
            ));
        } else {
            risks.push(0.1);
            evidence.push("an agent acted".to_owned());
        }
    }
    if d.attributes
        .get("approvals")
        .is_some_and(|a| a.trim() == "0")
    {
        risks.push(0.2);
        evidence.push("no approval recorded".to_owned());
    }
    if ["type", "change_type"].iter().any(|k| {
        d.attributes
            .get(*k)
            .is_some_and(|v| v.eq_ignore_ascii_case("emergency"))
    }) {
        risks.push(0.2);
        evidence.push("an emergency change".to_owned());
    }
    let shipped_ids: &[i64] = index.shipped_by_deployment.get(d.id);
    let lines: i64 = shipped_ids
        .iter()
        .filter_map(|id| extras.change_details.get(id))
        .map(|c| c.additions.unwrap_or(0) + c.deletions.unwrap_or(0))
        .sum();
    if lines >= 300 {
        risks.push(if lines >= 1000 { 0.3 } else { 0.15 });
        evidence.push(format!(
            "a large change: {lines} lines in {} commits",
            shipped_ids.len()
        ));
    }
    let risk = 1.0 - risks.iter().map(|r| 1.0 - r).product::<f64>();

    let score = time * environment * upstream * (0.6 + 0.3 * risk);
    (score.clamp(0.0, 0.9), evidence)
}

/// `deployed v2.15.0 to checkout production by ci-bot (automation) 14 min before impact`.
fn describe(deployment: &DeploymentFacts, before: Duration) -> String {
    let place = match &deployment.environment {
        Some(env) => format!("{} {env}", deployment.service),
        None => deployment.service.clone(),
    };
    let what = match (
        deployment.action.as_str(),
        &deployment.version,
        &deployment.sha,
    ) {
        ("deploy", Some(version), _) => format!("deployed {version} to {place}"),
        ("deploy", None, Some(sha)) => {
            format!("deployed {} to {place}", sha.get(..10).unwrap_or(sha))
        }
        ("deploy", None, None) => format!("deployed to {place}"),
        (action, _, _) => format!("{} on {place}", action.replace('_', " ")),
    };
    let by = match (&deployment.actor, &deployment.actor_type) {
        (Some(actor), Some(kind)) => format!(" by {actor} ({kind})"),
        (Some(actor), None) => format!(" by {actor}"),
        _ => String::new(),
    };
    if before < Duration::zero() {
        format!("{what}{by} {} after impact start", human_duration(-before))
    } else {
        format!("{what}{by} {} before impact", human_duration(before))
    }
}

/// `14 min`, `3 h 05 min`, `2 d 03 h`.
fn human_duration(duration: Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    } else {
        format!("{} d {:02} h", minutes / 1440, (minutes % 1440) / 60)
    }
}

fn round(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .expect("time")
    }

    fn deployment(id: i64, service: &str, env: &str, time: &str) -> DeploymentFacts {
        DeploymentFacts {
            id,
            service: service.into(),
            environment: Some(env.into()),
            version: Some(format!("v1.{id}.0")),
            sha: None,
            status: "succeeded".into(),
            action: "deploy".into(),
            actor: Some("ci".into()),
            actor_type: Some("automation".into()),
            at: at(time),
            attributes: BTreeMap::from([("approvals".into(), "1".into())]),
        }
    }

    fn incident(service: &str, start: &str, text: &[&str]) -> IncidentFacts {
        IncidentFacts {
            id: 1,
            service: Some(service.into()),
            started_at: at(start),
            resolved_at: Some(at(start) + Duration::hours(1)),
            text: text.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn change(id: i64, key: &str, time: &str) -> ChangeFacts {
        ChangeFacts {
            id,
            natural_key: key.into(),
            repo: Some("checkout".into()),
            committed_at: Some(at(time)),
            parents: Vec::new(),
            class: "human".into(),
        }
    }

    fn keys(deployments: &[DeploymentFacts]) -> LinkExtras {
        LinkExtras {
            deployment_keys: deployments
                .iter()
                .map(|d| (d.id, format!("dep-{:04}", d.id)))
                .collect(),
            change_details: BTreeMap::new(),
        }
    }

    fn run(
        incident: &IncidentFacts,
        deployments: &[DeploymentFacts],
        shipped: &[ShippedChange],
        changes: &[ChangeFacts],
        extras: &LinkExtras,
    ) -> Vec<SuspectLink> {
        link_incidents(
            std::slice::from_ref(incident),
            deployments,
            shipped,
            changes,
            extras,
            &LinkOptions::default(),
        )
    }

    fn ids(links: &[SuspectLink]) -> Vec<(i64, &str)> {
        links
            .iter()
            .map(|l| (l.deployment_id, l.method.as_str()))
            .collect()
    }

    #[test]
    fn named_version_and_rollback_are_explicit_and_rank_first() {
        let mut staging = deployment(9, "checkout", "staging", "2026-11-16T13:05:00Z");
        staging.version = Some("v2.15.0".into());
        let mut good = deployment(4, "checkout", "production", "2026-11-16T09:30:00Z");
        good.version = Some("v2.14.0".into());
        let mut bad = deployment(10, "checkout", "production", "2026-11-16T14:10:00Z");
        bad.version = Some("v2.15.0".into());
        let mut rollback = deployment(12, "checkout", "production", "2026-11-16T15:32:00Z");
        rollback.action = "rollback".into();
        rollback.version = Some("v2.14.0".into());
        rollback
            .attributes
            .insert("rollback_of".into(), "dep-0010".into());
        let deployments = vec![good, staging, bad, rollback];
        let incident = incident(
            "checkout",
            "2026-11-16T14:46:00Z",
            &["Started shortly after checkout v2.15.0 reached production; rolled back to v2.14.0 at 15:32 UTC."],
        );
        let links = run(&incident, &deployments, &[], &[], &keys(&deployments));
        assert_eq!(links[0].deployment_id, 10);
        assert_eq!(links[0].method, "explicit");
        assert_eq!(links[0].score, 1.0);
        assert_eq!(links[0].rank, 1);
        assert!(links[0]
            .evidence
            .contains(&"the incident names v2.15.0".to_owned()));
        assert!(links[0]
            .evidence
            .contains(&"rolled back at 15:32 UTC (dep-0012)".to_owned()));
        // The good release named after "rolled back to" and the staging deploy are only scored.
        assert!(links[1..].iter().all(|l| l.method == "scored"));
        assert!(links.iter().all(|l| l.deployment_id != 12));
    }

    #[test]
    fn an_index_of_only_what_the_texts_name_links_as_a_whole_one() {
        // Forty deployments of two services with versions, SHAs and keys; incidents naming
        // some of them every way a text can, in other cases and spellings.
        let mut deployments = Vec::new();
        for id in 1..=40_i64 {
            let service = if id % 2 == 0 { "checkout" } else { "search" };
            let time = format!("2026-11-20T{:02}:{:02}:00Z", id / 4, (id % 4) * 15);
            let mut d = deployment(id, service, "production", &time);
            d.sha = Some(format!("{:x}abcdef{id:02}", 0xa1b2_c300_i64 + id));
            d.version = Some(format!("V2.{id}.0"));
            deployments.push(d);
        }
        let texts = [
            "Errors after DEP-0012 went out",
            "Regression in v2.17.0, maybe 2.21.0",
            "Bisected to commit A1B2C30C (or a1b2c30d)",
            "Nothing named here",
        ];
        let incidents: Vec<IncidentFacts> = texts
            .iter()
            .enumerate()
            .map(|(n, text)| {
                let mut i = incident(
                    if n % 2 == 0 { "checkout" } else { "search" },
                    "2026-11-20T11:05:00Z",
                    &[text],
                );
                i.id = n as i64 + 1;
                i
            })
            .collect();
        // The commits the SHAs name are stored: a SHA names a deployment through them.
        let changes: Vec<ChangeFacts> = [12_i64, 13]
            .iter()
            .map(|id| {
                let sha = deployments[*id as usize - 1].sha.clone().expect("sha");
                change(100 + id, &sha, "2026-11-19T12:00:00Z")
            })
            .collect();
        let extras = keys(&deployments);
        let options = LinkOptions::default();
        let filtered = link_incidents(&incidents, &deployments, &[], &changes, &extras, &options);
        let refs: Vec<&DeploymentFacts> = deployments.iter().collect();
        let tables = ChangeTables::build(&changes, &extras.change_details);
        let whole = Index::build(&refs, &extras.deployment_keys, &[], &tables, None);
        assert_eq!(
            filtered,
            link_with_index(&incidents, &whole, &extras, &options)
        );
        let named: Vec<&str> = filtered
            .iter()
            .filter(|l| l.method == "explicit")
            .flat_map(|l| &l.evidence)
            .filter(|e| e.starts_with("the incident names"))
            .map(|e| e.split(',').next().unwrap_or(e))
            .collect();
        for word in ["DEP-0012", "v2.17.0", "2.21.0", "commit a1b2c30"] {
            assert!(
                named.iter().any(|e| e.ends_with(word)),
                "{word} names nothing: {named:?}"
            );
        }
    }

    #[test]
    fn rollback_without_rollback_of_links_the_latest_deployment() {
        let older = deployment(1, "search", "production", "2026-11-18T10:00:00Z");
        let latest = deployment(2, "search", "production", "2026-11-18T17:45:00Z");
        let mut rollback = deployment(3, "search", "production", "2026-11-19T09:05:00Z");
        rollback.action = "rollback".into();
        let deployments = vec![older, latest, rollback];
        let incident = incident("search", "2026-11-19T07:58:00Z", &["Zero results"]);
        let links = run(&incident, &deployments, &[], &[], &keys(&deployments));
        assert_eq!(ids(&links)[0], (2, "explicit"));
        assert_eq!(links[0].score, 0.97);
    }

    #[test]
    fn revert_commit_pr_and_sha_name_the_shipping_deployment() {
        let prod = deployment(5, "checkout", "production", "2026-11-20T10:00:00Z");
        let staging = deployment(4, "checkout", "staging", "2026-11-20T09:00:00Z");
        let other = deployment(6, "checkout", "production", "2026-11-20T10:30:00Z");
        let deployments = vec![staging, prod, other];
        let changes = vec![
            change(1, "3f2a9c1d0e5b", "2026-11-20T08:00:00Z"),
            change(2, "aa11bb22cc33", "2026-11-20T11:40:00Z"),
            change(3, "ffee0011ddcc", "2026-11-20T08:30:00Z"),
        ];
        let shipped = vec![
            ShippedChange {
                deployment_id: 4,
                change_id: 1,
                method: "".into(),
            },
            ShippedChange {
                deployment_id: 5,
                change_id: 1,
                method: "".into(),
            },
            ShippedChange {
                deployment_id: 6,
                change_id: 3,
                method: "".into(),
            },
        ];
        let mut extras = keys(&deployments);
        extras.change_details.insert(
            2,
            ChangeDetails {
                title: "Revert \"promo codes\"".into(),
                message: "This reverts commit 3f2a9c1d0e5b.".into(),
                ..Default::default()
            },
        );
        extras.change_details.insert(
            3,
            ChangeDetails {
                title: "checkout: partner promo codes (#123)".into(),
                ..Default::default()
            },
        );
        // The revert after impact start.
        let quiet = incident(
            "checkout",
            "2026-11-20T11:00:00Z",
            &["Promo codes rejected"],
        );
        let links = run(&quiet, &deployments, &shipped, &changes, &extras);
        assert_eq!(ids(&links)[0], (5, "explicit"));
        assert_eq!(
            links[0].evidence[0],
            "reverted by aa11bb2 at 11:40 UTC (it reverts 3f2a9c1, shipped by this deployment)"
        );
        // A PR number and a SHA in the text.
        let named = incident(
            "checkout",
            "2026-11-20T11:00:00Z",
            &["Maybe https://github.com/shop/checkout/pull/123 or commit 3f2a9c1?"],
        );
        let links = run(&named, &deployments, &shipped, &changes, &extras);
        let explicit: Vec<_> = links.iter().filter(|l| l.method == "explicit").collect();
        assert_eq!(explicit.len(), 2);
        assert!(explicit.iter().any(|l| l.deployment_id == 6
            && l.evidence[0]
                == "the incident names PR #123, shipped by this deployment (ffee001)"));
        assert!(explicit.iter().any(|l| l.deployment_id == 5
            && l.evidence[0] == "the incident names commit 3f2a9c1, shipped by this deployment"));
    }

    #[test]
    fn scoring_prefers_near_production_risky_changes() {
        // The demo's P1: an agent deleted and recreated production minutes before impact, a
        // plain deploy went out 86 min before.
        let plain = deployment(40, "payments", "production", "2026-11-19T09:25:00Z");
        let mut delete = deployment(41, "payments", "production", "2026-11-19T10:42:00Z");
        delete.action = "delete_environment".into();
        let mut recreate = deployment(42, "payments", "production", "2026-11-19T10:47:00Z");
        recreate.action = "recreate_environment".into();
        for op in [&mut delete, &mut recreate] {
            op.actor = Some("ops-agent".into());
            op.actor_type = Some("agent".into());
            op.version = None;
            op.attributes
                .insert("permissions".into(), "operator".into());
            op.attributes.insert("approvals".into(), "0".into());
        }
        let staging = deployment(43, "payments", "staging", "2026-11-19T10:50:00Z");
        let old = deployment(44, "payments", "production", "2026-11-15T10:00:00Z");
        let deployments = vec![plain, delete, recreate, staging, old];
        let incident = incident(
            "payments",
            "2026-11-19T10:51:00Z",
            &["Authorisation failures"],
        );
        let links = run(&incident, &deployments, &[], &[], &keys(&deployments));
        assert_eq!(
            ids(&links),
            vec![
                (42, "scored"),
                (41, "scored"),
                (40, "scored"),
                (43, "scored")
            ]
        );
        assert!(links[0].score > 0.8 && links[0].score <= 0.9);
        assert_eq!(
            links[0].evidence,
            vec![
                "recreate environment on payments production by ops-agent (agent) 4 min before impact",
                "a destructive action (recreate environment)",
                "an agent with operator permissions",
                "no approval recorded",
            ]
        );
        assert!(links[3]
            .evidence
            .contains(&"staging deployment, weighted down".to_owned()));
        assert!(links[3].score < 0.2);
    }

    #[test]
    fn risk_signals_raise_the_score() {
        let base = deployment(1, "checkout", "production", "2026-11-20T08:00:00Z");
        let plain_score = {
            let deployments = vec![base.clone()];
            let incident = incident("checkout", "2026-11-20T10:00:00Z", &[]);
            run(&incident, &deployments, &[], &[], &keys(&deployments))[0].score
        };
        let mut risky = base;
        risky.status = "failed".into();
        risky.attributes.insert("type".into(), "emergency".into());
        let deployments = vec![risky];
        let shipped = vec![ShippedChange {
            deployment_id: 1,
            change_id: 7,
            method: "".into(),
        }];
        let mut extras = keys(&deployments);
        extras.change_details.insert(
            7,
            ChangeDetails {
                additions: Some(900),
                deletions: Some(200),
                ..Default::default()
            },
        );
        let incident = incident("checkout", "2026-11-20T10:00:00Z", &[]);
        let links = run(&incident, &deployments, &shipped, &[], &extras);
        assert!(links[0].score > plain_score);
        for sentence in [
            "the deployment failed",
            "an emergency change",
            "a large change: 1100 lines in 1 commits",
        ] {
            assert!(
                links[0].evidence.contains(&sentence.to_owned()),
                "{sentence}"
            );
        }
    }

    #[test]
    fn upstream_services_count_with_a_weaker_hop() {
        let own = deployment(1, "checkout", "production", "2026-11-19T14:00:00Z");
        let upstream = deployment(2, "payments", "production", "2026-11-20T09:50:00Z");
        let unrelated = deployment(3, "search", "production", "2026-11-20T09:55:00Z");
        let deployments = vec![own, upstream, unrelated];
        let options = LinkOptions {
            depends_on: BTreeMap::from([("checkout".into(), vec!["payments".into()])]),
            ..LinkOptions::default()
        };
        let incident = incident("checkout", "2026-11-20T10:00:00Z", &[]);
        let links = link_incidents(
            &[incident],
            &deployments,
            &[],
            &[],
            &keys(&deployments),
            &options,
        );
        assert_eq!(ids(&links), vec![(2, "scored"), (1, "scored")]);
        assert!(links[0]
            .evidence
            .contains(&"payments is upstream of checkout (1 hop), weighted down".to_owned()));
        assert!(links[0].score < 0.5);
    }

    #[test]
    fn narrowing_the_window_equals_linking_again_under_it() {
        // Deployments every 5 hours over a week before impact, across two incidents, with an
        // explicit link to one that is older than every narrowed window.
        let mut deployments: Vec<DeploymentFacts> = (0..34)
            .map(|i| {
                let time = at("2026-11-16T14:00:00Z") - Duration::hours(5 * i + 1);
                deployment(100 + i, "checkout", "production", &time.to_rfc3339())
            })
            .collect();
        deployments[30].version = Some("v9.9.9".into());
        let mut second = incident("checkout", "2026-11-15T02:00:00Z", &[]);
        second.id = 2;
        let incidents = vec![
            incident(
                "checkout",
                "2026-11-16T14:00:00Z",
                &["Started after v9.9.9."],
            ),
            second,
        ];
        let extras = keys(&deployments);
        let link = |hours: i64| {
            link_incidents(
                &incidents,
                &deployments,
                &[],
                &[],
                &extras,
                &LinkOptions {
                    window: Duration::hours(hours),
                    min_score: 0.0,
                    ..LinkOptions::default()
                },
            )
        };
        let mut narrowed = link(168);
        assert!(narrowed.iter().any(|l| l.method == "explicit"));
        for hours in [72, 48, 24, 1] {
            narrow_window(
                &mut narrowed,
                &incidents,
                &deployments,
                Duration::hours(hours),
            );
            assert_eq!(narrowed, link(hours), "narrowed to {hours} h");
        }
        // The explicit link to the week-old deployment survives every window.
        assert_eq!(narrowed[0].deployment_id, 130);
        assert_eq!(narrowed[0].rank, 1);
    }

    #[test]
    fn outside_the_window_after_impact_and_without_service() {
        let deployments = vec![
            deployment(1, "checkout", "production", "2026-11-16T09:00:00Z"),
            deployment(2, "checkout", "production", "2026-11-20T10:30:00Z"),
        ];
        let incident = incident("checkout", "2026-11-20T10:00:00Z", &[]);
        assert!(run(&incident, &deployments, &[], &[], &keys(&deployments)).is_empty());
        let mut serviceless = incident.clone();
        serviceless.service = None;
        assert!(run(&serviceless, &deployments, &[], &[], &keys(&deployments)).is_empty());
    }

    #[test]
    fn classify_cause_reads_outages_and_leaves_change_caused_text_alone() {
        let provider = incident(
            "gateway",
            "2026-11-19T21:14:00Z",
            &[
                "Gateway 5xx above 2% in us-east-1",
                "AWS Health Dashboard reports increased connection errors for Network Load Balancers in us-east-1 (use1-az4). No change on our side; US traffic shifted to eu-west-1 at 21:40 UTC.",
            ],
        );
        let (category, evidence) = classify_cause(&provider).expect("provider");
        assert_eq!(category, "provider");
        assert!(evidence.contains("\"aws\""), "{evidence}");
        let supplier = incident(
            "inventory",
            "2026-11-20T12:40:00Z",
            &[
                "Supplier feed import failing (HTTP 503)",
                "feeds.acme-supply.example answers 503 for the 12:30 import. The supplier's status page announces maintenance until 15:00 UTC.",
            ],
        );
        assert_eq!(
            classify_cause(&supplier).map(|c| c.0),
            Some("third-party".to_owned())
        );
        for text in [
            "The PSP answers many captures with 402. Started shortly after checkout v2.15.0 reached production; rolled back to v2.14.0 at 15:32 UTC.",
            "p99 of POST /reservations at 2.6 s (SLO 800 ms). The database shows around 40 queries per reservation for large baskets.",
            "Suspect search v1.8.2 (PR #536, category filter normalisation), deployed yesterday evening.",
            "Authorisation success rate dropped from 98% to 31%; All payments-production pods are younger than five minutes.",
            "Partner promo codes (for example 'Partner-Xmas26') are rejected as invalid since this morning.",
            "Webhook acknowledgement backlog growing; the PSP is retrying every webhook. Possibly related to payments v3.11.0 (PR #898).",
        ] {
            assert_eq!(classify_cause(&incident("x", "2026-11-20T12:40:00Z", &[text])), None, "{text}");
        }
        // The decoy deploy before the supplier outage is halved.
        let deployments = vec![deployment(
            50,
            "inventory",
            "production",
            "2026-11-20T09:35:00Z",
        )];
        let links = run(&supplier, &deployments, &[], &[], &keys(&deployments));
        assert!(links[0].score < 0.25);
        assert!(links[0].evidence.iter().any(|e| e.contains("third-party")));
    }
}
