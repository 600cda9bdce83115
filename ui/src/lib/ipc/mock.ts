import type { ReportScope } from "../bindings/ReportScope";
import type { ChangeDto } from "../bindings/ChangeDto";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { IngestProgressDto } from "../bindings/IngestProgressDto";
import type { IngestReportDto } from "../bindings/IngestReportDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";
import type { EventDto } from "../bindings/EventDto";
import type { EventFacetsDto } from "../bindings/EventFacetsDto";
import type { EventHistogramDto } from "../bindings/EventHistogramDto";
import type { EventPageDto } from "../bindings/EventPageDto";
import type { EventQueryDto } from "../bindings/EventQueryDto";
import type { AnalyticsDto } from "../bindings/AnalyticsDto";
import type { DetectedFileDto } from "../bindings/DetectedFileDto";
import type { PolicyRuleDto } from "../bindings/PolicyRuleDto";
import type { SettingsDto } from "../bindings/SettingsDto";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { WhatIfDto } from "../bindings/WhatIfDto";
import {
  HostError,
  LINK_DECISIONS,
  MAX_EVENT_PAGE,
  EVENT_COUNT_AHEAD,
  MAX_HISTOGRAM_BUCKETS,
  OVERRIDE_CLASSES,
  type Host,
  type LinkDecision,
  type OverrideClass,
  type ReportFormat,
  type FileDropEvent,
  type EventFilterQuery,
  type PickKind,
  type CauseCategory,
  type CauseDecision,
  CAUSE_CATEGORIES,
  type SavedFolder,
} from "./host";

/** The report's tables, as `hindsight report csv` names their files. */
const REPORT_TABLES = ["cohorts", "tools", "comparisons", "incidents", "suspects", "changes", "sources", "findings"];
import type { IncidentGroupDecisionDto } from "../bindings/IncidentGroupDecisionDto";
import type { IncidentGroupDto } from "../bindings/IncidentGroupDto";
import type { IncidentCauseDto } from "../bindings/IncidentCauseDto";
import type { IngestRunDto } from "../bindings/IngestRunDto";
import type { IncidentTimelineDto } from "../bindings/IncidentTimelineDto";
import type { AnnotationInputDto } from "../bindings/AnnotationInputDto";
import type { AnnotationEditDto } from "../bindings/AnnotationEditDto";
import { replayAnnotations, timelineFromDetail } from "./annotationReplay";

export interface MockHostData {
  overview: StoreOverviewDto;
  incidents: IncidentSummaryDto[];
  /** Details by incident id; a missing id rejects with `not_found`. */
  details: Record<number, IncidentDetailDto>;
  /** The store's changes as attributed by the rules (overrides are applied on top). */
  changes: ChangeDto[];
  /** Ingest history. */
  runs: IngestRunDto[];
  /** What `pickAndIngest` answers; `null` plays a cancelled file dialog. */
  ingestReport: IngestReportDto | null;
  /** What `reportPreview` answers. */
  reportMarkdown: string;
  /** Folder `saveReport` "saves" into; `null` plays a cancelled save dialog. */
  saveDirectory: string | null;
  /** The unified event timeline `searchEvents` filters (any order; answered by time, then id). */
  events: EventDto[];
  /** Deep-dive timelines by incident id, without annotations (the mock replays its edit log). */
  timelines: Record<number, IncidentTimelineDto>;
  /** The stored settings; `updateSettings` changes them. */
  settings?: SettingsDto;
  /** What `analytics` answers. */
  analytics?: AnalyticsDto;
  /** What `detectFiles` answers per path; a path not listed is an unrecognised 100-byte file. */
  detected?: Record<string, DetectedFileDto[]>;
  /** What `pickPaths` answers; `null` plays a cancelled dialog. */
  pickedPaths?: string[] | null;
  /** What `pickFile` answers per kind; missing plays a cancelled dialog. */
  pickedFiles?: Partial<Record<PickKind, string>>;
}

/** The settings of a fresh store. */
export const DEFAULT_SETTINGS: SettingsDto = {
  time_zone: "UTC",
  display_time_zone: "UTC",
  link_window_hours: 72,
  suspect_threshold: 0.5,
  rules_file: null,
  rule_sources: ["built-in"],
  rules_error: null,
  theme: "system",
};

