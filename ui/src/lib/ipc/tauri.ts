import { Channel, invoke as tauriInvoke, isTauri } from "@tauri-apps/api/core";
import { open as dialogOpen, save as dialogSave } from "@tauri-apps/plugin-dialog";
import type { ReportScope } from "../bindings/ReportScope";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { IngestProgressDto } from "../bindings/IngestProgressDto";
import type { IngestReportDto } from "../bindings/IngestReportDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";
import {
  HostError,
  toHostError,
  type Host,
  type LinkDecision,
  type OverrideClass,
  type ReportFormat,
  type FileDropEvent,
  type EventFilterQuery,
  type PickKind,
  type CauseCategory,
  type CauseDecision,
} from "./host";
import type { IncidentGroupDto } from "../bindings/IncidentGroupDto";
import type { IncidentCauseDto } from "../bindings/IncidentCauseDto";
import type { ChangeDto } from "../bindings/ChangeDto";
import type { IngestRunDto } from "../bindings/IngestRunDto";
import type { EventQueryDto } from "../bindings/EventQueryDto";
import type { EventPageDto } from "../bindings/EventPageDto";
import type { EventFacetsDto } from "../bindings/EventFacetsDto";
import type { EventHistogramDto } from "../bindings/EventHistogramDto";
import type { IncidentTimelineDto } from "../bindings/IncidentTimelineDto";
import type { AnnotationInputDto } from "../bindings/AnnotationInputDto";
import type { AnalyticsDto } from "../bindings/AnalyticsDto";
import type { DetectedFileDto } from "../bindings/DetectedFileDto";
import type { PolicyRuleDto } from "../bindings/PolicyRuleDto";
import type { SettingsDto } from "../bindings/SettingsDto";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { WhatIfDto } from "../bindings/WhatIfDto";

/** Same shape as Tauri's `invoke`; injectable for tests. */
export type InvokeFn = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

export interface DialogFilter {
  name: string;
  extensions: string[];
}

/** The native dialogs the host uses (from `@tauri-apps/plugin-dialog`); injectable for tests. */
export interface DialogFns {
  open(options: {
    multiple: boolean;
    directory: boolean;
    filters?: DialogFilter[];
    title?: string;
  }): Promise<string | string[] | null>;
  save(options: { defaultPath: string; filters: DialogFilter[] }): Promise<string | null>;
}

/**
 * Makes a Tauri `Channel` whose messages go to `onmessage` (set before the channel is
 * sent to the backend, so no message is lost); injectable for tests.
 */
export type ChannelFn = <T>(onmessage: (message: T) => void) => Channel<T>;

/**
 * Subscribes to the webview's drag-and-drop events (Tauri 2 `onDragDropEvent`); answers the
 * unsubscribe function. Injectable for tests.
 */
export type DragDropFn = (listener: (event: FileDropEvent) => void) => Promise<() => void>;

/** The dialog each {@link PickKind} opens. */
export const PICK_DIALOGS: Record<PickKind, { title: string; filters: DialogFilter[] }> = {
  rules: { title: "Attribution rules file", filters: [{ name: "TOML", extensions: ["toml"] }] },
  mapping: { title: "Column mapping file", filters: [{ name: "TOML", extensions: ["toml"] }] },
  catalog: {
    title: "Backstage catalog file",
    filters: [{ name: "YAML", extensions: ["yaml", "yml"] }],
  },
};

/** Rust command names; the Tauri side must register exactly these. */
export const COMMANDS = {
  storeOverview: "store_overview",
  listIncidents: "list_incidents",
  getIncident: "get_incident",
  listChanges: "list_changes",
  reviewLink: "review_link",
  overrideAttribution: "override_attribution",
  clearOverride: "clear_override",
  listRuns: "list_runs",
  ingestFiles: "ingest_files",
  cancelIngest: "cancel_ingest",
  saveReport: "save_report",
  saveReportOutputs: "save_report_outputs",
  renderReport: "render_report",
  searchEvents: "search_events",
  eventFacets: "event_facets",
  eventHistogram: "event_histogram",
  incidentTimeline: "incident_timeline",
  annotateIncident: "annotate_incident",
  undoAnnotation: "undo_annotation",
  mergeIncidents: "merge_incidents",
  splitIncident: "split_incident",
  undoIncidentGrouping: "undo_incident_grouping",
  setIncidentCause: "set_incident_cause",
  undoIncidentCause: "undo_incident_cause",
  getSettings: "get_settings",
  updateSettings: "update_settings",
  analytics: "analytics",
  simulatePolicy: "simulate_policy",
  detectFiles: "detect_files",
} as const;

