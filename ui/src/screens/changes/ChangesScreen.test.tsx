import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HostError, type ChangeDto } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ChangesScreen } from "./ChangesScreen";

async function renderScreen(host = new MockHost(demoData())) {
  renderWithHost(<ChangesScreen />, host);
  const list = await screen.findByTestId("change-list");
  return { host, list };
}

const rows = () => screen.queryAllByTestId("change-row");
const ids = () => rows().map((r) => r.dataset["changeId"]);
const selectedIds = () =>
  rows()
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset["changeId"]);

async function openChange(id: string) {
  fireEvent.click(rows().find((r) => r.dataset["changeId"] === id)!);
  return screen.findByTestId("change-detail");
}

describe("changes screen", () => {
  afterEach(() => {
    // jsdom has no scrollIntoView; a test that gives it one takes it back.
    delete (HTMLElement.prototype as Partial<HTMLElement>).scrollIntoView;
  });

  it("lists every change with its attribution and the counts per class", async () => {
    await renderScreen();
    expect(ids()).toEqual(["1001", "1002", "1003", "3001"]);
    expect(rows().map((r) => r.dataset["class"])).toEqual(["ai", "human", "automation", "unknown"]);
    expect(screen.getByTestId("change-counts").textContent).toBe(
      "4 changes: 1 AI · 1 human · 1 automation · 1 unknown",
    );
    const ai = within(rows()[0]!);
    expect(ai.getByText("4f9c2a7be1")).toBeTruthy();
    expect(ai.getByText("acme/checkout")).toBeTruthy();
    expect(ai.getByText("Retry payment capture on timeout")).toBeTruthy();
    expect(ai.getByText("bob")).toBeTruthy();
    expect(ai.getByText("2026-11-17 11:02 UTC")).toBeTruthy();
    expect(ai.getByText("AI · claude-code")).toBeTruthy();
    expect(ai.getByText("co-authored")).toBeTruthy();
    expect(ai.getByText("95%")).toBeTruthy();
  });

  it("filters by text on title, author and key", async () => {
    await renderScreen();
    const filter = screen.getByTestId("changes-filter");
    fireEvent.change(filter, { target: { value: "RENOVATE" } });
    expect(ids()).toEqual(["1003"]);
    fireEvent.change(filter, { target: { value: "auth-12" } });
    expect(ids()).toEqual(["3001"]);
    fireEvent.change(filter, { target: { value: "timeout" } });
    expect(ids()).toEqual(["1001", "1002"]);
    fireEvent.change(filter, { target: { value: "no such thing" } });
    expect(ids()).toEqual([]);
    expect(screen.getByTestId("changes-no-match").textContent).toContain("No change matches the filter");
  });

  it("filters by class, combined with the text filter", async () => {
    await renderScreen();
    const cls = screen.getByTestId("changes-class-filter");
    fireEvent.change(cls, { target: { value: "human" } });
    expect(ids()).toEqual(["1002"]);
    fireEvent.change(cls, { target: { value: "automation" } });
    expect(ids()).toEqual(["1003"]);
    fireEvent.change(screen.getByTestId("changes-filter"), { target: { value: "bob" } });
    expect(ids()).toEqual([]);
    fireEvent.change(cls, { target: { value: "all" } });
    expect(ids()).toEqual(["1001"]);
  });

  it("moves the selection with the keyboard and opens a change with Enter", async () => {
    const { list } = await renderScreen();
    list.focus();
    expect(selectedIds()).toEqual(["1001"]);
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selectedIds()).toEqual(["1003"]);
    fireEvent.keyDown(list, { key: "End" });
    expect(selectedIds()).toEqual(["3001"]);
    fireEvent.keyDown(list, { key: "Home" });
    expect(selectedIds()).toEqual(["1001"]);
    expect(list.getAttribute("aria-activedescendant")).toBe("change-row-1001");
    expect(screen.queryByTestId("change-detail")).toBeNull();
    fireEvent.keyDown(list, { key: "Enter" });
    const detail = screen.getByTestId("change-detail");
    expect(detail.dataset["changeId"]).toBe("1001");
  });

  it("keeps the selection in view by its first cell, so a wide row does not scroll the list sideways", async () => {
    const scrolled: Element[] = [];
    const scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this);
    });
    HTMLElement.prototype.scrollIntoView = scrollIntoView;
    const { list } = await renderScreen();
    fireEvent.keyDown(list, { key: "End" });
    const last = scrolled.at(-1);
    expect(last?.tagName).toBe("TD");
    expect(last?.closest("tr")?.getAttribute("data-change-id")).toBe("3001");
    expect(scrollIntoView).toHaveBeenLastCalledWith({ block: "nearest" });
  });

  it("shows the evidence and source of the selected change", async () => {
    await renderScreen();
    const detail = await openChange("1001");
    const evidence = within(detail).getByTestId("change-evidence");
    expect(within(evidence).getByText("co_authored_by_trailer")).toBeTruthy();
    expect(within(evidence).getByText("commit message")).toBeTruthy();
    expect(within(evidence).getByText("Co-Authored-By: Claude <noreply@anthropic.com>")).toBeTruthy();
    expect(within(detail).getByTestId("change-source").textContent).toBe("git.json at $[17]");

    const none = await openChange("1002");
    expect(within(none).getByTestId("no-evidence")).toBeTruthy();
    expect(none.querySelector("script")).toBeNull();
  });

  it("overrides the classification with a reason and undoes it", async () => {
    const { host } = await renderScreen();
    const detail = await openChange("1002");
    fireEvent.change(within(detail).getByTestId("override-class"), { target: { value: "ai" } });
    fireEvent.change(within(detail).getByTestId("override-tool"), { target: { value: " cursor " } });
    fireEvent.change(within(detail).getByTestId("override-reason"), { target: { value: "author says Cursor wrote it" } });
    fireEvent.click(within(detail).getByTestId("override-submit"));

    const note = await within(detail).findByTestId("override-note");
    expect(note.textContent).toContain("Overridden: author says Cursor wrote it");
    expect(host.calls).toContainEqual({
      method: "overrideAttribution",
      args: [1002, "ai", "cursor", "author says Cursor wrote it"],
    });
    const row = rows().find((r) => r.dataset["changeId"] === "1002")!;
    expect(row.dataset["class"]).toBe("ai");
    expect(within(row).getByText("AI · cursor")).toBeTruthy();
    expect(screen.getByTestId("change-counts").textContent).toBe(
      "4 changes: 2 AI · 0 human · 1 automation · 1 unknown",
    );

    fireEvent.click(within(detail).getByTestId("override-undo"));
    await within(row).findByText("Human");
    expect(within(detail).queryByTestId("override-note")).toBeNull();
    expect(row.dataset["class"]).toBe("human");
    expect(host.calls).toContainEqual({ method: "clearOverride", args: [1002] });
  });

  it("requires a reason for an override", async () => {
    const { host } = await renderScreen();
    const detail = await openChange("1003");
    fireEvent.change(within(detail).getByTestId("override-class"), { target: { value: "human" } });
    fireEvent.click(within(detail).getByTestId("override-submit"));
    expect(within(detail).getByTestId("override-hint").textContent).toBe("A reason is required.");
    await new Promise((r) => setTimeout(r, 10));
    expect(host.calls.some((c) => c.method === "overrideAttribution")).toBe(false);
    expect(within(detail).queryByTestId("override-note")).toBeNull();
  });

  it("shows the host error when an override fails", async () => {
    const host = new MockHost(demoData(), {
      errors: { overrideAttribution: new HostError("bad_input", "unknown class") },
    });
    await renderScreen(host);
    const detail = await openChange("1001");
    fireEvent.change(within(detail).getByTestId("override-reason"), { target: { value: "x" } });
    fireEvent.click(within(detail).getByTestId("override-submit"));
    expect((await within(detail).findByRole("alert")).textContent).toContain(
      "Could not save the override: unknown class",
    );
  });

  it("renders at most 500 rows and says how many match", async () => {
    const base = demoData().changes[0]!;
    const many: ChangeDto[] = Array.from({ length: 620 }, (_, i) => ({
      ...base,
      id: i + 1,
      natural_key: `KEY-${i + 1}`,
      title: i % 2 === 0 ? `even change ${i}` : `odd change ${i}`,
    }));
    await renderScreen(new MockHost({ changes: many }));
    expect(rows()).toHaveLength(500);
    expect(screen.getByTestId("changes-truncated").textContent).toBe("showing 500 of 620 — refine the filter");
    fireEvent.change(screen.getByTestId("changes-filter"), { target: { value: "even" } });
    expect(rows()).toHaveLength(310);
    expect(screen.queryByTestId("changes-truncated")).toBeNull();
  });

  it("explains what to do when there are no changes", async () => {
    renderWithHost(<ChangesScreen />, new MockHost({}));
    expect((await screen.findByTestId("changes-empty")).textContent).toContain("Import");
  });

  it("shows the host error when listing fails", async () => {
    renderWithHost(
      <ChangesScreen />,
      new MockHost(demoData(), { errors: { listChanges: new HostError("internal", "database is locked") } }),
    );
    expect((await screen.findByRole("alert")).textContent).toContain("Could not load changes: database is locked");
  });
});
