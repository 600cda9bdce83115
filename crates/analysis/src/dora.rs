//! The DORA software-delivery figures, and incident response times per cohort.
//!
//! Definitions follow the DORA research programme's wording since the 2023 *Accelerate State of
//! DevOps Report* (see <https://dora.dev/guides/dora-metrics-four-keys/>):
//!
//! - **Deployment frequency**: how often changes are deployed to production. Here: production
//!   deployments that went out (status neither `failed` nor `in_progress`; an unrecorded status
//!   counts) in `[window_start, window_end)`, divided by the window's length in weeks.
//! - **Change lead time**: the time it takes for a code change to go from committed to deployed
//!   in production. Here: `deployed_at − committed_at` for changes whose first production
//!   deployment falls in the window; median and 90th percentile in hours.
//! - **Change failure rate**: the percentage of deployments that cause a failure in production
//!   requiring remediation (rollback, hotfix, incident). Here: counted production deployments
//!   linked to an incident, over counted production deployments, with a Wilson 95% interval.
//! - **Failed deployment recovery time** (the 2023 successor of "time to restore service"): how
//!   long it takes to recover from a deployment that fails and requires immediate intervention.
//!   Here: from the failed deployment to the resolution of its linked incident, in minutes.
//!   Failed deployments whose incident is still open are counted apart and never given an
//!   invented end.
//!
//! Production is an environment named `production`, `prod`, `prd` or `live` (any case).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hindsight_model::DeployStatus;
use polars::prelude::*;

use crate::stats::{median_and_p90, Proportion, Quantiles};
use crate::AnalysisError;

/// One deployment, with its outcome as linked to incidents.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRecord {
    pub id: i64,
    pub service: String,
    pub environment: Option<String>,
    pub at: DateTime<Utc>,
    /// As the deploy tool wrote it; read through [`DeployStatus::parse`].
    pub status: String,
    /// Linked to an incident.
    pub failed: bool,
    /// Resolution of the linked incident, when it is resolved.
    pub recovered_at: Option<DateTime<Utc>>,
}

/// One change's commit time and first production deployment time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeLead {
    pub committed_at: DateTime<Utc>,
    pub deployed_at: DateTime<Utc>,
}

/// The four DORA figures over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Dora {
    /// Counted production deployments in the window.
    pub deployments: u64,
    /// `None` when the window is empty or reversed.
    pub deployments_per_week: Option<f64>,
    pub lead_time_median_hours: Option<f64>,
    pub lead_time_p90_hours: Option<f64>,
    /// Changes whose lead time entered the figures.
    pub lead_time_changes: u64,
    /// Changes left out because their commit time is after their deployment (clock skew).
    pub lead_time_skipped_negative: u64,
    pub change_failure_rate: Proportion,
    pub failed_deployment_recovery_median_minutes: Option<f64>,
    pub failed_deployment_recovery_p90_minutes: Option<f64>,
    /// Failed deployments whose recovery time entered the figures.
    pub recovered_failed_deployments: u64,
    /// Failed deployments with no resolution yet (excluded from the recovery figures).
    pub unrecovered_failed_deployments: u64,
    /// The quantile estimator behind every median and p90 above.
    pub estimator: &'static str,
}

/// Whether an environment name denotes production.
pub fn is_production(environment: Option<&str>) -> bool {
    environment.is_some_and(|e| {
        matches!(
            e.trim().to_ascii_lowercase().as_str(),
            "production" | "prod" | "prd" | "live"
        )
    })
}

/// Whether a deployment went out (see the module documentation).
fn went_out(status: &str) -> bool {
    !matches!(
        DeployStatus::parse(status),
        DeployStatus::Failed | DeployStatus::InProgress
    )
}

fn minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 60_000.0
}

const ESTIMATOR: &str = "type 7 linear interpolation (Hyndman & Fan 1996), as R's default";

