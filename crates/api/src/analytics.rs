//! The analytics screen: the report's cohort, stratified, DORA, recovery and what-if figures
//! as DTOs, and the policy simulator replaying guardrails a user edits. Every number comes
//! from the same computations as the report; the UI only draws them.

use chrono::Weekday;
use hindsight_analysis::policy::Rule;
use hindsight_report::{
    ReportCohort, ReportComparison, ReportDora, ReportEstimate, ReportRate, ReportRecovery,
    ReportStratified, ReportWhatIf,
};
use hindsight_store::parse_time;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::findings::{RateDto, StoreRows};

use crate::deepdive::{default_guardrails, DeepDiveInput};
use crate::{ApiError, Hindsight, Result};

/// An estimate with its 95% interval and the method that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EstimateDto {
    pub value: f64,
    pub ci95_lower: f64,
    pub ci95_upper: f64,
    pub method: String,
}

/// Failure rates of one cohort (a class or an AI tool) on both bases.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CohortRateDto {
    pub cohort: String,
    #[ts(type = "number")]
    pub changes: i64,
    #[ts(type = "number")]
    pub deployed: i64,
    pub failed_confirmed: RateDto,
    pub failed_including_suspected: RateDto,
    /// Why the figure needs care (a small cohort), when it does.
    pub warning: Option<String>,
}

/// AI against human on one basis.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ComparisonDto {
    pub basis: String,
    pub risk_ratio: Option<EstimateDto>,
    pub risk_difference: Option<EstimateDto>,
    pub fisher_p: Option<f64>,
}

/// AI against human risk ratios: crude, stratified by change size and by service, and with
/// the unknown cohort counted on either side.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StratifiedDto {
    pub crude: Option<EstimateDto>,
    pub by_size: Option<EstimateDto>,
    pub by_service: Option<EstimateDto>,
    pub unknown_as_ai: Option<EstimateDto>,
    pub unknown_as_human: Option<EstimateDto>,
    pub interpretation: String,
}

/// The DORA figures over the data's time span.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DoraDto {
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    #[ts(type = "number")]
    pub deployments: i64,
    pub deployments_per_week: Option<f64>,
    pub lead_time_median_hours: Option<f64>,
    pub lead_time_p90_hours: Option<f64>,
    pub change_failure_rate: RateDto,
    pub recovery_median_minutes: Option<f64>,
    pub recovery_p90_minutes: Option<f64>,
    #[ts(type = "number")]
    pub unrecovered_failed_deployments: i64,
    pub estimator: String,
}

/// Recovery times of the incidents one trigger cohort caused.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecoveryDto {
    pub cohort: String,
    #[ts(type = "number")]
    pub incidents: i64,
    #[ts(type = "number")]
    pub open: i64,
    pub acknowledge_median_minutes: Option<f64>,
    pub acknowledge_p90_minutes: Option<f64>,
    pub resolve_median_minutes: Option<f64>,
    pub resolve_p90_minutes: Option<f64>,
    pub severity_mix: String,
}

/// One resolved incident's time to resolve, for the distribution chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecoveryPointDto {
    /// The cohort of its trigger (`ai`, `human`, ..., `none`).
    pub cohort: String,
    /// `source_system source_id`.
    pub incident: String,
    pub minutes: f64,
}

/// A guardrail as the simulator form edits it; the same rules as `analysis::policy::Rule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PolicyRuleDto {
    /// AI changes deployed to `environments` wait `review_delay_hours` for a senior review.
    SeniorApprovalForAi {
        environments: Vec<String>,
        review_delay_hours: f64,
    },
    /// Agents may not act with operator or admin permissions.
    NoAgentOperatorDeploys,
    /// Destructive operations need a second approval, waiting `review_delay_hours`.
    SecondApprovalForDestructive { review_delay_hours: f64 },
    /// No deployments on `weekday` (`Mon` ... `Sun`) from `after_hour` local time.
    Freeze {
        weekday: String,
        after_hour: u32,
        timezone_offset_minutes: i32,
    },
}

