//! The AI vs human comparison, stratified by change size and by service.
//!
//! A crude risk ratio answers "do AI changes fail more often?", but it cannot tell apart two
//! very different stories: *AI changes are bigger* (and big changes of any origin fail more
//! often), or *AI changes are riskier* (an AI change fails more often than a human change of
//! the same size). The Mantel–Haenszel pooled risk ratio compares AI with human changes
//! **within** each size bucket (or each service) and pools those within-stratum comparisons, so
//! a difference that is only due to AI changes landing in bigger buckets (or in riskier
//! services) disappears from it. When the crude ratio is well above 1 and the size-stratified
//! ratio is near 1, the excess is explained by size; when both stay high, size does not explain
//! it. Stratification only removes the factor it stratifies on: it says nothing about
//! confounders that were not measured.
//!
//! Only deployed changes enter the comparison (a change that never shipped cannot fail in
//! production); a change counts as failed when it is deployed and linked to an incident.

use polars::prelude::*;

use crate::stats::{mantel_haenszel_risk_ratio, risk_ratio, Estimate, Stratum};
use crate::AnalysisError;

/// What the stratified comparison needs to know of one change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord<'a> {
    /// Attribution class: `ai`, `human`, `automation` or `unknown`.
    pub class: &'a str,
    pub service: &'a str,
    /// Lines changed (added + deleted); `None` when not known.
    pub lines: Option<i64>,
    pub deployed: bool,
    /// Deployed and linked to an incident.
    pub failed: bool,
}

/// Counts of one attribution class inside one stratum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCount {
    pub cohort: String,
    pub changes: u64,
    pub deployed: u64,
    /// Deployed changes that failed.
    pub failed: u64,
}

/// The size buckets, in display order. Lines changed of 0 (pure renames, binary files) fall in
/// `1-10`; a missing or negative count falls in `unknown`.
pub const SIZE_BUCKETS: [&str; 6] = ["unknown", "1-10", "11-50", "51-200", "201-1000", ">1000"];

/// The size bucket of a change by lines changed (see [`SIZE_BUCKETS`]).
pub fn size_bucket(lines: Option<i64>) -> &'static str {
    match lines {
        None => "unknown",
        Some(n) if n < 0 => "unknown",
        Some(n) if n <= 10 => "1-10",
        Some(n) if n <= 50 => "11-50",
        Some(n) if n <= 200 => "51-200",
        Some(n) if n <= 1000 => "201-1000",
        Some(_) => ">1000",
    }
}

/// AI against human, crude and stratified.
#[derive(Debug, Clone, PartialEq)]
pub struct StratifiedComparison {
    /// Crude (unstratified) risk ratio of failure, AI over human, deployed changes only.
    pub crude: Option<Estimate>,
    /// Mantel–Haenszel risk ratio, AI over human, stratified by size bucket (the `unknown`
    /// bucket is a stratum of its own).
    pub by_size: Option<Estimate>,
    /// Mantel–Haenszel risk ratio, AI over human, stratified by service.
    pub by_service: Option<Estimate>,
    /// Counts per size bucket (in [`SIZE_BUCKETS`] order, present buckets only), and per class
    /// inside each bucket (sorted by class).
    pub size_buckets: Vec<(String, Vec<CohortCount>)>,
    /// Counts per service (sorted by name), and per class inside each service.
    pub services: Vec<(String, Vec<CohortCount>)>,
    /// Strata that hold deployed changes of both AI and human, and so inform the pooled ratio.
    pub informative_size_strata: usize,
    pub informative_service_strata: usize,
    /// How to read the numbers.
    pub interpretation: &'static str,
}

const INTERPRETATION: &str = "The crude ratio compares all AI changes with all human changes. \
The size-stratified ratio compares them only within the same size bucket, so it separates \
\"AI changes are bigger\" (crude high, stratified near 1) from \"AI changes are riskier\" \
(both high). The service-stratified ratio does the same for where the changes land. Strata \
without both AI and human deployed changes do not contribute.";