/// The DORA figures for production deployments in `[window_start, window_end)`.
pub fn dora_figures(
    deployments: &[DeploymentRecord],
    leads: &[ChangeLead],
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> Dora {
    let in_window = |t: DateTime<Utc>| t >= window_start && t < window_end;
    let counted: Vec<&DeploymentRecord> = deployments
        .iter()
        .filter(|d| is_production(d.environment.as_deref()) && went_out(&d.status))
        .filter(|d| in_window(d.at))
        .collect();
    let n = counted.len() as u64;
    let weeks = minutes(window_start, window_end) / (7.0 * 24.0 * 60.0);
    let deployments_per_week = (weeks > 0.0).then(|| n as f64 / weeks);

    let mut lead_hours = Vec::new();
    let mut skipped = 0;
    for l in leads.iter().filter(|l| in_window(l.deployed_at)) {
        let h = minutes(l.committed_at, l.deployed_at) / 60.0;
        if h < 0.0 {
            skipped += 1;
        } else {
            lead_hours.push(h);
        }
    }
    let lead = median_and_p90(&lead_hours);

    let failed: Vec<&&DeploymentRecord> = counted.iter().filter(|d| d.failed).collect();
    let mut recovery = Vec::new();
    let mut unrecovered = 0;
    for d in &failed {
        match d.recovered_at {
            Some(r) if r >= d.at => recovery.push(minutes(d.at, r)),
            // A resolution before the deployment cannot be its recovery: not a usable end.
            _ => unrecovered += 1,
        }
    }
    let rec = median_and_p90(&recovery);
    Dora {
        deployments: n,
        deployments_per_week,
        lead_time_median_hours: lead.map(|q| q.median),
        lead_time_p90_hours: lead.map(|q| q.p90),
        lead_time_changes: lead_hours.len() as u64,
        lead_time_skipped_negative: skipped,
        change_failure_rate: Proportion::new(failed.len() as u64, n),
        failed_deployment_recovery_median_minutes: rec.map(|q| q.median),
        failed_deployment_recovery_p90_minutes: rec.map(|q| q.p90),
        recovered_failed_deployments: recovery.len() as u64,
        unrecovered_failed_deployments: unrecovered,
        estimator: ESTIMATOR,
    }
}

/// The response timeline of one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentTimes {
    /// Attribution class of the change that triggered it, or `none`.
    pub cohort: String,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub severity: Option<String>,
    pub services: Vec<String>,
    pub customer_impact_minutes: Option<f64>,
}

/// Response times of the incidents of one cohort, all in minutes from `started_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortTimes {
    pub cohort: String,
    /// Incidents in the cohort.
    pub n: u64,
    /// Incidents without a resolution: left out of `time_to_resolve`, never given an end.
    pub open: u64,
    pub time_to_detect: Option<Quantiles>,
    pub time_to_acknowledge: Option<Quantiles>,
    pub time_to_mitigate: Option<Quantiles>,
    pub time_to_resolve: Option<Quantiles>,
    /// Incidents per severity (sorted by severity; a missing one is `unspecified`).
    pub severity_mix: Vec<(String, u64)>,
    /// Every service touched by the cohort's incidents, sorted and deduplicated.
    pub services_touched: Vec<String>,
    /// Sum of the customer impact minutes that were reported.
    pub customer_impact_minutes: f64,
    /// Incidents that reported customer impact minutes.
    pub customer_impact_reported: u64,
    /// Timestamps earlier than the start (inconsistent records) left out of the statistics.
    pub skipped_negative: u64,
}

