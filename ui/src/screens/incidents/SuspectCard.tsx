import type { SuspectDto } from "../../lib/bindings/SuspectDto";
import { formatPercent, formatUtc, shortSha } from "../../lib/format";
import type { IncidentDetailDto } from "../../lib/bindings/IncidentDetailDto";
import { AttributionBadge } from "../../components/AttributionBadge";
import { ChangeTable } from "./ChangeTable";
import { SuspectReview } from "./SuspectReview";

export function SuspectCard({
  suspect,
  onReviewed,
}: {
  suspect: SuspectDto;
  onReviewed(detail: IncidentDetailDto): void;
}) {
  const d = suspect.deployment;
  return (
    <article className="suspect" data-testid="suspect" data-rank={suspect.rank} data-status={suspect.status}>
      <header className="suspect-header">
        <span className="rank">#{suspect.rank}</span>
        <span className="score" title="Likelihood that this deployment triggered the incident">
          {formatPercent(suspect.score)}
        </span>
        <span className={`status status-${suspect.status}`} data-testid="suspect-status">
          {suspect.status}
        </span>
        <span className="suspect-title">
          {d.action} of <strong>{d.service}</strong>
          {d.version ? ` ${d.version}` : ""}
        </span>
      </header>
      <dl className="facts">
        <dt>Service</dt>
        <dd>{d.service}</dd>
        <dt>Environment</dt>
        <dd>{d.environment ?? "—"}</dd>
        <dt>Version</dt>
        <dd>{d.version ?? "—"}</dd>
        <dt>SHA</dt>
        <dd>
          <code title={d.sha ?? undefined}>{shortSha(d.sha)}</code>
        </dd>
        <dt>Actor</dt>
        <dd>
          {d.actor ?? "—"}
          {d.actor_type ? <span className="muted"> ({d.actor_type})</span> : null}{" "}
          <AttributionBadge
            cls={d.actor_class}
            tool={d.actor_tool}
            title={d.actor_evidence.map((e) => `${e.signal}: ${e.matched_text}`).join("\n")}
          />
        </dd>
        <dt>Action</dt>
        <dd>
          {d.action}
          {d.status ? <span className="muted"> · {d.status}</span> : null}
        </dd>
        <dt>Time</dt>
        <dd>{formatUtc(d.at)}</dd>
      </dl>
      <SuspectReview suspect={suspect} onReviewed={onReviewed} />
      {suspect.evidence.length > 0 ? (
        <ul className="reasons">
          {suspect.evidence.map((sentence, i) => (
            <li key={i}>{sentence}</li>
          ))}
        </ul>
      ) : null}
      <h4>Changes shipped ({suspect.changes.length})</h4>
      <ChangeTable changes={suspect.changes} />
    </article>
  );
}
