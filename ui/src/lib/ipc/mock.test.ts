import { describe, expect, it } from "vitest";
import { demoData, demoEvents } from "./demoData";
import { histogramGrid, MockHost, mockIngestProgress } from "./mock";

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

  it("reports progress deterministically before answering an import, and records cancels", async () => {
    const host = new MockHost(demoData());
    const seen: string[] = [];
    let answered = false;
    const report = await host.pickAndIngest((p) => {
      expect(answered).toBe(false);
      seen.push(`${p.phase} ${p.step} ${p.file_index}/${p.files} ${p.path} ${p.bytes_read}/${p.bytes_total}`.replace(/ +/g, " "));
    });
    answered = true;
    expect(report?.files).toHaveLength(2);
    // The first file was stored: the two update steps follow the reading.
    expect(seen).toEqual([
      "reading 0/2 /home/demo/exports/deploys.json 0/1000",
      "reading 0/2 /home/demo/exports/deploys.json 500/1000",
      "reading 0/2 /home/demo/exports/deploys.json 1000/1000",
      "reading 1/2 /home/demo/exports/notes.txt 0/1000",
      "reading 1/2 /home/demo/exports/notes.txt 500/1000",
      "reading 1/2 /home/demo/exports/notes.txt 1000/1000",
      "updating links 1/2 0/0",
      "updating timeline 1/2 0/0",
    ]);
    await expect(host.cancelIngest()).resolves.toBeUndefined();
    expect(host.calls.map((c) => c.method)).toEqual(["pickAndIngest", "cancelIngest"]);
  });

  it("sends no update steps when no file of the import was stored", () => {
    const report = demoData().ingestReport!;
    const nothingStored = {
      ...report,
      files: report.files.map((file) => ({ ...file, status: file.status === "stored" ? "already_ingested" : file.status })),
    };
    const phases = mockIngestProgress(nothingStored).map((p) => `${p.phase} ${p.step}`.trim());
    expect(phases).toEqual(Array(6).fill("reading"));
    expect(mockIngestProgress(report).map((p) => p.step).slice(-2)).toEqual(["links", "timeline"]);
  });

  it("answers null when the dialogs are cancelled", async () => {
    const host = new MockHost({ ...demoData(), ingestReport: null, saveDirectory: null });
    await expect(host.pickAndIngest()).resolves.toBeNull();
    await expect(host.saveReport("md")).resolves.toBeNull();
  });

  it("searches events deterministically: filters, inclusive time bounds, paging and total", async () => {
    const host = new MockHost(demoData());
    const all = {
      text: null, from: null, to: null, services: [], environments: [], sources: [], classes: [],
      tools: [], severities: [], actors: [], approvals: [], offset: 0, limit: 1000,
    };
    const everything = await host.searchEvents(all);
    expect(everything.total).toBe(300);
    expect(everything.events).toEqual(demoEvents(300));
    const page = await host.searchEvents({ ...all, offset: 250, limit: 200 });
    expect(page.total).toBe(300);
    expect(page.events.map((e) => e.id)).toEqual(demoEvents(300).slice(250).map((e) => e.id));

    const ai = await host.searchEvents({ ...all, sources: ["change"], classes: ["ai"], tools: ["cursor"] });
    expect(ai.total).toBeGreaterThan(0);
    expect(ai.events.every((e) => e.source === "change" && e.class === "ai" && e.tool === "cursor")).toBe(true);
    const text = await host.searchEvents({ ...all, text: "ROLLBACK" });
    expect(text.events.every((e) => e.title.toLowerCase().includes("rollback"))).toBe(true);
    expect(text.total).toBe(demoEvents(300).filter((e) => /rollback/i.test(e.title)).length);

    const first = demoEvents(300)[10]!.at;
    const bounded = await host.searchEvents({ ...all, from: first, to: first });
    expect(bounded.events.map((e) => e.id)).toEqual([11]);
    await expect(host.searchEvents({ ...all, limit: 1001 })).rejects.toMatchObject({ kind: "bad_input" });
  });

  it("answers the facets of the events", async () => {
    const facets = await new MockHost(demoData()).eventFacets();
    expect(facets.sources).toEqual(["change", "deployment", "incident"]);
    expect(facets.classes).toEqual(["ai", "automation", "human", "unknown"]);
    expect(facets.severities).toEqual(["SEV1", "SEV2", "SEV3"]);
    expect(facets.total).toBe(300);
    expect(facets.min_at).toBe(demoEvents(300)[0]!.at);
    expect(facets.max_at).toBe(demoEvents(300)[299]!.at);
  });

  it("draws the backend's histogram grid: the narrowest aligned width that fits 120 buckets", () => {
    const at = (text: string) => Date.parse(text) / 1000;
    // The same cases as the api's `the_bucket_grid_is_the_narrowest_aligned_width_that_fits`.
    const t = at("2024-03-05T10:17:42Z");
    expect(histogramGrid(t, t)).toEqual({ width: 60, start: at("2024-03-05T10:17:00Z"), count: 1 });
    expect(histogramGrid(at("2024-03-05T10:00:00Z"), at("2024-03-05T11:59:59Z"))).toEqual({
      width: 60, start: at("2024-03-05T10:00:00Z"), count: 120,
    });
    expect(histogramGrid(at("2024-03-05T10:00:00Z"), at("2024-03-05T12:00:00Z"))).toEqual({
      width: 120, start: at("2024-03-05T10:00:00Z"), count: 61,
    });
    expect(histogramGrid(at("2026-01-01T07:00:00Z"), at("2026-02-13T09:39:55Z"))).toEqual({
      width: 43_200, start: at("2026-01-01T00:00:00Z"), count: 87,
    });
    expect(histogramGrid(at("2024-01-03T12:00:00Z"), at("2024-12-31T00:00:00Z"))).toEqual({
      width: 7 * 86_400, start: at("2024-01-01T00:00:00Z"), count: 53,
    });
  });

  it("counts the filtered events per bucket over the whole range, ignoring from/to", async () => {
    const host = new MockHost(demoData());
    const filter = {
      text: null, from: null, to: null, services: [], environments: [], sources: [], classes: [],
      tools: [], severities: [], actors: [], approvals: [],
    };
    const all = await host.eventHistogram(filter);
    // 300 events 4 minutes apart from midnight: 120 ten-minute buckets.
    expect(all.bucket_seconds).toBe(600);
    expect(all.buckets).toHaveLength(120);
    expect(all.buckets[0]).toMatchObject({ start: "2026-11-01T00:00:00.000Z", end: "2026-11-01T00:10:00.000Z" });
    expect(all.total).toBe(300);
    const firstBucket = demoEvents(300).filter((e) => e.at < "2026-11-01T00:10").length;
    expect(all.buckets[0]!.count).toBe(firstBucket);
    const incidents = await host.eventHistogram({ ...filter, sources: ["incident"], from: "2026-11-01T05:00:00Z" });
    expect(incidents.buckets).toHaveLength(120);
    expect(incidents.total).toBe(demoEvents(300).filter((e) => e.source === "incident").length);
    const empty = await new MockHost({}).eventHistogram(filter);
    expect(empty).toMatchObject({ bucket_seconds: 0, buckets: [], total: 0 });
  });
});