/// Response times per cohort, sorted by cohort name.
pub fn recovery_by_cohort(incidents: &[IncidentTimes]) -> Result<Vec<CohortTimes>, AnalysisError> {
    // Counts and sums per cohort through polars; the quantiles through `median_and_p90` so
    // every median and p90 of the report uses the same named estimator.
    let cohort: Vec<&str> = incidents.iter().map(|i| i.cohort.as_str()).collect();
    let open: Vec<bool> = incidents.iter().map(|i| i.resolved_at.is_none()).collect();
    let impact: Vec<Option<f64>> = incidents
        .iter()
        .map(|i| i.customer_impact_minutes)
        .collect();
    let frame = df!("cohort" => cohort, "open" => open, "impact" => impact)?;
    let summed = frame
        .lazy()
        .group_by([col("cohort")])
        .agg([
            len().cast(DataType::Int64).alias("n"),
            col("open").cast(DataType::Int64).sum().alias("open"),
            col("impact").sum().alias("impact"),
            col("impact")
                .count()
                .cast(DataType::Int64)
                .alias("reported"),
        ])
        .sort(["cohort"], SortMultipleOptions::default())
        .collect()?;
    let names = summed.column("cohort")?.str()?;
    let n = summed.column("n")?.i64()?;
    let open = summed.column("open")?.i64()?;
    let impact = summed.column("impact")?.f64()?;
    let reported = summed.column("reported")?.i64()?;
    let count = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;

    let mut out = Vec::new();
    for row in 0..summed.height() {
        let Some(name) = names.get(row) else {
            continue;
        };
        let members: Vec<&IncidentTimes> = incidents.iter().filter(|i| i.cohort == name).collect();
        let mut skipped = 0;
        let mut times = |end: fn(&IncidentTimes) -> Option<DateTime<Utc>>| {
            let mut values = Vec::new();
            for i in &members {
                if let Some(t) = end(i) {
                    let m = minutes(i.started_at, t);
                    if m < 0.0 {
                        skipped += 1;
                    } else {
                        values.push(m);
                    }
                }
            }
            median_and_p90(&values)
        };
        let time_to_detect = times(|i| i.detected_at);
        let time_to_acknowledge = times(|i| i.acknowledged_at);
        let time_to_mitigate = times(|i| i.mitigated_at);
        let time_to_resolve = times(|i| i.resolved_at);
        let mut severity: Vec<(String, u64)> = Vec::new();
        let mut labels: Vec<String> = members
            .iter()
            .map(|i| i.severity.clone().unwrap_or_else(|| "unspecified".into()))
            .collect();
        labels.sort();
        for l in labels {
            match severity.last_mut() {
                Some((last, c)) if *last == l => *c += 1,
                _ => severity.push((l, 1)),
            }
        }
        let services: BTreeSet<String> = members
            .iter()
            .flat_map(|i| i.services.iter().cloned())
            .collect();
        out.push(CohortTimes {
            cohort: name.to_owned(),
            n: count(n.get(row)),
            open: count(open.get(row)),
            time_to_detect,
            time_to_acknowledge,
            time_to_mitigate,
            time_to_resolve,
            severity_mix: severity,
            services_touched: services.into_iter().collect(),
            customer_impact_minutes: impact.get(row).unwrap_or(0.0),
            customer_impact_reported: count(reported.get(row)),
            skipped_negative: skipped,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "expected {expected}, got {actual} (tolerance {tol})"
        );
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 3, 0, 0, 0)
            .single()
            .expect("valid time")
    }

    fn dep(
        id: i64,
        env: &str,
        hours: i64,
        status: &str,
        failed: bool,
        rec_min: Option<i64>,
    ) -> DeploymentRecord {
        let at = t0() + Duration::hours(hours);
        DeploymentRecord {
            id,
            service: "checkout".into(),
            environment: Some(env.into()),
            at,
            status: status.into(),
            failed,
            recovered_at: rec_min.map(|m| at + Duration::minutes(m)),
        }
    }

    #[test]
    fn dora_over_two_weeks() {
        let deployments = vec![
            dep(1, "production", 1, "succeeded", false, None),
            dep(2, "prod", 30, "success", true, Some(60)),
            dep(3, "Production", 50, "", true, Some(180)),
            dep(4, "production", 100, "rolled_back", true, None),
            dep(5, "production", 200, "succeeded", false, None),
            // Not counted: staging, a failed deploy, one still running, one outside the window.
            dep(6, "staging", 2, "succeeded", true, Some(5)),
            dep(7, "production", 3, "failed", true, Some(5)),
            dep(8, "production", 4, "in_progress", false, None),
            dep(9, "production", 24 * 14, "succeeded", false, None),
        ];
        let lead = |commit_h: i64, deploy_h: i64| ChangeLead {
            committed_at: t0() + Duration::hours(commit_h),
            deployed_at: t0() + Duration::hours(deploy_h),
        };
        // Lead times 1, 2, 4, 10 h; one negative (skipped); one deployed after the window.
        let leads = vec![
            lead(0, 1),
            lead(28, 30),
            lead(46, 50),
            lead(190, 200),
            lead(12, 10),
            lead(0, 24 * 15),
        ];
        let d = dora_figures(&deployments, &leads, t0(), t0() + Duration::days(14));
        // Counted: 1, 2, 3, 4, 5 → 5 deployments over 2 weeks = 2.5 per week.
        assert_eq!(d.deployments, 5);
        close(d.deployments_per_week.expect("window"), 2.5, 1e-12);
        // Lead times sorted [1, 2, 4, 10]: median h = 3·0.5 = 1.5 → 2 + 0.5·(4 − 2) = 3;
        // p90 h = 3·0.9 = 2.7 → 4 + 0.7·(10 − 4) = 8.2.
        assert_eq!(d.lead_time_changes, 4);
        assert_eq!(d.lead_time_skipped_negative, 1);
        close(d.lead_time_median_hours.expect("lead"), 3.0, 1e-12);
        close(d.lead_time_p90_hours.expect("lead"), 8.2, 1e-12);
        // Failed: 2, 3, 4 of 5 → 0.6.
        assert_eq!(d.change_failure_rate.numerator, 3);
        assert_eq!(d.change_failure_rate.denominator, 5);
        // Recovery: 60 and 180 min (4 is unresolved): median = 120, p90 h = 0.9 → 60 + 0.9·120
        // = 168.
        assert_eq!(d.recovered_failed_deployments, 2);
        assert_eq!(d.unrecovered_failed_deployments, 1);
        close(
            d.failed_deployment_recovery_median_minutes.expect("rec"),
            120.0,
            1e-9,
        );
        close(
            d.failed_deployment_recovery_p90_minutes.expect("rec"),
            168.0,
            1e-9,
        );
    }

    #[test]
    fn empty_window_has_no_rate() {
        let d = dora_figures(&[], &[], t0(), t0());
        assert_eq!(d.deployments_per_week, None);
        assert_eq!(d.change_failure_rate.rate, None);
        assert_eq!(d.lead_time_median_hours, None);
    }

    fn incident(
        cohort: &str,
        detect: Option<i64>,
        resolve: Option<i64>,
        severity: Option<&str>,
        services: &[&str],
        impact: Option<f64>,
    ) -> IncidentTimes {
        let m = |x: Option<i64>| x.map(|x| t0() + Duration::minutes(x));
        IncidentTimes {
            cohort: cohort.into(),
            started_at: t0(),
            detected_at: m(detect),
            acknowledged_at: m(detect.map(|d| d + 5)),
            mitigated_at: None,
            resolved_at: m(resolve),
            severity: severity.map(Into::into),
            services: services.iter().map(|s| (*s).into()).collect(),
            customer_impact_minutes: impact,
        }
    }

    #[test]
    fn cohorts_with_open_incidents() {
        let incidents = vec![
            incident(
                "ai",
                Some(10),
                Some(100),
                Some("sev1"),
                &["checkout"],
                Some(30.0),
            ),
            incident(
                "ai",
                Some(20),
                Some(300),
                Some("sev2"),
                &["cart", "checkout"],
                None,
            ),
            incident("ai", Some(30), None, Some("sev1"), &["auth"], Some(12.5)),
            incident("human", Some(4), Some(40), None, &["search"], None),
        ];
        let c = recovery_by_cohort(&incidents).expect("computes");
        assert_eq!(c.len(), 2);
        let ai = &c[0];
        assert_eq!((ai.cohort.as_str(), ai.n, ai.open), ("ai", 3, 1));
        // Detect [10, 20, 30]: median 20; p90 h = 2·0.9 = 1.8 → 20 + 0.8·10 = 28.
        let detect = ai.time_to_detect.expect("detect");
        close(detect.median, 20.0, 1e-9);
        close(detect.p90, 28.0, 1e-9);
        // Acknowledge = detect + 5: [15, 25, 35] → median 25.
        close(ai.time_to_acknowledge.expect("ack").median, 25.0, 1e-9);
        assert_eq!(ai.time_to_mitigate, None);
        // Resolve: the open incident is left out: [100, 300] → median 200, p90 100 + 0.9·200
        // = 280.
        let resolve = ai.time_to_resolve.expect("resolve");
        close(resolve.median, 200.0, 1e-9);
        close(resolve.p90, 280.0, 1e-9);
        assert_eq!(
            ai.severity_mix,
            vec![("sev1".into(), 2), ("sev2".into(), 1)]
        );
        assert_eq!(ai.services_touched, ["auth", "cart", "checkout"]);
        // 30 + 12.5 from the two incidents that reported it.
        close(ai.customer_impact_minutes, 42.5, 1e-12);
        assert_eq!(ai.customer_impact_reported, 2);
        let human = &c[1];
        assert_eq!((human.n, human.open), (1, 0));
        assert_eq!(human.severity_mix, vec![("unspecified".into(), 1)]);
        close(human.customer_impact_minutes, 0.0, 1e-12);
        close(human.time_to_resolve.expect("resolve").median, 40.0, 1e-9);
    }
}
