import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { EventQueryDto } from "../../lib/bindings/EventQueryDto";
import { HostError } from "../../lib/ipc";
import { demoData, demoEvents } from "../../lib/ipc/demoData";
import { MockHost, matchesEventQuery, type MockHostOptions } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { TimelineScreen, ROW_HEIGHT } from "./TimelineScreen";
import { mergeTotal, p95 } from "./useEventPages";

function makeHost(count = 300, options: MockHostOptions = {}) {
  return new MockHost({ ...demoData(), events: demoEvents(count) }, options);
}

async function renderScreen(host = makeHost()) {
  renderWithHost(<TimelineScreen />, host);
  const list = screen.getByTestId("timeline-list");
  await screen.findAllByTestId("timeline-row");
  return { host, list };
}

const rows = () => screen.queryAllByTestId("timeline-row");
const status = () => screen.getByTestId("timeline-status").textContent ?? "";
const totalShown = () => Number(/^(\d+) events?/.exec(status())?.[1] ?? NaN);
const searches = (host: MockHost) =>
  host.calls.filter((c) => c.method === "searchEvents").map((c) => c.args[0] as EventQueryDto);
const selectedIndexes = () =>
  rows()
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => Number(r.dataset["index"]));
const expectedTotal = (count: number, query: Partial<EventQueryDto>) => {
  const full: EventQueryDto = {
    text: null, from: null, to: null, services: [], environments: [], sources: [], classes: [],
    tools: [], severities: [], actors: [], approvals: [], offset: 0, limit: 1000, ...query,
  };
  return demoEvents(count).filter((e) => matchesEventQuery(e, full)).length;
};

