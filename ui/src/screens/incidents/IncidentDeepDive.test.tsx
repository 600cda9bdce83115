import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { IncidentDeepDive } from "./IncidentDeepDive";
import { axisPosition, describeEdit, offsetFromStart } from "./deepDive";

async function open(host = new MockHost(demoData())) {
  renderWithHost(<IncidentDeepDive incidentId={1} />, host);
  await screen.findByTestId("deep-dive");
  return host;
}

const rows = () => screen.getAllByTestId("deep-dive-event");
const row = (source: string) => rows().find((r) => r.dataset["source"] === source)!;

describe("incident deep-dive", () => {
  it("merges updates, deployments and changes and draws the impact window", async () => {
    const host = await open();
    const timeline = await host.incidentTimeline(1);
    expect(rows().map((r) => r.dataset["eventKey"])).toEqual(timeline.events.map((e) => e.key));
    const sources = new Set(rows().map((r) => r.dataset["source"]));
    expect(sources.has("deployment")).toBe(true);
    expect(sources.has("change")).toBe(true);
    expect(screen.getAllByTestId("axis-marker")).toHaveLength(timeline.events.length);
    const band = screen.getByTestId("impact-band");
    const x = Number(band.getAttribute("x"));
    const width = Number(band.getAttribute("width"));
    expect(x).toBeCloseTo(10 + 980 * axisPosition(timeline.impact_from, timeline.axis_from, timeline.axis_to));
    expect(x + width).toBeCloseTo(
      10 + 980 * axisPosition(timeline.impact_to!, timeline.axis_from, timeline.axis_to),
    );
    expect(screen.getByTestId("annotation-undo")).toHaveProperty("disabled", true);
  });

  it("stars an event, marks a key moment, adds a note, and undoes the last edit", async () => {
    const host = await open();
    const deploy = row("deployment");
    fireEvent.click(within(deploy).getByTestId("event-star"));
    await screen.findByText("★");
    expect(row("deployment").dataset["starred"]).toBe("true");

    const first = rows()[0]!;
    fireEvent.change(within(first).getByTestId("event-moment"), { target: { value: "detection" } });
    await waitFor(() => expect(rows()[0]!.dataset["moment"]).toBe("detection"));
    const detection = screen.getByTestId("key-moments").querySelector('[data-moment="detection"]')!;
    expect(detection.textContent).not.toContain("not marked");
    expect(screen.getByTestId("key-moments").querySelector('[data-moment="repair"]')!.textContent).toContain(
      "not marked",
    );

    fireEvent.change(screen.getByTestId("incident-note-input"), { target: { value: "pager fired late" } });
    fireEvent.click(screen.getByTestId("incident-note-add"));
    await within(screen.getByTestId("incident-notes")).findByText(/pager fired late/);
    expect(host.annotations[1]).toHaveLength(3);

    fireEvent.click(screen.getByTestId("annotation-undo"));
    await screen.findByText("No notes yet.");
    expect(host.annotations[1]![2]!.undone_at).not.toBeNull();
    expect(rows()[0]!.dataset["moment"]).toBe("detection");
    const history = within(screen.getByTestId("annotation-history")).getAllByRole("listitem");
    expect(history).toHaveLength(3);
    expect(history[2]!.className).toBe("undone");
    expect(history[2]!.textContent).toContain("undone by mock-reviewer");
  });

  it("notes an event and shows it on that event", async () => {
    await open();
    const deploy = row("deployment");
    fireEvent.click(within(deploy).getByTestId("event-note"));
    fireEvent.change(within(deploy).getByTestId("event-note-input"), { target: { value: "retry storm" } });
    fireEvent.submit(within(deploy).getByTestId("event-note-input").closest("form")!);
    await within(row("deployment")).findByText("retry storm");
  });

  it("shows an edit that failed as a message", async () => {
    const host = new MockHost(demoData(), {
      errors: { annotateIncident: new HostError("bad_input", "a note needs text") },
    });
    await open(host);
    fireEvent.click(within(row("deployment")).getByTestId("event-star"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("a note needs text");
  });
});

describe("deep-dive helpers", () => {
  it("places instants on the axis and names offsets and edits", () => {
    expect(axisPosition("2025-01-01T01:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T04:00:00Z")).toBe(0.25);
    expect(axisPosition("2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T04:00:00Z")).toBe(0);
    expect(axisPosition("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z")).toBe(0.5);
    expect(offsetFromStart("2025-01-01T00:25:00Z", "2025-01-01T00:00:00Z")).toBe("+25 min");
    expect(offsetFromStart("2024-12-31T22:00:00Z", "2025-01-01T00:00:00Z")).toBe("-2 h");
    const edit = {
      id: 1,
      event_key: null,
      kind: "note",
      value: "x",
      author: "a",
      at: "2025-01-01T00:00:00Z",
      undone_at: null,
      undone_by: null,
    };
    expect(describeEdit(edit)).toBe("noted: x");
    expect(describeEdit({ ...edit, kind: "moment", value: "repair", event_key: "k" })).toBe("marked repair");
    expect(describeEdit({ ...edit, kind: "star", value: "off", event_key: "k" })).toBe("removed a star");
  });
});