/** Analytics of an empty store. */
export const EMPTY_ANALYTICS: AnalyticsDto = {
  suspect_threshold: 0.5,
  cohorts: [],
  by_tool: [],
  comparisons: [],
  stratified: {
    crude: null,
    by_size: null,
    by_service: null,
    unknown_as_ai: null,
    unknown_as_human: null,
    interpretation: "no deployed changes",
  },
  dora: {
    window_start: null,
    window_end: null,
    deployments: 0,
    deployments_per_week: null,
    lead_time_median_hours: null,
    lead_time_p90_hours: null,
    change_failure_rate: { numerator: 0, denominator: 0, rate: null, ci95_lower: null, ci95_upper: null },
    recovery_median_minutes: null,
    recovery_p90_minutes: null,
    unrecovered_failed_deployments: 0,
    estimator: "no deployments",
  },
  recovery: [],
  recovery_points: [],
  guardrails: [],
  what_ifs: [],
};

/**
 * The mock's stand-in for the Rust replay (tests pin the UI, not the statistics): one result
 * per rule, gating one change per hour of review delay it names.
 */
export function mockSimulate(rules: PolicyRuleDto[]): WhatIfDto[] {
  return rules.map((rule) => {
    const delay = "review_delay_hours" in rule ? rule.review_delay_hours : 0;
    return {
      rule: rule.kind,
      gated_changes: Array.from({ length: Math.max(0, Math.round(delay)) }, (_, i) => `change-${i + 1}`),
      gated_operations: [],
      incidents_prevented: rule.kind === "no_agent_operator_deploys" ? ["pagerduty P1"] : [],
      added_lead_time_hours: delay * Math.max(0, Math.round(delay)),
      method: "mock replay",
    };
  });
}

export type HostMethod = keyof Host;

export interface MockHostOptions {
  /** Make a method reject with this error. */
  errors?: Partial<Record<HostMethod, HostError>>;
  /** Delay answers (ms), per call if a function; 0 answers on the next microtask. */
  delayMs?: number | ((method: HostMethod, args: unknown[]) => number);
  /** The `elapsed_ms` a search answers; by default derived from the query (deterministic). */
  elapsedMs?: (query: EventQueryDto) => number;
  /** Replaces {@link mockSimulate}. */
  simulate?: (rules: PolicyRuleDto[]) => WhatIfDto[];
}

/** A reviewer action the mock has recorded (append-only, like the store's tables). */
export type MockHistoryEntry =
  | { kind: "review"; linkId: number; decision: LinkDecision; reason: string }
  | {
      kind: "override";
      changeId: number;
      cls: OverrideClass;
      tool: string | null;
      reason: string;
      revoked: boolean;
    };

/**
 * An in-memory, stateful Host for tests and previews. Records every call.
 * Reviews and overrides change what later calls answer; both are kept as an
 * append-only history so that undoing restores the previous state.
 */
export class MockHost implements Host {
  readonly calls: Array<{ method: HostMethod; args: unknown[] }> = [];
  readonly history: MockHistoryEntry[] = [];
  private readonly data: Required<MockHostData>;
  private readonly options: MockHostOptions;

  constructor(data: Partial<MockHostData> = {}, options: MockHostOptions = {}) {
    const incidents = data.incidents ?? [];
    const changes = data.changes ?? [];
    const runs = data.runs ?? [];
    this.data = {
      overview: data.overview ?? {
        db_path: ":memory:",
        version: "0.0.0-mock",
        changes: changes.length,
        deployments: 0,
        incidents: incidents.length,
        ingest_runs: runs.length,
      },
      incidents,
      details: data.details ?? {},
      changes,
      runs,
      ingestReport: data.ingestReport ?? null,
      reportMarkdown: data.reportMarkdown ?? "# Hindsight report\n\nNo incidents.\n",
      saveDirectory: data.saveDirectory === undefined ? "/tmp" : data.saveDirectory,
      events: [...(data.events ?? [])].sort(compareEvents),
      timelines: data.timelines ?? {},
      settings: data.settings ?? structuredClone(DEFAULT_SETTINGS),
      analytics: data.analytics ?? structuredClone(EMPTY_ANALYTICS),
      detected: data.detected ?? {},
      pickedPaths: data.pickedPaths === undefined ? null : data.pickedPaths,
      pickedFiles: data.pickedFiles ?? {},
    };
    this.options = options;
  }

  storeOverview(): Promise<StoreOverviewDto> {
    return this.answer("storeOverview", [], () => this.data.overview);
  }

  listIncidents(): Promise<IncidentSummaryDto[]> {
    return this.answer("listIncidents", [], () => this.data.incidents);
  }

  getIncident(id: number): Promise<IncidentDetailDto> {
    return this.answer("getIncident", [id], () => this.detail(id));
  }

