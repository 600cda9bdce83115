import { describe, expect, it, vi } from "vitest";
import { HostError } from "./host";
import { createTauriHost, type InvokeFn } from "./tauri";

function fakeInvoke(impl: (command: string, args?: Record<string, unknown>) => unknown) {
  const spy = vi.fn(async (command: string, args?: Record<string, unknown>) => impl(command, args));
  return { spy, invoke: spy as unknown as InvokeFn };
}

describe("tauri host", () => {
  it("calls the Rust commands by name, with { id } for get_incident", async () => {
    const { spy, invoke } = fakeInvoke((command) => ({ command }));
    const host = createTauriHost(invoke);

    await expect(host.storeOverview()).resolves.toEqual({ command: "store_overview" });
    await expect(host.listIncidents()).resolves.toEqual({ command: "list_incidents" });
    await expect(host.getIncident(42)).resolves.toEqual({ command: "get_incident" });

    expect(spy.mock.calls).toEqual([
      ["store_overview", undefined],
      ["list_incidents", undefined],
      ["get_incident", { id: 42 }],
    ]);
  });

  it("turns a rejected ApiErrorDto into a HostError", async () => {
    const { invoke } = fakeInvoke(() => {
      throw { kind: "not_found", message: "incident 7 not found" };
    });
    const error = await createTauriHost(invoke).getIncident(7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ kind: "not_found", message: "incident 7 not found" });
  });

  it("turns a plain string rejection into an internal HostError", async () => {
    const { invoke } = fakeInvoke(() => {
      throw "database is locked";
    });
    const error = await createTauriHost(invoke).listIncidents().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ kind: "internal", message: "database is locked" });
  });

  it("maps an unknown error kind to internal", async () => {
    const { invoke } = fakeInvoke(() => {
      throw { kind: "weird", message: "boom" };
    });
    const error = await createTauriHost(invoke).storeOverview().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "internal", message: "boom" });
  });

  it("rejects with a HostError outside the desktop app", async () => {
    const error = await createTauriHost().listIncidents().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/Tauri backend is unavailable/);
  });
});