/// What one guardrail would have changed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WhatIfDto {
    pub rule: String,
    pub gated_changes: Vec<String>,
    pub gated_operations: Vec<String>,
    pub incidents_prevented: Vec<String>,
    pub added_lead_time_hours: f64,
    pub method: String,
}

/// Everything the analytics screen draws.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AnalyticsDto {
    /// The suspect score threshold of the "including suspected" basis.
    pub suspect_threshold: f64,
    pub cohorts: Vec<CohortRateDto>,
    pub by_tool: Vec<CohortRateDto>,
    pub comparisons: Vec<ComparisonDto>,
    pub stratified: StratifiedDto,
    pub dora: DoraDto,
    pub recovery: Vec<RecoveryDto>,
    /// Resolved incidents' times to resolve, sorted by cohort then minutes.
    pub recovery_points: Vec<RecoveryPointDto>,
    /// The guardrails the report replays, as the simulator's starting point.
    pub guardrails: Vec<PolicyRuleDto>,
    pub what_ifs: Vec<WhatIfDto>,
}

/// How many rules one simulation replays; the form never needs more.
const MAX_RULES: usize = 32;

impl Hindsight {
    /// The analytics figures, computed as the report computes them.
    pub fn analytics(&self) -> Result<AnalyticsDto> {
        let rows = StoreRows::load(self)?;
        let counts = (
            rows.incidents.len() as i64,
            rows.deployments.len() as i64,
            rows.changes.len() as i64,
        );
        let summary =
            self.failure_summary(&rows, &rows.changes, counts, &rows.links, &rows.causes)?;
        let input = self.unscoped_input(&rows)?;
        let cohorts = self.trigger_cohorts(&input);
        let mut recovery_points = Vec::new();
        for incident in &input.incidents {
            let Some(resolved) = &incident.resolved_at else {
                continue;
            };
            let minutes = (parse_time(resolved)? - parse_time(&incident.started_at)?).num_seconds()
                as f64
                / 60.0;
            recovery_points.push(RecoveryPointDto {
                cohort: cohorts
                    .get(&incident.id)
                    .cloned()
                    .unwrap_or_else(|| "none".into()),
                incident: format!("{} {}", incident.source_system, incident.source_id),
                minutes,
            });
        }
        recovery_points.sort_by(|a, b| {
            (a.cohort.as_str(), a.minutes, a.incident.as_str())
                .partial_cmp(&(b.cohort.as_str(), b.minutes, b.incident.as_str()))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let guardrails = default_guardrails();
        Ok(AnalyticsDto {
            suspect_threshold: summary.suspect_threshold,
            cohorts: summary.cohorts.iter().map(cohort_dto).collect(),
            by_tool: summary.by_tool.iter().map(cohort_dto).collect(),
            comparisons: summary.comparisons.iter().map(comparison_dto).collect(),
            stratified: stratified_dto(&self.stratified_section(&input)?),
            dora: dora_dto(&self.dora_section(&input)?),
            recovery: self
                .recovery_section(&input)?
                .iter()
                .map(recovery_dto)
                .collect(),
            recovery_points,
            what_ifs: self.simulate_with(&input, &guardrails)?,
            guardrails: guardrails.iter().map(rule_dto).collect(),
        })
    }

    /// Replays guardrails the user edited over the stored history.
    pub fn simulate_policy(&self, rules: &[PolicyRuleDto]) -> Result<Vec<WhatIfDto>> {
        if rules.len() > MAX_RULES {
            return Err(ApiError::BadInput(format!(
                "{} rules given; the simulator replays at most {MAX_RULES} at once",
                rules.len()
            )));
        }
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                policy_rule(r).map_err(|e| ApiError::BadInput(format!("rule {}: {e}", i + 1)))
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = StoreRows::load(self)?;
        self.simulate_with(&self.unscoped_input(&rows)?, &rules)
    }

    /// The whole store as the report reads it without a scope.
    fn unscoped_input<'a>(&self, rows: &'a StoreRows) -> Result<DeepDiveInput<'a>> {
        self.deep_dive_input(
            rows,
            &rows.changes,
            &rows.incidents,
            rows.deployments.clone(),
            &rows.links,
            &rows.causes,
        )
    }

