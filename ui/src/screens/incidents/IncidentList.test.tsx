import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { IncidentsScreen } from "./IncidentsScreen";

function incident(over: Partial<IncidentSummaryDto> & Pick<IncidentSummaryDto, "id">): IncidentSummaryDto {
  return {
    source_system: "pagerduty",
    source_id: `PD-${over.id}`,
    title: `Incident ${over.id}`,
    service: null,
    severity: null,
    status: "resolved",
    started_at: "2026-01-01T00:00:00Z",
    resolved_at: "2026-01-01T01:00:00Z",
    duration_minutes: 60,
    suspect_count: 0,
    top_suspect_classes: [],
    team: null,
    link_status: "none",
    group_primary: over.id,
    merged: [],
    grouping: [],
    cause: null,
    ...over,
  };
}

// Every column orders these five differently.
const INCIDENTS: IncidentSummaryDto[] = [
  incident({ id: 1, title: "Beta outage", service: "search", severity: "P2", source_id: "PD-100",
    started_at: "2026-01-03T10:00:00Z", duration_minutes: 30, suspect_count: 1, top_suspect_classes: ["human"] }),
  incident({ id: 2, title: "alpha latency", service: "auth", severity: "high", source_id: "PD-200",
    started_at: "2026-01-05T10:00:00Z", status: "open", resolved_at: null, duration_minutes: null,
    suspect_count: 3, top_suspect_classes: ["ai", "human"] }),
  incident({ id: 3, title: "Gamma errors", service: null, severity: null, source_id: "OG-7",
    started_at: "2026-01-01T10:00:00Z", duration_minutes: 120, suspect_count: 0, top_suspect_classes: [] }),
  incident({ id: 4, title: "Delta 5xx", service: "checkout", severity: "P1", source_id: "PD-400",
    started_at: "2026-01-04T10:00:00Z", duration_minutes: 5, suspect_count: 2, top_suspect_classes: ["AI"] }),
  incident({ id: 5, title: "epsilon queue", service: "auth", severity: "low", source_id: "Q-5",
    started_at: "2026-01-02T10:00:00Z", duration_minutes: 60, suspect_count: 4, top_suspect_classes: ["automation"] }),
];

async function renderList() {
  const host = new MockHost({ incidents: INCIDENTS });
  renderWithHost(<IncidentsScreen />, host);
  const list = await screen.findByTestId("incident-list");
  return { host, list };
}

const ids = () => screen.queryAllByTestId("incident-row").map((r) => r.dataset["incidentId"]);
const selectedIds = () =>
  screen
    .queryAllByTestId("incident-row")
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset["incidentId"]);
const header = (column: string) => screen.getByTestId(`sort-${column}`).closest("th")!;
const countLine = () => screen.getByTestId("incident-count").textContent;
const change = (testId: string, value: string) =>
  fireEvent.change(screen.getByTestId(testId), { target: { value } });

