import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { EventQueryDto } from "../../lib/bindings/EventQueryDto";
import { HostError, type EventFilterQuery } from "../../lib/ipc";
import { demoData, demoEvents } from "../../lib/ipc/demoData";
import { MockHost, matchesEventQuery } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { TimelineScreen } from "./TimelineScreen";
import { widthLabel } from "./TimeBrush";

// 300 demo events, 4 minutes apart from 2026-11-01T00:00Z: 120 ten-minute buckets.
const BUCKETS = 120;
/** Pixels per bucket of the chart as the tests lay it out. */
const PX = 10;

function makeHost(count = 300) {
  return new MockHost({ ...demoData(), events: demoEvents(count) });
}

async function renderScreen(host = makeHost()) {
  renderWithHost(<TimelineScreen />, host);
  await screen.findAllByTestId("timeline-row");
  await screen.findAllByTestId("time-brush-bar");
  const chart = screen.getByTestId("time-brush-chart");
  // jsdom has no layout: the chart is 1,200 px wide from x = 0.
  chart.getBoundingClientRect = () =>
    ({ left: 0, top: 0, width: BUCKETS * PX, height: 60, right: BUCKETS * PX, bottom: 60, x: 0, y: 0 }) as DOMRect;
  return { host, chart, track: screen.getByTestId("time-brush-track") };
}

const status = () => screen.getByTestId("timeline-status").textContent ?? "";
const totalShown = () => Number(/^(\d+) events?/.exec(status())?.[1] ?? NaN);
const searches = (host: MockHost) =>
  host.calls.filter((c) => c.method === "searchEvents").map((c) => c.args[0] as EventQueryDto);
const histograms = (host: MockHost) =>
  host.calls.filter((c) => c.method === "eventHistogram").map((c) => c.args[0] as EventFilterQuery);
const bars = () => screen.queryAllByTestId("time-brush-bar");
const field = (id: "from" | "to") => (screen.getByTestId(`timeline-${id}`) as HTMLInputElement).value;
const expectedTotal = (query: Partial<EventQueryDto>) => {
  const full: EventQueryDto = {
    text: null, from: null, to: null, services: [], environments: [], sources: [], classes: [],
    tools: [], severities: [], actors: [], approvals: [], offset: 0, limit: 1000, ...query,
  };
  return demoEvents(300).filter((e) => matchesEventQuery(e, full)).length;
};
/** The window the brush last wrote, as the next search sent it. */
const lastWindow = (host: MockHost) => {
  const last = searches(host).at(-1)!;
  return { from: last.from, to: last.to };
};