/// Crude and Mantel–Haenszel stratified risk ratios of failure, AI over human.
pub fn stratified_ai_vs_human(
    records: &[ChangeRecord<'_>],
) -> Result<StratifiedComparison, AnalysisError> {
    let frame = frame_of(records)?;
    let mut size_buckets = counts_by(frame.clone(), "bucket")?;
    size_buckets.sort_by_key(|(bucket, _)| {
        SIZE_BUCKETS
            .iter()
            .position(|b| b == bucket)
            .unwrap_or(SIZE_BUCKETS.len())
    });
    let services = counts_by(frame, "service")?;
    let size_strata: Vec<Stratum> = size_buckets.iter().map(|(_, c)| stratum(c)).collect();
    let service_strata: Vec<Stratum> = services.iter().map(|(_, c)| stratum(c)).collect();
    let informative = |s: &[Stratum]| {
        s.iter()
            .filter(|s| s.exposed_total > 0 && s.unexposed_total > 0)
            .count()
    };
    let (ai_f, ai_n, hu_f, hu_n) = crude_counts(records, &["ai"], &["human"]);
    Ok(StratifiedComparison {
        crude: risk_ratio(ai_f, ai_n, hu_f, hu_n),
        by_size: mantel_haenszel_risk_ratio(&size_strata),
        by_service: mantel_haenszel_risk_ratio(&service_strata),
        informative_size_strata: informative(&size_strata),
        informative_service_strata: informative(&service_strata),
        size_buckets,
        services,
        interpretation: INTERPRETATION,
    })
}

/// Sensitivity of the crude AI vs human risk ratio to the changes whose origin is unknown:
/// first with every `unknown` change counted as AI, then with every `unknown` change counted as
/// human. The truth lies somewhere between when the unknown changes are a mix of both; if both
/// bounds point the same way, the unknowns cannot overturn the conclusion. `automation` is left
/// out of both.
pub fn sensitivity_unknown(records: &[ChangeRecord<'_>]) -> (Option<Estimate>, Option<Estimate>) {
    let as_ai = crude_counts(records, &["ai", "unknown"], &["human"]);
    let as_human = crude_counts(records, &["ai"], &["human", "unknown"]);
    (
        risk_ratio(as_ai.0, as_ai.1, as_ai.2, as_ai.3),
        risk_ratio(as_human.0, as_human.1, as_human.2, as_human.3),
    )
}

/// `(exposed failed, exposed deployed, reference failed, reference deployed)`.
fn crude_counts(
    records: &[ChangeRecord<'_>],
    exposed: &[&str],
    reference: &[&str],
) -> (u64, u64, u64, u64) {
    let mut counts = (0, 0, 0, 0);
    for r in records.iter().filter(|r| r.deployed) {
        let failed = u64::from(r.failed);
        if exposed.contains(&r.class) {
            counts.0 += failed;
            counts.1 += 1;
        } else if reference.contains(&r.class) {
            counts.2 += failed;
            counts.3 += 1;
        }
    }
    counts
}

fn stratum(counts: &[CohortCount]) -> Stratum {
    let find = |class: &str| {
        counts
            .iter()
            .find(|c| c.cohort == class)
            .map(|c| (c.failed, c.deployed))
            .unwrap_or((0, 0))
    };
    let (exposed_events, exposed_total) = find("ai");
    let (unexposed_events, unexposed_total) = find("human");
    Stratum {
        exposed_events,
        exposed_total,
        unexposed_events,
        unexposed_total,
    }
}

fn frame_of(records: &[ChangeRecord<'_>]) -> Result<DataFrame, AnalysisError> {
    let class: Vec<&str> = records.iter().map(|r| r.class).collect();
    let service: Vec<&str> = records.iter().map(|r| r.service).collect();
    let bucket: Vec<&str> = records.iter().map(|r| size_bucket(r.lines)).collect();
    let deployed: Vec<bool> = records.iter().map(|r| r.deployed).collect();
    let failed: Vec<bool> = records.iter().map(|r| r.deployed && r.failed).collect();
    Ok(df!(
        "class" => class,
        "service" => service,
        "bucket" => bucket,
        "deployed" => deployed,
        "failed" => failed,
    )?)
}

/// Counts per `key` value and class, sorted by key then class.
fn counts_by(
    frame: DataFrame,
    key: &str,
) -> Result<Vec<(String, Vec<CohortCount>)>, AnalysisError> {
    let summed = frame
        .lazy()
        .group_by([col(key), col("class")])
        .agg([
            len().cast(DataType::Int64).alias("changes"),
            col("deployed")
                .cast(DataType::Int64)
                .sum()
                .alias("deployed"),
            col("failed").cast(DataType::Int64).sum().alias("failed"),
        ])
        .sort([key, "class"], SortMultipleOptions::default())
        .collect()?;
    let keys = summed.column(key)?.str()?;
    let classes = summed.column("class")?.str()?;
    let changes = summed.column("changes")?.i64()?;
    let deployed = summed.column("deployed")?.i64()?;
    let failed = summed.column("failed")?.i64()?;
    let count = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
    let mut out: Vec<(String, Vec<CohortCount>)> = Vec::new();
    for i in 0..summed.height() {
        let (Some(k), Some(c)) = (keys.get(i), classes.get(i)) else {
            continue;
        };
        let row = CohortCount {
            cohort: c.to_owned(),
            changes: count(changes.get(i)),
            deployed: count(deployed.get(i)),
            failed: count(failed.get(i)),
        };
        match out.last_mut() {
            Some((last, rows)) if last == k => rows.push(row),
            _ => out.push((k.to_owned(), vec![row])),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "expected {expected}, got {actual} (tolerance {tol})"
        );
    }

    /// `n` deployed changes of `class`, of which `failed` failed, all of the given size.
    fn batch(
        out: &mut Vec<ChangeRecord<'static>>,
        class: &'static str,
        service: &'static str,
        lines: Option<i64>,
        n: usize,
        failed: usize,
    ) {
        for i in 0..n {
            out.push(ChangeRecord {
                class,
                service,
                lines,
                deployed: true,
                failed: i < failed,
            });
        }
    }

    #[test]
    fn buckets() {
        assert_eq!(size_bucket(None), "unknown");
        assert_eq!(size_bucket(Some(-3)), "unknown");
        assert_eq!(size_bucket(Some(0)), "1-10");
        assert_eq!(size_bucket(Some(10)), "1-10");
        assert_eq!(size_bucket(Some(11)), "11-50");
        assert_eq!(size_bucket(Some(50)), "11-50");
        assert_eq!(size_bucket(Some(51)), "51-200");
        assert_eq!(size_bucket(Some(200)), "51-200");
        assert_eq!(size_bucket(Some(201)), "201-1000");
        assert_eq!(size_bucket(Some(1000)), "201-1000");
        assert_eq!(size_bucket(Some(1001)), ">1000");
    }

    #[test]
    fn size_explains_the_crude_excess() {
        // Small (5 lines): AI 2/20 failed, human 8/80.  Both 10%.
        // Large (500 lines): AI 24/80 failed, human 6/20. Both 30%.
        // Crude: AI (2+24)/100 = 0.26, human (8+6)/100 = 0.14, RR = 0.26/0.14 = 1.857142...
        // MH: small stratum N = 100: a·n0/N = 2·80/100 = 1.6, c·n1/N = 8·20/100 = 1.6;
        //     large stratum N = 100: a·n0/N = 24·20/100 = 4.8, c·n1/N = 6·80/100 = 4.8;
        //     RR_MH = (1.6 + 4.8) / (1.6 + 4.8) = 1.0 — AI changes are bigger, not riskier.
        let mut r = Vec::new();
        batch(&mut r, "ai", "checkout", Some(5), 20, 2);
        batch(&mut r, "human", "checkout", Some(5), 80, 8);
        batch(&mut r, "ai", "checkout", Some(500), 80, 24);
        batch(&mut r, "human", "checkout", Some(500), 20, 6);
        // A change that never shipped is not counted as deployed nor failed.
        r.push(ChangeRecord {
            class: "ai",
            service: "checkout",
            lines: Some(5),
            deployed: false,
            failed: true,
        });
        let s = stratified_ai_vs_human(&r).expect("computes");
        close(s.crude.expect("crude").value, 0.26 / 0.14, 1e-12);
        close(s.by_size.expect("by size").value, 1.0, 1e-12);
        // One service: stratifying by it changes nothing, so it equals the crude ratio
        // (single stratum N = 200: 26·100/200 = 13, 14·100/200 = 7, 13/7 = 1.857142...).
        close(s.by_service.expect("by service").value, 13.0 / 7.0, 1e-12);
        assert_eq!(s.informative_size_strata, 2);
        let names: Vec<&str> = s.size_buckets.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(names, ["1-10", "201-1000"]);
        assert_eq!(
            s.size_buckets[0].1,
            vec![
                CohortCount {
                    cohort: "ai".into(),
                    changes: 21,
                    deployed: 20,
                    failed: 2
                },
                CohortCount {
                    cohort: "human".into(),
                    changes: 80,
                    deployed: 80,
                    failed: 8
                },
            ]
        );
    }

    #[test]
    fn riskier_within_every_stratum() {
        // Service a: AI 4/10, human 2/10.  Service b: AI 3/10, human 1/10.
        // MH by service: a: 4·10/20 = 2, 2·10/20 = 1; b: 3·10/20 = 1.5, 1·10/20 = 0.5;
        // RR_MH = (2 + 1.5) / (1 + 0.5) = 3.5/1.5 = 2.3333...
        // Sizes unknown everywhere: one size stratum, equal to the crude 7/20 ÷ 3/20 = 2.3333.
        let mut r = Vec::new();
        batch(&mut r, "ai", "a", None, 10, 4);
        batch(&mut r, "human", "a", None, 10, 2);
        batch(&mut r, "ai", "b", None, 10, 3);
        batch(&mut r, "human", "b", None, 10, 1);
        // A service with only human changes informs nothing.
        batch(&mut r, "human", "c", None, 5, 5);
        let s = stratified_ai_vs_human(&r).expect("computes");
        close(s.by_service.expect("by service").value, 3.5 / 1.5, 1e-12);
        assert_eq!(s.informative_service_strata, 2);
        assert_eq!(s.services.len(), 3);
        // Crude includes service c: AI 7/20, human 8/25; RR = 0.35/0.32 = 1.09375.
        close(s.crude.expect("crude").value, 0.35 / 0.32, 1e-12);
        assert_eq!(s.size_buckets.len(), 1);
        assert_eq!(s.size_buckets[0].0, "unknown");
    }

    #[test]
    fn unknown_origin_bounds() {
        // AI 2/10, human 2/20, unknown 6/10, automation 5/5 (ignored).
        // Unknown as AI:    (2+6)/(10+10) = 0.4 vs 2/20 = 0.1 → RR 4.0.
        // Unknown as human: 2/10 = 0.2 vs (2+6)/(20+10) = 0.2666... → RR 0.75.
        let mut r = Vec::new();
        batch(&mut r, "ai", "s", Some(1), 10, 2);
        batch(&mut r, "human", "s", Some(1), 20, 2);
        batch(&mut r, "unknown", "s", Some(1), 10, 6);
        batch(&mut r, "automation", "s", Some(1), 5, 5);
        let (as_ai, as_human) = sensitivity_unknown(&r);
        close(as_ai.expect("as ai").value, 4.0, 1e-12);
        close(as_human.expect("as human").value, 0.75, 1e-12);
    }

    #[test]
    fn empty_input_gives_no_estimates() {
        let s = stratified_ai_vs_human(&[]).expect("computes");
        assert!(s.crude.is_none() && s.by_size.is_none() && s.by_service.is_none());
        assert!(s.size_buckets.is_empty());
        assert_eq!(sensitivity_unknown(&[]), (None, None));
    }
}
