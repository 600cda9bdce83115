import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ImportScreen } from "./ImportScreen";

describe("import screen", () => {
  it("lists the import history newest first", async () => {
    renderWithHost(<ImportScreen />, new MockHost(demoData()));
    const runs = await screen.findAllByTestId("run-row");
    expect(runs.map((r) => r.dataset["runId"])).toEqual(["2", "1"]);
    expect(within(runs[0]!).getByText("/home/demo/exports/pagerduty.json")).toBeTruthy();
    expect(within(runs[0]!).getByText("2026-11-20 08:05 UTC")).toBeTruthy();
  });

  it("shows each file's outcome and the rejected records, then the new run", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<ImportScreen />, host);
    await screen.findAllByTestId("run-row");

    fireEvent.click(screen.getByTestId("import-choose"));
    const report = await screen.findByTestId("import-report");
    expect(host.calls.filter((c) => c.method === "pickAndIngest")).toHaveLength(1);
    expect(within(report).getByTestId("import-summary").textContent).toBe("2 files, 1 failed, 1 rejected record");

    const files = within(report).getAllByTestId("import-file");
    expect(files.map((f) => f.dataset["status"])).toEqual(["stored", "failed"]);
    const stored = within(files[0]!);
    expect(stored.getByText("/home/demo/exports/deploys.json")).toBeTruthy();
    expect(stored.getByText("github-deployments")).toBeTruthy();
    expect(stored.getByText("stored")).toBeTruthy();
    expect(Array.from(files[0]!.querySelectorAll("td.num")).map((td) => td.textContent)).toEqual(["5", "4", "1"]);
    const failed = within(files[1]!);
    expect(failed.getByText("failed")).toBeTruthy();
    expect(failed.getByText("unrecognised")).toBeTruthy();
    expect(failed.getByText("unrecognised format: choose a JSON export or a git log")).toBeTruthy();

    const rejections = within(report).getAllByTestId("rejection-row");
    expect(rejections).toHaveLength(1);
    const cells = Array.from(rejections[0]!.querySelectorAll("td")).map((td) => td.textContent);
    expect(cells).toEqual([
      "/home/demo/exports/deploys.json",
      "$[4]",
      "environment",
      "missing required field",
      '{"id":9917,"sha":"deadbeef"}',
    ]);

    // The history is re-fetched after the import.
    await screen.findByText("/home/demo/exports/deploys.json", { selector: "[data-testid=run-row] code" });
    expect(screen.getAllByTestId("run-row")).toHaveLength(3);
    expect(screen.getAllByTestId("run-row")[0]!.dataset["runId"]).toBe("3");
  });

  it("labels files that were already ingested", async () => {
    const data = demoData();
    data.ingestReport = {
      files: [{ ...data.ingestReport!.files[0]!, status: "already_ingested", rejections: [], records_rejected: 0 }],
    };
    renderWithHost(<ImportScreen />, new MockHost(data));
    fireEvent.click(screen.getByTestId("import-choose"));
    const file = await screen.findByTestId("import-file");
    expect(within(file).getByText("already ingested")).toBeTruthy();
    expect(screen.getByTestId("no-rejections")).toBeTruthy();
  });

  it("says so when the user cancels the file dialog", async () => {
    renderWithHost(<ImportScreen />, new MockHost({ ...demoData(), ingestReport: null }));
    fireEvent.click(screen.getByTestId("import-choose"));
    expect((await screen.findByTestId("import-cancelled")).textContent).toBe("No files chosen.");
    expect(screen.queryByTestId("import-report")).toBeNull();
  });

  it("shows the error when the import fails, and an empty history", async () => {
    const host = new MockHost({}, { errors: { pickAndIngest: new HostError("internal", "disk full") } });
    renderWithHost(<ImportScreen />, host);
    expect((await screen.findByTestId("runs-empty")).textContent).toContain("Choose files");
    fireEvent.click(screen.getByTestId("import-choose"));
    expect((await screen.findByRole("alert")).textContent).toBe("Import failed: disk full");
  });
});
