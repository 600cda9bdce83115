import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";
import { HostError, type Host } from "./host";

export interface MockHostData {
  overview: StoreOverviewDto;
  incidents: IncidentSummaryDto[];
  /** Details by incident id; a missing id rejects with `not_found`. */
  details: Record<number, IncidentDetailDto>;
}

export type HostMethod = keyof Host;

export interface MockHostOptions {
  /** Make a method reject with this error. */
  errors?: Partial<Record<HostMethod, HostError>>;
  /** Delay answers (ms), per call if a function; 0 answers on the next microtask. */
  delayMs?: number | ((method: HostMethod, args: unknown[]) => number);
}

/** An in-memory Host for tests and previews. Records every call. */
export class MockHost implements Host {
  readonly calls: Array<{ method: HostMethod; args: unknown[] }> = [];
  private readonly data: MockHostData;
  private readonly options: MockHostOptions;

  constructor(data: Partial<MockHostData> = {}, options: MockHostOptions = {}) {
    const incidents = data.incidents ?? [];
    this.data = {
      overview: data.overview ?? {
        db_path: ":memory:",
        version: "0.0.0-mock",
        changes: 0,
        deployments: 0,
        incidents: incidents.length,
        ingest_runs: 0,
      },
      incidents,
      details: data.details ?? {},
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
    return this.answer("getIncident", [id], () => {
      const detail = this.data.details[id];
      if (detail === undefined) {
        throw new HostError("not_found", `incident ${id} not found`);
      }
      return detail;
    });
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
