import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { formatDuration, formatUtc } from "../../lib/format";
import { ClassBadges } from "../../components/AttributionBadge";
import { gridKeyHandler, keepRowInView } from "../../lib/gridKeys";
import { alsoReportedBy, isMergedAway } from "./groupCause";
import {
  ALL_VALUE,
  compareSeverities,
  compareText,
  DEFAULT_SORT,
  distinctValues,
  EMPTY_FILTERS,
  isFiltered,
  matchesFilters,
  nextSort,
  NONE_VALUE,
  sortIncidents,
  type CohortFilter,
  type Filters,
  type LinkStatusFilter,
  type SortColumn,
  type SortState,
} from "./incidentTable";

export interface IncidentListProps {
  incidents: readonly IncidentSummaryDto[];
  /** The highlighted row (moved with the arrow keys); falls back to the first visible row. */
  selectedId: number | null;
  /** The incident shown in the detail pane. */
  openId: number | null;
  onSelect(id: number): void;
  onOpen(id: number): void;
}

const rowDomId = (id: number) => `incident-row-${id}`;

const COLUMNS: { column: SortColumn; label: string; className?: string }[] = [
  { column: "title", label: "Title" },
  { column: "service", label: "Service" },
  { column: "severity", label: "Severity" },
  { column: "started", label: "Started" },
  { column: "duration", label: "Duration" },
  { column: "suspects", label: "Suspects", className: "num" },
];

const COHORTS: { value: CohortFilter; label: string }[] = [
  { value: "any", label: "Any trigger" },
  { value: "ai", label: "AI" },
  { value: "human", label: "Human" },
  { value: "none", label: "No suspect" },
];

const LINK_STATUSES: { value: LinkStatusFilter; label: string }[] = [
  { value: "any", label: "Any link status" },
  { value: "confirmed", label: "Trigger confirmed" },
  { value: "suspected", label: "Awaiting review" },
  { value: "rejected", label: "Every suspect rejected" },
  { value: "none", label: "No suspect" },
];