  listChanges(): Promise<ChangeDto[]> {
    return this.answer("listChanges", [], () => this.data.changes.map((c) => this.effective(c)));
  }

  reviewLink(linkId: number, decision: LinkDecision, reason: string): Promise<IncidentDetailDto> {
    return this.answer("reviewLink", [linkId, decision, reason], () => {
      if (!LINK_DECISIONS.includes(decision)) {
        throw new HostError("bad_input", `unknown decision "${decision}"`);
      }
      if (reason.trim() === "") {
        throw new HostError("bad_input", "a reason is required");
      }
      for (const detail of Object.values(this.data.details)) {
        const suspect = detail.suspects.find((s) => s.link_id === linkId);
        if (suspect !== undefined) {
          suspect.status = decision;
          this.history.push({ kind: "review", linkId, decision, reason });
          return this.detail(detail.incident.id);
        }
      }
      throw new HostError("not_found", `suspect link ${linkId} not found`);
    });
  }

  overrideAttribution(
    changeId: number,
    cls: OverrideClass,
    tool: string | null,
    reason: string,
  ): Promise<ChangeDto> {
    return this.answer("overrideAttribution", [changeId, cls, tool, reason], () => {
      const change = this.change(changeId);
      if (!OVERRIDE_CLASSES.includes(cls)) {
        throw new HostError("bad_input", `unknown class "${cls}"`);
      }
      if (reason.trim() === "") {
        throw new HostError("bad_input", "a reason is required");
      }
      this.history.push({ kind: "override", changeId, cls, tool, reason, revoked: false });
      return this.effective(change);
    });
  }

  clearOverride(changeId: number): Promise<ChangeDto> {
    return this.answer("clearOverride", [changeId], () => {
      const change = this.change(changeId);
      const inForce = this.overrideInForce(changeId);
      if (inForce !== undefined) inForce.revoked = true;
      return this.effective(change);
    });
  }

  listRuns(): Promise<IngestRunDto[]> {
    return this.answer("listRuns", [], () => this.data.runs);
  }

  /**
   * Before answering, reports progress for every file of the report: at the start,
   * half way and at the end of a 1000-byte file (deterministic).
   */
  pickAndIngest(onProgress?: (progress: IngestProgressDto) => void): Promise<IngestReportDto | null> {
    return this.answer("pickAndIngest", [], () => {
      const report = this.data.ingestReport;
      if (report === null) return null;
      if (onProgress !== undefined) {
        for (const progress of mockIngestProgress(report)) onProgress(progress);
      }
      for (const file of report.files) {
        if (file.status !== "stored") continue;
        const id = Math.max(0, ...this.data.runs.map((r) => r.id)) + 1;
        this.data.runs.push({
          id,
          path: file.path,
          format: file.format ?? "unknown",
          content_hash: `mock-${id}`,
          ingested_at: new Date().toISOString(),
          records_seen: file.records_seen,
          records_stored: file.records_stored,
          records_rejected: file.records_rejected,
          records_skipped: 0,
          rejections: structuredClone(file.rejections),
        });
        this.data.overview.ingest_runs += 1;
      }
      return report;
    });
  }

  /** Recorded in `calls`; the mock's ingest is not interrupted. */
  cancelIngest(): Promise<void> {
    return this.answer("cancelIngest", [], () => undefined);
  }

  saveReport(format: ReportFormat, scope?: ReportScope): Promise<string | null> {
    return this.answer("saveReport", scope === undefined ? [format] : [format, scope], () =>
      this.data.saveDirectory === null ? null : `${this.data.saveDirectory}/hindsight-report.${format}`,
    );
  }

  /** "Writes" every format into `saveDirectory`, named as the app names them. */
  saveReportFolder(scope?: ReportScope): Promise<SavedFolder | null> {
    return this.answer("saveReportFolder", scope === undefined ? [] : [scope], () => {
      const dir = this.data.saveDirectory;
      if (dir === null) return null;
      const reports = ["md", "html", "json", "pdf"].map((ext) => `${dir}/report.${ext}`);
      const tables = ["csv", "parquet"].flatMap((kind) => REPORT_TABLES.map((t) => `${dir}/${kind}/${t}.${kind}`));
      return { dir, files: [...reports, ...tables] };
    });
  }

  reportPreview(scope?: ReportScope): Promise<string> {
    return this.answer("reportPreview", scope === undefined ? [] : [scope], () => this.data.reportMarkdown);
  }

