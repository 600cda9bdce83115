export {
  HostError,
  toHostError,
  isApiErrorKind,
  LINK_DECISIONS,
  OVERRIDE_CLASSES,
  type Host,
  type LinkDecision,
  type OverrideClass,
  type ReportFormat,
} from "./host";
export { HostProvider, useHost, useStoreRefresh } from "./context";
export type { IngestRunDto } from "../bindings/IngestRunDto";
export type { ChangeDto } from "../bindings/ChangeDto";
