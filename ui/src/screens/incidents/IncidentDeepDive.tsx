import { useState, type FormEvent } from "react";
import type { AnnotationInputDto } from "../../lib/bindings/AnnotationInputDto";
import type { DeepDiveEventDto } from "../../lib/bindings/DeepDiveEventDto";
import type { IncidentTimelineDto } from "../../lib/bindings/IncidentTimelineDto";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatUtc } from "../../lib/format";
import { HostError, KEY_MOMENTS, toHostError, useHost } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { axisPosition, describeEdit, offsetFromStart } from "./deepDive";

/** The incident deep-dive: merged timeline with the impact window, key moments, stars, notes. */
export function IncidentDeepDive({ incidentId }: { incidentId: number }) {
  const host = useHost();
  const loaded = useAsync(() => host.incidentTimeline(incidentId), [host, incidentId]);
  const [latest, setLatest] = useState<IncidentTimelineDto | null>(null);
  const [error, setError] = useState<HostError | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(edit: Promise<IncidentTimelineDto>) {
    setBusy(true);
    try {
      setLatest(await edit);
      setError(null);
    } catch (e) {
      setError(toHostError(e));
    } finally {
      setBusy(false);
    }
  }

  if (loaded.status === "loading") return <p className="muted">Loading timeline…</p>;
  if (loaded.status === "error") return <ErrorMessage error={loaded.error} context="Could not load the timeline" />;
  return (
    <DeepDiveView
      timeline={latest ?? loaded.data}
      busy={busy}
      error={error}
      onAnnotate={(input) => void run(host.annotateIncident(incidentId, input))}
      onUndo={(editId) => void run(host.undoAnnotation(incidentId, editId))}
    />
  );
}

const SOURCE_LABEL: Record<string, string> = {
  update: "update",
  alert: "alert",
  deployment: "deploy",
  change: "change",
};