  searchEvents(query: EventQueryDto): Promise<EventPageDto> {
    return this.answer("searchEvents", [query], () => {
      if (!Number.isInteger(query.offset) || query.offset < 0) {
        throw new HostError("bad_input", `offset must be a non-negative integer, got ${query.offset}`);
      }
      if (!Number.isInteger(query.limit) || query.limit < 0 || query.limit > MAX_EVENT_PAGE) {
        throw new HostError("bad_input", `limit must be between 0 and ${MAX_EVENT_PAGE}, got ${query.limit}`);
      }
      const matching = this.data.events.filter((e) => matchesEventQuery(e, query));
      const countBound = query.offset + Math.max(EVENT_COUNT_AHEAD, query.limit);
      return {
        total: Math.min(matching.length, countBound),
        total_capped: matching.length > countBound,
        events: matching.slice(query.offset, query.offset + query.limit),
        elapsed_ms: this.options.elapsedMs?.(query) ?? 1 + (matching.length % 7),
      };
    });
  }

  eventFacets(): Promise<EventFacetsDto> {
    return this.answer("eventFacets", [], () => {
      const events = this.data.events;
      const distinct = (pick: (e: EventDto) => string | null) =>
        [...new Set(events.map(pick).filter((v): v is string => v !== null))].sort();
      return {
        services: distinct((e) => e.service),
        environments: distinct((e) => e.environment),
        sources: distinct((e) => e.source),
        classes: distinct((e) => e.class),
        tools: distinct((e) => e.tool),
        severities: distinct((e) => e.severity),
        actors: distinct((e) => e.actor),
        approvals: distinct((e) => e.approval),
        min_at: events[0]?.at ?? null,
        max_at: events[events.length - 1]?.at ?? null,
        total: events.length,
      };
    });
  }

  /** Counts per bucket of the backend's grid (see {@link histogramGrid}); `from`/`to` are not read. */
  eventHistogram(filter: EventFilterQuery): Promise<EventHistogramDto> {
    return this.answer("eventHistogram", [filter], () => {
      const events = this.data.events;
      const first = events[0];
      const last = events[events.length - 1];
      if (first === undefined || last === undefined) {
        return { bucket_seconds: 0, buckets: [], total: 0, elapsed_ms: 1 };
      }
      const grid = histogramGrid(Math.floor(Date.parse(first.at) / 1000), Math.floor(Date.parse(last.at) / 1000));
      const counts = new Array<number>(grid.count).fill(0);
      const query: EventQueryDto = { ...filter, from: null, to: null, offset: 0, limit: 0 };
      for (const event of events) {
        if (!matchesEventQuery(event, query)) continue;
        const index = Math.floor((Date.parse(event.at) / 1000 - grid.start) / grid.width);
        counts[index] = (counts[index] ?? 0) + 1;
      }
      const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
      const buckets = counts.map((count, i) => ({
        start: iso(grid.start + i * grid.width),
        end: iso(grid.start + (i + 1) * grid.width),
        count,
      }));
      return {
        bucket_seconds: grid.width,
        buckets,
        total: counts.reduce((a, b) => a + b, 0),
        elapsed_ms: 1 + (events.length % 5),
      };
    });
  }

  /** Annotation edits by incident id, append-only; undo only marks an edit. */
  readonly annotations: Record<number, AnnotationEditDto[]> = {};
  /** The time and author the mock stamps on annotation edits. */
  annotationClock = { at: "2025-03-01T12:00:00.000Z", author: "mock-reviewer" };

  incidentTimeline(incidentId: number): Promise<IncidentTimelineDto> {
    return this.answer("incidentTimeline", [incidentId], () => this.timeline(incidentId));
  }

  annotateIncident(incidentId: number, input: AnnotationInputDto): Promise<IncidentTimelineDto> {
    return this.answer("annotateIncident", [incidentId, input], () => {
      const current = this.timeline(incidentId);
      const value = input.value.trim();
      if (input.kind === "note" && value === "") throw new HostError("bad_input", "a note needs text");
      if (input.kind === "star" && value !== "on" && value !== "off") {
        throw new HostError("bad_input", `a star is "on" or "off", not "${value}"`);
      }
      if (input.kind === "moment" && value !== "" && !["detection", "diagnosis", "repair"].includes(value)) {
        throw new HostError("bad_input", `unknown key moment "${value}"`);
      }
      if (!["star", "moment", "note"].includes(input.kind)) {
        throw new HostError("bad_input", `unknown annotation "${input.kind}"`);
      }
      if (input.event_key !== null && !current.events.some((e) => e.key === input.event_key)) {
        throw new HostError("not_found", `incident ${incidentId} has no event "${input.event_key}"`);
      }
      const log = (this.annotations[incidentId] ??= []);
      const id = Math.max(0, ...Object.values(this.annotations).flat().map((e) => e.id)) + 1;
      log.push({
        id,
        event_key: input.event_key,
        kind: input.kind,
        value,
        author: this.annotationClock.author,
        at: this.annotationClock.at,
        undone_at: null,
        undone_by: null,
      });
      return this.timeline(incidentId);
    });
  }

