import { useState, type FormEvent } from "react";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { CAUSE_CATEGORIES, toHostError, useHost, type CauseCategory, type HostError } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ErrorMessage } from "../../components/ErrorMessage";
import {
  alsoReportedBy,
  causeFormError,
  causeLabel,
  groupingLabel,
  isMergedAway,
  mergeCandidates,
} from "./groupCause";

type Asking = null | "merge" | "split" | "cause";

/**
 * The incident's group (the other tools' records counted with it) and its cause, with the
 * reviewer's merge / split / undo and "not caused by a change" / undo. Every edit needs a
 * reason; `onChanged` reloads what shows the incident.
 */
export function IncidentGroupCause({
  incident,
  onChanged,
}: {
  incident: IncidentSummaryDto;
  onChanged(): void;
}) {
  const host = useHost();
  const all = useAsync(() => host.listIncidents(), [host, incident]);
  const [asking, setAsking] = useState<Asking>(null);
  const [reason, setReason] = useState("");
  const [other, setOther] = useState<number | null>(null);
  const [category, setCategory] = useState<CauseCategory | null>("provider");
  const [formError, setFormError] = useState<string | null>(null);
  const [error, setError] = useState<HostError | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setAsking(null);
      setReason("");
      setFormError(null);
      onChanged();
    } catch (e) {
      setError(toHostError(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const why = reason.trim();
    if (asking === "merge") {
      if (other === null) return setFormError("Choose an incident to merge with");
      if (why === "") return setFormError("A reason is required");
      void run(() => host.mergeIncidents(incident.id, other, why));
    } else if (asking === "split") {
      if (why === "") return setFormError("A reason is required");
      void run(() => host.splitIncident(incident.id, why));
    } else if (asking === "cause") {
      const problem = causeFormError(category, why);
      if (problem !== null || category === null) return setFormError(problem);
      void run(() => host.setIncidentCause(incident.id, "not_change_caused", category, why));
    }
  };

  const open = (what: Asking) => {
    setAsking(what);
    setReason("");
    setFormError(null);
    setError(null);
  };

  const also = alsoReportedBy(incident);
  const candidates = all.status === "ok" ? mergeCandidates(all.data, incident) : [];
  const review = incident.cause?.review ?? null;
  const grouped = incident.merged.length > 0 || isMergedAway(incident);
  // Undo takes back the newest merge or split naming this record: offered whenever one is in
  // force, also after a split has left the record on its own.
  const undoable = incident.grouping.length > 0;

  return (
    <section className="group-cause" data-testid="group-cause">
      <h3>Grouping and cause</h3>
      <ul className="plain">
        {isMergedAway(incident) ? (
          <li data-testid="merged-into">Counted under incident #{incident.group_primary}</li>
        ) : null}
        {also !== null ? <li data-testid="also-reported">{also}</li> : null}
        {incident.grouping.map((d, i) => (
          <li key={i} data-testid="grouping-decision" data-action={d.action}>
            {groupingLabel(d)}
          </li>
        ))}
        <li data-testid="cause" data-decided-by={incident.cause?.decided_by ?? "none"}>
          {causeLabel(incident.cause)}
        </li>
      </ul>
      <div className="actions">
        <button type="button" data-testid="merge-open" disabled={busy} onClick={() => open("merge")}>
          Merge with…
        </button>
        {grouped ? (
          <button type="button" data-testid="split-open" disabled={busy} onClick={() => open("split")}>
            Split
          </button>
        ) : null}
        {undoable ? (
          <button
            type="button"
            data-testid="undo-grouping"
            disabled={busy}
            onClick={() => void run(() => host.undoIncidentGrouping(incident.id))}
          >
            Undo merge/split
          </button>
        ) : null}
        {review === null ? (
          <button type="button" data-testid="cause-open" disabled={busy} onClick={() => open("cause")}>
            Not caused by a change…
          </button>
        ) : (
          <button
            type="button"
            data-testid="undo-cause"
            disabled={busy}
            onClick={() => void run(() => host.undoIncidentCause(review.incident_id))}
          >
            Undo cause
          </button>
        )}
      </div>
      {asking !== null ? (
        <form className="review-form" data-testid={`${asking}-form`} onSubmit={submit}>
          {asking === "merge" ? (
            <label>
              Merge with{" "}
              <select
                data-testid="merge-target"
                value={other ?? ""}
                onChange={(e) => setOther(e.target.value === "" ? null : Number(e.target.value))}
              >
                <option value="">Choose an incident…</option>
                {candidates.map((c) => (
                  <option key={c.id} value={c.id}>
                    #{c.id} {c.source_system} {c.source_id}: {c.title} ({c.service ?? "no service"})
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {asking === "cause" ? (
            <label>
              Not caused by a change:{" "}
              <select
                data-testid="cause-category"
                value={category ?? ""}
                onChange={(e) => setCategory(e.target.value === "" ? null : (e.target.value as CauseCategory))}
              >
                {CAUSE_CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label>
            Reason{" "}
            <input
              data-testid="group-cause-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") setAsking(null);
              }}
            />
          </label>
          <button type="submit" data-testid="group-cause-submit" disabled={busy}>
            Save
          </button>
          <button type="button" onClick={() => setAsking(null)}>
            Cancel
          </button>
          {formError !== null ? (
            <p className="form-error" role="alert" data-testid="group-cause-form-error">
              {formError}
            </p>
          ) : null}
        </form>
      ) : null}
      {error !== null ? <ErrorMessage error={error} context="The decision was not saved" /> : null}
    </section>
  );
}
