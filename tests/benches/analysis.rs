//! Linking plus every measure on generated data: 1,000,000 changes, 100,000 deployments and
//! 5,000 incidents (times `HINDSIGHT_BENCH_SCALE`, default 1). Prints wall time per stage and
//! peak RSS (VmHWM) against the targets: under 5 s and under 2 GB in a release build.
//!
//! The stages are the analysis functions the api calls behind `hindsight analyze`, on
//! in-memory inputs (no store): what each deployment shipped, incident grouping, linking,
//! failure measures per cohort, the stratified comparison and its sensitivity, DORA figures,
//! recovery by trigger cohort, approval findings, team rows and blast radius.
//!
//! `HINDSIGHT_BENCH_SCALE=0.01 cargo bench -p hindsight-tests --bench analysis` checks that it
//! runs; the targets are for the release profile at scale 1.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hindsight_analysis::dora::{
    dora_figures, recovery_by_cohort, ChangeLead, DeploymentRecord, IncidentTimes,
};
use hindsight_analysis::findings::{
    approval_findings, blast_radius, team_rows, ChangeFinding, IncidentReach, OperationFinding,
};
use hindsight_analysis::groups::{group_incidents, GroupOptions, GroupableIncident};
use hindsight_analysis::measures::{cohort_measures, ChangeOutcome};
use hindsight_analysis::strata::{sensitivity_unknown, stratified_ai_vs_human, ChangeRecord};
use hindsight_analysis::{
    deployment_contents, link_incidents, ChangeDetails, ChangeFacts, DeploymentFacts,
    IncidentFacts, LinkExtras, LinkOptions,
};
use hindsight_model::normalise_service_name;
use hindsight_tests::{fake_sha, peak_rss_mib, Rng};

const SERVICES: usize = 200;
const CLASSES: [&str; 4] = ["ai", "human", "automation", "unknown"];

struct Data {
    changes: Vec<ChangeFacts>,
    deployments: Vec<DeploymentFacts>,
    incidents: Vec<IncidentFacts>,
    sources: Vec<GroupableIncident>,
    extras: LinkExtras,
}