    fn simulate_with(&self, input: &DeepDiveInput<'_>, rules: &[Rule]) -> Result<Vec<WhatIfDto>> {
        Ok(self
            .what_ifs(input, rules)?
            .into_iter()
            .map(what_if_dto)
            .collect())
    }
}

fn policy_rule(dto: &PolicyRuleDto) -> std::result::Result<Rule, String> {
    let delay = |hours: f64| {
        if hours.is_finite() && (0.0..=24.0 * 14.0).contains(&hours) {
            Ok(hours)
        } else {
            Err(format!(
                "review delay {hours} h is out of range: use 0 to 336 hours"
            ))
        }
    };
    Ok(match dto {
        PolicyRuleDto::SeniorApprovalForAi {
            environments,
            review_delay_hours,
        } => Rule::SeniorApprovalForAi {
            environments: environments
                .iter()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty())
                .collect(),
            review_delay_hours: delay(*review_delay_hours)?,
        },
        PolicyRuleDto::NoAgentOperatorDeploys => Rule::NoAgentOperatorDeploys,
        PolicyRuleDto::SecondApprovalForDestructive { review_delay_hours } => {
            Rule::SecondApprovalForDestructive {
                review_delay_hours: delay(*review_delay_hours)?,
            }
        }
        PolicyRuleDto::Freeze {
            weekday,
            after_hour,
            timezone_offset_minutes,
        } => {
            let weekday: Weekday = weekday.trim().parse().map_err(|_| {
                format!("weekday {weekday:?} is unknown: use Mon, Tue, Wed, Thu, Fri, Sat or Sun")
            })?;
            if *after_hour > 23 {
                return Err(format!("hour {after_hour} is out of range: use 0 to 23"));
            }
            if timezone_offset_minutes.abs() > 14 * 60 {
                return Err(format!(
                    "UTC offset {timezone_offset_minutes} min is out of range: use -840 to 840"
                ));
            }
            Rule::Freeze {
                weekday,
                after_hour: *after_hour,
                timezone_offset_minutes: *timezone_offset_minutes,
            }
        }
    })
}

fn rule_dto(rule: &Rule) -> PolicyRuleDto {
    match rule {
        Rule::SeniorApprovalForAi {
            environments,
            review_delay_hours,
        } => PolicyRuleDto::SeniorApprovalForAi {
            environments: environments.clone(),
            review_delay_hours: *review_delay_hours,
        },
        Rule::NoAgentOperatorDeploys => PolicyRuleDto::NoAgentOperatorDeploys,
        Rule::SecondApprovalForDestructive { review_delay_hours } => {
            PolicyRuleDto::SecondApprovalForDestructive {
                review_delay_hours: *review_delay_hours,
            }
        }
        Rule::Freeze {
            weekday,
            after_hour,
            timezone_offset_minutes,
        } => PolicyRuleDto::Freeze {
            weekday: weekday.to_string(),
            after_hour: *after_hour,
            timezone_offset_minutes: *timezone_offset_minutes,
        },
    }
}

fn rate_dto(r: &ReportRate) -> RateDto {
    RateDto {
        numerator: u64::try_from(r.numerator).unwrap_or(0),
        denominator: u64::try_from(r.denominator).unwrap_or(0),
        rate: r.rate,
        ci95_lower: r.ci95_lower,
        ci95_upper: r.ci95_upper,
    }
}

fn estimate_dto(e: &Option<ReportEstimate>) -> Option<EstimateDto> {
    e.as_ref().map(|e| EstimateDto {
        value: e.value,
        ci95_lower: e.ci95_lower,
        ci95_upper: e.ci95_upper,
        method: e.method.clone(),
    })
}

