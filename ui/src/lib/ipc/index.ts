export {
  HostError,
  toHostError,
  isApiErrorKind,
  LINK_DECISIONS,
  OVERRIDE_CLASSES,
  MAX_EVENT_PAGE,
  MAX_HISTOGRAM_BUCKETS,
  KEY_MOMENTS,
  CAUSE_CATEGORIES,
  type CauseCategory,
  type CauseDecision,
  type KeyMoment,
  type Host,
  type LinkDecision,
  type OverrideClass,
  type ReportFormat,
  type PickKind,
  type FileDropEvent,
  type EventFilterQuery,
  type SavedFolder,
} from "./host";
export { HostProvider, useHost, useStoreRefresh } from "./context";
export type { IngestRunDto } from "../bindings/IngestRunDto";
export type { ChangeDto } from "../bindings/ChangeDto";
export type { EventDto } from "../bindings/EventDto";
export type { EventQueryDto } from "../bindings/EventQueryDto";
export type { EventPageDto } from "../bindings/EventPageDto";
export type { EventFacetsDto } from "../bindings/EventFacetsDto";
export type { EventHistogramDto } from "../bindings/EventHistogramDto";
export type { EventBucketDto } from "../bindings/EventBucketDto";
export type { ReportScope } from "../bindings/ReportScope";
export type { IngestProgressDto } from "../bindings/IngestProgressDto";
export type { IncidentTimelineDto } from "../bindings/IncidentTimelineDto";
export type { AnnotationInputDto } from "../bindings/AnnotationInputDto";
export type { DeepDiveEventDto } from "../bindings/DeepDiveEventDto";
export type { AnalyticsDto } from "../bindings/AnalyticsDto";
export type { CohortRateDto } from "../bindings/CohortRateDto";
export type { DetectedFileDto } from "../bindings/DetectedFileDto";
export type { EstimateDto } from "../bindings/EstimateDto";
export type { PolicyRuleDto } from "../bindings/PolicyRuleDto";
export type { RateDto } from "../bindings/RateDto";
export type { SettingsDto } from "../bindings/SettingsDto";
export type { SettingsUpdate } from "../bindings/SettingsUpdate";
export type { WhatIfDto } from "../bindings/WhatIfDto";
