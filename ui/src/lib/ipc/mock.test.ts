import { describe, expect, it } from "vitest";
import { demoData } from "./demoData";
import { MockHost } from "./mock";

describe("mock host", () => {
  it("remembers link reviews and undoes them", async () => {
    const host = new MockHost(demoData());
    const confirmed = await host.reviewLink(11, "confirmed", "bad retry");
    expect(confirmed.suspects.find((s) => s.link_id === 11)?.status).toBe("confirmed");
    expect((await host.getIncident(1)).suspects[0]?.status).toBe("confirmed");

    const undone = await host.reviewLink(11, "suspected", "undo");
    expect(undone.suspects.find((s) => s.link_id === 11)?.status).toBe("suspected");
    expect(host.history.map((h) => h.kind === "review" && h.decision)).toEqual(["confirmed", "suspected"]);
  });

  it("rejects a review without a reason or of an unknown link", async () => {
    const host = new MockHost(demoData());
    await expect(host.reviewLink(11, "rejected", "  ")).rejects.toMatchObject({ kind: "bad_input" });
    await expect(host.reviewLink(999, "rejected", "x")).rejects.toMatchObject({ kind: "not_found" });
    expect((await host.getIncident(1)).suspects[0]?.status).toBe("suspected");
  });

  it("applies overrides everywhere and restores the previous one on undo", async () => {
    const host = new MockHost(demoData());
    await host.overrideAttribution(1002, "ai", "cursor", "first");
    const second = await host.overrideAttribution(1002, "automation", null, "second");
    expect(second).toMatchObject({ class: "automation", tool: null, override_reason: "second" });

    const detailChange = (await host.getIncident(1)).suspects[0]?.changes.find((c) => c.id === 1002);
    expect(detailChange).toMatchObject({ class: "automation" });

    expect(await host.clearOverride(1002)).toMatchObject({ class: "ai", tool: "cursor", override_reason: "first" });
    expect(await host.clearOverride(1002)).toMatchObject({ class: "human", tool: null, override_reason: null });
    expect((await host.listChanges()).find((c) => c.id === 1002)).toMatchObject({ class: "human", override_reason: null });
  });

  it("records stored files of an import as new runs", async () => {
    const host = new MockHost(demoData());
    const report = await host.pickAndIngest();
    expect(report?.files.map((f) => f.status)).toEqual(["stored", "failed"]);
    expect((await host.listRuns()).map((r) => r.path)).toContain("/home/demo/exports/deploys.json");
    expect((await host.storeOverview()).ingest_runs).toBe(3);
  });

  it("answers null when the dialogs are cancelled", async () => {
    const host = new MockHost({ ...demoData(), ingestReport: null, saveDirectory: null });
    await expect(host.pickAndIngest()).resolves.toBeNull();
    await expect(host.saveReport("md")).resolves.toBeNull();
  });
});