describe("timeline screen", () => {
  it("shows the total, the backend's answer time and the rows with their badges", async () => {
    await renderScreen(makeHost(300, { elapsedMs: () => 7 }));
    expect(status()).toBe("300 events · answered in 7 ms · p95 7 ms");
    const first = rows()[0]!;
    const event = demoEvents(300)[0]!;
    expect(first.dataset["source"]).toBe(event.source);
    expect(first.textContent).toContain(event.title);
    expect(first.textContent).toContain(event.at.slice(0, 10));
    const change = rows().find((r) => r.dataset["source"] === "change")!;
    expect(within(change).getByText(/^(AI|Human|Automation|Unknown)/).className).toMatch(/badge-/);
  });

  it("narrows rows and total by text (debounced), source and class, and clears the filters", async () => {
    const { host } = await renderScreen();
    fireEvent.change(screen.getByTestId("timeline-search"), { target: { value: "rollback" } });
    // Debounced: no query with the text yet.
    expect(searches(host).some((q) => q.text !== null)).toBe(false);
    const rollbacks = expectedTotal(300, { text: "rollback" });
    expect(rollbacks).toBeGreaterThan(0);
    expect(rollbacks).toBeLessThan(300);
    await waitFor(() => expect(totalShown()).toBe(rollbacks));
    expect(rows()).toHaveLength(rollbacks);
    expect(rows().every((r) => /rollback/i.test(r.textContent ?? ""))).toBe(true);
    expect(searches(host).at(-1)).toMatchObject({ text: "rollback", offset: 0, limit: 200 });

    fireEvent.click(screen.getByTestId("timeline-clear"));
    await waitFor(() => expect(totalShown()).toBe(300));

    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    const incidents = expectedTotal(300, { sources: ["incident"] });
    await waitFor(() => expect(totalShown()).toBe(incidents));
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().every((r) => r.dataset["source"] === "incident")).toBe(true);

    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    fireEvent.click(screen.getByTestId("filter-classes-ai"));
    const ai = expectedTotal(300, { classes: ["ai"] });
    await waitFor(() => expect(totalShown()).toBe(ai));
    expect(ai).toBeLessThan(300);
    expect(rows().every((r) => r.dataset["class"] === "ai")).toBe(true);
    expect(searches(host).at(-1)).toMatchObject({ classes: ["ai"], sources: [], offset: 0 });
  });

  it("filters by approval: only the changes and deployments recording that outcome", async () => {
    const { host } = await renderScreen();
    expect(screen.getByTestId("timeline-filter-approvals").textContent).toContain("Approval");
    fireEvent.click(screen.getByTestId("filter-approvals-not approved"));
    const unapproved = expectedTotal(300, { approvals: ["not approved"] });
    expect(unapproved).toBeGreaterThan(0);
    expect(unapproved).toBeLessThan(300);
    await waitFor(() => expect(totalShown()).toBe(unapproved));
    expect(rows().every((r) => r.dataset["source"] === "change")).toBe(true);
    expect(searches(host).at(-1)).toMatchObject({ approvals: ["not approved"], offset: 0 });
  });

  it("applies the UTC time brush as inclusive bounds", async () => {
    const { host } = await renderScreen();
    fireEvent.change(screen.getByTestId("timeline-from"), { target: { value: "2026-11-01T02:00" } });
    fireEvent.change(screen.getByTestId("timeline-to"), { target: { value: "2026-11-01T03:59" } });
    const expected = expectedTotal(300, { from: "2026-11-01T02:00:00Z", to: "2026-11-01T03:59:59.999Z" });
    await waitFor(() => expect(totalShown()).toBe(expected));
    expect(expected).toBe(30);
    expect(searches(host).at(-1)).toMatchObject({ from: "2026-11-01T02:00:00Z", to: "2026-11-01T03:59:59.999Z" });
  });

  it("renders only a window of rows for 10,000 events", async () => {
    const { list } = await renderScreen(makeHost(10_000));
    expect(totalShown()).toBe(10_000);
    expect(screen.getByTestId("timeline-spacer").style.height).toBe(`${10_000 * ROW_HEIGHT}px`);
    expect(rows().length).toBeGreaterThan(10);
    expect(rows().length).toBeLessThan(100);
    expect(list.querySelectorAll("[data-index]").length).toBeLessThan(100);
  });

  it("fetches the pages under the scrolled-to rows by offset, and caches them", async () => {
    const { host, list } = await renderScreen(makeHost(10_000));
    expect(searches(host).map((q) => q.offset)).toEqual([0]);

    list.scrollTop = 5_000 * ROW_HEIGHT;
    fireEvent.scroll(list);
    await waitFor(() => expect(rows().some((r) => r.dataset["index"] === "5000")).toBe(true));
    const offsets = searches(host).map((q) => q.offset);
    expect(offsets).toContain(4_800);
    expect(offsets).toContain(5_000);
    expect(offsets).not.toContain(200);
    expect(offsets.every((o) => o === 0 || o === 4_800 || o === 5_000)).toBe(true);
    const row = rows().find((r) => r.dataset["index"] === "5000")!;
    expect(row.dataset["eventId"]).toBe(String(demoEvents(10_000)[5_000]!.id));
    expect(rows().length).toBeLessThan(100);

    const before = searches(host).length;
    list.scrollTop = 0;
    fireEvent.scroll(list);
    await screen.findAllByTestId("timeline-row");
    expect(rows()[0]!.dataset["index"]).toBe("0");
    expect(searches(host).length).toBe(before); // page 0 came from the cache
  });

  it("ignores an answer to a query that is no longer current", async () => {
    // The incident-only search answers late; the unfiltered one right away.
    const host = makeHost(300, {
      delayMs: (method, args) =>
        method === "searchEvents" && (args[0] as EventQueryDto).sources.includes("incident") ? 120 : 0,
      elapsedMs: (q) => (q.sources.length > 0 ? 999 : 5),
    });
    await renderScreen(host);
    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    fireEvent.click(screen.getByTestId("filter-sources-incident"));
    await waitFor(() => expect(searches(host).filter((q) => q.sources.length === 0)).toHaveLength(2));
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(searches(host).some((q) => q.sources.includes("incident"))).toBe(true);
    expect(totalShown()).toBe(300);
    expect(status()).not.toContain("999");
    expect(rows().some((r) => r.dataset["source"] !== "incident")).toBe(true);
  });

  it("moves the selection with arrows, PageUp/PageDown, Home/End, and / focuses the search", async () => {
    const { list } = await renderScreen(makeHost(10_000));
    list.focus();
    expect(selectedIndexes()).toEqual([0]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIndexes()).toEqual([2]);
    fireEvent.keyDown(list, { key: "ArrowUp" });
    expect(selectedIndexes()).toEqual([1]);
    fireEvent.keyDown(list, { key: "PageDown" });
    const page = selectedIndexes()[0]!;
    expect(page).toBeGreaterThan(10);
    fireEvent.keyDown(list, { key: "PageUp" });
    expect(selectedIndexes()).toEqual([1]);
    fireEvent.keyDown(list, { key: "ArrowUp" });
    fireEvent.keyDown(list, { key: "ArrowUp" });
    expect(selectedIndexes()).toEqual([0]);

    fireEvent.keyDown(list, { key: "End" });
    await waitFor(() => expect(selectedIndexes()).toEqual([9_999]));
    expect(list.getAttribute("aria-activedescendant")).toBe("timeline-row-9999");
    expect(list.scrollTop).toBeGreaterThan(9_000 * ROW_HEIGHT);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIndexes()).toEqual([9_999]);
    fireEvent.keyDown(list, { key: "Home" });
    await waitFor(() => expect(selectedIndexes()).toEqual([0]));
    expect(list.scrollTop).toBe(0);

    fireEvent.keyDown(list, { key: "/" });
    expect(document.activeElement).toBe(screen.getByTestId("timeline-search"));
  });

  it("shows a capped count as 10,000+ and extends the list as pages further down load", async () => {
    const { host, list } = await renderScreen(makeHost(25_000));
    expect(status()).toMatch(/^10,000\+ events · /);
    expect(screen.getByTestId("timeline-spacer").style.height).toBe(`${10_000 * ROW_HEIGHT}px`);
    // The last known rows are on page 49 (offset 9,800): its count reaches 19,800 (and the rows
    // that uncovers may load page 50, whose count reaches 20,000).
    list.scrollTop = 10_000 * ROW_HEIGHT - 560;
    fireEvent.scroll(list);
    await waitFor(() => expect(status()).toMatch(/^(19,800|20,000)\+ events · /));
    expect(searches(host).some((q) => q.offset === 9_800)).toBe(true);
    const bound = Number(/^([\d,]+)\+/.exec(status())![1]!.replace(",", ""));
    expect(screen.getByTestId("timeline-spacer").style.height).toBe(`${bound * ROW_HEIGHT}px`);
    // Page 98 (offset 19,600) counts past the end: the total becomes exact.
    list.scrollTop = 19_800 * ROW_HEIGHT - 560;
    fireEvent.scroll(list);
    await waitFor(() => expect(totalShown()).toBe(25_000));
    expect(status()).not.toContain("+");
  });

  it("shows the empty state when nothing matches", async () => {
    await renderScreen();
    fireEvent.change(screen.getByTestId("timeline-search"), { target: { value: "no such event" } });
    expect((await screen.findByTestId("timeline-empty")).textContent).toBe("No events match these filters.");
    expect(rows()).toHaveLength(0);
    expect(totalShown()).toBe(0);
  });

  it("shows the error of a failed search", async () => {
    const host = makeHost(300, { errors: { searchEvents: new HostError("bad_input", "fts5: syntax error") } });
    renderWithHost(<TimelineScreen />, host);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("fts5: syntax error");
    expect(rows()).toHaveLength(0);
  });
});

describe("p95", () => {
  it("is the nearest-rank 95th percentile", () => {
    expect(p95([])).toBeNull();
    expect(p95([3])).toBe(3);
    expect(p95(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
    expect(p95(Array.from({ length: 100 }, (_, i) => 100 - i))).toBe(95);
  });
});

describe("mergeTotal", () => {
  it("keeps an exact total and only raises a lower bound", () => {
    expect(mergeTotal({ total: null, capped: false }, 10_000, true)).toEqual({ total: 10_000, capped: true });
    expect(mergeTotal({ total: 19_800, capped: true }, 10_000, true)).toEqual({ total: 19_800, capped: true });
    expect(mergeTotal({ total: 19_800, capped: true }, 25_000, false)).toEqual({ total: 25_000, capped: false });
    expect(mergeTotal({ total: 25_000, capped: false }, 30_000, true)).toEqual({ total: 25_000, capped: false });
  });
});
