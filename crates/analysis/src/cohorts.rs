//! Counts per attribution cohort, computed with polars.

use polars::prelude::*;

use crate::AnalysisError;

/// Changes of one attribution class and how many of them were shipped by a top-ranked suspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCount {
    pub class: String,
    pub changes: i64,
    /// Changes shipped by a deployment ranked first for some incident.
    pub shipped_by_top_suspect: i64,
}

/// Groups changes by class. `classes[i]` and `flagged[i]` describe change `i`; every class of
/// `all_classes` appears in the output, in that order, even when it has no change.
pub fn cohort_counts(
    classes: &[&str],
    flagged: &[bool],
    all_classes: &[&str],
) -> Result<Vec<CohortCount>, AnalysisError> {
    let frame = df!("class" => classes, "flagged" => flagged)?;
    let grouped = frame
        .lazy()
        .group_by([col("class")])
        .agg([
            len().cast(DataType::Int64).alias("changes"),
            col("flagged").cast(DataType::Int64).sum().alias("flagged"),
        ])
        .collect()?;
    let names = grouped.column("class")?.str()?;
    let totals = grouped.column("changes")?.i64()?;
    let hits = grouped.column("flagged")?.i64()?;
    let mut out: Vec<CohortCount> = all_classes
        .iter()
        .map(|class| CohortCount {
            class: (*class).to_owned(),
            changes: 0,
            shipped_by_top_suspect: 0,
        })
        .collect();
    for index in 0..grouped.height() {
        let Some(name) = names.get(index) else {
            continue;
        };
        let entry = match out.iter_mut().find(|c| c.class == name) {
            Some(entry) => entry,
            None => {
                out.push(CohortCount {
                    class: name.to_owned(),
                    changes: 0,
                    shipped_by_top_suspect: 0,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        entry.changes = totals.get(index).unwrap_or(0);
        entry.shipped_by_top_suspect = hits.get(index).unwrap_or(0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_class_in_the_requested_order() {
        let classes = ["ai", "human", "ai", "human", "human"];
        let flagged = [true, false, false, true, false];
        let counts =
            cohort_counts(&classes, &flagged, &["ai", "human", "automation"]).expect("counts");
        assert_eq!(
            counts,
            vec![
                CohortCount {
                    class: "ai".into(),
                    changes: 2,
                    shipped_by_top_suspect: 1
                },
                CohortCount {
                    class: "human".into(),
                    changes: 3,
                    shipped_by_top_suspect: 1
                },
                CohortCount {
                    class: "automation".into(),
                    changes: 0,
                    shipped_by_top_suspect: 0
                },
            ]
        );
    }

    #[test]
    fn no_changes_gives_zero_rows() {
        let counts = cohort_counts(&[], &[], &["ai"]).expect("counts");
        assert_eq!(
            counts,
            vec![CohortCount {
                class: "ai".into(),
                changes: 0,
                shipped_by_top_suspect: 0
            }]
        );
    }
}
