import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { AttributionBadge } from "../../components/AttributionBadge";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { EventDto } from "../../lib/bindings/EventDto";
import type { EventFacetsDto } from "../../lib/bindings/EventFacetsDto";
import { useHost, useStoreRefresh } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { useEventPages, type EventFilter } from "./useEventPages";
import { TimeBrush, type TimeWindow } from "./TimeBrush";
import { useHistogram } from "./useHistogram";

/** Height of one row, px (fixed: the list is virtualised). */
export const ROW_HEIGHT = 28;
/** Rows rendered above and below the visible ones. */
export const OVERSCAN = 10;
/** Debounce of the search box, ms. */
export const SEARCH_DEBOUNCE_MS = 200;
/** Viewport height assumed until the list is measured (and in jsdom, which has no layout). */
const FALLBACK_VIEWPORT = 560;

/** The multi-select filters, in display order. */
export const DIMENSIONS = [
  { id: "sources", label: "Source" },
  { id: "services", label: "Service" },
  { id: "environments", label: "Environment" },
  { id: "classes", label: "Cohort" },
  { id: "tools", label: "AI tool" },
  { id: "severities", label: "Severity" },
  { id: "actors", label: "Actor" },
  { id: "approvals", label: "Approval" },
] as const;
type Dimension = (typeof DIMENSIONS)[number]["id"];
type Selections = Record<Dimension, string[]>;

