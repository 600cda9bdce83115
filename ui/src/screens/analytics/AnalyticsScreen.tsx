import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatDuration, formatUtc } from "../../lib/format";
import { useHost, useStoreRefresh, type AnalyticsDto, type RateDto } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ForestPlot, RateChart, RecoveryChart, type Basis } from "./charts";
import { PolicySimulator } from "./PolicySimulator";
import "./analytics.css";

/** Cohort charts, DORA figures and the policy what-if simulator, computed by the backend. */
export function AnalyticsScreen() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const analytics = useAsync(() => host.analytics(), [host, version]);

  return (
    <div className="pane page analytics" data-testid="analytics-screen">
      <h1 className="pane-title">Analytics</h1>
      {analytics.status === "loading" ? <p className="muted">Computing figures…</p> : null}
      {analytics.status === "error" ? (
        <ErrorMessage error={analytics.error} context="Could not compute the analytics" />
      ) : null}
      {analytics.status === "ok" ? <AnalyticsBody data={analytics.data} /> : null}
    </div>
  );
}

function AnalyticsBody({ data }: { data: AnalyticsDto }) {
  // Until a reviewer confirms a link, the confirmed basis is all zeros: start on suspects then.
  const anyConfirmed = data.cohorts.some((c) => c.failed_confirmed.numerator > 0);
  const [basis, setBasis] = useState<Basis>(anyConfirmed ? "confirmed" : "including_suspected");
  const deployed = data.cohorts.reduce((n, c) => n + c.deployed, 0);
  if (deployed === 0 && data.dora.deployments === 0 && data.recovery_points.length === 0) {
    return (
      <p className="empty" data-testid="analytics-empty">
        Nothing to analyse yet. Import git history, deployments and incidents on the Import screen; the figures appear
        here as soon as a deployment ships a change.
      </p>
    );
  }
  return (
    <>
      <section aria-labelledby="rates-heading">
        <h2 id="rates-heading">Failure rate by cohort</h2>
        <div className="segmented" role="radiogroup" aria-label="Basis">
          {(
            [
              ["confirmed", "Confirmed links"],
              ["including_suspected", `Including suspects ≥ ${data.suspect_threshold}`],
            ] as const
          ).map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="basis"
                value={value}
                data-testid={`basis-${value}`}
                checked={basis === value}
                onChange={() => setBasis(value)}
              />{" "}
              {label}
            </label>
          ))}
        </div>
        <RateChart title="Failure rate by attribution class" cohorts={data.cohorts} basis={basis} testId="cohort-chart" />
        <h3>By AI tool</h3>
        {data.by_tool.length === 0 ? (
          <p className="empty" data-testid="tool-chart-empty">
            No AI-attributed changes: no tool to compare.
          </p>
        ) : (
          <RateChart title="Failure rate by AI tool" cohorts={data.by_tool} basis={basis} testId="tool-chart" />
        )}
      </section>

      <section aria-labelledby="strata-heading">
        <h2 id="strata-heading">AI against human, stratified</h2>
        <ForestPlot
          testId="strata-chart"
          rows={[
            { label: "Crude", estimate: data.stratified.crude },
            { label: "Stratified by size", estimate: data.stratified.by_size },
            { label: "Stratified by service", estimate: data.stratified.by_service },
            { label: "Unknown counted as AI", estimate: data.stratified.unknown_as_ai },
            { label: "Unknown counted as human", estimate: data.stratified.unknown_as_human },
          ]}
        />
        <p className="muted" data-testid="strata-interpretation">
          {data.stratified.interpretation}
        </p>
      </section>

      <section aria-labelledby="dora-heading">
        <h2 id="dora-heading">DORA figures</h2>
        <Dora data={data} />
      </section>

      <section aria-labelledby="recovery-heading">
        <h2 id="recovery-heading">Recovery time by trigger</h2>
        <RecoveryChart recovery={data.recovery} points={data.recovery_points} />
      </section>

      <section aria-labelledby="policy-heading">
        <h2 id="policy-heading">Policy what-if</h2>
        <p className="muted">
          Edit the guardrails: the history is replayed with them after every change. Without a roster of seniors, every
          AI change counts as needing the extra review (an upper bound).
        </p>
        <PolicySimulator defaults={data.guardrails} initial={data.what_ifs} />
      </section>
    </>
  );
}

function rateText(r: RateDto): string {
  if (r.rate === null) return "—";
  const interval =
    r.ci95_lower !== null && r.ci95_upper !== null
      ? ` (${(r.ci95_lower * 100).toFixed(0)}–${(r.ci95_upper * 100).toFixed(0)}%)`
      : "";
  return `${(r.rate * 100).toFixed(1)}%${interval}`;
}

function hours(h: number | null): string {
  return h === null ? "—" : formatDuration(h * 60);
}

function Dora({ data }: { data: AnalyticsDto }) {
  const d = data.dora;
  if (d.deployments === 0) {
    return (
      <p className="empty" data-testid="dora-empty">
        No deployments imported: DORA figures need a deploy log.
      </p>
    );
  }
  const figures: Array<[string, string, string]> = [
    ["deploys", "Deployments per week", d.deployments_per_week === null ? "—" : d.deployments_per_week.toFixed(1)],
    ["lead", "Lead time (median / p90)", `${hours(d.lead_time_median_hours)} / ${hours(d.lead_time_p90_hours)}`],
    ["cfr", "Change failure rate", rateText(d.change_failure_rate)],
    [
      "recovery",
      "Failed deployment recovery (median / p90)",
      `${formatDuration(d.recovery_median_minutes)} / ${formatDuration(d.recovery_p90_minutes)}`,
    ],
    ["unrecovered", "Failed deployments not recovered", String(d.unrecovered_failed_deployments)],
  ];
  return (
    <>
      <dl className="figures" data-testid="dora">
        {figures.map(([key, label, value]) => (
          <div key={key} className="figure" data-testid={`dora-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        {d.deployments} deployments from {formatUtc(d.window_start)} to {formatUtc(d.window_end)}. {d.estimator}
      </p>
    </>
  );
}
