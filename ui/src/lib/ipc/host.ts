import type { ApiErrorDto } from "../bindings/ApiErrorDto";
import type { ApiErrorKind } from "../bindings/ApiErrorKind";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { IngestProgressDto } from "../bindings/IngestProgressDto";
import type { IngestReportDto } from "../bindings/IngestReportDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";
import type { ChangeDto } from "../bindings/ChangeDto";
import type { IngestRunDto } from "../bindings/IngestRunDto";
import type { EventQueryDto } from "../bindings/EventQueryDto";
import type { EventPageDto } from "../bindings/EventPageDto";
import type { EventFacetsDto } from "../bindings/EventFacetsDto";
import type { EventHistogramDto } from "../bindings/EventHistogramDto";
import type { ReportScope } from "../bindings/ReportScope";
import type { IncidentTimelineDto } from "../bindings/IncidentTimelineDto";
import type { AnnotationInputDto } from "../bindings/AnnotationInputDto";
import type { AnalyticsDto } from "../bindings/AnalyticsDto";
import type { DetectedFileDto } from "../bindings/DetectedFileDto";
import type { PolicyRuleDto } from "../bindings/PolicyRuleDto";
import type { SettingsDto } from "../bindings/SettingsDto";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { WhatIfDto } from "../bindings/WhatIfDto";
import type { IncidentGroupDto } from "../bindings/IncidentGroupDto";
import type { IncidentCauseDto } from "../bindings/IncidentCauseDto";

/** A reviewer's decision on a suspect link; `suspected` undoes a decision. */
export type LinkDecision = "confirmed" | "rejected" | "suspected";
export const LINK_DECISIONS: readonly LinkDecision[] = ["confirmed", "rejected", "suspected"];

/** The attribution classes a reviewer may set. */
export type OverrideClass = "ai" | "human" | "automation" | "unknown";
export const OVERRIDE_CLASSES: readonly OverrideClass[] = ["ai", "human", "automation", "unknown"];

/** A reviewer's word on an incident's cause. */
export type CauseDecision = "not_change_caused" | "change_caused";
/** Why an incident was not caused by a change. */
export type CauseCategory = "provider" | "hardware" | "capacity" | "other";
export const CAUSE_CATEGORIES: readonly CauseCategory[] = ["provider", "hardware", "capacity", "other"];

/** Formats a report can be saved in. */
export type ReportFormat = "md" | "html" | "json" | "pdf";

/**
 * The one interface between the UI and whatever serves its data
 * (the Tauri backend in the app, an in-memory mock in tests).
 * Every method rejects with a {@link HostError}.
 */
/** What {@link Host.saveReportFolder} wrote: the folder chosen and every file, in order. */
export interface SavedFolder {
  dir: string;
  files: string[];
}

export interface Host {
  storeOverview(): Promise<StoreOverviewDto>;
  listIncidents(): Promise<IncidentSummaryDto[]>;
  getIncident(id: number): Promise<IncidentDetailDto>;
  /** Every change in the store, with its attribution. */
  listChanges(): Promise<ChangeDto[]>;
  /** Records a decision on a suspect link; answers the refreshed incident. */
  reviewLink(linkId: number, decision: LinkDecision, reason: string): Promise<IncidentDetailDto>;
  /** Overrides a change's class; answers the refreshed change. */
  overrideAttribution(
    changeId: number,
    cls: OverrideClass,
    tool: string | null,
    reason: string,
  ): Promise<ChangeDto>;
  /** Revokes the override in force on a change; answers the refreshed change. */
  clearOverride(changeId: number): Promise<ChangeDto>;
  /** Ingest history. */
  listRuns(): Promise<IngestRunDto[]>;
  /**
   * Lets the user choose files and ingests them; `null` when the user cancels the dialog.
   * `onProgress` is called while the files are read.
   */
  pickAndIngest(onProgress?: (progress: IngestProgressDto) => void): Promise<IngestReportDto | null>;
  /**
   * Stops the ingest under way: the file being read is rolled back and later files
   * come back with status `cancelled`.
   */
  cancelIngest(): Promise<void>;
  /**
   * Lets the user choose where to save the report; the written path, `null` when cancelled.
   * `scope` narrows every section (omitted: everything in the store).
   */
  saveReport(format: ReportFormat, scope?: ReportScope): Promise<string | null>;
  /**
   * Lets the user choose a folder and writes every format into it from one build of the report
   * (`report.md`, `.html`, `.json`, `.pdf`, the tables under `csv/` and `parquet/`); the folder
   * and the files written, `null` when cancelled.
   */
  saveReportFolder(scope?: ReportScope): Promise<SavedFolder | null>;
  /** The report as Markdown text, over `scope` when given. */
  reportPreview(scope?: ReportScope): Promise<string>;
  /** One page of the unified event timeline (incidents, deployments, changes) matching `query`. */
  searchEvents(query: EventQueryDto): Promise<EventPageDto>;
  /** The values each timeline filter can take, the time range and the event count. */
  eventFacets(): Promise<EventFacetsDto>;
  /**
   * Events matching `filter` (text and filters; its `from`/`to` are not read) per time bucket,
   * over the whole stored range: what the timeline's time brush draws.
   */
  eventHistogram(filter: EventFilterQuery): Promise<EventHistogramDto>;
  /** An incident's deep-dive: merged timeline, impact window, key moments, stars and notes. */
  incidentTimeline(incidentId: number): Promise<IncidentTimelineDto>;
  /** Records one annotation edit (kept with who and when); answers the refreshed deep-dive. */
  annotateIncident(incidentId: number, input: AnnotationInputDto): Promise<IncidentTimelineDto>;
  /** Undoes one annotation edit (it stays in the history); answers the refreshed deep-dive. */
  undoAnnotation(incidentId: number, editId: number): Promise<IncidentTimelineDto>;
  /** Merges two incidents (and their groups) into one, with a reason; answers every group. */
  mergeIncidents(a: number, b: number, reason: string): Promise<IncidentGroupDto[]>;
  /** Takes an incident out of its group, with a reason; answers every group. */
  splitIncident(id: number, reason: string): Promise<IncidentGroupDto[]>;
  /** Undoes the newest merge or split naming the incident; answers every group. */
  undoIncidentGrouping(id: number): Promise<IncidentGroupDto[]>;
  /** Records the reviewer's cause (beats the text classifier); answers the decision. */
  setIncidentCause(
    id: number,
    decision: CauseDecision,
    category: CauseCategory | null,
    reason: string,
  ): Promise<IncidentCauseDto>;
  /** Undoes the cause decision in force on the record `id` (the decision's `incident_id`). */
  undoIncidentCause(id: number): Promise<void>;

