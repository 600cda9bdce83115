import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { AttributionBadge } from "../../components/AttributionBadge";
import { ErrorMessage } from "../../components/ErrorMessage";
import { AuthorCell } from "../../components/AuthorCell";
import {
  classLabel,
  formatPercent,
  formatUtcBreakable,
  normalizeClass,
  shortKey,
  type AttributionClass,
} from "../../lib/format";
import { gridKeyHandler, keepRowInView } from "../../lib/gridKeys";
import { useHost, useStoreRefresh, type ChangeDto } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ChangeDetail } from "./ChangeDetail";

/** Rows rendered at most; the rest is reached by filtering (virtualisation comes later). */
export const MAX_ROWS = 500;

export type ClassFilter = "all" | AttributionClass;
const CLASS_FILTERS: readonly ClassFilter[] = ["all", "ai", "human", "automation", "unknown"];
const CLASSES: readonly AttributionClass[] = ["ai", "human", "automation", "unknown"];

/** Case-insensitive match of title, author or key. */
export function matchesText(change: ChangeDto, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === "") return true;
  return [change.title, change.author ?? "", change.natural_key].some((v) => v.toLowerCase().includes(needle));
}

const rowDomId = (id: number) => `change-row-${id}`;

export function ChangesScreen() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const loaded = useAsync(() => host.listChanges(), [host, version]);
  // Changes as the latest override / undo answered them, by id.
  const [patched, setPatched] = useState<Record<number, ChangeDto>>({});
  const [text, setText] = useState("");
  const [cls, setCls] = useState<ClassFilter>("all");
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);

  const changes = useMemo(
    () => (loaded.status === "ok" ? loaded.data.map((c) => patched[c.id] ?? c) : []),
    [loaded, patched],
  );
  const matching = useMemo(
    () => changes.filter((c) => matchesText(c, text) && (cls === "all" || normalizeClass(c.class) === cls)),
    [changes, text, cls],
  );
  const shown = matching.length > MAX_ROWS ? matching.slice(0, MAX_ROWS) : matching;
  const counts = useMemo(() => {
    const byClass: Record<AttributionClass, number> = { ai: 0, human: 0, automation: 0, unknown: 0 };
    for (const c of changes) byClass[normalizeClass(c.class)] += 1;
    return byClass;
  }, [changes]);

  const effectiveSelected =
    selectedId !== null && shown.some((c) => c.id === selectedId) ? selectedId : (shown[0]?.id ?? null);
  const open = openId === null ? undefined : changes.find((c) => c.id === openId);

  const tableRef = useRef<HTMLTableElement>(null);
  useEffect(() => {
    if (effectiveSelected === null) return;
    keepRowInView(tableRef.current, rowDomId(effectiveSelected));
  }, [effectiveSelected]);

  let list: ReactNode;
  if (loaded.status === "loading") {
    list = <p className="muted">Loading changes…</p>;
  } else if (loaded.status === "error") {
    list = <ErrorMessage error={loaded.error} context="Could not load changes" />;
  } else if (changes.length === 0) {
    list = (
      <p className="empty" data-testid="changes-empty">
        No changes yet. Import a git log or pull-request export on the Import screen.
      </p>
    );
  } else {
    list = (
      <>
        <p className="counts-line" data-testid="change-counts">
          {changes.length} {changes.length === 1 ? "change" : "changes"}:{" "}
          {CLASSES.map((c) => `${counts[c]} ${classLabel(c)}`).join(" · ")}
        </p>
        <div className="filters">
          <input
            type="search"
            aria-label="Filter by title, author or key"
            placeholder="Filter by title, author or key"
            data-testid="changes-filter"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <select
            aria-label="Attribution class"
            data-testid="changes-class-filter"
            value={cls}
            onChange={(e) => setCls(e.target.value as ClassFilter)}
          >
            {CLASS_FILTERS.map((c) => (
              <option key={c} value={c}>
                {c === "all" ? "All classes" : classLabel(c)}
              </option>
            ))}
          </select>
        </div>
        {matching.length === 0 ? (
          <p className="empty" data-testid="changes-no-match">
            No change matches the filter. Clear the text or choose “All classes”.
          </p>
        ) : (
          <>
            {matching.length > MAX_ROWS ? (
              <p className="muted" data-testid="changes-truncated">
                showing {MAX_ROWS} of {matching.length} — refine the filter
              </p>
            ) : null}
            <table
              ref={tableRef}
              className="data-table grid-table change-list"
              data-testid="change-list"
              role="grid"
              aria-label="Changes"
              aria-activedescendant={effectiveSelected === null ? undefined : rowDomId(effectiveSelected)}
              tabIndex={0}
              onKeyDown={gridKeyHandler(
                shown.map((c) => c.id),
                effectiveSelected,
                setSelectedId,
                setOpenId,
              )}
            >
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Repo</th>
                  <th scope="col">Title</th>
                  <th scope="col">Author</th>
                  <th scope="col">Committed</th>
                  <th scope="col">Attribution</th>
                  <th scope="col">Involvement</th>
                  <th scope="col" className="num">
                    Confidence
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((change) => {
                  const selected = change.id === effectiveSelected;
                  const isOpen = change.id === openId;
                  return (
                    <tr
                      key={change.id}
                      id={rowDomId(change.id)}
                      data-testid="change-row"
                      data-class={normalizeClass(change.class)}
                      data-change-id={change.id}
                      aria-selected={selected}
                      aria-current={isOpen ? "true" : undefined}
                      className={[selected ? "selected" : "", isOpen ? "open" : ""].join(" ").trim() || undefined}
                      onClick={() => {
                        setSelectedId(change.id);
                        setOpenId(change.id);
                      }}
                    >
                      <td className="key-cell">
                        <code title={change.natural_key}>{shortKey(change.natural_key)}</code>
                      </td>
                      <td>{change.repo ?? "—"}</td>
                      <td className="title-cell">{change.title}</td>
                      <AuthorCell author={change.author} />
                      <td>{formatUtcBreakable(change.committed_at)}</td>
                      <td className="nowrap">
                        <AttributionBadge cls={change.class} tool={change.tool} />
                        {change.override_reason !== null ? (
                          <span className="muted" title={`Overridden: ${change.override_reason}`}>
                            {" "}
                            (overridden)
                          </span>
                        ) : null}
                      </td>
                      <td>{change.involvement ?? "—"}</td>
                      <td className="num">{formatPercent(change.confidence)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </>
    );
  }

  return (
    <div className="split">
      <div className="pane list-pane">
        <h1 className="pane-title">Changes</h1>
        {list}
      </div>
      <div className="pane detail-pane">
        {open === undefined ? (
          <p className="muted placeholder">Select a change to see its attribution evidence.</p>
        ) : (
          <ChangeDetail
            key={open.id}
            change={open}
            onChanged={(updated) => setPatched((p) => ({ ...p, [updated.id]: updated }))}
          />
        )}
      </div>
    </div>
  );
}
