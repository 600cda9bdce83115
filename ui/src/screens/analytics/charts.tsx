import type { CohortRateDto, EstimateDto } from "../../lib/ipc";
import type { RecoveryDto } from "../../lib/bindings/RecoveryDto";
import type { RecoveryPointDto } from "../../lib/bindings/RecoveryPointDto";
import { formatDuration } from "../../lib/format";
import { linearScale, logScale, minuteLabel, MINUTE_TICKS, RATIO_TICKS } from "./scale";

const LABEL_WIDTH = 180;
const PLOT_WIDTH = 420;
const ROW = 26;
const AXIS = 22;

export type Basis = "confirmed" | "including_suspected";

const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

/**
 * Failure rate per cohort as bars, with the Wilson 95% interval as a whisker. Rates come from
 * the backend; the chart only places them.
 */
export function RateChart({
  title,
  cohorts,
  basis,
  testId,
}: {
  title: string;
  cohorts: CohortRateDto[];
  basis: Basis;
  testId: string;
}) {
  const rows = cohorts.filter((c) => c.deployed > 0);
  if (rows.length === 0) {
    return (
      <p className="empty" data-testid={`${testId}-empty`}>
        No deployed changes yet: import git history and deployments to see failure rates.
      </p>
    );
  }
  const rate = (c: CohortRateDto) => (basis === "confirmed" ? c.failed_confirmed : c.failed_including_suspected);
  const max = Math.max(...rows.map((c) => rate(c).ci95_upper ?? rate(c).rate ?? 0), 0.05);
  const x = linearScale(max, PLOT_WIDTH);
  const height = rows.length * ROW + AXIS;
  return (
    <figure className="chart" data-testid={testId}>
      <svg
        role="img"
        aria-label={title}
        viewBox={`0 0 ${LABEL_WIDTH + PLOT_WIDTH + 60} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        {x.ticks.map((t) => (
          <g key={t} transform={`translate(${LABEL_WIDTH + x(t)},0)`}>
            <line className="chart-grid" y1={0} y2={rows.length * ROW} />
            <text className="chart-tick" y={rows.length * ROW + 15} textAnchor="middle">
              {pct(t)}
            </text>
          </g>
        ))}
        {rows.map((c, i) => {
          const r = rate(c);
          const y = i * ROW;
          return (
            <g key={c.cohort} transform={`translate(0,${y})`} data-testid={`${testId}-row`} data-cohort={c.cohort}>
              <text className="chart-label" x={LABEL_WIDTH - 8} y={ROW / 2 + 4} textAnchor="end">
                {c.cohort} ({r.numerator}/{r.denominator})
              </text>
              <rect
                className={`chart-bar bar-${c.cohort.replace(/[^a-z]/gi, "")}`}
                x={LABEL_WIDTH}
                y={5}
                height={ROW - 10}
                width={Math.max(r.rate === null ? 0 : x(r.rate), r.rate ? 1 : 0)}
              >
                <title>
                  {c.cohort}: {r.rate === null ? "no rate" : pct(r.rate)}
                  {r.ci95_lower !== null && r.ci95_upper !== null
                    ? ` (95% CI ${pct(r.ci95_lower)}–${pct(r.ci95_upper)})`
                    : ""}
                </title>
              </rect>
              {r.ci95_lower !== null && r.ci95_upper !== null ? (
                <g className="chart-whisker" data-testid={`${testId}-interval`}>
                  <line x1={LABEL_WIDTH + x(r.ci95_lower)} x2={LABEL_WIDTH + x(r.ci95_upper)} y1={ROW / 2} y2={ROW / 2} />
                  <line x1={LABEL_WIDTH + x(r.ci95_lower)} x2={LABEL_WIDTH + x(r.ci95_lower)} y1={ROW / 2 - 5} y2={ROW / 2 + 5} />
                  <line x1={LABEL_WIDTH + x(r.ci95_upper)} x2={LABEL_WIDTH + x(r.ci95_upper)} y1={ROW / 2 - 5} y2={ROW / 2 + 5} />
                </g>
              ) : null}
              <text className="chart-value" x={LABEL_WIDTH + PLOT_WIDTH + 6} y={ROW / 2 + 4}>
                {r.rate === null ? "—" : pct(r.rate)}
                {c.warning ? " ⚠" : ""}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        {title}. Bars: share of deployed changes linked to an incident; whiskers: Wilson 95% interval.
        {rows.some((c) => c.warning) ? " ⚠ small cohort: read with care." : ""}
      </figcaption>
    </figure>
  );
}

/** Risk ratios (AI against human) with 95% intervals on a log axis, 1 marked. */
export function ForestPlot({ rows, testId }: { rows: Array<{ label: string; estimate: EstimateDto | null }>; testId: string }) {
  const present = rows.filter((r): r is { label: string; estimate: EstimateDto } => r.estimate !== null);
  if (present.length === 0) {
    return (
      <p className="empty" data-testid={`${testId}-empty`}>
        Not enough AI and human changes to compare yet: both cohorts need deployed changes.
      </p>
    );
  }
  const values = present.flatMap((r) => [r.estimate.ci95_lower, r.estimate.ci95_upper, r.estimate.value, 1]);
  const x = logScale(values, PLOT_WIDTH, RATIO_TICKS);
  const height = rows.length * ROW + AXIS;
  return (
    <figure className="chart" data-testid={testId}>
      <svg role="img" aria-label="Risk ratio, AI against human" viewBox={`0 0 ${LABEL_WIDTH + PLOT_WIDTH + 110} ${height}`} width="100%">
        {x.ticks.map((t) => (
          <g key={t} transform={`translate(${LABEL_WIDTH + x(t)},0)`}>
            <line className={t === 1 ? "chart-reference" : "chart-grid"} y1={0} y2={rows.length * ROW} />
            <text className="chart-tick" y={rows.length * ROW + 15} textAnchor="middle">
              {t}
            </text>
          </g>
        ))}
        {rows.map((r, i) => (
          <g key={r.label} transform={`translate(0,${i * ROW})`} data-testid={`${testId}-row`}>
            <text className="chart-label" x={LABEL_WIDTH - 8} y={ROW / 2 + 4} textAnchor="end">
              {r.label}
            </text>
            {r.estimate === null ? (
              <text className="chart-tick" x={LABEL_WIDTH + 4} y={ROW / 2 + 4}>
                not estimable
              </text>
            ) : (
              <g className="chart-whisker">
                <title>{r.estimate.method}</title>
                <line
                  x1={LABEL_WIDTH + x(r.estimate.ci95_lower)}
                  x2={LABEL_WIDTH + x(r.estimate.ci95_upper)}
                  y1={ROW / 2}
                  y2={ROW / 2}
                />
                <rect className="chart-point" x={LABEL_WIDTH + x(r.estimate.value) - 4} y={ROW / 2 - 4} width={8} height={8} />
                <text className="chart-value" x={LABEL_WIDTH + PLOT_WIDTH + 6} y={ROW / 2 + 4}>
                  {r.estimate.value.toFixed(2)} ({r.estimate.ci95_lower.toFixed(2)}–{r.estimate.ci95_upper.toFixed(2)})
                </text>
              </g>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="muted">Risk ratio on a log axis; right of 1 means AI changes failed more often.</figcaption>
    </figure>
  );
}

/**
 * Time to resolve per trigger cohort: one dot per resolved incident, the median as a bar and
 * the 90th percentile as a tick, on a log axis of minutes.
 */
export function RecoveryChart({ recovery, points }: { recovery: RecoveryDto[]; points: RecoveryPointDto[] }) {
  if (recovery.length === 0 && points.length === 0) {
    return (
      <p className="empty" data-testid="recovery-empty">
        No incidents yet: import an incident export to see recovery times.
      </p>
    );
  }
  const cohorts = [...new Set([...recovery.map((r) => r.cohort), ...points.map((p) => p.cohort)])].sort();
  const x = logScale(
    [
      ...points.map((p) => p.minutes),
      ...recovery.flatMap((r) => [r.resolve_median_minutes ?? 0, r.resolve_p90_minutes ?? 0]),
    ],
    PLOT_WIDTH,
    MINUTE_TICKS,
  );
  const height = cohorts.length * ROW + AXIS;
  return (
    <figure className="chart" data-testid="recovery-chart">
      <svg role="img" aria-label="Time to resolve by trigger cohort" viewBox={`0 0 ${LABEL_WIDTH + PLOT_WIDTH + 150} ${height}`} width="100%">
        {x.ticks.map((t) => (
          <g key={t} transform={`translate(${LABEL_WIDTH + x(t)},0)`}>
            <line className="chart-grid" y1={0} y2={cohorts.length * ROW} />
            <text className="chart-tick" y={cohorts.length * ROW + 15} textAnchor="middle">
              {minuteLabel(t)}
            </text>
          </g>
        ))}
        {cohorts.map((cohort, i) => {
          const summary = recovery.find((r) => r.cohort === cohort);
          const mine = points.filter((p) => p.cohort === cohort);
          return (
            <g key={cohort} transform={`translate(0,${i * ROW})`} data-testid="recovery-row" data-cohort={cohort}>
              <text className="chart-label" x={LABEL_WIDTH - 8} y={ROW / 2 + 4} textAnchor="end">
                {cohort} ({summary?.incidents ?? mine.length})
              </text>
              {mine.map((p) => (
                <circle key={p.incident} className="chart-dot" cx={LABEL_WIDTH + x(p.minutes)} cy={ROW / 2} r={3.5}>
                  <title>
                    {p.incident}: {formatDuration(p.minutes)}
                  </title>
                </circle>
              ))}
              {summary?.resolve_median_minutes != null ? (
                <line
                  className="chart-median"
                  x1={LABEL_WIDTH + x(summary.resolve_median_minutes)}
                  x2={LABEL_WIDTH + x(summary.resolve_median_minutes)}
                  y1={3}
                  y2={ROW - 3}
                />
              ) : null}
              {summary?.resolve_p90_minutes != null ? (
                <line
                  className="chart-p90"
                  x1={LABEL_WIDTH + x(summary.resolve_p90_minutes)}
                  x2={LABEL_WIDTH + x(summary.resolve_p90_minutes)}
                  y1={7}
                  y2={ROW - 7}
                />
              ) : null}
              <text className="chart-value" x={LABEL_WIDTH + PLOT_WIDTH + 6} y={ROW / 2 + 4}>
                median {formatDuration(summary?.resolve_median_minutes ?? null)}
                {summary && summary.open > 0 ? `, ${summary.open} open` : ""}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        Dots: resolved incidents; tall line: median; short line: 90th percentile. Log axis.
      </figcaption>
    </figure>
  );
}