  undoAnnotation(incidentId: number, editId: number): Promise<IncidentTimelineDto> {
    return this.answer("undoAnnotation", [incidentId, editId], () => {
      const edit = (this.annotations[incidentId] ?? []).find((e) => e.id === editId);
      if (edit === undefined) throw new HostError("not_found", `annotation ${editId} not found`);
      if (edit.undone_at !== null) throw new HostError("bad_input", `edit ${editId} is already undone`);
      edit.undone_at = this.annotationClock.at;
      edit.undone_by = this.annotationClock.author;
      return this.timeline(incidentId);
    });
  }

  private timeline(incidentId: number): IncidentTimelineDto {
    const detail = this.data.details[incidentId];
    const base =
      this.data.timelines[incidentId] ?? (detail === undefined ? undefined : timelineFromDetail(detail));
    if (base === undefined) throw new HostError("not_found", `incident ${incidentId} not found`);
    return replayAnnotations(base, this.annotations[incidentId] ?? []);
  }

  getSettings(): Promise<SettingsDto> {
    return this.answer("getSettings", [], () => this.data.settings);
  }

  /** Validates like the Rust side (ranges, zones, theme) and stores the change. */
  updateSettings(update: SettingsUpdate): Promise<SettingsDto> {
    return this.answer("updateSettings", [update], () => {
      const next = { ...this.data.settings };
      if (update.link_window_hours !== undefined) {
        const hours = update.link_window_hours;
        if (!(Number.isFinite(hours) && hours > 0 && hours <= 744)) {
          throw new HostError("bad_input", `link window ${hours} h is out of range: use more than 0 and at most 744 hours`);
        }
        next.link_window_hours = hours;
      }
      if (update.suspect_threshold !== undefined) {
        const t = update.suspect_threshold;
        if (!(Number.isFinite(t) && t >= 0 && t <= 1)) {
          throw new HostError("bad_input", `suspect threshold ${t} is out of range: scores run from 0 to 1`);
        }
        next.suspect_threshold = t;
      }
      for (const key of ["time_zone", "display_time_zone"] as const) {
        const zone = update[key];
        if (zone === undefined) continue;
        const ok = /^(UTC|Z|[+-]\d{2}(:?\d{2})?)$/i.test(zone) || (key === "display_time_zone" && zone === "local");
        if (!ok) throw new HostError("bad_input", `time zone "${zone}" is not a fixed offset`);
        next[key] = zone;
      }
      if (update.theme !== undefined) {
        if (!["system", "light", "dark"].includes(update.theme)) {
          throw new HostError("bad_input", `theme "${update.theme}" is unknown: use system, light or dark`);
        }
        next.theme = update.theme;
      }
      if (update.rules_file !== undefined) {
        const path = update.rules_file.trim();
        if (path.includes("broken")) {
          throw new HostError("bad_input", `${path}: invalid attribution rules`);
        }
        next.rules_file = path === "" ? null : path;
        next.rule_sources = path === "" ? ["built-in"] : ["built-in", path];
        next.rules_error = null;
      }
      this.data.settings = next;
      return next;
    });
  }

  analytics(): Promise<AnalyticsDto> {
    return this.answer("analytics", [], () => this.data.analytics);
  }

  simulatePolicy(rules: PolicyRuleDto[]): Promise<WhatIfDto[]> {
    return this.answer("simulatePolicy", [rules], () => (this.options.simulate ?? mockSimulate)(rules));
  }

  detectFiles(paths: string[]): Promise<DetectedFileDto[]> {
    return this.answer("detectFiles", [paths], () =>
      paths.flatMap(
        (path) => this.data.detected[path] ?? [{ path, format: null, size: 100, error: null }],
      ),
    );
  }

  pickPaths(): Promise<string[] | null> {
    return this.answer("pickPaths", [], () => this.data.pickedPaths);
  }

