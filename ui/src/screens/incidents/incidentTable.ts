import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { normalizeClass } from "../../lib/format";

/** Sortable columns of the incident list. */
export type SortColumn = "title" | "service" | "severity" | "started" | "duration" | "suspects";
export type SortDirection = "asc" | "desc";
export interface SortState {
  column: SortColumn;
  direction: SortDirection;
}

/** Newest first, like an incident tool. */
export const DEFAULT_SORT: SortState = { column: "started", direction: "desc" };

/** Direction of the first click on a column: text and severity A→Z / most severe first, numbers largest first. */
export const FIRST_DIRECTION: Record<SortColumn, SortDirection> = {
  title: "asc",
  service: "asc",
  severity: "asc",
  started: "desc",
  duration: "desc",
  suspects: "desc",
};

/** Click on a header: a new column starts with its natural direction, the active one reverses. */
export function nextSort(current: SortState, column: SortColumn): SortState {
  if (current.column === column) {
    return { column, direction: current.direction === "asc" ? "desc" : "asc" };
  }
  return { column, direction: FIRST_DIRECTION[column] };
}

const WORD_RANKS: Record<string, number> = { critical: 100, high: 101, medium: 102, moderate: 102, low: 103 };

/**
 * Rank of a severity, lower = more severe: P1 (or SEV1, S1) < … < P5 < critical < high < medium < low.
 * `null` for a missing or unrecognised severity (always sorted last).
 */
export function severityRank(severity: string | null): number | null {
  if (severity === null) return null;
  const s = severity.trim().toLowerCase();
  const numbered = /^(?:p|sev|s)[-\s]?(\d+)$/.exec(s);
  if (numbered) return Number(numbered[1]);
  return WORD_RANKS[s] ?? null;
}

export type Cohort = "ai" | "human" | "none" | "other";
export type CohortFilter = "any" | "ai" | "human" | "none";

/**
 * Trigger cohort from the top suspect's change classes: AI when any change is
 * AI-attributed, human when a human change is there and no AI one, none when
 * there is no suspect, other (automation/unknown only) otherwise.
 */
export function cohortOf(incident: IncidentSummaryDto): Cohort {
  const classes = incident.top_suspect_classes.map(normalizeClass);
  if (classes.length === 0) return "none";
  if (classes.includes("ai")) return "ai";
  if (classes.includes("human")) return "human";
  return "other";
}

/** Select value meaning "no value" (missing service / severity). */
export const NONE_VALUE = "\u0000none";
export const ALL_VALUE = "";

export type LinkStatusFilter = "any" | "confirmed" | "suspected" | "rejected" | "none";

export interface Filters {
  text: string;
  service: string;
  team: string;
  severity: string;
  cohort: CohortFilter;
  linkStatus: LinkStatusFilter;
  /** Started on or after this day (`YYYY-MM-DD`, UTC); empty for no bound. */
  from: string;
  /** Started on or before this day (`YYYY-MM-DD`, UTC); empty for no bound. */
  to: string;
  /** At least this many minutes long; empty for no bound. Open incidents never qualify. */
  minMinutes: string;
}
export const EMPTY_FILTERS: Filters = {
  text: "",
  service: ALL_VALUE,
  team: ALL_VALUE,
  severity: ALL_VALUE,
  cohort: "any",
  linkStatus: "any",
  from: "",
  to: "",
  minMinutes: "",
};

export function isFiltered(f: Filters): boolean {
  return (Object.keys(EMPTY_FILTERS) as (keyof Filters)[]).some((key) =>
    key === "text" ? f.text.trim() !== "" : f[key] !== EMPTY_FILTERS[key],
  );
}

function matchesChoice(value: string | null, choice: string): boolean {
  if (choice === ALL_VALUE) return true;
  if (choice === NONE_VALUE) return value === null;
  return value === choice;
}

export function matchesFilters(incident: IncidentSummaryDto, f: Filters): boolean {
  const needle = f.text.trim().toLowerCase();
  if (needle !== "") {
    const haystack = [incident.title, incident.service ?? "", incident.source_id];
    if (!haystack.some((h) => h.toLowerCase().includes(needle))) return false;
  }
  if (!matchesChoice(incident.service, f.service)) return false;
  if (!matchesChoice(incident.team, f.team)) return false;
  if (!matchesChoice(incident.severity, f.severity)) return false;
  if (f.cohort !== "any" && cohortOf(incident) !== f.cohort) return false;
  if (f.linkStatus !== "any" && incident.link_status !== f.linkStatus) return false;
  // Days compare as text: `started_at` is RFC 3339 in UTC, so its first ten characters are the day.
  const day = incident.started_at.slice(0, 10);
  if (f.from !== "" && day < f.from) return false;
  if (f.to !== "" && day > f.to) return false;
  const min = Number(f.minMinutes);
  if (f.minMinutes.trim() !== "" && Number.isFinite(min)) {
    if (incident.duration_minutes === null || incident.duration_minutes < min) return false;
  }
  return true;
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

function timeOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/** Sort key of a column; `null` sorts last in both directions. */
function keyOf(incident: IncidentSummaryDto, column: SortColumn): string | number | null {
  switch (column) {
    case "title":
      return incident.title;
    case "service":
      return incident.service;
    case "severity":
      return severityRank(incident.severity);
    case "started":
      return timeOf(incident.started_at);
    case "duration":
      // Open (ongoing) incidents and unknown durations last.
      return incident.duration_minutes;
    case "suspects":
      return incident.suspect_count;
  }
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

/** A sorted copy; ties fall back to newest first, then id. */
export function sortIncidents(incidents: readonly IncidentSummaryDto[], sort: SortState): IncidentSummaryDto[] {
  const sign = sort.direction === "asc" ? 1 : -1;
  const keyed = incidents.map((incident) => ({ incident, key: keyOf(incident, sort.column) }));
  keyed.sort((x, y) => {
    if (x.key === null || y.key === null) {
      if (x.key !== y.key) return x.key === null ? 1 : -1;
    } else {
      const c = compareKeys(x.key, y.key);
      if (c !== 0) return sign * c;
    }
    const t = timeOf(y.incident.started_at) - timeOf(x.incident.started_at);
    return t !== 0 ? t : x.incident.id - y.incident.id;
  });
  return keyed.map((k) => k.incident);
}

/** Distinct non-null values, plus whether some incident has none. */
export function distinctValues(
  incidents: readonly IncidentSummaryDto[],
  pick: (i: IncidentSummaryDto) => string | null,
): { values: string[]; hasNone: boolean } {
  const set = new Set<string>();
  let hasNone = false;
  for (const i of incidents) {
    const v = pick(i);
    if (v === null) hasNone = true;
    else set.add(v);
  }
  return { values: [...set], hasNone };
}

export function compareSeverities(a: string, b: string): number {
  const ra = severityRank(a);
  const rb = severityRank(b);
  if (ra !== rb) {
    if (ra === null) return 1;
    if (rb === null) return -1;
    return ra - rb;
  }
  return collator.compare(a, b);
}

export const compareText = (a: string, b: string) => collator.compare(a, b);