export function IncidentList({ incidents, selectedId, openId, onSelect, onOpen }: IncidentListProps) {
  const tableRef = useRef<HTMLTableElement>(null);
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS);
  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((f) => ({ ...f, [key]: value }));

  const services = useMemo(() => {
    const d = distinctValues(incidents, (i) => i.service);
    return { ...d, values: d.values.sort(compareText) };
  }, [incidents]);
  const teams = useMemo(() => {
    const d = distinctValues(incidents, (i) => i.team);
    return { ...d, values: d.values.sort(compareText) };
  }, [incidents]);
  const severities = useMemo(() => {
    const d = distinctValues(incidents, (i) => i.severity);
    return { ...d, values: d.values.sort(compareSeverities) };
  }, [incidents]);

  const visible = useMemo(
    () => sortIncidents(incidents.filter((i) => matchesFilters(i, filters)), sort),
    [incidents, filters, sort],
  );
  const visibleIds = useMemo(() => visible.map((i) => i.id), [visible]);
  const effectiveSelected =
    selectedId !== null && visibleIds.includes(selectedId) ? selectedId : (visibleIds[0] ?? null);

  useEffect(() => {
    if (effectiveSelected === null) return;
    keepRowInView(tableRef.current, rowDomId(effectiveSelected));
  }, [effectiveSelected]);

  const gridKeys = gridKeyHandler(visibleIds, effectiveSelected, onSelect, onOpen);
  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    // Keys on a sort header belong to its button.
    if (event.target !== event.currentTarget) return;
    gridKeys(event);
  };

  return (
    <>
      <div className="filters incident-filters">
        <input
          type="search"
          aria-label="Filter by title, service or source id"
          placeholder="Filter by title, service or source id"
          data-testid="incident-filter"
          value={filters.text}
          onChange={(e) => setFilter("text", e.target.value)}
        />
        <select
          aria-label="Service"
          data-testid="incident-service-filter"
          value={filters.service}
          onChange={(e) => setFilter("service", e.target.value)}
        >
          <option value={ALL_VALUE}>All services</option>
          {services.values.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          {services.hasNone ? <option value={NONE_VALUE}>No service</option> : null}
        </select>
        {teams.values.length > 0 ? (
          <select
            aria-label="Team"
            data-testid="incident-team-filter"
            value={filters.team}
            onChange={(e) => setFilter("team", e.target.value)}
          >
            <option value={ALL_VALUE}>All teams</option>
            {teams.values.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
            {teams.hasNone ? <option value={NONE_VALUE}>No team</option> : null}
          </select>
        ) : null}
        <select
          aria-label="Severity"
          data-testid="incident-severity-filter"
          value={filters.severity}
          onChange={(e) => setFilter("severity", e.target.value)}
        >
          <option value={ALL_VALUE}>All severities</option>
          {severities.values.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          {severities.hasNone ? <option value={NONE_VALUE}>No severity</option> : null}
        </select>
        <select
          aria-label="Trigger cohort"
          data-testid="incident-cohort-filter"
          value={filters.cohort}
          onChange={(e) => setFilter("cohort", e.target.value as CohortFilter)}
        >
          {COHORTS.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <select
          aria-label="Link status"
          data-testid="incident-link-filter"
          value={filters.linkStatus}
          onChange={(e) => setFilter("linkStatus", e.target.value as LinkStatusFilter)}
        >
          {LINK_STATUSES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <label className="inline-field">
          Started from
          <input
            type="date"
            data-testid="incident-from-filter"
            value={filters.from}
            onChange={(e) => setFilter("from", e.target.value)}
          />
        </label>
        <label className="inline-field">
          to
          <input
            type="date"
            data-testid="incident-to-filter"
            value={filters.to}
            onChange={(e) => setFilter("to", e.target.value)}
          />
        </label>
        <label className="inline-field">
          Lasting at least
          <input
            type="number"
            min={0}
            step={15}
            className="narrow"
            data-testid="incident-duration-filter"
            value={filters.minMinutes}
            onChange={(e) => setFilter("minMinutes", e.target.value)}
          />
          min
        </label>
        {isFiltered(filters) && visible.length > 0 ? (
          <button type="button" className="link-button" onClick={() => setFilters(EMPTY_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </div>
      <p className="counts-line" data-testid="incident-count" aria-live="polite">
        {visible.length} of {incidents.length} {incidents.length === 1 ? "incident" : "incidents"}
      </p>
      {visible.length === 0 ? (
        <div className="empty" data-testid="incidents-no-match">
          <p>No incidents match these filters.</p>
          <button type="button" data-testid="clear-filters" onClick={() => setFilters(EMPTY_FILTERS)}>
            Clear filters
          </button>
        </div>
      ) : (
        <table
          ref={tableRef}
          className="data-table incident-table"
          data-testid="incident-list"
          role="grid"
          aria-label="Incidents"
          aria-activedescendant={effectiveSelected === null ? undefined : rowDomId(effectiveSelected)}
          tabIndex={0}
          onKeyDown={onKeyDown}
        >
          <thead>
            <tr>
              {COLUMNS.map(({ column, label, className }) => {
                const active = sort.column === column;
                const ariaSort = active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined;
                return (
                  <th key={column} scope="col" className={className} aria-sort={ariaSort}>
                    <button
                      type="button"
                      className="sort-button"
                      data-testid={`sort-${column}`}
                      onClick={() => setSort((s) => nextSort(s, column))}
                    >
                      {label}
                      <span className="sort-indicator" aria-hidden="true">
                        {active ? (sort.direction === "asc" ? "▲" : "▼") : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
              <th scope="col">Top suspect</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((incident) => {
              const selected = incident.id === effectiveSelected;
              const open = incident.id === openId;
              return (
                <tr
                  key={incident.id}
                  id={rowDomId(incident.id)}
                  data-testid="incident-row"
                  data-incident-id={incident.id}
                  aria-selected={selected}
                  aria-current={open ? "true" : undefined}
                  className={[selected ? "selected" : "", open ? "open" : ""].join(" ").trim() || undefined}
                  onClick={() => {
                    onSelect(incident.id);
                    onOpen(incident.id);
                  }}
                >
                  <td className="title-cell">
                    {incident.title}
                    {alsoReportedBy(incident) !== null ? (
                      <div className="muted" data-testid="row-also-reported">{alsoReportedBy(incident)}</div>
                    ) : null}
                    {isMergedAway(incident) ? (
                      <div className="muted" data-testid="row-merged-into">counted under #{incident.group_primary}</div>
                    ) : null}
                  </td>
                  <td>{incident.service ?? "—"}</td>
                  <td>
                    {incident.severity ? (
                      <span className={`sev sev-${incident.severity.toLowerCase()}`}>{incident.severity}</span>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="nowrap">{formatUtc(incident.started_at)}</td>
                  <td className="nowrap">
                    {incident.duration_minutes === null && incident.resolved_at === null
                      ? "ongoing"
                      : formatDuration(incident.duration_minutes)}
                  </td>
                  <td className="num">{incident.suspect_count}</td>
                  <td>
                    <ClassBadges classes={incident.top_suspect_classes} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
