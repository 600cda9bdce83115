//! Change failure rates per attribution cohort and the AI vs human comparison.
//!
//! A change counts as deployed when some deployment shipped it, and as failed when a
//! deployment that shipped it is linked to an incident: by a reviewer's confirmation
//! ("confirmed"), or additionally as the top-ranked suspect at or above the score threshold
//! ("including suspected"). The two are reported side by side, never mixed.

use polars::prelude::*;

use crate::stats::{
    fisher_exact_two_sided, risk_difference, risk_ratio, small_sample_warning, Estimate, Proportion,
};
use crate::AnalysisError;

/// What is known of one change for the failure measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeOutcome<'a> {
    pub class: &'a str,
    pub tool: Option<&'a str>,
    pub deployed: bool,
    pub failed_confirmed: bool,
    pub failed_including_suspected: bool,
}

/// The failure measures of one cohort (a class, or an AI tool).
#[derive(Debug, Clone, PartialEq)]
pub struct CohortMeasure {
    pub cohort: String,
    pub changes: u64,
    pub deployed: u64,
    /// Failed changes (confirmed links only) over deployed changes, Wilson 95% interval.
    pub confirmed: Proportion,
    /// Failed changes (confirmed and top suspects at or above the threshold) over deployed.
    pub including_suspected: Proportion,
    /// A plain-words caveat when the numbers are too small to lean on.
    pub warning: Option<String>,
}

/// AI against human on one basis (confirmed, or including suspected).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub basis: String,
    pub risk_ratio: Option<Estimate>,
    pub risk_difference: Option<Estimate>,
    pub fisher_p: Option<f64>,
}

