import { describe, expect, it, vi } from "vitest";
import { HostError } from "./host";
import type { IngestProgressDto } from "../bindings/IngestProgressDto";
import { createTauriHost, type ChannelFn, type DialogFns, type InvokeFn } from "./tauri";

function fakeDialog(opened: string | string[] | null, saved: string | null) {
  const open = vi.fn(async (_options: unknown) => opened);
  const save = vi.fn(async (_options: unknown) => saved);
  return { open, save, dialog: { open, save } as unknown as DialogFns };
}

function fakeInvoke(impl: (command: string, args?: Record<string, unknown>) => unknown) {
  const spy = vi.fn(async (command: string, args?: Record<string, unknown>) => impl(command, args));
  return { spy, invoke: spy as unknown as InvokeFn };
}

/** Stands in for Tauri's Channel: `send` plays a message from the Rust side. */
function fakeChannels() {
  const made: Array<{ id: number; send: (message: unknown) => void }> = [];
  const channel = ((onmessage: (message: unknown) => void) => {
    const fake = { id: 100 + made.length, send: onmessage };
    made.push(fake);
    return fake;
  }) as unknown as ChannelFn;
  return { made, channel };
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

  it("maps the review, override and listing commands to their Rust names and arguments", async () => {
    const { spy, invoke } = fakeInvoke((command) => ({ command }));
    const host = createTauriHost(invoke, fakeDialog(null, null).dialog);

    await host.listChanges();
    await host.reviewLink(11, "confirmed", "deployed the bad retry");
    await host.reviewLink(11, "suspected", "undo");
    await host.overrideAttribution(1001, "human", null, "pairing session, no AI");
    await host.overrideAttribution(1002, "ai", "cursor", "PR description says so");
    await host.clearOverride(1001);
    await host.listRuns();
    await host.reportPreview();

    expect(spy.mock.calls).toEqual([
      ["list_changes", undefined],
      ["review_link", { linkId: 11, decision: "confirmed", reason: "deployed the bad retry" }],
      ["review_link", { linkId: 11, decision: "suspected", reason: "undo" }],
      ["override_attribution", { changeId: 1001, className: "human", tool: null, reason: "pairing session, no AI" }],
      ["override_attribution", { changeId: 1002, className: "ai", tool: "cursor", reason: "PR description says so" }],
      ["clear_override", { changeId: 1001 }],
      ["list_runs", undefined],
      ["render_report", { format: "md" }],
    ]);
  });

  it("ingests the files chosen in the open dialog, passing a progress channel as onProgress", async () => {
    const report = { files: [] };
    const { made, channel } = fakeChannels();
    const { spy, invoke } = fakeInvoke(() => {
      // The backend streams progress while the command runs.
      made[0]!.send({ phase: "reading", step: "", file_index: 0, files: 2, path: "/a/git.json", bytes_read: 10, bytes_total: 20 });
      made[0]!.send({ phase: "reading", step: "", file_index: 1, files: 2, path: "/b/pd.json", bytes_read: 0, bytes_total: 0 });
      return report;
    });
    const { open, save, dialog } = fakeDialog(["/a/git.json", "/b/pd.json"], null);
    const seen: IngestProgressDto[] = [];
    await expect(createTauriHost(invoke, dialog, channel).pickAndIngest((p) => seen.push(p))).resolves.toEqual(report);
    expect(open.mock.calls).toEqual([[{ multiple: true, directory: false }]]);
    expect(save).not.toHaveBeenCalled();
    expect(made).toHaveLength(1);
    expect(spy.mock.calls).toEqual([["ingest_files", { paths: ["/a/git.json", "/b/pd.json"], onProgress: made[0] }]]);
    expect(spy.mock.calls[0]![1]!["onProgress"]).toBe(made[0]);
    expect(seen).toEqual([
      { phase: "reading", step: "", file_index: 0, files: 2, path: "/a/git.json", bytes_read: 10, bytes_total: 20 },
      { phase: "reading", step: "", file_index: 1, files: 2, path: "/b/pd.json", bytes_read: 0, bytes_total: 0 },
    ]);
  });

  it("still passes a channel when no progress callback is given, and wraps a single path", async () => {
    const { made, channel } = fakeChannels();
    const { spy, invoke } = fakeInvoke(() => {
      made[0]!.send({ phase: "reading", step: "", file_index: 0, files: 1, path: "/a/git.json", bytes_read: 1, bytes_total: 1 });
      return { files: [] };
    });
    await createTauriHost(invoke, fakeDialog("/a/git.json", null).dialog, channel).pickAndIngest();
    expect(spy.mock.calls).toEqual([["ingest_files", { paths: ["/a/git.json"], onProgress: made[0] }]]);
  });

  it("calls cancel_ingest without arguments and maps its errors", async () => {
    const { spy, invoke } = fakeInvoke(() => null);
    await expect(createTauriHost(invoke).cancelIngest()).resolves.toBeNull();
    expect(spy.mock.calls).toEqual([["cancel_ingest", undefined]]);

    const failing = fakeInvoke(() => {
      throw { kind: "internal", message: "state poisoned" };
    });
    const error = await createTauriHost(failing.invoke).cancelIngest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ kind: "internal", message: "state poisoned" });
  });

  it("answers null and ingests nothing when the open dialog is cancelled", async () => {
    const { spy, invoke } = fakeInvoke(() => ({ files: [] }));
    const { dialog } = fakeDialog(null, null);
    const { made, channel } = fakeChannels();
    await expect(createTauriHost(invoke, dialog, channel).pickAndIngest()).resolves.toBeNull();
    expect(spy).not.toHaveBeenCalled();
    expect(made).toHaveLength(0);
  });

  it("saves the report where the save dialog says", async () => {
    const { spy, invoke } = fakeInvoke((_command, args) => args?.["path"]);
    const { save, dialog } = fakeDialog(null, "/home/me/pm.html");
    await expect(createTauriHost(invoke, dialog).saveReport("html")).resolves.toBe("/home/me/pm.html");
    expect(save.mock.calls).toEqual([
      [{ defaultPath: "hindsight-report.html", filters: [{ name: "HTML", extensions: ["html"] }] }],
    ]);
    expect(spy.mock.calls).toEqual([["save_report", { format: "html", path: "/home/me/pm.html" }]]);
  });

  it("saves every format into the folder the folder dialog chose, with the scope", async () => {
    const written = ["/home/me/pm/report.md", "/home/me/pm/csv/cohorts.csv"];
    const { spy, invoke } = fakeInvoke(() => written);
    const { open, dialog } = fakeDialog("/home/me/pm", null);
    const scope = { from: "2026-11-16", to: null, services: [], teams: [], severities: [], cohorts: [], incidents: [] };
    await expect(createTauriHost(invoke, dialog).saveReportFolder(scope)).resolves.toEqual({
      dir: "/home/me/pm",
      files: written,
    });
    expect(open.mock.calls).toEqual([[{ directory: true, multiple: false, title: "Folder for every report format" }]]);
    expect(spy.mock.calls).toEqual([["save_report_outputs", { outputs: "all", dir: "/home/me/pm", scope }]]);

    const cancelled = fakeInvoke(() => written);
    await expect(
      createTauriHost(cancelled.invoke, fakeDialog(null, null).dialog).saveReportFolder(),
    ).resolves.toBeNull();
    expect(cancelled.spy).not.toHaveBeenCalled();
  });

  it("answers null and writes nothing when the save dialog is cancelled", async () => {
    const { spy, invoke } = fakeInvoke(() => "x");
    const { save, dialog } = fakeDialog(null, null);
    await expect(createTauriHost(invoke, dialog).saveReport("md")).resolves.toBeNull();
    expect(save.mock.calls[0]![0]).toMatchObject({ defaultPath: "hindsight-report.md" });
    expect(spy).not.toHaveBeenCalled();
  });

  it("turns a failing dialog into a HostError", async () => {
    const { invoke } = fakeInvoke(() => null);
    const dialog = {
      open: () => Promise.reject("dialog.open not allowed by the capability"),
      save: () => Promise.reject("nope"),
    } as DialogFns;
    const error = await createTauriHost(invoke, dialog).pickAndIngest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ kind: "internal", message: "dialog.open not allowed by the capability" });
  });

  it("rejects dialogs with a HostError outside the desktop app", async () => {
    const error = await createTauriHost().saveReport("json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/Tauri backend is unavailable/);
  });

  it("passes the event query as { query } to search_events and calls event_facets without arguments", async () => {
    const { spy, invoke } = fakeInvoke((command) => ({ command }));
    const host = createTauriHost(invoke, fakeDialog(null, null).dialog);
    const query = {
      text: "checkout",
      from: "2026-11-01T00:00:00Z",
      to: null,
      services: ["checkout"],
      environments: [],
      sources: ["change", "deployment"],
      classes: ["ai"],
      tools: [],
      severities: [],
      actors: ["bob"],
      approvals: ["not approved"],
      offset: 400,
      limit: 200,
    };
    await expect(host.searchEvents(query)).resolves.toEqual({ command: "search_events" });
    await expect(host.eventFacets()).resolves.toEqual({ command: "event_facets" });
    expect(spy.mock.calls).toEqual([
      ["search_events", { query }],
      ["event_facets", undefined],
    ]);
  });

  it("passes the filters as { query } to event_histogram", async () => {
    const { spy, invoke } = fakeInvoke((command) => ({ command }));
    const host = createTauriHost(invoke, fakeDialog(null, null).dialog);
    const filter = {
      text: "deploy",
      from: null,
      to: null,
      services: ["checkout"],
      environments: [],
      sources: [],
      classes: [],
      tools: [],
      severities: [],
      actors: [],
      approvals: [],
    };
    await expect(host.eventHistogram(filter)).resolves.toEqual({ command: "event_histogram" });
    expect(spy.mock.calls).toEqual([["event_histogram", { query: filter }]]);
  });

  it("turns a rejected search into a HostError", async () => {
    const { invoke } = fakeInvoke(() => {
      throw { kind: "bad_input", message: "fts5: syntax error near \"(\"" };
    });
    const host = createTauriHost(invoke);
    const error = await host
      .searchEvents({
        text: "(",
        from: null,
        to: null,
        services: [],
        environments: [],
        sources: [],
        classes: [],
        tools: [],
        severities: [],
        actors: [],
        approvals: [],
        offset: 0,
        limit: 200,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ kind: "bad_input" });
  });
});