fn generate(n_changes: usize, n_deployments: usize, n_incidents: usize) -> Data {
    let mut rng = Rng(7);
    let base = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid start");
    let year = 365 * 24 * 3600_i64;
    let change_step = (year / n_changes.max(1) as i64).max(1);
    let deploy_step = (year / n_deployments.max(1) as i64).max(1);
    let sha = |i: usize| fake_sha(0, i as u64);

    let mut changes = Vec::with_capacity(n_changes);
    let mut details = BTreeMap::new();
    for i in 0..n_changes {
        let key = sha(i);
        let message = if i % 1000 == 999 {
            format!("Revert\n\nThis reverts commit {}.", sha(i - 500))
        } else {
            format!("change {i}")
        };
        details.insert(
            i as i64 + 1,
            ChangeDetails {
                title: format!("change {i} (#{})", i / 3),
                message,
                additions: Some(rng.below(400) as i64),
                deletions: Some(rng.below(100) as i64),
            },
        );
        changes.push(ChangeFacts {
            id: i as i64 + 1,
            natural_key: key,
            repo: Some(format!("svc-{}", i % SERVICES)),
            committed_at: Some(base + Duration::seconds(i as i64 * change_step)),
            parents: Vec::new(),
            class: CLASSES[rng.below(4) as usize].to_owned(),
        });
    }

    let mut deployments = Vec::with_capacity(n_deployments);
    let mut deployment_keys = BTreeMap::new();
    for j in 0..n_deployments {
        let service = j % SERVICES;
        let at = base + Duration::seconds(j as i64 * deploy_step + 60);
        // The newest commit of the service's repository before the deployment.
        let newest = ((at - base).num_seconds() / change_step) as usize;
        let newest = newest.min(n_changes.saturating_sub(1));
        let index = (newest >= service).then(|| newest - (newest - service) % SERVICES);
        let (action, status) = match rng.below(100) {
            0 => ("rollback", "succeeded"),
            1 => ("delete_environment", "succeeded"),
            2 => ("deploy", "rolled_back"),
            3 => ("deploy", "failed"),
            _ => ("deploy", "succeeded"),
        };
        let mut attributes = BTreeMap::new();
        attributes.insert("approvals".to_owned(), rng.below(3).to_string());
        let agent = rng.below(10) == 0;
        if agent {
            attributes.insert("permissions".to_owned(), "operator".to_owned());
        }
        deployment_keys.insert(j as i64 + 1, format!("dep-{j:06}"));
        deployments.push(DeploymentFacts {
            id: j as i64 + 1,
            service: format!("svc-{service}"),
            environment: Some(
                if rng.below(5) == 0 {
                    "staging"
                } else {
                    "production"
                }
                .into(),
            ),
            version: Some(format!("v1.{j}.0")),
            sha: index.map(sha),
            status: status.to_owned(),
            action: action.to_owned(),
            actor: Some(if agent { "agent-bot" } else { "ci" }.to_owned()),
            actor_type: Some(if agent { "agent" } else { "automation" }.to_owned()),
            at,
            attributes,
        });
    }

    let mut incidents = Vec::with_capacity(n_incidents);
    let mut sources = Vec::with_capacity(n_incidents);
    for k in 0..n_incidents {
        let start = base + Duration::seconds(rng.below(year as u64) as i64);
        let service = format!("svc-{}", rng.below(SERVICES as u64));
        let mut text = vec![format!("Elevated errors on {service}")];
        match k % 10 {
            0 => text.push(format!(
                "Suspect v1.{}.0",
                rng.below(n_deployments.max(1) as u64)
            )),
            1 => text.push(format!(
                "Caused by {}",
                &sha(rng.below(n_changes.max(1) as u64) as usize)[..12]
            )),
            2 => text.push(format!(
                "See PR #{}",
                rng.below(n_changes.max(1) as u64 / 3)
            )),
            3 => text.push("AWS us-east-1 outage at the provider".to_owned()),
            _ => text.push("Investigating; mitigated by restart".to_owned()),
        }
        let resolved = start + Duration::minutes(30 + rng.below(240) as i64);
        sources.push(GroupableIncident {
            id: k as i64 + 1,
            source_system: if k % 2 == 0 {
                "pagerduty"
            } else {
                "statuspage"
            }
            .to_owned(),
            source_id: format!("INC{k}"),
            service: Some(service.clone()),
            started_at: start,
            resolved_at: Some(resolved),
        });
        incidents.push(IncidentFacts {
            id: k as i64 + 1,
            service: Some(service),
            started_at: start,
            resolved_at: Some(resolved),
            text,
        });
    }
    Data {
        changes,
        deployments,
        incidents,
        sources,
        extras: LinkExtras {
            deployment_keys,
            change_details: details,
        },
    }
}

