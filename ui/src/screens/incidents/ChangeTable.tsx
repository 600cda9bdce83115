import { Fragment, useState } from "react";
import type { ChangeDto } from "../../lib/bindings/ChangeDto";
import { formatPercent, normalizeClass, shortKey } from "../../lib/format";
import { AttributionBadge } from "../../components/AttributionBadge";
import { AuthorCell } from "../../components/AuthorCell";

function evidenceSummary(change: ChangeDto): string {
  const lines = change.evidence.map((e) => `${e.signal} @ ${e.location}: ${e.matched_text}`);
  const head = `confidence ${formatPercent(change.confidence)}${
    change.involvement ? `, ${change.involvement}` : ""
  }`;
  return lines.length > 0 ? [head, ...lines].join("\n") : `${head}\nno evidence recorded`;
}

function ChangeRow({ change }: { change: ChangeDto }) {
  const [expanded, setExpanded] = useState(false);
  const cls = normalizeClass(change.class);
  const evidenceId = `change-evidence-${change.id}`;

  return (
    <Fragment>
      <tr data-testid="change-row" data-class={cls} data-change-id={change.id}>
        <td className="key-cell">
          <code title={change.natural_key}>{shortKey(change.natural_key)}</code>
        </td>
        <td className="title-cell">
          {change.title}
          {change.repo ? <span className="muted repo"> {change.repo}</span> : null}
        </td>
        <AuthorCell author={change.author} />
        <td className="attribution-cell">
          <AttributionBadge cls={change.class} tool={change.tool} title={evidenceSummary(change)} />
          {/* Under the badge rather than in a column of its own: the table fits a narrow pane. */}
          <button
            type="button"
            className="link-button"
            aria-expanded={expanded}
            aria-controls={evidenceId}
            onClick={() => setExpanded((v) => !v)}
          >
            {expanded ? "Hide" : "Evidence"} ({change.evidence.length})
          </button>
        </td>
      </tr>
      {expanded ? (
        <tr className="evidence-row" id={evidenceId} data-testid="change-evidence">
          <td colSpan={4}>
            <div className="evidence-meta muted">
              Confidence {formatPercent(change.confidence)}
              {change.involvement ? ` · ${change.involvement}` : ""}
              {change.tool ? ` · tool ${change.tool}` : ""}
            </div>
            {change.evidence.length === 0 ? (
              <p className="muted">No attribution evidence recorded for this change.</p>
            ) : (
              <table className="data-table evidence-table">
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
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

export function ChangeTable({ changes }: { changes: readonly ChangeDto[] }) {
  if (changes.length === 0) {
    return <p className="muted">No changes recorded for this deployment.</p>;
  }
  return (
    <table className="data-table change-table">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Title</th>
          <th scope="col">Author</th>
          <th scope="col">Attribution</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <ChangeRow key={change.id} change={change} />
        ))}
      </tbody>
    </table>
  );
}