describe("time brush", () => {
  it("draws one bar per bucket the host answers, with its count", async () => {
    const { host } = await renderScreen();
    expect(bars()).toHaveLength(BUCKETS);
    const counts = bars().map((b) => Number(b.dataset["count"]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    const inFirst = demoEvents(300).filter((e) => e.at < "2026-11-01T00:10").length;
    expect(counts[0]).toBe(inFirst);
    expect(bars()[0]!.dataset["start"]).toBe("2026-11-01T00:00:00.000Z");
    // Taller bars for more events; an empty bucket has no height.
    const heights = bars().map((b) => Number(b.getAttribute("height")));
    const most = counts.indexOf(Math.max(...counts));
    expect(heights[most]).toBe(Math.max(...heights));
    expect(screen.getByTestId("time-brush-summary").textContent).toBe("300 events · per 10 minutes");
    const track = screen.getByTestId("time-brush-track");
    expect(track.getAttribute("role")).toBe("group");
    expect(track.getAttribute("aria-label")).toContain("Events per 10 minutes, 2026-11-01 00:00 to 2026-11-01 20:00 UTC");
    expect(screen.queryByTestId("time-brush-selection")).toBeNull();
    expect(histograms(host)).toHaveLength(1);
  });

  it("selects a window by dragging: the next search is bounded and the From/To fields follow", async () => {
    const { host, chart } = await renderScreen();
    fireEvent.pointerDown(chart, { button: 0, pointerId: 1, clientX: 2 * PX + 5 });
    fireEvent.pointerMove(chart, { pointerId: 1, clientX: 4 * PX + 1 });
    // While dragging, the band follows the pointer but nothing is searched yet.
    const band = () => screen.getByTestId("time-brush-selection").querySelector(".time-brush-band")!;
    expect(Number(band().getAttribute("x"))).toBeCloseTo((2 * 1000) / BUCKETS);
    expect(searches(host).some((q) => q.from !== null)).toBe(false);
    fireEvent.pointerMove(chart, { pointerId: 1, clientX: 5 * PX + 9 });
    fireEvent.pointerUp(chart, { pointerId: 1, clientX: 5 * PX + 9 });
    // Buckets 2..5: 00:20 up to 01:00.
    const expected = expectedTotal({ from: "2026-11-01T00:20:00Z", to: "2026-11-01T00:59:59.999Z" });
    expect(expected).toBeGreaterThan(0);
    await waitFor(() => expect(totalShown()).toBe(expected));
    expect(lastWindow(host)).toEqual({ from: "2026-11-01T00:20:00Z", to: "2026-11-01T00:59:59.999Z" });
    expect([field("from"), field("to")]).toEqual(["2026-11-01T00:20", "2026-11-01T00:59"]);
    expect(Number(band().getAttribute("x"))).toBeCloseTo((2 * 1000) / BUCKETS);
    expect(Number(band().getAttribute("width"))).toBeCloseTo((4 * 1000) / BUCKETS);
    expect(screen.getByTestId("time-brush-summary").textContent).toBe(
      `Selected 2026-11-01 00:20 to 2026-11-01 01:00 UTC, ${expected} events.`,
    );
    // The window is not the histogram's: it still charts the whole range, asked once.
    expect(histograms(host)).toHaveLength(1);
    expect(bars()).toHaveLength(BUCKETS);

    // Dragging right to left selects the same way; a handle resizes from the other end.
    fireEvent.pointerDown(screen.getByTestId("time-brush-handle-end"), { button: 0, pointerId: 2, clientX: 6 * PX });
    fireEvent.pointerUp(chart, { pointerId: 2, clientX: 9 * PX + 1 });
    await waitFor(() => expect(lastWindow(host)).toEqual({ from: "2026-11-01T00:20:00Z", to: "2026-11-01T01:39:59.999Z" }));
    fireEvent.pointerDown(chart, { button: 0, pointerId: 3, clientX: 30 * PX + 1 });
    fireEvent.pointerUp(chart, { pointerId: 3, clientX: 28 * PX + 1 });
    await waitFor(() => expect(lastWindow(host)).toEqual({ from: "2026-11-01T04:40:00Z", to: "2026-11-01T05:09:59.999Z" }));
  });

  it("draws the window typed in the From/To fields", async () => {
    await renderScreen();
    fireEvent.change(screen.getByTestId("timeline-from"), { target: { value: "2026-11-01T02:00" } });
    fireEvent.change(screen.getByTestId("timeline-to"), { target: { value: "2026-11-01T03:59" } });
    const selection = await screen.findByTestId("time-brush-selection");
    expect(selection.dataset["from"]).toBe("2026-11-01T02:00");
    const band = selection.querySelector(".time-brush-band")!;
    // 02:00 is bucket 12; the window ends at 04:00, bucket 24's start.
    expect(Number(band.getAttribute("x"))).toBeCloseTo((12 * 1000) / BUCKETS);
    expect(Number(band.getAttribute("width"))).toBeCloseTo((12 * 1000) / BUCKETS);
    // Only a start: the band runs to the end of the chart.
    fireEvent.change(screen.getByTestId("timeline-to"), { target: { value: "" } });
    await waitFor(() =>
      expect(Number(screen.getByTestId("time-brush-selection").querySelector(".time-brush-band")!.getAttribute("width"))).toBeCloseTo(
        ((BUCKETS - 12) * 1000) / BUCKETS,
      ),
    );
  });

  it("moves with the arrow keys, resizes with Shift, and clears with Escape", async () => {
    const { host, track } = await renderScreen();
    track.focus();
    expect(document.activeElement).toBe(track);
    fireEvent.keyDown(track, { key: "ArrowRight" });
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T00:00", "2026-11-01T00:09"]));
    fireEvent.keyDown(track, { key: "ArrowRight" });
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T00:10", "2026-11-01T00:19"]));
    fireEvent.keyDown(track, { key: "ArrowRight", shiftKey: true });
    fireEvent.keyDown(track, { key: "ArrowRight", shiftKey: true });
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T00:10", "2026-11-01T00:39"]));
    fireEvent.keyDown(track, { key: "ArrowLeft", shiftKey: true });
    await waitFor(() => expect(field("to")).toBe("2026-11-01T00:29"));
    // Shrinking stops at one bucket.
    fireEvent.keyDown(track, { key: "ArrowLeft", shiftKey: true });
    fireEvent.keyDown(track, { key: "ArrowLeft", shiftKey: true });
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T00:10", "2026-11-01T00:19"]));
    fireEvent.keyDown(track, { key: "ArrowLeft" });
    fireEvent.keyDown(track, { key: "ArrowLeft" });
    // At the start the window stays.
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T00:00", "2026-11-01T00:09"]));
    const expected = expectedTotal({ from: "2026-11-01T00:00:00Z", to: "2026-11-01T00:09:59.999Z" });
    await waitFor(() => expect(totalShown()).toBe(expected));
    expect(lastWindow(host)).toEqual({ from: "2026-11-01T00:00:00Z", to: "2026-11-01T00:09:59.999Z" });

    fireEvent.keyDown(track, { key: "Escape" });
    await waitFor(() => expect(totalShown()).toBe(300));
    expect([field("from"), field("to")]).toEqual(["", ""]);
    expect(lastWindow(host)).toEqual({ from: null, to: null });
    expect(screen.queryByTestId("time-brush-selection")).toBeNull();
    // With nothing selected, ArrowLeft starts from the last bucket.
    fireEvent.keyDown(track, { key: "ArrowLeft" });
    await waitFor(() => expect([field("from"), field("to")]).toEqual(["2026-11-01T19:50", "2026-11-01T19:59"]));
  });

  it("clears the window with its button, leaving the other filters", async () => {
    const { host, track } = await renderScreen();
    const clear = screen.getByTestId("time-brush-clear") as HTMLButtonElement;
    expect(clear.disabled).toBe(true);
    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    fireEvent.keyDown(track, { key: "ArrowRight" });
    await waitFor(() => expect(clear.disabled).toBe(false));
    fireEvent.click(clear);
    const incidents = expectedTotal({ sources: ["incident"] });
    await waitFor(() => expect(totalShown()).toBe(incidents));
    expect(searches(host).at(-1)).toMatchObject({ from: null, to: null, sources: ["incident"] });
    expect(clear.disabled).toBe(true);
  });

  it("asks for a new histogram when a filter or the search text changes, and charts its answer", async () => {
    const { host } = await renderScreen();
    expect(histograms(host)).toEqual([
      {
        text: null, from: null, to: null, services: [], environments: [], sources: [], classes: [],
        tools: [], severities: [], actors: [], approvals: [],
      },
    ]);
    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    const incidents = expectedTotal({ sources: ["incident"] });
    await waitFor(() =>
      expect(bars().reduce((sum, b) => sum + Number(b.dataset["count"]), 0)).toBe(incidents),
    );
    expect(histograms(host).at(-1)).toMatchObject({ sources: ["incident"], from: null, to: null });
    expect(bars()).toHaveLength(BUCKETS);

    fireEvent.change(screen.getByTestId("timeline-search"), { target: { value: "latency" } });
    await waitFor(() => expect(histograms(host).at(-1)).toMatchObject({ text: "latency", sources: ["incident"] }));
    const latency = expectedTotal({ sources: ["incident"], text: "latency" });
    await waitFor(() =>
      expect(screen.getByTestId("time-brush-summary").textContent).toBe(`${latency} events · per 10 minutes`),
    );
    // A window typed in the fields does not ask again.
    const asked = histograms(host).length;
    fireEvent.change(screen.getByTestId("timeline-from"), { target: { value: "2026-11-01T02:00" } });
    await waitFor(() => expect(searches(host).at(-1)?.from).toBe("2026-11-01T02:00:00Z"));
    expect(histograms(host)).toHaveLength(asked);
  });

  it("shows the error of a failed histogram, once when the search fails too", async () => {
    const failing = new MockHost(
      { ...demoData(), events: demoEvents(300) },
      { errors: { eventHistogram: new HostError("internal", "disk I/O error") } },
    );
    renderWithHost(<TimelineScreen />, failing);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Could not chart the events: disk I/O error");
    expect(screen.queryByTestId("time-brush")).toBeNull();
    await screen.findAllByTestId("timeline-row");

    cleanup();
    const both = new MockHost(
      { ...demoData(), events: demoEvents(300) },
      {
        errors: {
          eventHistogram: new HostError("bad_input", "search text: fts5: syntax error"),
          searchEvents: new HostError("bad_input", "search text: fts5: syntax error"),
        },
      },
    );
    renderWithHost(<TimelineScreen />, both);
    await waitFor(() => expect(both.calls.some((c) => c.method === "eventHistogram")).toBe(true));
    const alerts = await screen.findAllByRole("alert");
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(alerts[0]!.textContent).toContain("Could not search the events");
  });

  it("shows an empty state when the store has no events", async () => {
    renderWithHost(<TimelineScreen />, new MockHost({ ...demoData(), events: [] }));
    expect((await screen.findByTestId("time-brush-empty")).textContent).toContain("No events yet");
    expect(bars()).toHaveLength(0);
  });
});

describe("widthLabel", () => {
  it("names the bucket width", () => {
    expect(widthLabel(60)).toBe("minute");
    expect(widthLabel(600)).toBe("10 minutes");
    expect(widthLabel(21_600)).toBe("6 hours");
    expect(widthLabel(86_400)).toBe("day");
    expect(widthLabel(14 * 86_400)).toBe("2 weeks");
  });
});