fn cohort_dto(c: &ReportCohort) -> CohortRateDto {
    CohortRateDto {
        cohort: c.cohort.clone(),
        changes: c.changes,
        deployed: c.deployed,
        failed_confirmed: rate_dto(&c.failed_confirmed),
        failed_including_suspected: rate_dto(&c.failed_including_suspected),
        warning: c.warning.clone(),
    }
}

fn comparison_dto(c: &ReportComparison) -> ComparisonDto {
    ComparisonDto {
        basis: c.basis.clone(),
        risk_ratio: estimate_dto(&c.risk_ratio),
        risk_difference: estimate_dto(&c.risk_difference),
        fisher_p: c.fisher_p,
    }
}

fn stratified_dto(s: &ReportStratified) -> StratifiedDto {
    StratifiedDto {
        crude: estimate_dto(&s.crude),
        by_size: estimate_dto(&s.by_size),
        by_service: estimate_dto(&s.by_service),
        unknown_as_ai: estimate_dto(&s.unknown_as_ai),
        unknown_as_human: estimate_dto(&s.unknown_as_human),
        interpretation: s.interpretation.clone(),
    }
}

fn dora_dto(d: &ReportDora) -> DoraDto {
    DoraDto {
        window_start: d.window_start.clone(),
        window_end: d.window_end.clone(),
        deployments: d.deployments,
        deployments_per_week: d.deployments_per_week,
        lead_time_median_hours: d.lead_time_median_hours,
        lead_time_p90_hours: d.lead_time_p90_hours,
        change_failure_rate: rate_dto(&d.change_failure_rate),
        recovery_median_minutes: d.recovery_median_minutes,
        recovery_p90_minutes: d.recovery_p90_minutes,
        unrecovered_failed_deployments: d.unrecovered_failed_deployments,
        estimator: d.estimator.clone(),
    }
}

fn recovery_dto(r: &ReportRecovery) -> RecoveryDto {
    RecoveryDto {
        cohort: r.cohort.clone(),
        incidents: r.incidents,
        open: r.open,
        acknowledge_median_minutes: r.acknowledge_median_minutes,
        acknowledge_p90_minutes: r.acknowledge_p90_minutes,
        resolve_median_minutes: r.resolve_median_minutes,
        resolve_p90_minutes: r.resolve_p90_minutes,
        severity_mix: r.severity_mix.clone(),
    }
}

