import { useState, type FormEvent, type KeyboardEvent } from "react";
import type { IncidentDetailDto } from "../../lib/bindings/IncidentDetailDto";
import type { SuspectDto } from "../../lib/bindings/SuspectDto";
import { toHostError, useHost, type HostError } from "../../lib/ipc";

import { ErrorMessage } from "../../components/ErrorMessage";

type Decision = "confirmed" | "rejected";

const VERB: Record<Decision, string> = { confirmed: "Confirm", rejected: "Reject" };
const PAST: Record<Decision, string> = { confirmed: "Confirmed", rejected: "Rejected" };

export function isDecided(status: string): status is Decision {
  return status === "confirmed" || status === "rejected";
}

/**
 * Confirm / reject a suspect link with a reason, or undo the decision.
 * The reason of a decision made in this session is shown next to it.
 */
export function SuspectReview({
  suspect,
  onReviewed,
}: {
  suspect: SuspectDto;
  onReviewed(detail: IncidentDetailDto): void;
}) {
  const host = useHost();
  const [asking, setAsking] = useState<Decision | null>(null);
  const [reason, setReason] = useState("");
  const [missingReason, setMissingReason] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HostError | null>(null);
  const [lastReview, setLastReview] = useState<{ decision: Decision; reason: string } | null>(null);

  const send = async (decision: Decision | "suspected", why: string) => {
    setBusy(true);
    setError(null);
    try {
      const detail = await host.reviewLink(suspect.link_id, decision, why);
      setAsking(null);
      setReason("");
      setLastReview(decision === "suspected" ? null : { decision, reason: why });
      onReviewed(detail);
    } catch (e) {
      setError(toHostError(e));
    } finally {
      setBusy(false);
    }
  };

  const cancel = () => {
    setAsking(null);
    setReason("");
    setMissingReason(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (asking === null || busy) return;
    const why = reason.trim();
    if (why === "") {
      setMissingReason(true);
      return;
    }
    void send(asking, why);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  };

  const reasonId = `review-reason-${suspect.link_id}`;
  const hintId = `review-hint-${suspect.link_id}`;
  let body;
  if (isDecided(suspect.status)) {
    // The stored review (once the host sends it), else the one made in this session.
    const stored = "review" in suspect ? suspect.review : null;
    const shownReason =
      stored != null && stored.decision === suspect.status
        ? stored.reason
        : lastReview?.decision === suspect.status
          ? lastReview.reason
          : null;
    body = (
      <p className="review-outcome" data-testid="review-outcome">
        <strong>{PAST[suspect.status]}</strong>
        {shownReason !== null ? <>: {shownReason}</> : null}{" "}
        <button
          type="button"
          className="link-button"
          data-testid="review-undo"
          disabled={busy}
          onClick={() => void send("suspected", "undo")}
        >
          Undo
        </button>
      </p>
    );
  } else if (asking === null) {
    body = (
      <div className="review-actions">
        <button type="button" data-testid="review-confirm" onClick={() => setAsking("confirmed")}>
          Confirm
        </button>
        <button type="button" data-testid="review-reject" onClick={() => setAsking("rejected")}>
          Reject
        </button>
      </div>
    );
  } else {
    body = (
      <form className="review-form" onSubmit={submit} noValidate>
        <label htmlFor={reasonId}>Why {asking === "confirmed" ? "confirm" : "reject"} this suspect?</label>
        <input
          id={reasonId}
          type="text"
          data-testid="review-reason"
          value={reason}
          // The field exists because the user just asked to decide.
          autoFocus
          required
          aria-invalid={missingReason}
          aria-describedby={hintId}
          placeholder="Reason (required)"
          onChange={(e) => {
            setReason(e.target.value);
            if (e.target.value.trim() !== "") setMissingReason(false);
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" data-testid="review-submit" disabled={busy}>
          {VERB[asking]}
        </button>
        <button type="button" onClick={cancel} disabled={busy}>
          Cancel
        </button>
        <span id={hintId} className={missingReason ? "field-error" : "muted"} data-testid="review-hint">
          {missingReason ? "A reason is required." : "Enter to submit, Escape to cancel."}
        </span>
      </form>
    );
  }

  return (
    <div className="review" data-testid="review">
      {body}
      {error !== null ? <ErrorMessage error={error} context="Could not save the review" /> : null}
    </div>
  );
}