  /** The settings in force (defaults for those never set). */
  getSettings(): Promise<SettingsDto>;
  /** Validates, stores and applies a change to the settings; answers the settings in force. */
  updateSettings(update: SettingsUpdate): Promise<SettingsDto>;
  /** Cohort, stratified, DORA, recovery and what-if figures, as the report computes them. */
  analytics(): Promise<AnalyticsDto>;
  /** Replays edited guardrails over the stored history. */
  simulatePolicy(rules: PolicyRuleDto[]): Promise<WhatIfDto[]>;
  /** The files `paths` expand to (folders recursively), each with its detected format. */
  detectFiles(paths: string[]): Promise<DetectedFileDto[]>;
  /** Lets the user choose files to check before importing; `null` when cancelled. */
  pickPaths(): Promise<string[] | null>;
  /** Lets the user choose one file of `kind`; `null` when cancelled. */
  pickFile(kind: PickKind): Promise<string | null>;
  /** Ingests known paths, through a TOML column mapping when one is given. */
  ingestPaths(
    paths: string[],
    mappingPath: string | null,
    onProgress?: (progress: IngestProgressDto) => void,
  ): Promise<IngestReportDto>;
  /**
   * Listens for files and folders dragged onto the window; answers the function that stops
   * listening. Hosts without a window never call the listener.
   */
  onFileDrop(listener: (event: FileDropEvent) => void): Promise<() => void>;
}

/** The key moments a reviewer can mark on an incident's events, in incident order. */
export type KeyMoment = "detection" | "diagnosis" | "repair";
export const KEY_MOMENTS: readonly KeyMoment[] = ["detection", "diagnosis", "repair"];


/** Single files the UI asks for: attribution rules, a column mapping, a service catalog. */
export type PickKind = "rules" | "mapping" | "catalog";

/** A drag over the window (`over`), its end without a drop (`leave`), or a drop with its paths. */
export type FileDropEvent = { type: "over" } | { type: "leave" } | { type: "drop"; paths: string[] };

/** An event query without its page: what the timeline filters by. */
export type EventFilterQuery = Omit<EventQueryDto, "offset" | "limit">;

/** Most buckets `eventHistogram` answers. */
export const MAX_HISTOGRAM_BUCKETS = 120;

/** Largest page `searchEvents` answers. */
export const MAX_EVENT_PAGE = 1000;
/** Matches past a page's offset that `searchEvents` counts; more make `total_capped` true. */
export const EVENT_COUNT_AHEAD = 10_000;

const API_ERROR_KINDS: readonly ApiErrorKind[] = [
  "bad_input",
  "not_found",
  "cancelled",
  "internal",
];

export function isApiErrorKind(value: unknown): value is ApiErrorKind {
  return typeof value === "string" && (API_ERROR_KINDS as readonly string[]).includes(value);
}

/** An error reported by the host, carrying the backend's ApiErrorDto. */
export class HostError extends Error implements ApiErrorDto {
  readonly kind: ApiErrorKind;

  constructor(kind: ApiErrorKind, message: string) {
    super(message);
    this.name = "HostError";
    this.kind = kind;
  }

  toDto(): ApiErrorDto {
    return { kind: this.kind, message: this.message };
  }
}

/** Turns anything a host call may reject with into a HostError. */
export function toHostError(error: unknown): HostError {
  if (error instanceof HostError) {
    return error;
  }
  if (typeof error === "string") {
    return new HostError("internal", error);
  }
  if (typeof error === "object" && error !== null) {
    const record = error as Record<string, unknown>;
    const message = record["message"];
    if (typeof message === "string") {
      const kind = record["kind"];
      return new HostError(isApiErrorKind(kind) ? kind : "internal", message);
    }
  }
  return new HostError("internal", error === undefined ? "Unknown error" : String(error));
}
