import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { formatUtc, setDisplayZone } from "../../lib/format";
import { HostError, type SettingsUpdate } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { SettingsScreen } from "./SettingsScreen";

function updates(host: MockHost): SettingsUpdate[] {
  return host.calls.filter((c) => c.method === "updateSettings").map((c) => c.args[0] as SettingsUpdate);
}

afterEach(() => {
  setDisplayZone("UTC");
  delete document.documentElement.dataset["theme"];
});

describe("settings screen", () => {
  it("shows the settings in force and saves a new link window and threshold", async () => {
    const host = new MockHost();
    renderWithHost(<SettingsScreen />, host);
    const window = (await screen.findByTestId("link-window")) as HTMLInputElement;
    expect(window.value).toBe("72");
    expect((screen.getByTestId("suspect-threshold") as HTMLInputElement).value).toBe("0.5");

    fireEvent.change(window, { target: { value: "24" } });
    fireEvent.change(screen.getByTestId("suspect-threshold"), { target: { value: "0.7" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("settings-saved")).textContent).toContain("recomputed");
    expect(updates(host)).toEqual([
      { link_window_hours: 24, suspect_threshold: 0.7, time_zone: "UTC", display_time_zone: "UTC" },
    ]);
    await expect(host.getSettings()).resolves.toMatchObject({ link_window_hours: 24, suspect_threshold: 0.7 });
  });

  it("refuses values a person can correct before asking the backend", async () => {
    const host = new MockHost();
    renderWithHost(<SettingsScreen />, host);
    fireEvent.change(await screen.findByTestId("link-window"), { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect(screen.getByTestId("settings-problem").textContent).toContain("hours above 0");
    fireEvent.change(screen.getByTestId("link-window"), { target: { value: "12" } });
    fireEvent.change(screen.getByTestId("suspect-threshold"), { target: { value: "1.5" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect(screen.getByTestId("settings-problem").textContent).toContain("from 0 to 1");
    expect(updates(host)).toHaveLength(0);
  });

  it("shows the backend's refusal of a zone and keeps the old value", async () => {
    const host = new MockHost();
    renderWithHost(<SettingsScreen />, host);
    fireEvent.change(await screen.findByTestId("time-zone"), { target: { value: "Europe/Paris" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByRole("alert")).textContent).toContain('Not saved: time zone "Europe/Paris" is not a fixed offset');
    await expect(host.getSettings()).resolves.toMatchObject({ time_zone: "UTC" });
  });

  it("shows times in the chosen display zone once saved", async () => {
    const host = new MockHost();
    renderWithHost(<SettingsScreen />, host);
    fireEvent.change(await screen.findByTestId("display-zone"), { target: { value: "+02:00" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    await screen.findByTestId("settings-saved");
    expect(formatUtc("2026-11-17T14:05:00Z")).toBe("2026-11-17 16:05 +02:00");
  });

  it("loads a rules file chosen in the dialog, and goes back to the built-in rules", async () => {
    const host = new MockHost({ pickedFiles: { rules: "/team/rules.toml" } });
    renderWithHost(<SettingsScreen />, host);
    expect((await screen.findByTestId("rule-sources")).textContent).toBe("built-in");
    fireEvent.click(screen.getByTestId("rules-choose"));
    await waitFor(() => expect(screen.getByTestId("rule-sources").textContent).toBe("built-in + /team/rules.toml"));
    expect(screen.getByTestId("settings-saved").textContent).toContain("re-classified");
    fireEvent.click(screen.getByTestId("rules-builtin"));
    await waitFor(() => expect(screen.getByTestId("rule-sources").textContent).toBe("built-in"));
    expect(updates(host)).toEqual([{ rules_file: "/team/rules.toml" }, { rules_file: "" }]);
  });

  it("reports a rules file that does not load", async () => {
    const host = new MockHost({ pickedFiles: { rules: "/team/broken.toml" } });
    renderWithHost(<SettingsScreen />, host);
    fireEvent.click(await screen.findByTestId("rules-choose"));
    expect((await screen.findByRole("alert")).textContent).toContain("/team/broken.toml: invalid attribution rules");
    expect(screen.getByTestId("rule-sources").textContent).toBe("built-in");
  });

  it("switches the theme at once and stores it", async () => {
    const host = new MockHost();
    renderWithHost(<SettingsScreen />, host);
    fireEvent.click(await screen.findByTestId("theme-dark"));
    await waitFor(() => expect(document.documentElement.dataset["theme"]).toBe("dark"));
    fireEvent.click(screen.getByTestId("theme-system"));
    await waitFor(() => expect(document.documentElement.dataset["theme"]).toBeUndefined());
    expect(updates(host)).toEqual([{ theme: "dark" }, { theme: "system" }]);
  });

  it("imports a service catalog through the normal ingest and lists the known services", async () => {
    const host = new MockHost({
      ...demoData(),
      pickedFiles: { catalog: "/repo/catalog-info.yaml" },
      ingestReport: {
        files: [
          {
            path: "/repo/catalog-info.yaml",
            format: "backstage-catalog",
            status: "stored",
            run_id: 9,
            records_seen: 3,
            records_stored: 3,
            records_rejected: 0,
            records_skipped: 0,
            rejections: [],
            error: null,
          },
        ],
      },
    });
    renderWithHost(<SettingsScreen />, host);
    const services = await screen.findByTestId("service-list");
    expect(services.textContent).toContain("checkout");
    fireEvent.click(screen.getByTestId("catalog-import"));
    expect((await screen.findByTestId("catalog-outcome")).textContent).toBe("/repo/catalog-info.yaml: 3 records stored");
    expect(host.calls.find((c) => c.method === "ingestPaths")?.args).toEqual([["/repo/catalog-info.yaml"], null]);
  });

  it("says where services come from when there are none", async () => {
    renderWithHost(<SettingsScreen />, new MockHost());
    expect((await screen.findByTestId("services-empty")).textContent).toContain("catalog");
  });

  it("reports settings that cannot be loaded", async () => {
    const host = new MockHost({}, { errors: { getSettings: new HostError("internal", "cannot open hindsight.db") } });
    renderWithHost(<SettingsScreen />, host);
    expect((await screen.findByRole("alert")).textContent).toContain("Could not load the settings: cannot open hindsight.db");
  });
});
