import { useState, type FormEvent } from "react";
import { AttributionBadge } from "../../components/AttributionBadge";
import { ErrorMessage } from "../../components/ErrorMessage";
import { classLabel, formatPercent, formatUtc, normalizeClass } from "../../lib/format";
import {
  OVERRIDE_CLASSES,
  toHostError,
  useHost,
  type ChangeDto,
  type HostError,
  type OverrideClass,
} from "../../lib/ipc";

export function ChangeDetail({ change, onChanged }: { change: ChangeDto; onChanged(change: ChangeDto): void }) {
  const host = useHost();
  const [cls, setCls] = useState<OverrideClass>(normalizeClass(change.class));
  const [tool, setTool] = useState("");
  const [reason, setReason] = useState("");
  const [missingReason, setMissingReason] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HostError | null>(null);

  const run = async (action: () => Promise<ChangeDto>) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await action();
      onChanged(updated);
      return true;
    } catch (e) {
      setError(toHostError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const why = reason.trim();
    if (why === "") {
      setMissingReason(true);
      return;
    }
    const toolName = tool.trim();
    if (await run(() => host.overrideAttribution(change.id, cls, toolName === "" ? null : toolName, why))) {
      setReason("");
      setTool("");
    }
  };

  const idBase = `override-${change.id}`;
  return (
    <section className="change-detail" data-testid="change-detail" data-change-id={change.id} aria-live="polite">
      <h2>{change.title}</h2>
      <dl className="facts">
        <dt>Key</dt>
        <dd>
          <code>{change.natural_key}</code> <span className="muted">({change.kind})</span>
        </dd>
        <dt>Repo</dt>
        <dd>{change.repo ?? "—"}</dd>
        <dt>Author</dt>
        <dd>{change.author ?? "—"}</dd>
        <dt>Committed</dt>
        <dd>{formatUtc(change.committed_at)}</dd>
        <dt>Attribution</dt>
        <dd data-testid="change-attribution">
          <AttributionBadge cls={change.class} tool={change.tool} /> {formatPercent(change.confidence)}
          {change.involvement ? <span className="muted"> · {change.involvement}</span> : null}
        </dd>
        <dt>Source</dt>
        <dd data-testid="change-source">
          <code>{change.source.file}</code> <span className="muted">at</span> <code>{change.source.location}</code>
        </dd>
      </dl>

      {change.override_reason !== null ? (
        <p className="override-note" data-testid="override-note">
          Overridden: {change.override_reason}{" "}
          <button
            type="button"
            className="link-button"
            data-testid="override-undo"
            disabled={busy}
            onClick={() => void run(() => host.clearOverride(change.id))}
          >
            Undo override
          </button>
        </p>
      ) : null}

      <h3>Evidence</h3>
      {change.evidence.length === 0 ? (
        <p className="muted" data-testid="no-evidence">
          No attribution evidence recorded: the class comes from the defaults. Override it below if you know better.
        </p>
      ) : (
        <table className="data-table evidence-table" data-testid="change-evidence">
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Location</th>
              <th scope="col">Matched text</th>
            </tr>
          </thead>
          <tbody>
            {change.evidence.map((e, i) => (
              <tr key={i}>
                <td>{e.signal}</td>
                <td>{e.location}</td>
                <td>
                  <code className="matched">{e.matched_text}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Override classification</h3>
      <form className="override-form" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${idBase}-class`}>Class</label>
        <select
          id={`${idBase}-class`}
          data-testid="override-class"
          value={cls}
          onChange={(e) => setCls(e.target.value as OverrideClass)}
        >
          {OVERRIDE_CLASSES.map((c) => (
            <option key={c} value={c}>
              {classLabel(c)}
            </option>
          ))}
        </select>
        <label htmlFor={`${idBase}-tool`}>Tool (optional)</label>
        <input
          id={`${idBase}-tool`}
          type="text"
          data-testid="override-tool"
          placeholder="e.g. claude-code"
          value={tool}
          onChange={(e) => setTool(e.target.value)}
        />
        <label htmlFor={`${idBase}-reason`}>Reason</label>
        <input
          id={`${idBase}-reason`}
          type="text"
          data-testid="override-reason"
          placeholder="Why the class is wrong (required)"
          required
          aria-invalid={missingReason}
          aria-describedby={`${idBase}-hint`}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            if (e.target.value.trim() !== "") setMissingReason(false);
          }}
        />
        <span />
        <span>
          <button type="submit" data-testid="override-submit" disabled={busy}>
            Override
          </button>{" "}
          <span id={`${idBase}-hint`} className={missingReason ? "field-error" : "muted"} data-testid="override-hint">
            {missingReason ? "A reason is required." : "The rules' classification stays on record; undo restores it."}
          </span>
        </span>
      </form>
      {error !== null ? <ErrorMessage error={error} context="Could not save the override" /> : null}
    </section>
  );
}
