import type { AnalyticsDto } from "../../lib/ipc";

const rate = (numerator: number, denominator: number, lower: number, upper: number) => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : numerator / denominator,
  ci95_lower: lower,
  ci95_upper: upper,
});

/** Analytics of a small store, shaped as the Rust `analytics` command answers. */
export function analyticsFixture(): AnalyticsDto {
  return {
    suspect_threshold: 0.5,
    cohorts: [
      {
        cohort: "ai",
        changes: 12,
        deployed: 10,
        failed_confirmed: rate(3, 10, 0.1078, 0.6032),
        failed_including_suspected: rate(4, 10, 0.1682, 0.6873),
        warning: "small cohort (10 deployed changes): wide interval",
      },
      {
        cohort: "human",
        changes: 40,
        deployed: 36,
        failed_confirmed: rate(2, 36, 0.0154, 0.1817),
        failed_including_suspected: rate(3, 36, 0.0287, 0.2175),
        warning: null,
      },
      {
        cohort: "automation",
        changes: 5,
        deployed: 0,
        failed_confirmed: rate(0, 0, 0, 0),
        failed_including_suspected: rate(0, 0, 0, 0),
        warning: null,
      },
    ],
    by_tool: [
      {
        cohort: "claude-code",
        changes: 8,
        deployed: 7,
        failed_confirmed: rate(2, 7, 0.0822, 0.6411),
        failed_including_suspected: rate(3, 7, 0.1582, 0.75),
        warning: "small cohort (7 deployed changes): wide interval",
      },
    ],
    comparisons: [],
    stratified: {
      crude: { value: 5.4, ci95_lower: 1.04, ci95_upper: 28.1, method: "Katz log interval" },
      by_size: { value: 4.1, ci95_lower: 0.8, ci95_upper: 21.0, method: "Mantel–Haenszel" },
      by_service: null,
      unknown_as_ai: { value: 5.9, ci95_lower: 1.2, ci95_upper: 29.0, method: "Katz log interval" },
      unknown_as_human: { value: 5.0, ci95_lower: 0.9, ci95_upper: 27.0, method: "Katz log interval" },
      interpretation: "The size-stratified ratio is close to the crude one: size does not explain the gap.",
    },
    dora: {
      window_start: "2026-10-01T00:00:00.000Z",
      window_end: "2026-10-29T00:00:01.000Z",
      deployments: 40,
      deployments_per_week: 10,
      lead_time_median_hours: 5.5,
      lead_time_p90_hours: 30,
      change_failure_rate: rate(4, 40, 0.0396, 0.2302),
      recovery_median_minutes: 95,
      recovery_p90_minutes: 600,
      unrecovered_failed_deployments: 1,
      estimator: "failed deployments over all deployments (DORA 2024).",
    },
    recovery: [
      {
        cohort: "ai",
        incidents: 3,
        open: 1,
        acknowledge_median_minutes: 4,
        acknowledge_p90_minutes: 9,
        resolve_median_minutes: 120,
        resolve_p90_minutes: 300,
        severity_mix: "P1 ×1, P2 ×2",
      },
      {
        cohort: "human",
        incidents: 2,
        open: 0,
        acknowledge_median_minutes: 3,
        acknowledge_p90_minutes: 5,
        resolve_median_minutes: 45,
        resolve_p90_minutes: 60,
        severity_mix: "P3 ×2",
      },
    ],
    recovery_points: [
      { cohort: "ai", incident: "pagerduty Q1", minutes: 60 },
      { cohort: "ai", incident: "pagerduty Q2", minutes: 300 },
      { cohort: "human", incident: "pagerduty Q3", minutes: 30 },
      { cohort: "human", incident: "pagerduty Q4", minutes: 60 },
    ],
    guardrails: [
      { kind: "senior_approval_for_ai", environments: ["production"], review_delay_hours: 4 },
      { kind: "no_agent_operator_deploys" },
    ],
    what_ifs: [
      {
        rule: "senior_approval_for_ai",
        gated_changes: ["a1", "a2", "a3"],
        gated_operations: [],
        incidents_prevented: ["pagerduty Q1"],
        added_lead_time_hours: 12,
        method: "replay",
      },
      {
        rule: "no_agent_operator_deploys",
        gated_changes: [],
        gated_operations: ["op-1"],
        incidents_prevented: ["pagerduty Q2"],
        added_lead_time_hours: 0,
        method: "replay",
      },
    ],
  };
}