  pickFile(kind: PickKind): Promise<string | null> {
    return this.answer("pickFile", [kind], () => this.data.pickedFiles[kind] ?? null);
  }

  /** Answers `ingestReport` (an empty report when it is `null`) with the same progress as `pickAndIngest`. */
  ingestPaths(
    paths: string[],
    mappingPath: string | null,
    onProgress?: (progress: IngestProgressDto) => void,
  ): Promise<IngestReportDto> {
    return this.answer("ingestPaths", [paths, mappingPath], () => {
      const report = this.data.ingestReport ?? { files: [] };
      if (onProgress !== undefined) {
        for (const progress of mockIngestProgress(report)) onProgress(progress);
      }
      return report;
    });
  }

  private readonly dropListeners = new Set<(event: FileDropEvent) => void>();

  onFileDrop(listener: (event: FileDropEvent) => void): Promise<() => void> {
    return this.answer("onFileDrop", [], () => {
      this.dropListeners.add(listener);
      return undefined;
    }).then(() => () => {
      this.dropListeners.delete(listener);
    });
  }

  /** Plays a drag-and-drop event to every listener, as the window would. */
  playDrop(event: FileDropEvent): void {
    for (const listener of [...this.dropListeners]) listener(event);
  }

  /** How many drop listeners are subscribed (tests check that screens unsubscribe). */
  get dropListenerCount(): number {
    return this.dropListeners.size;
  }

  // Grouping and cause edits: the incident list before each edit, newest last, per record.
  private readonly groupingUndo: Array<{ ids: number[]; incidents: IncidentSummaryDto[] }> = [];
  private readonly causeUndo: Array<{ id: number; incidents: IncidentSummaryDto[] }> = [];

  mergeIncidents(a: number, b: number, reason: string): Promise<IncidentGroupDto[]> {
    return this.answer("mergeIncidents", [a, b, reason], () => {
      requireReason(reason);
      if (a === b) throw new HostError("bad_input", "merge needs two different incidents");
      const pa = this.primaryOf(this.incident(a).id);
      const pb = this.primaryOf(this.incident(b).id);
      this.groupingUndo.push({ ids: [a, b], incidents: structuredClone(this.data.incidents) });
      this.recordGrouping({ action: "merge", incident_id: a, other_id: b, reason });
      if (pa !== pb) {
        // The earliest record stays primary.
        const [keep, drop] = this.incident(pa).started_at <= this.incident(pb).started_at ? [pa, pb] : [pb, pa];
        for (const incident of this.data.incidents) {
          if (incident.group_primary === drop) incident.group_primary = keep;
        }
        this.regroup();
      }
      return this.groups();
    });
  }

  splitIncident(id: number, reason: string): Promise<IncidentGroupDto[]> {
    return this.answer("splitIncident", [id, reason], () => {
      requireReason(reason);
      const incident = this.incident(id);
      this.groupingUndo.push({ ids: [id], incidents: structuredClone(this.data.incidents) });
      this.recordGrouping({ action: "split", incident_id: id, other_id: null, reason });
      const primary = incident.group_primary;
      if (primary === id) {
        // The next record becomes the others' primary.
        const rest = this.data.incidents
          .filter((i) => i.group_primary === id && i.id !== id)
          .sort((x, y) => x.started_at.localeCompare(y.started_at));
        for (const other of rest) other.group_primary = rest[0]!.id;
      }
      incident.group_primary = id;
      this.regroup();
      return this.groups();
    });
  }

  undoIncidentGrouping(id: number): Promise<IncidentGroupDto[]> {
    return this.answer("undoIncidentGrouping", [id], () => {
      const index = this.groupingUndo.map((u) => u.ids.includes(id)).lastIndexOf(true);
      if (index < 0) throw new HostError("not_found", `a merge or split decision naming incident ${id}`);
      const [entry] = this.groupingUndo.splice(index, 1);
      this.data.incidents = entry!.incidents;
      for (const incident of this.data.incidents) this.syncDetail(incident);
      return this.groups();
    });
  }

