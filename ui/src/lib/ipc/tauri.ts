import { invoke as tauriInvoke, isTauri } from "@tauri-apps/api/core";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IncidentSummaryDto } from "../bindings/IncidentSummaryDto";
import type { StoreOverviewDto } from "../bindings/StoreOverviewDto";
import { HostError, toHostError, type Host } from "./host";

/** Same shape as Tauri's `invoke`; injectable for tests. */
export type InvokeFn = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** Rust command names; the Tauri side must register exactly these. */
export const COMMANDS = {
  storeOverview: "store_overview",
  listIncidents: "list_incidents",
  getIncident: "get_incident",
} as const;

const defaultInvoke: InvokeFn = (command, args) => {
  if (!isTauri()) {
    return Promise.reject(
      new HostError(
        "internal",
        "Not running inside the Hindsight desktop app: the Tauri backend is unavailable.",
      ),
    );
  }
  return tauriInvoke(command, args);
};

/** The Host backed by the Tauri commands of the desktop app. */
export function createTauriHost(invoke: InvokeFn = defaultInvoke): Host {
  async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(command, args);
    } catch (error) {
      throw toHostError(error);
    }
  }

  return {
    storeOverview: () => call<StoreOverviewDto>(COMMANDS.storeOverview),
    listIncidents: () => call<IncidentSummaryDto[]>(COMMANDS.listIncidents),
    getIncident: (id: number) => call<IncidentDetailDto>(COMMANDS.getIncident, { id }),
  };
}
