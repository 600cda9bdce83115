import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ReportScreen, scopeOf } from "./ReportScreen";

describe("report screen", () => {
  it("shows the Markdown preview as text", async () => {
    const data = demoData();
    data.reportMarkdown = "# Report\n\n<img src=x onerror=alert(1)> **bold**\n";
    renderWithHost(<ReportScreen />, new MockHost(data));
    const preview = await screen.findByTestId("report-preview");
    expect(preview.tagName).toBe("PRE");
    expect(preview.textContent).toBe("# Report\n\n<img src=x onerror=alert(1)> **bold**\n");
    expect(preview.querySelector("img")).toBeNull();
  });

  it("saves the report and shows where", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<ReportScreen />, host);
    await screen.findByTestId("report-preview");
    fireEvent.click(screen.getByTestId("report-save-html"));
    expect((await screen.findByTestId("report-saved")).textContent).toBe(
      "Saved to /home/demo/Documents/hindsight-report.html",
    );
    expect(host.calls).toContainEqual({ method: "saveReport", args: ["html"] });

    fireEvent.click(screen.getByTestId("report-save-json"));
    expect((await screen.findByText("/home/demo/Documents/hindsight-report.json")).tagName).toBe("CODE");
  });

  it("saves every format into a chosen folder, under the scope in force", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<ReportScreen />, host);
    fireEvent.click(screen.getByTestId("report-save-all"));
    expect((await screen.findByTestId("report-saved")).textContent).toBe(
      "Saved 20 files to /home/demo/Documents: report.md, .html, .json and .pdf, and every table under csv/ and parquet/",
    );
    expect(host.calls).toContainEqual({ method: "saveReportFolder", args: [] });

    fireEvent.change(screen.getByTestId("report-scope-services"), { target: { value: "checkout" } });
    fireEvent.click(screen.getByTestId("report-scope-apply"));
    fireEvent.click(screen.getByTestId("report-save-all"));
    await waitFor(() =>
      expect(host.calls.filter((c) => c.method === "saveReportFolder").at(-1)?.args[0]).toMatchObject({
        services: ["checkout"],
      }),
    );
  });

  it("says so when the folder dialog is cancelled, and shows a failure", async () => {
    renderWithHost(<ReportScreen />, new MockHost({ ...demoData(), saveDirectory: null }));
    fireEvent.click(screen.getByTestId("report-save-all"));
    expect(await screen.findByText("Not saved: no file or folder chosen.")).toBeTruthy();
    cleanup();
    const failing = new MockHost(demoData(), {
      errors: { saveReportFolder: new HostError("bad_input", "/readonly: cannot create: permission denied") },
    });
    renderWithHost(<ReportScreen />, failing);
    fireEvent.click(screen.getByTestId("report-save-all"));
    await screen.findByText(/Could not save the report/);
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toContain(
      "Could not save the report: /readonly: cannot create: permission denied",
    );
  });

  it("says so when the save dialog is cancelled", async () => {
    renderWithHost(<ReportScreen />, new MockHost({ ...demoData(), saveDirectory: null }));
    fireEvent.click(screen.getByTestId("report-save-md"));
    expect(await screen.findByText("Not saved: no file or folder chosen.")).toBeTruthy();
    expect(screen.queryByTestId("report-saved")).toBeNull();
  });

  it("shows the error when saving or rendering fails", async () => {
    const host = new MockHost(demoData(), {
      errors: {
        saveReport: new HostError("bad_input", "cannot write to /readonly"),
        reportPreview: new HostError("internal", "template missing"),
      },
    });
    renderWithHost(<ReportScreen />, host);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not render the report: template missing");
    fireEvent.click(screen.getByTestId("report-save-html"));
    expect(await screen.findByText(/Could not save the report/)).toBeTruthy();
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toContain(
      "Could not save the report: cannot write to /readonly",
    );
  });

  it("applies the scope controls to the preview and to saving", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<ReportScreen />, host);
    await screen.findByTestId("report-preview");
    expect(host.calls).toContainEqual({ method: "reportPreview", args: [] });
    expect(screen.getByTestId("report-scope-summary").textContent).toBe("Everything in the store.");

    fireEvent.change(screen.getByTestId("report-scope-from"), { target: { value: "2026-11-16" } });
    fireEvent.change(screen.getByTestId("report-scope-services"), { target: { value: " checkout, payments ,," } });
    fireEvent.change(screen.getByTestId("report-scope-severities"), { target: { value: "P1" } });
    fireEvent.click(screen.getByTestId("report-scope-cohort-human"));
    fireEvent.click(screen.getByTestId("report-scope-cohort-ai"));
    fireEvent.change(screen.getByTestId("report-scope-incidents"), { target: { value: "pagerduty:PT4KHLK" } });
    fireEvent.click(screen.getByTestId("report-scope-apply"));
    const scope = {
      from: "2026-11-16",
      to: null,
      services: ["checkout", "payments"],
      teams: [],
      severities: ["P1"],
      cohorts: ["ai", "human"],
      incidents: ["pagerduty:PT4KHLK"],
    };
    await screen.findByText(/Services: checkout, payments/);
    expect(screen.getByTestId("report-scope-summary").textContent).toBe(
      "From 2026-11-16 to the end; Services: checkout, payments; Severities: P1; Cohorts: ai, human; Incidents in full: pagerduty:PT4KHLK.",
    );
    await screen.findByTestId("report-preview");
    expect(host.calls).toContainEqual({ method: "reportPreview", args: [scope] });

    fireEvent.click(screen.getByTestId("report-save-pdf"));
    await screen.findByTestId("report-saved");
    expect(host.calls).toContainEqual({ method: "saveReport", args: ["pdf", scope] });

    fireEvent.click(screen.getByTestId("report-scope-clear"));
    expect(screen.getByTestId("report-scope-summary").textContent).toBe("Everything in the store.");
    expect((screen.getByTestId("report-scope-services") as HTMLInputElement).value).toBe("");
  });

  it("treats a form that filters nothing as no scope", () => {
    const blank = { from: " ", to: "", services: " , ", teams: "", severities: "", incidents: "", cohorts: [] };
    expect(scopeOf(blank)).toBeUndefined();
    expect(scopeOf({ ...blank, to: "2026-11-20" })?.to).toBe("2026-11-20");
  });
});