  setIncidentCause(
    id: number,
    decision: CauseDecision,
    category: CauseCategory | null,
    reason: string,
  ): Promise<IncidentCauseDto> {
    return this.answer("setIncidentCause", [id, decision, category, reason], () => {
      requireReason(reason);
      if (category !== null && !CAUSE_CATEGORIES.includes(category)) {
        throw new HostError("bad_input", `unknown category "${category}"`);
      }
      const incident = this.incident(id);
      const cause: IncidentCauseDto = {
        incident_id: id,
        decision,
        category: decision === "not_change_caused" ? (category ?? "other") : category,
        reason: reason.trim(),
        reviewer: "mock-reviewer",
        at: "2026-11-27T12:00:00Z",
      };
      this.causeUndo.push({ id, incidents: structuredClone(this.data.incidents) });
      for (const member of this.data.incidents) {
        if (member.group_primary !== incident.group_primary) continue;
        member.cause = {
          not_change_caused: decision === "not_change_caused",
          category: cause.category,
          decided_by: "reviewer",
          why: cause.reason,
          review: cause,
        };
        this.syncDetail(member);
      }
      return cause;
    });
  }

  undoIncidentCause(id: number): Promise<void> {
    return this.answer("undoIncidentCause", [id], () => {
      const index = this.causeUndo.map((u) => u.id === id).lastIndexOf(true);
      if (index < 0) throw new HostError("not_found", `a cause decision for incident ${id}`);
      const [entry] = this.causeUndo.splice(index, 1);
      this.data.incidents = entry!.incidents;
      for (const incident of this.data.incidents) this.syncDetail(incident);
    });
  }

  private incident(id: number): IncidentSummaryDto {
    const incident = this.data.incidents.find((i) => i.id === id);
    if (incident === undefined) throw new HostError("not_found", `incident ${id} not found`);
    return incident;
  }

  private primaryOf(id: number): number {
    return this.incident(id).group_primary;
  }

  /** Rebuilds each primary's `merged` list from `group_primary`. */
  private regroup(): void {
    for (const incident of this.data.incidents) {
      incident.merged = this.data.incidents
        .filter((m) => m.id !== incident.id && m.group_primary === incident.id)
        .sort((x, y) => x.started_at.localeCompare(y.started_at))
        .map((m) => ({
          id: m.id,
          source_system: m.source_system,
          source_id: m.source_id,
          title: m.title,
          started_at: m.started_at,
        }));
    }
    for (const incident of this.data.incidents) this.syncDetail(incident);
  }

  /** Keeps a merge or split on the records it names, as the store's decisions in force. */
  private recordGrouping(decision: Omit<IncidentGroupDecisionDto, "reviewer" | "at">): void {
    const kept: IncidentGroupDecisionDto = { ...decision, reviewer: "mock-reviewer", at: "2026-11-27T12:00:00Z" };
    for (const incident of this.data.incidents) {
      if (incident.id === decision.incident_id || incident.id === decision.other_id) {
        incident.grouping = [...incident.grouping, kept];
        this.syncDetail(incident);
      }
    }
  }

  private groups(): IncidentGroupDto[] {
    return this.data.incidents
      .filter((i) => i.group_primary === i.id)
      .sort((x, y) => x.id - y.id)
      .map((i) => ({
        primary: i.id,
        members: [i, ...i.merged].map((m) => ({
          id: m.id,
          source_system: m.source_system,
          source_id: m.source_id,
          title: m.title,
          started_at: m.started_at,
        })),
        reasons: i.merged.length > 0 ? ["merged by a reviewer"] : [],
        decisions: [i, ...i.merged]
          .flatMap((m) => this.incident(m.id).grouping)
          .filter((d, index, all) => all.indexOf(d) === index),
      }));
  }

  private syncDetail(incident: IncidentSummaryDto): void {
    const detail = this.data.details[incident.id];
    if (detail !== undefined) {
      detail.incident = {
        ...detail.incident,
        group_primary: incident.group_primary,
        merged: incident.merged,
        cause: incident.cause,
        grouping: incident.grouping,
      };
    }
  }

  private detail(id: number): IncidentDetailDto {
    const detail = this.data.details[id];
    if (detail === undefined) {
      throw new HostError("not_found", `incident ${id} not found`);
    }
    return {
      ...detail,
      suspects: detail.suspects.map((s) => ({
        ...s,
        changes: s.changes.map((c) => this.effective(c)),
      })),
    };
  }

  private change(id: number): ChangeDto {
    const change = this.data.changes.find((c) => c.id === id);
    if (change === undefined) {
      throw new HostError("not_found", `change ${id} not found`);
    }
    return change;
  }

  /** The newest override of a change that is not revoked. */
  private overrideInForce(changeId: number) {
    for (let i = this.history.length - 1; i >= 0; i -= 1) {
      const entry = this.history[i]!;
      if (entry.kind === "override" && entry.changeId === changeId && !entry.revoked) return entry;
    }
    return undefined;
  }

