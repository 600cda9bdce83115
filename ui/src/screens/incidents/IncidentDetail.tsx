import { useState, type ReactNode } from "react";
import type { IncidentDetailDto } from "../../lib/bindings/IncidentDetailDto";
import { formatDuration, formatUtc } from "../../lib/format";
import { useHost } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ErrorMessage } from "../../components/ErrorMessage";
import { IncidentDeepDive } from "./IncidentDeepDive";
import { SuspectCard } from "./SuspectCard";
import { IncidentGroupCause } from "./IncidentGroupCause";

/** Loads and shows one incident. Mount with `key={id}` so a new id starts fresh. */
export function IncidentDetail({ id, onChanged = () => {} }: { id: number; onChanged?(): void }) {
  const host = useHost();
  // Bumped after a grouping or cause decision: reload.
  const [version, setVersion] = useState(0);
  const detail = useAsync(() => host.getIncident(id), [host, id, version]);
  // The incident as the latest review answered it (the component is keyed by id).
  const [reviewed, setReviewed] = useState<IncidentDetailDto | null>(null);

  return (
    <section className="incident-detail" data-testid="incident-detail" data-incident-id={id} aria-live="polite">
      {detail.status === "loading" ? <p className="muted">Loading incident…</p> : null}
      {detail.status === "error" ? <ErrorMessage error={detail.error} context="Could not load the incident" /> : null}
      {detail.status === "ok" ? <IncidentDetailView
          detail={reviewed ?? detail.data}
          onReviewed={setReviewed}
          timeline={<IncidentDeepDive incidentId={id} />}
          groupCause={
            <IncidentGroupCause
              incident={(reviewed ?? detail.data).incident}
              onChanged={() => {
                setReviewed(null);
                setVersion((v) => v + 1);
                onChanged();
              }}
            />
          }
        /> : null}
    </section>
  );
}

export function IncidentDetailView({
  detail,
  onReviewed = () => {},
  timeline,
  groupCause,
}: {
  detail: IncidentDetailDto;
  onReviewed?(detail: IncidentDetailDto): void;
  /** The grouping and cause panel. */
  groupCause?: ReactNode;
  /** The deep-dive timeline; without it, the incident's own updates are listed. */
  timeline?: ReactNode;
}) {
  const { incident, events, suspects } = detail;
  return (
    <>
      <header className="detail-header">
        <h2>{incident.title}</h2>
        <dl className="facts">
          <dt>Source</dt>
          <dd>
            {incident.source_system} <code>{incident.source_id}</code>
          </dd>
          <dt>Service</dt>
          <dd>{incident.service ?? "—"}</dd>
          <dt>Severity</dt>
          <dd>{incident.severity ?? "—"}</dd>
          <dt>Status</dt>
          <dd>{incident.status}</dd>
          <dt>Started</dt>
          <dd>{formatUtc(incident.started_at)}</dd>
          <dt>Ended</dt>
          <dd>
            {incident.resolved_at ? formatUtc(incident.resolved_at) : "ongoing"}
            {incident.duration_minutes !== null ? (
              <span className="muted"> ({formatDuration(incident.duration_minutes)})</span>
            ) : null}
          </dd>
          {detail.url ? (
            <>
              <dt>Link</dt>
              <dd>
                <code className="url">{detail.url}</code>
              </dd>
            </>
          ) : null}
        </dl>
      </header>

      {groupCause}

      {timeline ?? (
        <>
          <h3>Timeline</h3>
          {events.length === 0 ? (
            <p className="muted">No timeline events.</p>
          ) : (
            <ol className="timeline" data-testid="timeline">
              {events.map((event, i) => (
                <li key={i}>
                  <span className="nowrap time">{formatUtc(event.at)}</span>
                  <span className="kind">{event.kind}</span>
                  <span className="text">{event.text}</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}

      <h3>Suspects</h3>
      {suspects.length === 0 ? (
        <p className="empty" data-testid="no-suspects">
          No deployment of {incident.service ?? "this service"} in the 24 hours before impact.
        </p>
      ) : (
        <div className="suspects">
          {[...suspects]
            .sort((a, b) => a.rank - b.rank)
            .map((suspect) => (
              <SuspectCard key={suspect.link_id} suspect={suspect} onReviewed={onReviewed} />
            ))}
        </div>
      )}
    </>
  );
}