describe("incident table sorting", () => {
  it("starts newest first with aria-sort on the Started header", async () => {
    await renderList();
    expect(ids()).toEqual(["2", "4", "1", "5", "3"]);
    expect(header("started").getAttribute("aria-sort")).toBe("descending");
    for (const c of ["title", "service", "severity", "duration", "suspects"]) {
      expect(header(c).getAttribute("aria-sort")).toBeNull();
    }
    expect(countLine()).toBe("5 of 5 incidents");
  });

  it.each([
    // column, first click, aria-sort after first click, second click
    ["title", ["2", "1", "4", "5", "3"], "ascending", ["3", "5", "4", "1", "2"]],
    // Missing service last in both directions; ties newest first.
    ["service", ["2", "5", "4", "1", "3"], "ascending", ["1", "4", "2", "5", "3"]],
    // P1 < P2 < high < low < none; none stays last.
    ["severity", ["4", "1", "2", "5", "3"], "ascending", ["5", "2", "1", "4", "3"]],
    // Longest first; the ongoing incident stays last.
    ["duration", ["3", "5", "1", "4", "2"], "descending", ["4", "1", "5", "3", "2"]],
    ["suspects", ["5", "2", "4", "1", "3"], "descending", ["3", "1", "4", "2", "5"]],
  ])("sorts by %s and reverses on a second click", async (column, first, firstSort, second) => {
    await renderList();
    fireEvent.click(screen.getByTestId(`sort-${column}`));
    expect(ids()).toEqual(first);
    expect(header(column).getAttribute("aria-sort")).toBe(firstSort);
    expect(header("started").getAttribute("aria-sort")).toBeNull();

    fireEvent.click(screen.getByTestId(`sort-${column}`));
    expect(ids()).toEqual(second);
    expect(header(column).getAttribute("aria-sort")).toBe(
      firstSort === "ascending" ? "descending" : "ascending",
    );
  });

  it("reverses the start time to oldest first and back", async () => {
    await renderList();
    fireEvent.click(screen.getByTestId("sort-started"));
    expect(ids()).toEqual(["3", "5", "1", "4", "2"]);
    expect(header("started").getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(screen.getByTestId("sort-started"));
    expect(ids()).toEqual(["2", "4", "1", "5", "3"]);
  });

  it("makes the headers keyboard-reachable buttons without opening an incident", async () => {
    const { host } = await renderList();
    const button = screen.getByRole("button", { name: /Severity/ });
    expect(button).toBe(screen.getByTestId("sort-severity"));
    button.focus();
    fireEvent.keyDown(button, { key: "Enter" });
    fireEvent.keyDown(button, { key: "ArrowDown" });
    expect(host.calls.some((c) => c.method === "getIncident")).toBe(false);
    expect(selectedIds()).toEqual(["2"]);
  });
});

describe("incident table filters", () => {
  it("filters by text on title, service and source id", async () => {
    await renderList();
    change("incident-filter", "pd-");
    expect(ids()).toEqual(["2", "4", "1"]);
    expect(countLine()).toBe("3 of 5 incidents");

    change("incident-filter", "AUTH");
    expect(ids()).toEqual(["2", "5"]);
    expect(countLine()).toBe("2 of 5 incidents");

    change("incident-filter", "delta");
    expect(ids()).toEqual(["4"]);
    expect(countLine()).toBe("1 of 5 incidents");
  });

  it("filters by service, including incidents without one", async () => {
    await renderList();
    const options = within(screen.getByTestId("incident-service-filter"))
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(options).toEqual(["All services", "auth", "checkout", "search", "No service"]);
    change("incident-service-filter", "auth");
    expect(ids()).toEqual(["2", "5"]);
    fireEvent.change(screen.getByTestId("incident-service-filter"), {
      target: { value: (screen.getByRole("option", { name: "No service" }) as HTMLOptionElement).value },
    });
    expect(ids()).toEqual(["3"]);
    expect(countLine()).toBe("1 of 5 incidents");
  });

  it("filters by severity, listing severities most severe first", async () => {
    await renderList();
    const options = within(screen.getByTestId("incident-severity-filter"))
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(options).toEqual(["All severities", "P1", "P2", "high", "low", "No severity"]);
    change("incident-severity-filter", "P1");
    expect(ids()).toEqual(["4"]);
    change("incident-severity-filter", "low");
    expect(ids()).toEqual(["5"]);
  });

  it("filters by trigger cohort and combines filters", async () => {
    await renderList();
    change("incident-cohort-filter", "ai");
    expect(ids()).toEqual(["2", "4"]);
    change("incident-cohort-filter", "human");
    expect(ids()).toEqual(["1"]);
    change("incident-cohort-filter", "none");
    expect(ids()).toEqual(["3"]);

    change("incident-cohort-filter", "ai");
    change("incident-service-filter", "auth");
    expect(ids()).toEqual(["2"]);
    expect(countLine()).toBe("1 of 5 incidents");
  });

  it("filters by team, link status, start day and minimum duration", async () => {
    const host = new MockHost({
      incidents: INCIDENTS.map((i) => ({
        ...i,
        team: i.service === "auth" ? "identity" : i.service === "checkout" ? "payments" : null,
        link_status: i.id === 4 ? "confirmed" : i.id === 5 ? "rejected" : i.suspect_count > 0 ? "suspected" : "none",
      })),
    });
    renderWithHost(<IncidentsScreen />, host);
    await screen.findByTestId("incident-list");

    change("incident-team-filter", "identity");
    expect(ids()).toEqual(["2", "5"]);
    change("incident-team-filter", "\u0000none");
    expect(ids()).toEqual(["1", "3"]);
    change("incident-team-filter", "");

    change("incident-link-filter", "confirmed");
    expect(ids()).toEqual(["4"]);
    change("incident-link-filter", "rejected");
    expect(ids()).toEqual(["5"]);
    change("incident-link-filter", "none");
    expect(ids()).toEqual(["3"]);
    change("incident-link-filter", "any");

    // Started from Jan 2 to Jan 4 (UTC days, both included).
    change("incident-from-filter", "2026-01-02");
    change("incident-to-filter", "2026-01-04");
    expect(ids()).toEqual(["4", "1", "5"]);
    // At least 45 minutes: the open incident (no duration) never qualifies.
    change("incident-duration-filter", "45");
    expect(ids()).toEqual(["5"]);
    expect(countLine()).toBe("1 of 5 incidents");
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(ids()).toEqual(["2", "4", "1", "5", "3"]);
    expect((screen.getByTestId("incident-duration-filter") as HTMLInputElement).value).toBe("");
  });

  it("offers no team filter without a catalog", async () => {
    await renderList();
    expect(screen.queryByTestId("incident-team-filter")).toBeNull();
  });

  it("shows the no-match state and clears every filter", async () => {
    await renderList();
    change("incident-cohort-filter", "ai");
    change("incident-filter", "zzz");
    expect(ids()).toEqual([]);
    expect(screen.queryByTestId("incident-list")).toBeNull();
    const empty = screen.getByTestId("incidents-no-match");
    expect(empty.textContent).toContain("No incidents match these filters.");
    expect(countLine()).toBe("0 of 5 incidents");

    fireEvent.click(within(empty).getByRole("button", { name: "Clear filters" }));
    expect(screen.queryByTestId("incidents-no-match")).toBeNull();
    expect(ids()).toEqual(["2", "4", "1", "5", "3"]);
    expect(countLine()).toBe("5 of 5 incidents");
    expect((screen.getByTestId("incident-filter") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("incident-cohort-filter") as HTMLSelectElement).value).toBe("any");
  });
});

describe("incident table keyboard navigation", () => {
  it("follows the sorted and filtered order", async () => {
    const { host } = await renderList();
    let list = screen.getByTestId("incident-list");
    list.focus();
    expect(selectedIds()).toEqual(["2"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["4"]);
    fireEvent.keyDown(list, { key: "End" });
    expect(selectedIds()).toEqual(["3"]);
    fireEvent.keyDown(list, { key: "Home" });
    expect(selectedIds()).toEqual(["2"]);

    // Severity order: 4, 1, 2, 5, 3.
    fireEvent.click(screen.getByTestId("sort-severity"));
    expect(selectedIds()).toEqual(["2"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["5"]);
    fireEvent.keyDown(list, { key: "ArrowUp" });
    fireEvent.keyDown(list, { key: "ArrowUp" });
    expect(selectedIds()).toEqual(["1"]);
    expect(list.getAttribute("aria-activedescendant")).toBe("incident-row-1");
    fireEvent.keyDown(list, { key: "Enter" });
    expect(host.calls).toContainEqual({ method: "getIncident", args: [1] });
    expect((await screen.findByTestId("incident-detail")).dataset["incidentId"]).toBe("1");

    // The selection (1) is filtered out: the first visible row takes over.
    change("incident-cohort-filter", "ai");
    list = screen.getByTestId("incident-list");
    expect(ids()).toEqual(["4", "2"]);
    expect(selectedIds()).toEqual(["4"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["2"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["2"]);
    fireEvent.keyDown(list, { key: "Home" });
    expect(selectedIds()).toEqual(["4"]);
    fireEvent.keyDown(list, { key: "Enter" });
    expect(host.calls).toContainEqual({ method: "getIncident", args: [4] });
  });
});