fn what_if_dto(w: ReportWhatIf) -> WhatIfDto {
    WhatIfDto {
        rule: w.rule,
        gated_changes: w.gated_changes,
        gated_operations: w.gated_operations,
        incidents_prevented: w.incidents_prevented,
        added_lead_time_hours: w.added_lead_time_hours,
        method: w.method,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn demo() -> (tempfile::TempDir, Hindsight) {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        app.load_demo(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
            .expect("demo");
        (dir, app)
    }

    #[test]
    fn analytics_carry_the_report_figures() {
        let (_dir, app) = demo();
        let analytics = app.analytics().expect("analytics");
        let report = app
            .report(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
            .expect("report");
        assert_eq!(
            analytics.cohorts.len(),
            report.summary.cohorts.len(),
            "one row per class"
        );
        let ai = analytics
            .cohorts
            .iter()
            .find(|c| c.cohort == "ai")
            .expect("ai cohort");
        let report_ai = report
            .summary
            .cohorts
            .iter()
            .find(|c| c.cohort == "ai")
            .expect("report ai");
        assert_eq!(ai.deployed, report_ai.deployed);
        assert_eq!(ai.failed_confirmed.rate, report_ai.failed_confirmed.rate);
        assert!(ai.deployed > 0);
        assert_eq!(analytics.dora.deployments, report.dora.deployments);
        assert_eq!(analytics.what_ifs.len(), report.what_ifs.len());
        assert_eq!(
            analytics.what_ifs[0].gated_changes,
            report.what_ifs[0].gated_changes
        );
        assert_eq!(analytics.guardrails.len(), 4);
        assert!(!analytics.recovery_points.is_empty());
        let mut sorted = analytics.recovery_points.clone();
        sorted.sort_by(|a, b| {
            (a.cohort.as_str(), a.minutes)
                .partial_cmp(&(b.cohort.as_str(), b.minutes))
                .expect("finite")
        });
        assert_eq!(sorted, analytics.recovery_points);
    }

    #[test]
    fn simulating_the_default_guardrails_matches_the_report_and_edits_change_the_result() {
        let (_dir, app) = demo();
        let analytics = app.analytics().expect("analytics");
        let same = app
            .simulate_policy(&analytics.guardrails)
            .expect("simulate");
        assert_eq!(same, analytics.what_ifs);

        let senior = |hours: f64| PolicyRuleDto::SeniorApprovalForAi {
            environments: vec!["production".into()],
            review_delay_hours: hours,
        };
        let four = app.simulate_policy(&[senior(4.0)]).expect("4 h");
        let eight = app.simulate_policy(&[senior(8.0)]).expect("8 h");
        assert!(!four[0].gated_changes.is_empty(), "the demo has AI changes");
        assert_eq!(four[0].gated_changes, eight[0].gated_changes);
        assert!(
            (eight[0].added_lead_time_hours - 2.0 * four[0].added_lead_time_hours).abs() < 1e-9,
            "{} vs {}",
            eight[0].added_lead_time_hours,
            four[0].added_lead_time_hours
        );
        let nowhere = app
            .simulate_policy(&[PolicyRuleDto::SeniorApprovalForAi {
                environments: vec!["no-such-env".into()],
                review_delay_hours: 4.0,
            }])
            .expect("nowhere");
        assert!(nowhere[0].gated_changes.is_empty());
    }

    #[test]
    fn the_suspect_threshold_setting_steers_the_rates_and_the_report() {
        let (_dir, app) = demo();
        let failed = |app: &Hindsight| -> u64 {
            app.analytics()
                .expect("analytics")
                .cohorts
                .iter()
                .map(|c| c.failed_including_suspected.numerator)
                .sum()
        };
        let at_default = failed(&app);
        app.update_settings(&crate::SettingsUpdate {
            suspect_threshold: Some(1.0),
            ..crate::SettingsUpdate::default()
        })
        .expect("threshold");
        let strict = failed(&app);
        assert!(strict < at_default, "{strict} < {at_default}");
        assert_eq!(app.analytics().expect("analytics").suspect_threshold, 1.0);
        let report = app
            .report(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
            .expect("report");
        assert_eq!(report.summary.suspect_threshold, 1.0);
    }

    #[test]
    fn invalid_rules_are_refused_with_the_rule_named() {
        let (_dir, app) = demo();
        let error = app
            .simulate_policy(&[
                PolicyRuleDto::NoAgentOperatorDeploys,
                PolicyRuleDto::Freeze {
                    weekday: "Caturday".into(),
                    after_hour: 16,
                    timezone_offset_minutes: 0,
                },
            ])
            .expect_err("bad weekday");
        assert_eq!(error.kind(), crate::ApiErrorKind::BadInput);
        assert!(error.to_string().starts_with("rule 2: weekday"), "{error}");
        let error = app
            .simulate_policy(&[PolicyRuleDto::SecondApprovalForDestructive {
                review_delay_hours: f64::NAN,
            }])
            .expect_err("bad delay");
        assert!(error.to_string().contains("review delay"), "{error}");
    }

    #[test]
    fn policy_rules_read_the_json_the_ui_sends() {
        let rules: Vec<PolicyRuleDto> = serde_json::from_str(
            r#"[{"kind":"freeze","weekday":"Fri","after_hour":15,"timezone_offset_minutes":60},
                {"kind":"no_agent_operator_deploys"}]"#,
        )
        .expect("json");
        assert_eq!(
            policy_rule(&rules[0]).expect("rule"),
            Rule::Freeze {
                weekday: Weekday::Fri,
                after_hour: 15,
                timezone_offset_minutes: 60
            }
        );
        assert_eq!(rules[1], PolicyRuleDto::NoAgentOperatorDeploys);
    }
}
