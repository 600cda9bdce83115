import { act, fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { IngestProgressDto } from "../../lib/bindings/IngestProgressDto";
import type { IngestReportDto } from "../../lib/bindings/IngestReportDto";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ImportScreen } from "./ImportScreen";

/** A mock whose import answers only when the test says, with progress the test sends. */
class ControlledHost extends MockHost {
  private progress: ((p: IngestProgressDto) => void) | undefined;
  private settle: ((report: IngestReportDto | null) => void) | undefined;

  override pickAndIngest(onProgress?: (p: IngestProgressDto) => void): Promise<IngestReportDto | null> {
    this.calls.push({ method: "pickAndIngest", args: [] });
    this.progress = onProgress;
    return new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Plays a progress message from the backend. */
  send(p: IngestProgressDto) {
    if (this.progress === undefined) throw new Error("pickAndIngest was not called with a progress callback");
    act(() => this.progress!(p));
  }

  async finish(report: IngestReportDto | null) {
    await act(async () => this.settle!(report));
  }
}

const file = (path: string, status: string) => ({
  path,
  format: status === "cancelled" ? null : "git-log",
  status,
  run_id: null,
  records_seen: 0,
  records_stored: 0,
  records_rejected: 0,
  records_skipped: 0,
  rejections: [],
  error: null,
});

describe("skipped records", () => {
  it("counts skipped records apart from rejected ones and marks each in the list", async () => {
    const host = new ControlledHost(demoData());
    renderWithHost(<ImportScreen />, host);
    fireEvent.click(screen.getByTestId("import-choose"));
    const devlake = {
      ...file("/corpus/cicd_deployment_commits.csv", "stored"),
      format: "devlake-deployment-commits",
      records_seen: 6,
      records_stored: 5,
      records_skipped: 1,
      rejections: [
        {
          location: "line 2",
          field: "finished_date",
          reason: "no finished_date, started_date or created_date, so the pipeline never ran",
          raw: "gitlab:GitlabPipeline:1:457475337,...",
          skipped: true,
        },
      ],
    };
    const broken = {
      ...file("/corpus/deploys.jsonl", "stored"),
      records_rejected: 1,
      rejections: [{ location: "line 7", field: "ts", reason: "not a timestamp", raw: "ts=yesterday", skipped: false }],
    };
    await host.finish({ files: [devlake, broken] });
    const report = screen.getByTestId("import-report");
    expect(within(report).getByTestId("import-summary").textContent).toBe(
      "2 files, 1 rejected record, 1 skipped record (nothing to store)",
    );
    const rows = within(report).getAllByTestId("rejection-row");
    expect(rows.map((r) => r.getAttribute("data-skipped"))).toEqual(["true", "false"]);
    expect(rows[0]!.textContent).toContain("skipped");
    expect(rows[1]!.textContent).toContain("rejected");
    const counts = within(report)
      .getAllByTestId("import-file")
      .map((row) => Array.from(row.querySelectorAll("td.num")).map((td) => td.textContent));
    // Seen, stored, rejected, skipped.
    expect(counts[0]).toEqual(["6", "5", "0", "1"]);
  });
});

describe("import progress", () => {
  it("shows the file being read and how far, while the import runs", async () => {
    const host = new ControlledHost(demoData());
    renderWithHost(<ImportScreen />, host);
    fireEvent.click(screen.getByTestId("import-choose"));
    expect(host.calls.filter((c) => c.method === "pickAndIngest")).toHaveLength(1);
    expect(screen.queryByTestId("import-progress")).toBeNull();

    host.send({ phase: "reading", step: "", file_index: 0, files: 3, path: "/home/me/exports/git.log", bytes_read: 250, bytes_total: 1000 });
    const area = screen.getByTestId("import-progress");
    expect(within(area).getByTestId("import-progress-file").textContent).toBe("File 1 of 3: git.log");
    const bar = within(area).getByTestId("import-progress-bar") as HTMLProgressElement;
    expect(bar.tagName).toBe("PROGRESS");
    expect(bar.getAttribute("value")).toBe("250");
    expect(bar.getAttribute("max")).toBe("1000");

    host.send({ phase: "reading", step: "", file_index: 0, files: 3, path: "/home/me/exports/git.log", bytes_read: 900, bytes_total: 1000 });
    expect(bar.getAttribute("value")).toBe("900");

    // A git repository: size unknown, so the bar is indeterminate (no value).
    host.send({ phase: "reading", step: "", file_index: 1, files: 3, path: "C:\\exports\\repo", bytes_read: 4096, bytes_total: 0 });
    expect(screen.getByTestId("import-progress-file").textContent).toBe("File 2 of 3: repo");
    const indeterminate = screen.getByTestId("import-progress-bar");
    expect(indeterminate.hasAttribute("value")).toBe(false);
    expect(screen.getByTestId("import-choose").hasAttribute("disabled")).toBe(true);

    // Every file stored: the derived tables are updated, which cannot be cancelled.
    host.send({ phase: "updating", step: "links", file_index: 2, files: 3, path: "", bytes_read: 0, bytes_total: 0 });
    expect(screen.getByTestId("import-progress-file").textContent).toContain("All 3 files are stored");
    expect(screen.getByTestId("import-progress-step").textContent).toBe(
      "Step 1 of 2: what each deployment shipped and the suspect links",
    );
    expect(screen.getByTestId("import-progress-bar").hasAttribute("value")).toBe(false);
    expect(screen.queryByTestId("import-cancel")).toBeNull();
    host.send({ phase: "updating", step: "timeline", file_index: 2, files: 3, path: "", bytes_read: 0, bytes_total: 0 });
    expect(screen.getByTestId("import-progress-step").textContent).toBe(
      "Step 2 of 2: the timeline and its search index",
    );

    await host.finish({ files: [file("/home/me/exports/git.log", "stored")] });
    expect(screen.queryByTestId("import-progress")).toBeNull();
    expect(screen.getByTestId("import-report")).toBeTruthy();
    expect(screen.getByTestId("import-choose").hasAttribute("disabled")).toBe(false);
  });

  it("cancels the import under way", async () => {
    const host = new ControlledHost(demoData());
    renderWithHost(<ImportScreen />, host);
    fireEvent.click(screen.getByTestId("import-choose"));
    host.send({ phase: "reading", step: "", file_index: 0, files: 2, path: "/x/a.json", bytes_read: 1, bytes_total: 10 });

    const cancel = screen.getByTestId("import-cancel") as HTMLButtonElement;
    expect(cancel.textContent).toBe("Cancel");
    expect(cancel.disabled).toBe(false);
    fireEvent.click(cancel);
    expect(host.calls.filter((c) => c.method === "cancelIngest")).toHaveLength(1);
    expect(cancel.textContent).toBe("Cancelling…");
    expect(cancel.disabled).toBe(true);
    fireEvent.click(cancel);
    expect(host.calls.filter((c) => c.method === "cancelIngest")).toHaveLength(1);

    // Progress still arriving keeps the button disabled.
    host.send({ phase: "reading", step: "", file_index: 0, files: 2, path: "/x/a.json", bytes_read: 5, bytes_total: 10 });
    expect((screen.getByTestId("import-cancel") as HTMLButtonElement).disabled).toBe(true);

    await host.finish({ files: [file("/x/a.json", "cancelled"), file("/x/b.json", "cancelled")] });
    expect(screen.queryByTestId("import-progress")).toBeNull();
    const files = screen.getAllByTestId("import-file");
    expect(files.map((f) => f.dataset["status"])).toEqual(["cancelled", "cancelled"]);
    expect(within(files[0]!).getByText("cancelled").className).toContain("ingest-cancelled");
    expect(screen.getByTestId("import-summary").textContent).toBe("2 files, 2 cancelled");
  });

  it("renders cancelled files next to stored ones", async () => {
    const data = demoData();
    data.ingestReport = {
      files: [file("/x/a.json", "stored"), file("/x/b.json", "cancelled"), file("/x/c.json", "cancelled")],
    };
    renderWithHost(<ImportScreen />, new MockHost(data));
    fireEvent.click(screen.getByTestId("import-choose"));
    await screen.findByTestId("import-report");
    const files = screen.getAllByTestId("import-file");
    expect(files.map((f) => f.querySelector(".ingest-status")?.textContent)).toEqual([
      "stored",
      "cancelled",
      "cancelled",
    ]);
    expect(screen.getByTestId("import-summary").textContent).toBe("3 files, 2 cancelled");
  });

  it("lets a failed cancel be retried", async () => {
    const controlled = new ControlledHost(demoData(), {
      errors: { cancelIngest: new HostError("internal", "no ingest under way") },
    });
    renderWithHost(<ImportScreen />, controlled);
    fireEvent.click(screen.getByTestId("import-choose"));
    controlled.send({ phase: "reading", step: "", file_index: 0, files: 1, path: "/x/a.json", bytes_read: 0, bytes_total: 0 });
    fireEvent.click(screen.getByTestId("import-cancel"));
    expect((await screen.findByRole("alert")).textContent).toBe("Could not cancel the import: no ingest under way");
    const cancel = screen.getByTestId("import-cancel") as HTMLButtonElement;
    expect(cancel.disabled).toBe(false);
    expect(cancel.textContent).toBe("Cancel");
  });
});

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
    expect(Array.from(files[0]!.querySelectorAll("td.num")).map((td) => td.textContent)).toEqual(["5", "4", "1", "0"]);
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
      "rejected",
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