export function DeepDiveView({
  timeline,
  busy = false,
  error = null,
  onAnnotate,
  onUndo,
}: {
  timeline: IncidentTimelineDto;
  busy?: boolean;
  error?: HostError | null;
  onAnnotate(input: AnnotationInputDto): void;
  onUndo(editId: number): void;
}) {
  const [note, setNote] = useState("");
  const submitNote = (e: FormEvent) => {
    e.preventDefault();
    if (note.trim() === "") return;
    onAnnotate({ event_key: null, kind: "note", value: note });
    setNote("");
  };
  const incidentNotes = timeline.notes.filter((n) => n.event_key === null);
  return (
    <section className="deep-dive" data-testid="deep-dive" aria-busy={busy}>
      <div className="deep-dive-head">
        <h3>Timeline</h3>
        <button
          type="button"
          data-testid="annotation-undo"
          disabled={busy || timeline.undoable === null}
          onClick={() => timeline.undoable !== null && onUndo(timeline.undoable)}
        >
          Undo last edit
        </button>
      </div>
      {error ? <ErrorMessage error={error} context="Could not save the edit" /> : null}
      <ImpactAxis timeline={timeline} />
      <KeyMoments timeline={timeline} />
      {timeline.events.length === 0 ? (
        <p className="muted">No events around this incident.</p>
      ) : (
        <ol className="deep-dive-events" data-testid="deep-dive-events">
          {timeline.events.map((event) => (
            <EventRow
              key={event.key}
              event={event}
              start={timeline.impact_from}
              notes={timeline.notes.filter((n) => n.event_key === event.key).map((n) => n.text)}
              busy={busy}
              onAnnotate={onAnnotate}
            />
          ))}
        </ol>
      )}
      <h4>Notes</h4>
      {incidentNotes.length === 0 ? <p className="muted">No notes yet.</p> : null}
      <ul className="notes" data-testid="incident-notes">
        {incidentNotes.map((n) => (
          <li key={n.edit_id}>
            {n.text} <span className="muted">— {n.author}, {formatUtc(n.at)}</span>
          </li>
        ))}
      </ul>
      <form className="note-form" onSubmit={submitNote}>
        <label>
          <span className="visually-hidden">Note on the incident</span>
          <input
            data-testid="incident-note-input"
            value={note}
            placeholder="Add a note…"
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        <button type="submit" data-testid="incident-note-add" disabled={busy || note.trim() === ""}>
          Add note
        </button>
      </form>
      <details className="annotation-history" data-testid="annotation-history">
        <summary>Edit history ({timeline.history.length})</summary>
        <ol>
          {timeline.history.map((edit) => (
            <li key={edit.id} className={edit.undone_at === null ? "" : "undone"}>
              {formatUtc(edit.at)} {edit.author} {describeEdit(edit)}
              {edit.undone_at !== null ? (
                <span className="muted">
                  {" "}
                  (undone by {edit.undone_by} {formatUtc(edit.undone_at)})
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

/** A time axis with the impact window drawn as a band and one marker per event. */
export function ImpactAxis({ timeline }: { timeline: IncidentTimelineDto }) {
  const { axis_from: from, axis_to: to } = timeline;
  const x = (at: string) => 10 + 980 * axisPosition(at, from, to);
  const bandFrom = x(timeline.impact_from);
  const bandTo = x(timeline.impact_to ?? to);
  return (
    <figure className="impact-axis-figure">
      <svg
        className="impact-axis"
        data-testid="impact-axis"
        viewBox="0 0 1000 52"
        preserveAspectRatio="none"
        role="img"
        aria-label={`Impact from ${formatUtc(timeline.impact_from)} to ${timeline.impact_to ? formatUtc(timeline.impact_to) : "now"}`}
      >
        <rect
          className="impact-band"
          data-testid="impact-band"
          x={bandFrom}
          y={4}
          width={Math.max(2, bandTo - bandFrom)}
          height={44}
        />
        <line className="axis-line" x1={10} x2={990} y1={48} y2={48} />
        {timeline.events.map((e) => (
          <g key={e.key} className={`marker source-${e.source}${e.starred ? " starred" : ""}`} data-testid="axis-marker">
            <title>{`${formatUtc(e.at)} ${e.title}`}</title>
            <circle cx={x(e.at)} cy={e.moment ? 14 : 30} r={e.starred || e.moment ? 6 : 4} />
          </g>
        ))}
      </svg>
      <figcaption className="axis-labels">
        <span>{formatUtc(from)}</span>
        <span className="impact-label">
          impact {formatUtc(timeline.impact_from)} – {timeline.impact_to ? formatUtc(timeline.impact_to) : "ongoing"}
        </span>
        <span>{formatUtc(to)}</span>
      </figcaption>
    </figure>
  );
}

function KeyMoments({ timeline }: { timeline: IncidentTimelineDto }) {
  return (
    <dl className="key-moments" data-testid="key-moments">
      {KEY_MOMENTS.map((moment) => {
        const found = timeline.key_moments.find((m) => m.moment === moment);
        return (
          <div key={moment} data-moment={moment}>
            <dt>{moment}</dt>
            <dd>
              {found ? (
                <>
                  {formatUtc(found.at)}{" "}
                  <span className="muted">({offsetFromStart(found.at, timeline.impact_from)})</span>
                </>
              ) : (
                <span className="muted">not marked</span>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function EventRow({
  event,
  start,
  notes,
  busy,
  onAnnotate,
}: {
  event: DeepDiveEventDto;
  start: string;
  notes: string[];
  busy: boolean;
  onAnnotate(input: AnnotationInputDto): void;
}) {
  const [noting, setNoting] = useState(false);
  const [text, setText] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === "") return;
    onAnnotate({ event_key: event.key, kind: "note", value: text });
    setText("");
    setNoting(false);
  };
  return (
    <li
      data-testid="deep-dive-event"
      data-event-key={event.key}
      data-source={event.source}
      data-starred={event.starred}
      data-moment={event.moment ?? ""}
      className={event.starred ? "starred" : ""}
    >
      <button
        type="button"
        className="star"
        data-testid="event-star"
        aria-pressed={event.starred}
        aria-label={event.starred ? "Remove star" : "Star event"}
        disabled={busy}
        onClick={() => onAnnotate({ event_key: event.key, kind: "star", value: event.starred ? "off" : "on" })}
      >
        {event.starred ? "★" : "☆"}
      </button>
      <span className="nowrap time" title={offsetFromStart(event.at, start)}>
        {formatUtc(event.at)}
      </span>
      <span className={`source source-${event.source}`}>{SOURCE_LABEL[event.source] ?? event.source}</span>
      <span className="text">
        {event.title}
        {event.actor ? <span className="muted"> · {event.actor}</span> : null}
        {event.class ? <span className="muted"> · {event.class}</span> : null}
        {notes.map((n, i) => (
          <span key={i} className="event-note">
            {n}
          </span>
        ))}
      </span>
      <span className="event-tools">
        <label>
          <span className="visually-hidden">Key moment</span>
          <select
            data-testid="event-moment"
            value={event.moment ?? ""}
            disabled={busy}
            onChange={(e) => onAnnotate({ event_key: event.key, kind: "moment", value: e.target.value })}
          >
            <option value="">—</option>
            {KEY_MOMENTS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {noting ? (
          <form className="note-form" onSubmit={submit}>
            <input
              data-testid="event-note-input"
              aria-label="Note on this event"
              value={text}
              autoFocus
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => e.key === "Escape" && setNoting(false)}
            />
            <button type="submit" disabled={busy || text.trim() === ""}>
              Add
            </button>
          </form>
        ) : (
          <button type="button" data-testid="event-note" onClick={() => setNoting(true)} disabled={busy}>
            Note
          </button>
        )}
      </span>
    </li>
  );
}
