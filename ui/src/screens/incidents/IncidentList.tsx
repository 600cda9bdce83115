import { useEffect, useRef } from "react";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { formatDuration, formatUtc } from "../../lib/format";
import { ClassBadges } from "../../components/AttributionBadge";
import { gridKeyHandler } from "../../lib/gridKeys";

export interface IncidentListProps {
  incidents: readonly IncidentSummaryDto[];
  /** The highlighted row (moved with the arrow keys). */
  selectedId: number | null;
  /** The incident shown in the detail pane. */
  openId: number | null;
  onSelect(id: number): void;
  onOpen(id: number): void;
}

const rowDomId = (id: number) => `incident-row-${id}`;

export function IncidentList({ incidents, selectedId, openId, onSelect, onOpen }: IncidentListProps) {
  const tableRef = useRef<HTMLTableElement>(null);

  useEffect(() => {
    if (selectedId === null) return;
    const row = tableRef.current?.querySelector<HTMLElement>(`#${rowDomId(selectedId)}`);
    // jsdom has no scrollIntoView.
    row?.scrollIntoView?.({ block: "nearest" });
  }, [selectedId]);

  const onKeyDown = gridKeyHandler(
    incidents.map((i) => i.id),
    selectedId,
    onSelect,
    onOpen,
  );

  return (
    <table
      ref={tableRef}
      className="data-table incident-table"
      data-testid="incident-list"
      role="grid"
      aria-label="Incidents"
      aria-activedescendant={selectedId === null ? undefined : rowDomId(selectedId)}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Service</th>
          <th scope="col">Severity</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col" className="num">
            Suspects
          </th>
          <th scope="col">Top suspect</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((incident) => {
          const selected = incident.id === selectedId;
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
              <td className="title-cell">{incident.title}</td>
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
  );
}