  /** A change as the rules attributed it, with the override in force applied. */
  private effective(change: ChangeDto): ChangeDto {
    const base: ChangeDto = { ...change };
    const inForce = this.overrideInForce(change.id);
    if (inForce === undefined) return { ...base, override_reason: null };
    return { ...base, class: inForce.cls, tool: inForce.tool, override_reason: inForce.reason };
  }

  private answer<T>(method: HostMethod, args: unknown[], produce: () => T): Promise<T> {
    this.calls.push({ method, args });
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        const error = this.options.errors?.[method];
        if (error !== undefined) {
          reject(error);
          return;
        }
        try {
          // Hand out copies so a component can never mutate the store.
          resolve(structuredClone(produce()));
        } catch (e) {
          reject(e);
        }
      };
      const { delayMs } = this.options;
      const delay = typeof delayMs === "function" ? delayMs(method, args) : (delayMs ?? 0);
      if (delay > 0) {
        setTimeout(settle, delay);
      } else {
        queueMicrotask(settle);
      }
    });
  }
}

/**
 * The progress messages the mock sends for a report: 0, 500 and 1000 of 1000 bytes per file;
 * then, as the backend does when some file was stored, the two update steps.
 */
export function mockIngestProgress(report: IngestReportDto): IngestProgressDto[] {
  const files = report.files.length;
  const reading: IngestProgressDto[] = report.files.flatMap((file, fileIndex) =>
    [0, 500, 1000].map((bytesRead) => ({
      phase: "reading",
      step: "",
      file_index: fileIndex,
      files,
      path: file.path,
      bytes_read: bytesRead,
      bytes_total: 1000,
    })),
  );
  if (!report.files.some((file) => file.status === "stored")) {
    return reading;
  }
  const updating = ["links", "timeline"].map((step) => ({
    phase: "updating",
    step,
    file_index: files - 1,
    files,
    path: "",
    bytes_read: 0,
    bytes_total: 0,
  }));
  return [...reading, ...updating];
}

const WEEK = 7 * 86_400;
/** The backend's bucket widths (seconds), narrowest first. */
const BUCKET_WIDTHS = [
  60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, WEEK, 2 * WEEK, 4 * WEEK,
];

/**
 * The histogram grid over the seconds `first..=last`, as the backend draws it: the narrowest
 * width giving at most {@link MAX_HISTOGRAM_BUCKETS} buckets, aligned on the epoch (weeks on
 * Mondays), then multiples of four weeks.
 */
export function histogramGrid(first: number, last: number): { width: number; start: number; count: number } {
  const plan = (width: number) => {
    const origin = width % WEEK === 0 ? 4 * 86_400 : 0;
    const start = origin + Math.floor((first - origin) / width) * width;
    return { width, start, count: Math.floor((last - start) / width) + 1 };
  };
  for (const width of BUCKET_WIDTHS) {
    const grid = plan(width);
    if (grid.count <= MAX_HISTOGRAM_BUCKETS) return grid;
  }
  let multiple = Math.max(1, Math.floor((last - first) / (4 * WEEK * (MAX_HISTOGRAM_BUCKETS - 1)))) + 1;
  for (;;) {
    const grid = plan(4 * WEEK * multiple);
    if (grid.count <= MAX_HISTOGRAM_BUCKETS) return grid;
    multiple += 1;
  }
}

function compareEvents(a: EventDto, b: EventDto): number {
  const byTime = Date.parse(a.at) - Date.parse(b.at);
  return byTime !== 0 ? byTime : a.id - b.id;
}

/** The mock's reading of an EventQueryDto: empty lists mean "all", bounds are inclusive. */
export function matchesEventQuery(event: EventDto, query: EventQueryDto): boolean {
  const text = query.text?.trim().toLowerCase() ?? "";
  if (text !== "" && !event.title.toLowerCase().includes(text)) return false;
  const at = Date.parse(event.at);
  if (query.from !== null && at < Date.parse(query.from)) return false;
  if (query.to !== null && at > Date.parse(query.to)) return false;
  const within = (allowed: string[], value: string | null) =>
    allowed.length === 0 || (value !== null && allowed.includes(value));
  return (
    within(query.sources, event.source) &&
    within(query.services, event.service) &&
    within(query.environments, event.environment) &&
    within(query.classes, event.class) &&
    within(query.tools, event.tool) &&
    within(query.severities, event.severity) &&
    within(query.actors, event.actor) &&
    within(query.approvals, event.approval)
  );
}

function requireReason(reason: string): void {
  if (reason.trim() === "") throw new HostError("bad_input", "a decision needs a reason");
}
