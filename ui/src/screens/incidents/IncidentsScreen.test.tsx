import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { IncidentsScreen } from "./IncidentsScreen";

async function renderScreen(host = new MockHost(demoData())) {
  renderWithHost(<IncidentsScreen />, host);
  const list = await screen.findByTestId("incident-list");
  return { host, list };
}

const rows = () => screen.getAllByTestId("incident-row");
const rowById = (id: number) => rows().find((r) => r.dataset["incidentId"] === String(id))!;
const selectedIds = () =>
  rows()
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset["incidentId"]);

describe("incident list", () => {
  it("renders one row per incident from the host", async () => {
    await renderScreen();
    const all = rows();
    // Newest first.
    expect(all.map((r) => r.dataset["incidentId"])).toEqual(["3", "2", "1"]);

    const first = within(rowById(1));
    expect(first.getByText("Checkout 5xx spike")).toBeTruthy();
    expect(first.getByText("checkout")).toBeTruthy();
    expect(first.getByText("SEV1")).toBeTruthy();
    expect(first.getByText("2026-11-17 14:05 UTC")).toBeTruthy();
    expect(first.getByText("1 h 27 min")).toBeTruthy();
    expect(first.getByText("AI")).toBeTruthy();
    expect(first.getByText("human")).toBeTruthy();
    expect(within(rowById(2)).getByText("ongoing")).toBeTruthy();
  });

  it("opens the clicked incident and shows suspects with change badges", async () => {
    const { host } = await renderScreen();
    expect(screen.queryByTestId("incident-detail")).toBeNull();

    fireEvent.click(rowById(1));

    const detail = await screen.findByTestId("incident-detail");
    expect(host.calls).toContainEqual({ method: "getIncident", args: [1] });
    await within(detail).findByRole("heading", { name: "Checkout 5xx spike" });
    expect(within(detail).getByText("Q1CHK0UT")).toBeTruthy();
    expect(await within(detail).findByText("High error rate on checkout-api")).toBeTruthy();

    const suspects = within(detail).getAllByTestId("suspect");
    expect(suspects).toHaveLength(2);
    const top = within(suspects[0]!);
    expect(top.getByText("#1")).toBeTruthy();
    expect(top.getByText("87%")).toBeTruthy();
    // Short SHA of the deployment and of the commit it shipped.
    expect(top.getAllByText("4f9c2a7be1")).toHaveLength(2);
    expect(top.getByText("Deployed checkout 42 minutes before impact.")).toBeTruthy();

    const changes = top.getAllByTestId("change-row");
    expect(changes.map((c) => c.dataset["class"])).toEqual(["ai", "human"]);
    expect(within(changes[0]!).getByText("AI · claude-code")).toBeTruthy();
    expect(within(changes[1]!).getByText("Human")).toBeTruthy();
    expect(within(changes[1]!).getByText("acme/checkout#482")).toBeTruthy();

    const automation = within(suspects[1]!).getByTestId("change-row");
    expect(automation.dataset["class"]).toBe("automation");
    expect(within(automation).getByText("Automation")).toBeTruthy();
  });

  it("renders data as text, never as HTML", async () => {
    await renderScreen();
    fireEvent.click(rowById(1));
    const detail = await screen.findByTestId("incident-detail");
    await within(detail).findAllByTestId("suspect");
    await within(detail).findAllByTestId("deep-dive-event");
    expect(detail.querySelector("script")).toBeNull();
    // In the suspect's change table, the deep-dive row and its axis marker's tooltip.
    expect(within(detail).getAllByText(/Bump timeout for card network <script>/)).toHaveLength(3);
  });

  it("expands a change to show its attribution evidence", async () => {
    await renderScreen();
    fireEvent.click(rowById(1));
    const detail = await screen.findByTestId("incident-detail");
    const aiRow = (await within(detail).findAllByTestId("change-row"))[0]!;
    expect(screen.queryByTestId("change-evidence")).toBeNull();

    const toggle = within(aiRow).getByRole("button", { name: /Evidence \(1\)/ });
    fireEvent.click(toggle);

    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const evidence = screen.getByTestId("change-evidence");
    expect(within(evidence).getByText("co_authored_by_trailer")).toBeTruthy();
    expect(within(evidence).getByText("commit message")).toBeTruthy();
    expect(within(evidence).getByText("Co-Authored-By: Claude <noreply@anthropic.com>")).toBeTruthy();
  });

  it("moves the selection with the arrow keys and opens it with Enter", async () => {
    const { list } = await renderScreen();
    list.focus();
    // Rows are newest first: 3, 2, 1.
    expect(selectedIds()).toEqual(["3"]);

    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["2"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["1"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["1"]);
    fireEvent.keyDown(list, { key: "ArrowUp" });
    expect(selectedIds()).toEqual(["2"]);
    expect(list.getAttribute("aria-activedescendant")).toBe("incident-row-2");
    expect(screen.queryByTestId("incident-detail")).toBeNull();

    fireEvent.keyDown(list, { key: "Enter" });
    const detail = await screen.findByTestId("incident-detail");
    expect(detail.dataset["incidentId"]).toBe("2");
    await within(detail).findByRole("heading", { name: "Search latency above SLO" });
    expect(within(detail).getByTestId("no-suspects").textContent).toBe(
      "No deployment of search in the 24 hours before impact.",
    );

    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "Enter" });
    await within(screen.getByTestId("incident-detail")).findByRole("heading", {
      name: "Checkout 5xx spike",
    });
  });

  it("shows the empty state when the store has no incidents", async () => {
    renderWithHost(<IncidentsScreen />, new MockHost({ incidents: [] }));
    const empty = await screen.findByTestId("incidents-empty");
    expect(empty.textContent).toBe(
      "No incidents yet. Run hindsight ingest <files> or open the demo data.",
    );
    expect(screen.queryByTestId("incident-list")).toBeNull();
  });

  it("shows the host error when listing fails", async () => {
    const host = new MockHost(demoData(), {
      errors: { listIncidents: new HostError("internal", "database is locked") },
    });
    renderWithHost(<IncidentsScreen />, host);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("database is locked");
    expect(alert.dataset["errorKind"]).toBe("internal");
    expect(screen.queryByTestId("incident-list")).toBeNull();
  });

  it("shows the host error when an incident cannot be loaded", async () => {
    const data = demoData();
    delete data.details[3];
    await renderScreen(new MockHost(data));
    fireEvent.click(rowById(3));
    const detail = await screen.findByTestId("incident-detail");
    const alert = await within(detail).findByRole("alert");
    expect(alert.textContent).toContain("incident 3 not found");
    expect(alert.dataset["errorKind"]).toBe("not_found");
  });

  it("keeps the detail of the latest selection when answers arrive out of order", async () => {
    // Incident 1 answers slowly, incident 3 at once: 1's answer lands last.
    const host = new MockHost(demoData(), {
      delayMs: (method, args) => (method === "getIncident" && args[0] === 1 ? 30 : 0),
    });
    await renderScreen(host);
    fireEvent.click(rowById(1));
    fireEvent.click(rowById(3));
    await within(screen.getByTestId("incident-detail")).findByRole("heading", {
      name: "Login errors for SSO users",
    });
    await new Promise((resolve) => setTimeout(resolve, 60));

    const detail = screen.getByTestId("incident-detail");
    expect(detail.dataset["incidentId"]).toBe("3");
    expect(within(detail).queryByText("Checkout 5xx spike")).toBeNull();
    const change = within(detail).getByTestId("change-row");
    expect(change.dataset["class"]).toBe("unknown");
    expect(within(change).getByText("Unknown")).toBeTruthy();
  });
});