export const REPORT_FILTERS: Record<ReportFormat, DialogFilter[]> = {
  md: [{ name: "Markdown", extensions: ["md"] }],
  html: [{ name: "HTML", extensions: ["html"] }],
  json: [{ name: "JSON", extensions: ["json"] }],
  pdf: [{ name: "PDF", extensions: ["pdf"] }],
};

const notInApp = () =>
  new HostError(
    "internal",
    "Not running inside the Hindsight desktop app: the Tauri backend is unavailable.",
  );

const defaultInvoke: InvokeFn = (command, args) => {
  if (!isTauri()) {
    return Promise.reject(notInApp());
  }
  return tauriInvoke(command, args);
};

/**
 * Test-only seam for the desktop end-to-end tests, which cannot drive native GTK dialogs: a
 * WebDriver script sets `window.__HINDSIGHT_E2E__ = {open: [...paths], save: "path"}` and the
 * next dialog answers that value instead of opening. It grants nothing new: the page can
 * already pass any path to the ingest and save commands; the dialog is a convenience, not a
 * security boundary.
 */
interface E2eDialogAnswers {
  open?: string[];
  save?: string;
}

function e2eAnswers(): E2eDialogAnswers | undefined {
  const value = (globalThis as { __HINDSIGHT_E2E__?: unknown }).__HINDSIGHT_E2E__;
  return typeof value === "object" && value !== null ? (value as E2eDialogAnswers) : undefined;
}

const defaultDialog: DialogFns = {
  open: (options) => {
    const planned = e2eAnswers()?.open;
    if (Array.isArray(planned)) return Promise.resolve(planned);
    return isTauri() ? dialogOpen(options) : Promise.reject(notInApp());
  },
  save: (options) => {
    const planned = e2eAnswers()?.save;
    if (typeof planned === "string") return Promise.resolve(planned);
    return isTauri() ? dialogSave(options) : Promise.reject(notInApp());
  },
};

const defaultChannel: ChannelFn = (onmessage) => new Channel(onmessage);

const defaultDragDrop: DragDropFn = async (listener) => {
  if (!isTauri()) return () => {};
  return getCurrentWebview().onDragDropEvent((event) => {
    const payload = event.payload;
    if (payload.type === "drop") listener({ type: "drop", paths: payload.paths });
    else if (payload.type === "leave") listener({ type: "leave" });
    else listener({ type: "over" });
  });
};

