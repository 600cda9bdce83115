import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { HostError } from "./lib/ipc";
import { demoData } from "./lib/ipc/demoData";
import { MockHost } from "./lib/ipc/mock";
import { renderWithHost } from "./test/render";

describe("app shell", () => {
  it("shows the store overview in the header and the Incidents nav entry", async () => {
    renderWithHost(<App />, new MockHost(demoData()));
    const header = screen.getByTestId("store-header");
    expect(await within(header).findByText("/home/demo/.local/share/hindsight/hindsight.db")).toBeTruthy();
    expect(header.textContent).toContain("3 incidents · 3 deployments · 4 changes · 2 ingest runs");

    const nav = screen.getByRole("navigation", { name: "Main" });
    const current = within(nav).getByRole("button", { name: "Incidents" });
    expect(current.getAttribute("aria-current")).toBe("page");
    expect(await screen.findAllByTestId("incident-row")).toHaveLength(3);
  });

  it("reports an unavailable store in the header", async () => {
    const host = new MockHost(demoData(), {
      errors: { storeOverview: new HostError("internal", "cannot open hindsight.db") },
    });
    renderWithHost(<App />, host);
    const header = screen.getByTestId("store-header");
    expect((await within(header).findByRole("alert")).textContent).toContain("cannot open hindsight.db");
  });

  it("reaches every screen from the left nav", async () => {
    renderWithHost(<App />, new MockHost(demoData()));
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Incidents",
      "Changes",
      "Timeline",
      "Import",
      "Report",
      "Analytics",
      "Settings",
    ]);

    fireEvent.click(screen.getByTestId("nav-changes"));
    expect(screen.getByTestId("nav-changes").getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("nav-incidents").getAttribute("aria-current")).toBeNull();
    expect(await screen.findAllByTestId("change-row")).toHaveLength(4);

    fireEvent.click(screen.getByTestId("nav-timeline"));
    expect((await screen.findAllByTestId("timeline-row")).length).toBeGreaterThan(0);
    expect(screen.getByTestId("timeline-status").textContent).toMatch(/^300 events · answered in \d+ ms/);

    fireEvent.click(screen.getByTestId("nav-report"));
    expect((await screen.findByTestId("report-preview")).textContent).toContain("# Hindsight report");

    fireEvent.click(screen.getByTestId("nav-import"));
    expect(screen.getByTestId("import-choose")).toBeTruthy();
  });

  it("refreshes the header counts after an import", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<App />, host);
    const header = screen.getByTestId("store-header");
    await within(header).findByText(/2 ingest runs/);

    fireEvent.click(screen.getByTestId("nav-import"));
    fireEvent.click(screen.getByTestId("import-choose"));
    await screen.findByTestId("import-report");
    expect(await within(header).findByText(/3 ingest runs/)).toBeTruthy();
    expect(host.calls.filter((c) => c.method === "storeOverview")).toHaveLength(2);
  });

  it("switches screens with Alt+digit and moves along the left bar with the arrow keys", async () => {
    renderWithHost(<App />, new MockHost(demoData()));
    fireEvent.keyDown(window, { key: "6", code: "Digit6", altKey: true });
    expect(screen.getByTestId("nav-analytics").getAttribute("aria-current")).toBe("page");
    expect(await screen.findByTestId("analytics-screen")).toBeTruthy();

    fireEvent.keyDown(window, { key: "7", altKey: true });
    expect(screen.getByTestId("nav-settings").getAttribute("aria-current")).toBe("page");
    // Without Alt a digit is ordinary typing.
    fireEvent.keyDown(window, { key: "1" });
    expect(screen.getByTestId("nav-settings").getAttribute("aria-current")).toBe("page");

    fireEvent.keyDown(screen.getByTestId("nav-settings"), { key: "ArrowUp" });
    expect(screen.getByTestId("nav-analytics").getAttribute("aria-current")).toBe("page");
    expect(document.activeElement).toBe(screen.getByTestId("nav-analytics"));
    fireEvent.keyDown(screen.getByTestId("nav-analytics"), { key: "Home" });
    expect(screen.getByTestId("nav-incidents").getAttribute("aria-current")).toBe("page");
  });

  it("applies the stored theme when the window opens", async () => {
    const host = new MockHost(demoData());
    await host.updateSettings({ theme: "dark" });
    renderWithHost(<App />, host);
    await waitFor(() => expect(document.documentElement.dataset["theme"]).toBe("dark"));
    delete document.documentElement.dataset["theme"];
  });
});
