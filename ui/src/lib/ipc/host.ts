import type { ApiErrorDto } from "../bindings/ApiErrorDto";
import type { ApiErrorKind } from "../bindings/ApiErrorKind";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";

/**
 * The one interface between the UI and whatever serves its data
 * (the Tauri backend in the app, an in-memory mock in tests).
 * Every method rejects with a {@link HostError}.
 */
export interface Host {
  storeOverview(): Promise<StoreOverviewDto>;
  listIncidents(): Promise<IncidentSummaryDto[]>;
  getIncident(id: number): Promise<IncidentDetailDto>;
}

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
