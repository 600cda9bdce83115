import { describe, expect, it, vi } from "vitest";
import type { FileDropEvent } from "./host";
import { createTauriHost, PICK_DIALOGS, type ChannelFn, type DialogFns, type DragDropFn, type InvokeFn } from "./tauri";

function fakeInvoke() {
  const spy = vi.fn(async (command: string, _args?: Record<string, unknown>) => ({ command }));
  return { spy, invoke: spy as unknown as InvokeFn };
}

const channel = ((onmessage: (m: unknown) => void) => ({ id: 7, send: onmessage })) as unknown as ChannelFn;

describe("tauri host: settings, analytics, detection and drops", () => {
  it("calls the new commands by name with their named arguments", async () => {
    const { spy, invoke } = fakeInvoke();
    const host = createTauriHost(invoke, undefined, channel);
    await host.getSettings();
    await host.updateSettings({ link_window_hours: 24 });
    await host.analytics();
    await host.simulatePolicy([{ kind: "no_agent_operator_deploys" }]);
    await host.detectFiles(["/exports"]);
    await host.ingestPaths(["/exports/a.csv"], "/exports/map.toml");
    expect(spy.mock.calls.map(([command, args]) => [command, args === undefined ? undefined : Object.keys(args)])).toEqual([
      ["get_settings", undefined],
      ["update_settings", ["update"]],
      ["analytics", undefined],
      ["simulate_policy", ["rules"]],
      ["detect_files", ["paths"]],
      ["ingest_files", ["paths", "mappingPath", "onProgress"]],
    ]);
    expect(spy.mock.calls[1]![1]).toEqual({ update: { link_window_hours: 24 } });
    expect(spy.mock.calls[5]![1]).toMatchObject({ paths: ["/exports/a.csv"], mappingPath: "/exports/map.toml" });
  });

  it("opens a single-file dialog filtered by kind", async () => {
    const open = vi.fn(async (_options: unknown) => "/team/rules.toml");
    const dialog = { open, save: vi.fn() } as unknown as DialogFns;
    const host = createTauriHost(fakeInvoke().invoke, dialog, channel);
    await expect(host.pickFile("rules")).resolves.toBe("/team/rules.toml");
    expect(open).toHaveBeenCalledWith({ multiple: false, directory: false, ...PICK_DIALOGS.rules });
    expect(PICK_DIALOGS.catalog.filters[0]!.extensions).toEqual(["yaml", "yml"]);
  });

  it("forwards the window's drag-and-drop events and unsubscribes", async () => {
    const unlisten = vi.fn();
    let emit: ((event: FileDropEvent) => void) | null = null;
    const dragDrop: DragDropFn = async (listener) => {
      emit = listener;
      return unlisten;
    };
    const host = createTauriHost(fakeInvoke().invoke, undefined, channel, dragDrop);
    const seen: FileDropEvent[] = [];
    const stop = await host.onFileDrop((e) => seen.push(e));
    emit!({ type: "drop", paths: ["/a", "/b"] });
    expect(seen).toEqual([{ type: "drop", paths: ["/a", "/b"] }]);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });
});