fn main() {
    let scale = hindsight_tests::bench_scale();
    let n = |base: f64| ((base * scale).round() as usize).max(1);
    let (nc, nd, ni) = (n(1_000_000.0), n(100_000.0), n(5_000.0));
    println!("analysis bench: {nc} changes, {nd} deployments, {ni} incidents (scale {scale})");

    let started = Instant::now();
    let data = generate(nc, nd, ni);
    println!(
        "  generate      {:>8.3} s (not counted)",
        started.elapsed().as_secs_f64()
    );

    let total = Instant::now();
    let mut stage = Instant::now();
    let mut lap = |name: &str| {
        println!("  {name:<13} {:>8.3} s", stage.elapsed().as_secs_f64());
        stage = Instant::now();
    };

    let shipped = deployment_contents(&data.deployments, &data.changes);
    lap("contents");

    let service_key = |s: &str| normalise_service_name(s);
    let groups = group_incidents(
        &data.sources,
        &GroupOptions {
            service_key: &service_key,
            tolerance: Duration::minutes(30),
        },
        &[],
    );
    let primaries: HashSet<i64> = groups.iter().map(|g| g.primary).collect();
    let counted: Vec<IncidentFacts> = data
        .incidents
        .iter()
        .filter(|i| primaries.contains(&i.id))
        .cloned()
        .collect();
    lap("grouping");

    let links = link_incidents(
        &counted,
        &data.deployments,
        &shipped,
        &data.changes,
        &data.extras,
        &LinkOptions::default(),
    );
    lap("linking");

    // Failures: top-ranked links at or above the report's threshold.
    let failing: HashMap<i64, i64> = links
        .iter()
        .filter(|l| l.rank == 1 && l.score >= 0.5)
        .map(|l| (l.deployment_id, l.incident_id))
        .collect();
    // Which changes shipped, and which shipped in a failing deployment: sorted id lists, not
    // a list of deployments per change (a million small vectors) nor a million-entry set.
    let sorted_ids = |ids: &mut Vec<i64>| {
        ids.sort_unstable();
        ids.dedup();
    };
    let mut deployed: Vec<i64> = shipped.iter().map(|s| s.change_id).collect();
    sorted_ids(&mut deployed);
    let mut failed: Vec<i64> = shipped
        .iter()
        .filter(|s| failing.contains_key(&s.deployment_id))
        .map(|s| s.change_id)
        .collect();
    sorted_ids(&mut failed);
    let outcomes: Vec<ChangeOutcome> = data
        .changes
        .iter()
        .map(|c| ChangeOutcome {
            class: &c.class,
            tool: (c.class == "ai").then_some("claude-code"),
            deployed: deployed.binary_search(&c.id).is_ok(),
            failed_confirmed: false,
            failed_including_suspected: failed.binary_search(&c.id).is_ok(),
        })
        .collect();
    let (per_class, _per_tool) = cohort_measures(&outcomes, &CLASSES).expect("measures");
    lap("measures");

    let records: Vec<ChangeRecord> = data
        .changes
        .iter()
        .zip(&outcomes)
        .map(|(c, o)| ChangeRecord {
            class: &c.class,
            service: c.repo.as_deref().unwrap_or_default(),
            lines: data
                .extras
                .change_details
                .get(&c.id)
                .map(|d| d.additions.unwrap_or(0) + d.deletions.unwrap_or(0)),
            deployed: o.deployed,
            failed: o.failed_including_suspected,
        })
        .collect();
    let stratified = stratified_ai_vs_human(&records).expect("strata");
    let (as_ai, as_human) = sensitivity_unknown(&records);
    lap("strata");

    let recovered: HashMap<i64, DateTime<Utc>> = data
        .incidents
        .iter()
        .filter_map(|i| i.resolved_at.map(|r| (i.id, r)))
        .collect();
    let deployment_records: Vec<DeploymentRecord> = data
        .deployments
        .iter()
        .map(|d| DeploymentRecord {
            id: d.id,
            service: d.service.clone(),
            environment: d.environment.clone(),
            at: d.at,
            status: d.status.clone(),
            failed: failing.contains_key(&d.id),
            recovered_at: failing.get(&d.id).and_then(|i| recovered.get(i).copied()),
        })
        .collect();
    // Each change's first deployment, as a sorted list (a million-entry map costs more).
    let mut deployed_at: Vec<(i64, DateTime<Utc>)> = shipped
        .iter()
        .filter_map(|s| {
            let at = data.deployments.get(s.deployment_id as usize - 1)?.at;
            Some((s.change_id, at))
        })
        .collect();
    deployed_at.sort_unstable();
    deployed_at.dedup_by_key(|(change, _)| *change);
    let leads: Vec<ChangeLead> = data
        .changes
        .iter()
        .filter_map(|c| {
            let found = deployed_at.binary_search_by_key(&c.id, |(change, _)| *change);
            Some(ChangeLead {
                committed_at: c.committed_at?,
                deployed_at: deployed_at[found.ok()?].1,
            })
        })
        .collect();
    let window_start = data.deployments.first().map(|d| d.at).unwrap_or_default();
    let window_end = data.deployments.last().map(|d| d.at).unwrap_or_default() + Duration::days(1);
    let dora = dora_figures(&deployment_records, &leads, window_start, window_end);
    let cohort_of: HashMap<i64, &str> = links
        .iter()
        .filter(|l| l.rank == 1 && l.score >= 0.5)
        .map(|l| (l.incident_id, "linked"))
        .collect();
    let times: Vec<IncidentTimes> = counted
        .iter()
        .map(|i| IncidentTimes {
            cohort: cohort_of.get(&i.id).copied().unwrap_or("none").to_owned(),
            started_at: i.started_at,
            detected_at: None,
            acknowledged_at: Some(i.started_at + Duration::minutes(5)),
            mitigated_at: None,
            resolved_at: i.resolved_at,
            severity: Some("SEV2".to_owned()),
            services: i.service.iter().cloned().collect(),
            customer_impact_minutes: None,
        })
        .collect();
    let recovery = recovery_by_cohort(&times).expect("recovery");
    lap("dora+recovery");

    let change_findings: Vec<ChangeFinding> = data
        .changes
        .iter()
        .zip(&outcomes)
        .map(|(c, o)| ChangeFinding {
            class: c.class.clone(),
            deployed: o.deployed,
            reviews: Vec::new(),
            change_type: None,
            incidents: if o.failed_including_suspected {
                vec![1]
            } else {
                Vec::new()
            },
        })
        .collect();
    let operations: Vec<OperationFinding> = data
        .deployments
        .iter()
        .map(|d| OperationFinding {
            action: d.action.clone(),
            actor_type: d.actor_type.clone(),
            permissions: d.attributes.get("permissions").cloned(),
            approvals: d.attributes.get("approvals").and_then(|a| a.parse().ok()),
            change_type: None,
            incidents: failing.get(&d.id).map(|i| vec![*i]).unwrap_or_default(),
        })
        .collect();
    let findings = approval_findings(&change_findings, &operations, &|_: &str| false);
    let teams = team_rows(
        &data
            .changes
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.deployed)
            .map(|(c, o)| {
                (
                    c.repo.clone().unwrap_or_default(),
                    c.class.clone(),
                    o.failed_including_suspected,
                )
            })
            .collect::<Vec<_>>(),
    );
    let reach: Vec<IncidentReach> = counted
        .iter()
        .map(|i| IncidentReach {
            cohort: cohort_of.get(&i.id).copied().unwrap_or("none").to_owned(),
            services: i.service.iter().cloned().collect(),
            components: Vec::new(),
            regions: Vec::new(),
            impact_minutes: i
                .resolved_at
                .map(|r| (r - i.started_at).num_seconds() as f64 / 60.0),
        })
        .collect();
    let blast = blast_radius(&reach);
    lap("findings");

    let seconds = total.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    println!(
        "  => {} incidents as counted, {} links, {} cohorts, {} size strata, {} DORA deployments, \
         {} recovery cohorts, {} findings, {} team rows, {} blast-radius cohorts, \
         unknown-as-AI ratio {:?}, unknown-as-human ratio {:?}",
        counted.len(),
        links.len(),
        per_class.len(),
        stratified.size_buckets.len(),
        dora.deployments,
        recovery.len(),
        findings.len(),
        teams.len(),
        blast.len(),
        as_ai.map(|e| (e.value * 1000.0).round() / 1000.0),
        as_human.map(|e| (e.value * 1000.0).round() / 1000.0),
    );
    let verdict = |ok: bool| if ok { "within target" } else { "OVER TARGET" };
    println!(
        "wall time {seconds:.3} s (target < 5 s: {})",
        verdict(seconds < 5.0)
    );
    match rss {
        Some(mib) => println!(
            "peak RSS {mib:.0} MiB incl. generated inputs (target < 2048 MiB: {})",
            verdict(mib < 2048.0)
        ),
        None => println!("peak RSS unavailable (no /proc/self/status)"),
    }
    if cfg!(debug_assertions) {
        println!("(debug build: the targets are for the release profile)");
    }
}