/** The Host backed by the Tauri commands of the desktop app. */
export function createTauriHost(
  invoke: InvokeFn = defaultInvoke,
  dialog: DialogFns = defaultDialog,
  channel: ChannelFn = defaultChannel,
  dragDrop: DragDropFn = defaultDragDrop,
): Host {
  async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(command, args);
    } catch (error) {
      throw toHostError(error);
    }
  }

  async function ask<T>(show: () => Promise<T>): Promise<T> {
    try {
      return await show();
    } catch (error) {
      throw toHostError(error);
    }
  }

  return {
    storeOverview: () => call<StoreOverviewDto>(COMMANDS.storeOverview),
    listIncidents: () => call<IncidentSummaryDto[]>(COMMANDS.listIncidents),
    getIncident: (id: number) => call<IncidentDetailDto>(COMMANDS.getIncident, { id }),
    listChanges: () => call<ChangeDto[]>(COMMANDS.listChanges),
    reviewLink: (linkId: number, decision: LinkDecision, reason: string) =>
      call<IncidentDetailDto>(COMMANDS.reviewLink, { linkId, decision, reason }),
    // `class` is reserved in Rust: the command's parameter is `class_name`.
    overrideAttribution: (changeId: number, cls: OverrideClass, tool: string | null, reason: string) =>
      call<ChangeDto>(COMMANDS.overrideAttribution, { changeId, className: cls, tool, reason }),
    clearOverride: (changeId: number) => call<ChangeDto>(COMMANDS.clearOverride, { changeId }),
    listRuns: () => call<IngestRunDto[]>(COMMANDS.listRuns),
    pickAndIngest: async (onProgress?: (progress: IngestProgressDto) => void) => {
      const chosen = await ask(() => dialog.open({ multiple: true, directory: false }));
      if (chosen === null) return null;
      const paths = Array.isArray(chosen) ? chosen : [chosen];
      if (paths.length === 0) return null;
      // The command always takes a channel; without a listener its messages are dropped.
      const progress = channel<IngestProgressDto>((p) => onProgress?.(p));
      return call<IngestReportDto>(COMMANDS.ingestFiles, { paths, onProgress: progress });
    },
    cancelIngest: () => call<void>(COMMANDS.cancelIngest),
    saveReport: async (format: ReportFormat, scope?: ReportScope) => {
      const path = await ask(() =>
        dialog.save({ defaultPath: `hindsight-report.${format}`, filters: REPORT_FILTERS[format] }),
      );
      if (path === null) return null;
      return call<string>(COMMANDS.saveReport, scope === undefined ? { format, path } : { format, path, scope });
    },
    saveReportFolder: async (scope?: ReportScope) => {
      const chosen = await ask(() =>
        dialog.open({ directory: true, multiple: false, title: "Folder for every report format" }),
      );
      const dir = Array.isArray(chosen) ? chosen[0] : chosen;
      if (dir === null || dir === undefined) return null;
      const args = { outputs: "all", dir };
      const files = await call<string[]>(COMMANDS.saveReportOutputs, scope === undefined ? args : { ...args, scope });
      return { dir, files };
    },
    reportPreview: (scope?: ReportScope) =>
      call<string>(COMMANDS.renderReport, scope === undefined ? { format: "md" } : { format: "md", scope }),
    searchEvents: (query: EventQueryDto) => call<EventPageDto>(COMMANDS.searchEvents, { query }),
    eventFacets: () => call<EventFacetsDto>(COMMANDS.eventFacets),
    eventHistogram: (filter: EventFilterQuery) =>
      call<EventHistogramDto>(COMMANDS.eventHistogram, { query: filter }),
    incidentTimeline: (incidentId: number) =>
      call<IncidentTimelineDto>(COMMANDS.incidentTimeline, { incidentId }),
    annotateIncident: (incidentId: number, input: AnnotationInputDto) =>
      call<IncidentTimelineDto>(COMMANDS.annotateIncident, { incidentId, input }),
    undoAnnotation: (incidentId: number, editId: number) =>
      call<IncidentTimelineDto>(COMMANDS.undoAnnotation, { incidentId, editId }),
    mergeIncidents: (a: number, b: number, reason: string) =>
      call<IncidentGroupDto[]>(COMMANDS.mergeIncidents, { a, b, reason }),
    splitIncident: (id: number, reason: string) =>
      call<IncidentGroupDto[]>(COMMANDS.splitIncident, { id, reason }),
    undoIncidentGrouping: (id: number) => call<IncidentGroupDto[]>(COMMANDS.undoIncidentGrouping, { id }),
    setIncidentCause: (id: number, decision: CauseDecision, category: CauseCategory | null, reason: string) =>
      call<IncidentCauseDto>(COMMANDS.setIncidentCause, { id, decision, category, reason }),
    undoIncidentCause: (id: number) => call<null>(COMMANDS.undoIncidentCause, { id }).then(() => undefined),
    getSettings: () => call<SettingsDto>(COMMANDS.getSettings),
    updateSettings: (update: SettingsUpdate) => call<SettingsDto>(COMMANDS.updateSettings, { update }),
    analytics: () => call<AnalyticsDto>(COMMANDS.analytics),
    simulatePolicy: (rules: PolicyRuleDto[]) => call<WhatIfDto[]>(COMMANDS.simulatePolicy, { rules }),
    detectFiles: (paths: string[]) => call<DetectedFileDto[]>(COMMANDS.detectFiles, { paths }),
    pickPaths: async () => {
      const chosen = await ask(() => dialog.open({ multiple: true, directory: false }));
      if (chosen === null) return null;
      const paths = Array.isArray(chosen) ? chosen : [chosen];
      return paths.length === 0 ? null : paths;
    },
    pickFile: async (kind: PickKind) => {
      const chosen = await ask(() => dialog.open({ multiple: false, directory: false, ...PICK_DIALOGS[kind] }));
      if (chosen === null) return null;
      return Array.isArray(chosen) ? (chosen[0] ?? null) : chosen;
    },
    ingestPaths: (paths: string[], mappingPath: string | null, onProgress?: (progress: IngestProgressDto) => void) => {
      const progress = channel<IngestProgressDto>((p) => onProgress?.(p));
      return call<IngestReportDto>(COMMANDS.ingestFiles, { paths, mappingPath, onProgress: progress });
    },
    onFileDrop: (listener: (event: FileDropEvent) => void) => ask(() => dragDrop(listener)),
  };
}
