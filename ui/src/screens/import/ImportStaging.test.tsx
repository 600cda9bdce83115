import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError, type DetectedFileDto } from "../../lib/ipc";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { ImportScreen } from "./ImportScreen";
import { formatSize, mergeDetected } from "./ImportStaging";

const detected = (path: string, format: string | null, size = 2048): DetectedFileDto => ({ path, format, size, error: null });

function stored(path: string, format: string | null) {
  return {
    path,
    format,
    status: "stored",
    run_id: 1,
    records_seen: 2,
    records_stored: 2,
    records_rejected: 0,
    records_skipped: 0,
    rejections: [],
    error: null,
  };
}

function hostWithExports() {
  return new MockHost({
    detected: {
      "/exports": [
        detected("/exports/deploys.jsonl", "deploy-jsonl"),
        detected("/exports/incidents.json", "pagerduty"),
        detected("/exports/shipit.csv", null, 100),
      ],
    },
    pickedFiles: { mapping: "/exports/shipit.toml" },
    ingestReport: { files: [stored("/exports/deploys.jsonl", "deploy-jsonl")] },
  });
}

async function renderAndSubscribe(host: MockHost) {
  renderWithHost(<ImportScreen />, host);
  await waitFor(() => expect(host.dropListenerCount).toBe(1));
}

describe("import staging", () => {
  it("shows the format of each dropped file before importing, and imports only the recognised ones", async () => {
    const host = hostWithExports();
    await renderAndSubscribe(host);
    host.playDrop({ type: "over" });
    await waitFor(() => expect(screen.getByTestId("drop-zone").getAttribute("data-dragging")).toBe("true"));
    host.playDrop({ type: "drop", paths: ["/exports"] });

    const rows = await screen.findAllByTestId("staged-file");
    expect(screen.getByTestId("drop-zone").getAttribute("data-dragging")).toBe("false");
    expect(rows.map((r) => r.getAttribute("data-format"))).toEqual(["deploy-jsonl", "pagerduty", ""]);
    expect(rows[2]!.textContent).toContain("unrecognised: needs a column mapping");
    expect(rows[0]!.textContent).toContain("2.0 KB");
    expect(host.calls.find((c) => c.method === "detectFiles")?.args).toEqual([["/exports"]]);
    // Nothing is imported until asked.
    expect(host.calls.some((c) => c.method === "ingestPaths")).toBe(false);

    fireEvent.click(screen.getByTestId("import-staged"));
    await screen.findByTestId("import-report");
    expect(host.calls.filter((c) => c.method === "ingestPaths").map((c) => c.args)).toEqual([
      [["/exports/deploys.jsonl", "/exports/incidents.json"], null],
    ]);
    expect(screen.queryByTestId("staged-files")).toBeNull();
  });

  it("reads unrecognised files through a chosen column mapping", async () => {
    const host = hostWithExports();
    await renderAndSubscribe(host);
    host.playDrop({ type: "drop", paths: ["/exports"] });
    await screen.findAllByTestId("staged-file");
    expect(screen.getByTestId("import-staged").textContent).toBe("Import 2 files");
    fireEvent.click(screen.getByTestId("mapping-choose"));
    expect((await screen.findByTestId("mapping-path")).textContent).toBe("/exports/shipit.toml");
    expect(screen.getByTestId("import-staged").textContent).toBe("Import 3 files");
    fireEvent.click(screen.getByTestId("import-staged"));
    await screen.findByTestId("import-report");
    expect(host.calls.filter((c) => c.method === "ingestPaths").map((c) => c.args)).toEqual([
      [["/exports/deploys.jsonl", "/exports/incidents.json"], null],
      [["/exports/shipit.csv"], "/exports/shipit.toml"],
    ]);
  });

  it("checks files chosen in the dialog and lists each path once", async () => {
    const host = new MockHost({
      pickedPaths: ["/a/git.log"],
      detected: { "/a/git.log": [detected("/a/git.log", "git-log")] },
    });
    await renderAndSubscribe(host);
    fireEvent.click(screen.getByTestId("import-check"));
    await screen.findByTestId("staged-file");
    fireEvent.click(screen.getByTestId("import-check"));
    await waitFor(() => expect(host.calls.filter((c) => c.method === "detectFiles")).toHaveLength(2));
    expect(screen.getAllByTestId("staged-file")).toHaveLength(1);
    fireEvent.click(screen.getByTestId("staged-clear"));
    expect(screen.queryByTestId("staged-files")).toBeNull();
  });

  it("says why a drop could not be checked", async () => {
    const host = new MockHost({}, { errors: { detectFiles: new HostError("bad_input", "/gone: no such file or directory") } });
    await renderAndSubscribe(host);
    host.playDrop({ type: "drop", paths: ["/gone"] });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Could not check the files: /gone: no such file or directory");
  });

  it("stops listening for drops when the screen closes", async () => {
    const host = hostWithExports();
    renderWithHost(<ImportScreen />, host).unmount();
    await new Promise((r) => setTimeout(r, 0));
    expect(host.dropListenerCount).toBe(0);
    const { unmount } = renderWithHost(<ImportScreen />, host);
    await waitFor(() => expect(host.dropListenerCount).toBe(1));
    unmount();
    expect(host.dropListenerCount).toBe(0);
  });

  it("formats sizes and merges detections", () => {
    expect([0, 1023, 1536, 5 * 1024 * 1024, 20 * 1024 ** 3].map(formatSize)).toEqual([
      "0 B",
      "1023 B",
      "1.5 KB",
      "5.0 MB",
      "20 GB",
    ]);
    const a = detected("/a", "git-log");
    const b = detected("/b", null);
    expect(mergeDetected([a], [a, b, b]).map((f) => f.path)).toEqual(["/a", "/b"]);
  });

  it("leaves the existing table of results usable", async () => {
    const host = hostWithExports();
    await renderAndSubscribe(host);
    host.playDrop({ type: "drop", paths: ["/exports"] });
    await screen.findAllByTestId("staged-file");
    fireEvent.click(screen.getByTestId("import-staged"));
    const report = await screen.findByTestId("import-report");
    expect(within(report).getAllByTestId("import-file")).toHaveLength(1);
  });
});
