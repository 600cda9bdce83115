import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ReportScreen } from "./ReportScreen";

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

  it("says so when the save dialog is cancelled", async () => {
    renderWithHost(<ReportScreen />, new MockHost({ ...demoData(), saveDirectory: null }));
    fireEvent.click(screen.getByTestId("report-save-md"));
    expect(await screen.findByText("Not saved: no file chosen.")).toBeTruthy();
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
});