const NO_SELECTIONS: Selections = {
  sources: [],
  services: [],
  environments: [],
  classes: [],
  tools: [],
  severities: [],
  actors: [],
  approvals: [],
};

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-11-17T14:05:07Z` → `2026-11-17 14:05:07` (UTC). */
export function formatEventTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** An RFC 3339 instant → the value of a `datetime-local` input showing it in UTC. */
function toInputValue(value: string | null): string {
  if (value === null) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 16);
}

/** A `datetime-local` value read as UTC → an inclusive RFC 3339 bound (start or end of that minute). */
export function toBound(value: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  return `${value}:${end ? "59.999" : "00"}Z`;
}

const rowDomId = (index: number) => `timeline-row-${index}`;

export function TimelineScreen() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const facets = useAsync(() => host.eventFacets(), [host, version]);

  const [text, setText] = useState("");
  const [debouncedText, setDebouncedText] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [selections, setSelections] = useState<Selections>(NO_SELECTIONS);
  const [selected, setSelected] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (text === debouncedText) return;
    const timer = setTimeout(() => setDebouncedText(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, debouncedText]);

  // `/` focuses the search box from anywhere on the screen but a form field.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target !== null && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      event.preventDefault();
      searchRef.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const filter: EventFilter = useMemo(() => {
    const trimmed = debouncedText.trim();
    return {
      text: trimmed === "" ? null : trimmed,
      from: toBound(from, false),
      to: toBound(to, true),
      ...selections,
    };
  }, [debouncedText, from, to, selections]);
  const key = `${version}:${JSON.stringify(filter)}`;
  // The brush charts the whole range: its counts follow every filter but the window.
  const histogramFilter = useMemo(() => ({ ...filter, from: null, to: null }), [filter]);
  const histogram = useHistogram(host, histogramFilter, `${version}:${JSON.stringify(histogramFilter)}`);
  const timeWindow: TimeWindow = useMemo(() => ({ from, to }), [from, to]);
  const brush = (window: TimeWindow) => {
    setFrom(window.from);
    setTo(window.to);
  };

  // Any filter change re-queries from offset 0: back to the top.
  useLayoutEffect(() => {
    setSelected(0);
    setScrollTop(0);
    if (listRef.current !== null) listRef.current.scrollTop = 0;
  }, [key]);

  useLayoutEffect(() => {
    const list = listRef.current;
    if (list === null) return;
    const measure = () => setViewport(list.clientHeight > 0 ? list.clientHeight : FALLBACK_VIEWPORT);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(list);
    return () => observer.disconnect();
  });

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN;
  const pages = useEventPages(host, filter, key, first, last);
  const total = pages.total;
  const rowsPerPage = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);

  const moveTo = (index: number) => {
    if (total === null || total === 0) return;
    const next = Math.min(Math.max(index, 0), total - 1);
    setSelected(next);
    let top = scrollTop;
    if (next * ROW_HEIGHT < top) top = next * ROW_HEIGHT;
    else if ((next + 1) * ROW_HEIGHT > top + viewport) top = (next + 1) * ROW_HEIGHT - viewport;
    if (top !== scrollTop) {
      setScrollTop(top);
      if (listRef.current !== null) listRef.current.scrollTop = top;
    }
  };

  const onListKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number | undefined> = {
      ArrowDown: selected + 1,
      ArrowUp: selected - 1,
      PageDown: selected + rowsPerPage,
      PageUp: selected - rowsPerPage,
      Home: 0,
      End: (total ?? 1) - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    moveTo(target);
  };

  const toggle = (dimension: Dimension, value: string) =>
    setSelections((s) => {
      const current = s[dimension];
      return {
        ...s,
        [dimension]: current.includes(value) ? current.filter((v) => v !== value) : [...current, value],
      };
    });

  const filtered =
    text !== "" || from !== "" || to !== "" || DIMENSIONS.some((d) => selections[d.id].length > 0);
  const clear = () => {
    setText("");
    setDebouncedText("");
    setFrom("");
    setTo("");
    setSelections(NO_SELECTIONS);
  };

  const rows = [];
  if (total !== null) {
    const end = Math.min(last, total - 1);
    for (let index = first; index <= end; index += 1) {
      rows.push(
        <TimelineRow key={index} index={index} event={pages.eventAt(index)} selected={index === selected} onSelect={setSelected} />,
      );
    }
  }

  const facetData: EventFacetsDto | null = facets.status === "ok" ? facets.data : null;
  const status =
    pages.error !== null
      ? "Search failed"
      : total === null
        ? "Searching…"
        : `${formatTotal(total, pages.totalCapped)} ${total === 1 && !pages.totalCapped ? "event" : "events"} · answered in ${formatMs(pages.lastElapsedMs)} ms` +
          (pages.p95ElapsedMs === null ? "" : ` · p95 ${formatMs(pages.p95ElapsedMs)} ms`);

  return (
    <div className="page timeline-page">
      <h1 className="pane-title">Timeline</h1>
      <div className="filters timeline-filters">
        <input
          ref={searchRef}
          type="search"
          aria-label="Search event titles"
          placeholder="Search events (press /)"
          data-testid="timeline-search"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <label className="brush">
          From
          <input
            type="datetime-local"
            data-testid="timeline-from"
            aria-label="From (UTC)"
            value={from}
            min={toInputValue(facetData?.min_at ?? null) || undefined}
            max={toInputValue(facetData?.max_at ?? null) || undefined}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label className="brush">
          To
          <input
            type="datetime-local"
            data-testid="timeline-to"
            aria-label="To (UTC)"
            value={to}
            min={toInputValue(facetData?.min_at ?? null) || undefined}
            max={toInputValue(facetData?.max_at ?? null) || undefined}
            onChange={(e) => setTo(e.target.value)}
          />
          <span className="muted">UTC</span>
        </label>
        <button type="button" data-testid="timeline-clear" disabled={!filtered} onClick={clear}>
          Clear filters
        </button>
      </div>
      {facets.status === "error" ? <ErrorMessage error={facets.error} context="Could not load the filters" /> : null}
      <div className="facet-filters">
        {DIMENSIONS.map((dimension) => {
          const values = facetData?.[dimension.id] ?? [];
          const chosen = selections[dimension.id];
          return (
            <details key={dimension.id} className="facet" data-testid={`timeline-filter-${dimension.id}`}>
              <summary>
                {dimension.label}
                {chosen.length > 0 ? ` (${chosen.length})` : ""}
              </summary>
              <div className="facet-options">
                {values.length === 0 ? <span className="muted">none</span> : null}
                {values.map((value) => (
                  <label key={value} className="facet-option">
                    <input
                      type="checkbox"
                      data-testid={`filter-${dimension.id}-${value}`}
                      checked={chosen.includes(value)}
                      onChange={() => toggle(dimension.id, value)}
                    />
                    {value}
                  </label>
                ))}
              </div>
            </details>
          );
        })}
      </div>
      {histogram.error === null ? (
        <TimeBrush histogram={histogram.data} loading={histogram.loading} value={timeWindow} onChange={brush} />
      ) : pages.error === null ? (
        // A bad search text fails both; the search's error below says it once.
        <ErrorMessage error={histogram.error} context="Could not chart the events" />
      ) : null}
      <p className="counts-line" data-testid="timeline-status" aria-live="polite">
        {status}
      </p>
      {pages.error !== null ? <ErrorMessage error={pages.error} context="Could not search the events" /> : null}
      {total === 0 ? (
        <p className="empty" data-testid="timeline-empty">
          No events match these filters.
        </p>
      ) : null}
      <div
        ref={listRef}
        className="timeline-list grid-table"
        data-testid="timeline-list"
        role="listbox"
        aria-label="Events"
        aria-activedescendant={total !== null && total > 0 ? rowDomId(selected) : undefined}
        tabIndex={0}
        hidden={total === 0 || pages.error !== null}
        onKeyDown={onListKey}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div className="timeline-spacer" data-testid="timeline-spacer" style={{ height: (total ?? 0) * ROW_HEIGHT }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

function TimelineRow({
  index,
  event,
  selected,
  onSelect,
}: {
  index: number;
  event: EventDto | undefined;
  selected: boolean;
  onSelect: (index: number) => void;
}) {
  const style = { top: index * ROW_HEIGHT, height: ROW_HEIGHT };
  if (event === undefined) {
    return (
      <div className="timeline-row loading" style={style} data-testid="timeline-row-loading" data-index={index}>
        <span className="muted">Loading…</span>
      </div>
    );
  }
  const where = [event.service, event.environment].filter((v) => v !== null).join(" · ");
  return (
    <div
      id={rowDomId(index)}
      role="option"
      aria-selected={selected}
      className={selected ? "timeline-row selected" : "timeline-row"}
      style={style}
      data-testid="timeline-row"
      data-index={index}
      data-event-id={event.id}
      data-source={event.source}
      data-class={event.class ?? ""}
      onClick={() => onSelect(index)}
    >
      <span className="t-time nowrap">{formatEventTime(event.at)}</span>
      <span className="t-source">
        <span className={`badge source-badge source-${event.source}`}>{event.source}</span>
      </span>
      <span className="t-where" title={where}>
        {where || "—"}
      </span>
      <span className="t-title" title={event.title}>
        {event.severity !== null ? <span className={`sev sev-${event.severity.toLowerCase()}`}>{event.severity} </span> : null}
        {event.title}
      </span>
      <span className="t-actor">{event.actor ?? "—"}</span>
      <span className="t-attr">
        {event.source === "change" ? <AttributionBadge cls={event.class ?? "unknown"} tool={event.tool} /> : null}
      </span>
    </div>
  );
}

/** An exact total as digits (`1234`); a lower bound grouped with a plus (`10,000+`). */
export function formatTotal(total: number, capped: boolean): string {
  return capped ? `${total.toLocaleString("en-US")}+` : String(total);
}

/** Milliseconds with at most one decimal: `7`, `0.5`, `12.3`. */
function formatMs(ms: number | null): string {
  if (ms === null) return "—";
  return String(Math.round(ms * 10) / 10);
}