/// Measures per class (in `classes` order) and per AI tool (sorted by name).
pub fn cohort_measures(
    outcomes: &[ChangeOutcome<'_>],
    classes: &[&str],
) -> Result<(Vec<CohortMeasure>, Vec<CohortMeasure>), AnalysisError> {
    let class: Vec<&str> = outcomes.iter().map(|o| o.class).collect();
    let tool: Vec<Option<&str>> = outcomes
        .iter()
        .map(|o| {
            if o.class == "ai" {
                Some(o.tool.unwrap_or("unnamed"))
            } else {
                None
            }
        })
        .collect();
    let deployed: Vec<bool> = outcomes.iter().map(|o| o.deployed).collect();
    let confirmed: Vec<bool> = outcomes
        .iter()
        .map(|o| o.deployed && o.failed_confirmed)
        .collect();
    let suspected: Vec<bool> = outcomes
        .iter()
        .map(|o| o.deployed && o.failed_including_suspected)
        .collect();
    let frame = df!(
        "class" => class,
        "tool" => tool,
        "deployed" => deployed,
        "confirmed" => confirmed,
        "suspected" => suspected,
    )?;
    let by_class = grouped(frame.clone(), "class")?;
    let by_tool = grouped(
        frame.lazy().filter(col("tool").is_not_null()).collect()?,
        "tool",
    )?;

    let per_class = classes
        .iter()
        .map(|name| {
            let counts = by_class.iter().find(|(n, ..)| n == name).cloned();
            let (_, changes, deployed, confirmed, suspected) =
                counts.unwrap_or(((*name).to_owned(), 0, 0, 0, 0));
            measure(name, changes, deployed, confirmed, suspected)
        })
        .collect();
    let mut per_tool: Vec<CohortMeasure> = by_tool
        .into_iter()
        .map(|(name, changes, deployed, confirmed, suspected)| {
            measure(&name, changes, deployed, confirmed, suspected)
        })
        .collect();
    per_tool.sort_by(|a, b| a.cohort.cmp(&b.cohort));
    Ok((per_class, per_tool))
}

type Counts = (String, u64, u64, u64, u64);

fn grouped(frame: DataFrame, key: &str) -> Result<Vec<Counts>, AnalysisError> {
    let summed = frame
        .lazy()
        .group_by([col(key)])
        .agg([
            len().cast(DataType::Int64).alias("changes"),
            col("deployed")
                .cast(DataType::Int64)
                .sum()
                .alias("deployed"),
            col("confirmed")
                .cast(DataType::Int64)
                .sum()
                .alias("confirmed"),
            col("suspected")
                .cast(DataType::Int64)
                .sum()
                .alias("suspected"),
        ])
        .collect()?;
    let names = summed.column(key)?.str()?;
    let column = |name: &str| -> Result<Vec<u64>, AnalysisError> {
        let values = summed.column(name)?.i64()?;
        Ok((0..values.len())
            .map(|i| values.get(i).unwrap_or(0).max(0) as u64)
            .collect())
    };
    let (changes, deployed, confirmed, suspected) = (
        column("changes")?,
        column("deployed")?,
        column("confirmed")?,
        column("suspected")?,
    );
    Ok((0..summed.height())
        .filter_map(|i| {
            names.get(i).map(|n| {
                (
                    n.to_owned(),
                    changes[i],
                    deployed[i],
                    confirmed[i],
                    suspected[i],
                )
            })
        })
        .collect())
}

fn measure(
    name: &str,
    changes: u64,
    deployed: u64,
    confirmed: u64,
    suspected: u64,
) -> CohortMeasure {
    CohortMeasure {
        cohort: name.to_owned(),
        changes,
        deployed,
        confirmed: Proportion::new(confirmed, deployed),
        including_suspected: Proportion::new(suspected, deployed),
        warning: small_sample_warning(suspected, deployed),
    }
}

/// Compares two cohorts' failure proportions on one basis.
pub fn compare(basis: &str, exposed: &Proportion, reference: &Proportion) -> Comparison {
    let (a, n1, c, n2) = (
        exposed.numerator,
        exposed.denominator,
        reference.numerator,
        reference.denominator,
    );
    let defined = n1 > 0 && n2 > 0;
    Comparison {
        basis: basis.to_owned(),
        risk_ratio: risk_ratio(a, n1, c, n2),
        risk_difference: risk_difference(a, n1, c, n2),
        fisher_p: defined.then(|| fisher_exact_two_sided(a, n1 - a, c, n2 - c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        class: &'static str,
        tool: Option<&'static str>,
        deployed: bool,
        confirmed: bool,
        suspected: bool,
    ) -> ChangeOutcome<'static> {
        ChangeOutcome {
            class,
            tool,
            deployed,
            failed_confirmed: confirmed,
            failed_including_suspected: suspected,
        }
    }

    #[test]
    fn counts_by_class_and_tool_with_deployed_denominators() {
        let outcomes = vec![
            outcome("ai", Some("claude-code"), true, true, true),
            outcome("ai", Some("claude-code"), true, false, true),
            outcome("ai", Some("cursor"), true, false, false),
            outcome("ai", Some("cursor"), false, false, false), // never deployed
            outcome("human", None, true, false, true),
            outcome("human", None, true, false, false),
            outcome("human", None, true, false, false),
            outcome("human", None, true, false, false),
        ];
        let (classes, tools) =
            cohort_measures(&outcomes, &["ai", "human", "unknown"]).expect("measures");
        let ai = &classes[0];
        assert_eq!((ai.changes, ai.deployed), (4, 3));
        assert_eq!((ai.confirmed.numerator, ai.confirmed.denominator), (1, 3));
        assert_eq!(ai.including_suspected.numerator, 2);
        let human = &classes[1];
        assert_eq!(
            (human.deployed, human.including_suspected.numerator),
            (4, 1)
        );
        assert_eq!(classes[2].deployed, 0);
        assert_eq!(classes[2].confirmed.rate, None);
        assert!(ai.warning.is_some(), "3 deployed changes is a small sample");
        let names: Vec<_> = tools
            .iter()
            .map(|t| (t.cohort.as_str(), t.deployed))
            .collect();
        assert_eq!(names, vec![("claude-code", 2), ("cursor", 1)]);
    }

    #[test]
    fn comparison_of_ai_and_human() {
        // 2/3 against 1/4: the table [[2,1],[1,3]]. Its two-sided Fisher p is 17/35 =
        // 0.4857142857 (hypergeometric sum over tables no more likely than the observed one,
        // computed exactly with Python's math.comb).
        let ai = Proportion::new(2, 3);
        let human = Proportion::new(1, 4);
        let c = compare("including suspected", &ai, &human);
        let rr = c.risk_ratio.expect("rr");
        assert!((rr.value - (2.0 / 3.0) / 0.25).abs() < 1e-9);
        let p = c.fisher_p.expect("p");
        assert!((p - 17.0 / 35.0).abs() < 1e-9, "{p}");
        assert!(compare("x", &Proportion::new(0, 0), &human)
            .fisher_p
            .is_none());
    }
}
