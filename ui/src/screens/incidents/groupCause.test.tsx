import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { IncidentDetail } from "./IncidentDetail";
import { IncidentList } from "./IncidentList";
import { alsoReportedBy, causeFormError, causeLabel, groupingLabel, isMergedAway, mergeCandidates } from "./groupCause";

function incident(over: Partial<IncidentSummaryDto> & Pick<IncidentSummaryDto, "id">): IncidentSummaryDto {
  return {
    source_system: "pagerduty",
    source_id: `PD-${over.id}`,
    title: `Incident ${over.id}`,
    service: "checkout",
    severity: null,
    status: "resolved",
    started_at: "2026-01-01T00:00:00Z",
    resolved_at: null,
    duration_minutes: null,
    suspect_count: 0,
    top_suspect_classes: [],
    team: null,
    link_status: "none",
    group_primary: over.id,
    merged: [],
    grouping: [],
    cause: null,
    ...over,
  };
}

describe("grouping and cause logic", () => {
  it("names the other tools' records of a primary", () => {
    const primary = incident({
      id: 1,
      merged: [
        { id: 4, source_system: "statuspage", source_id: "abc", title: "Checkout down", started_at: "2026-01-01T00:03:00Z" },
        { id: 7, source_system: "postmortem", source_id: "pm-1", title: "PM", started_at: "2026-01-01T00:09:00Z" },
      ],
    });
    expect(alsoReportedBy(primary)).toBe("also reported by statuspage abc, postmortem pm-1");
    expect(alsoReportedBy(incident({ id: 2 }))).toBeNull();
    expect(isMergedAway(incident({ id: 4, group_primary: 1 }))).toBe(true);
    expect(isMergedAway(primary)).toBe(false);
  });

  it("offers other groups' primaries, same service first, then nearest in time", () => {
    const me = incident({ id: 1, started_at: "2026-01-01T10:00:00Z" });
    const all = [
      me,
      incident({ id: 2, service: "search", started_at: "2026-01-01T10:01:00Z" }),
      incident({ id: 3, started_at: "2026-01-03T10:00:00Z" }),
      incident({ id: 4, started_at: "2026-01-01T11:00:00Z" }),
      incident({ id: 5, group_primary: 4, started_at: "2026-01-01T10:00:00Z" }),
    ];
    expect(mergeCandidates(all, me).map((i) => i.id)).toEqual([4, 3, 2]);
    // A merged record offers neither itself nor its own primary.
    expect(mergeCandidates(all, all[4]!).map((i) => i.id)).toEqual([1, 3, 2]);
  });

  it("says who decided the cause and why", () => {
    expect(causeLabel(null)).toContain("no cause recorded");
    expect(
      causeLabel({ not_change_caused: true, category: "provider", decided_by: "classifier", why: "AWS outage", review: null }),
    ).toBe("Not caused by a change: provider (text classifier: AWS outage)");
    expect(
      causeLabel({
        not_change_caused: true,
        category: "hardware",
        decided_by: "reviewer",
        why: "disk failed",
        review: { incident_id: 3, decision: "not_change_caused", category: "hardware", reason: "disk failed", reviewer: "ana", at: "2026-11-27T12:00:00Z" },
      }),
    ).toBe('Not caused by a change: hardware: "disk failed" (ana, 2026-11-27T12:00:00Z)');
    expect(causeFormError("capacity", "  ")).toBe("A reason is required");
    expect(causeFormError(null, "x")).toBe("Choose a category");
    expect(causeFormError("other", "x")).toBeNull();
  });
});

describe("grouping and cause panel", () => {
  it("marks an incident not change-caused with a reason, shows who, then undoes it", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<IncidentDetail id={2} />, host);
    fireEvent.click(await screen.findByTestId("cause-open"));
    fireEvent.change(screen.getByTestId("cause-category"), { target: { value: "capacity" } });
    fireEvent.click(screen.getByTestId("group-cause-submit"));
    expect(screen.getByTestId("group-cause-form-error").textContent).toBe("A reason is required");
    expect(host.calls.some((c) => c.method === "setIncidentCause")).toBe(false);

    fireEvent.change(screen.getByTestId("group-cause-reason"), { target: { value: "index nodes ran out of memory" } });
    fireEvent.click(screen.getByTestId("group-cause-submit"));
    await waitFor(() =>
      expect(screen.getByTestId("cause").textContent).toBe(
        'Not caused by a change: capacity: "index nodes ran out of memory" (mock-reviewer, 2026-11-27T12:00:00Z)',
      ),
    );
    expect(host.calls).toContainEqual({
      method: "setIncidentCause",
      args: [2, "not_change_caused", "capacity", "index nodes ran out of memory"],
    });

    fireEvent.click(screen.getByTestId("undo-cause"));
    await screen.findByTestId("cause-open");
    expect(screen.getByTestId("cause").textContent).toContain("no cause recorded");
  });

  it("merges with a picked incident, shows it under the primary, splits with a reason", async () => {
    const host = new MockHost(demoData());
    renderWithHost(<IncidentDetail id={1} />, host);
    fireEvent.click(await screen.findByTestId("merge-open"));
    await screen.findByRole("option", { name: /#3 pagerduty Q2L0G1N/ });
    fireEvent.change(screen.getByTestId("merge-target"), { target: { value: "3" } });
    fireEvent.change(screen.getByTestId("group-cause-reason"), { target: { value: "same SSO outage" } });
    fireEvent.click(screen.getByTestId("group-cause-submit"));
    await waitFor(() =>
      expect(screen.getByTestId("also-reported").textContent).toBe("also reported by pagerduty Q2L0G1N"),
    );
    expect(host.calls).toContainEqual({ method: "mergeIncidents", args: [1, 3, "same SSO outage"] });

    fireEvent.click(screen.getByTestId("split-open"));
    fireEvent.change(screen.getByTestId("group-cause-reason"), { target: { value: "two causes" } });
    fireEvent.click(screen.getByTestId("group-cause-submit"));
    await waitFor(() => expect(screen.queryByTestId("also-reported")).toBeNull());
    expect(host.calls).toContainEqual({ method: "splitIncident", args: [1, "two causes"] });
  });

  it("still offers undo after a split leaves the record on its own, and says who split it", async () => {
    const host = new MockHost(demoData());
    await host.mergeIncidents(1, 3, "same SSO outage");
    await host.splitIncident(1, "two causes");
    renderWithHost(<IncidentDetail id={1} />, host);
    await screen.findByTestId("group-cause");
    expect(screen.queryByTestId("also-reported")).toBeNull();
    expect(screen.getAllByTestId("grouping-decision").map((li) => li.textContent)).toEqual([
      'Merged #1 with #3: "same SSO outage" (mock-reviewer, 2026-11-27T12:00:00Z)',
      'Split #1 off: "two causes" (mock-reviewer, 2026-11-27T12:00:00Z)',
    ]);
    // Undo takes back the split (merged again), then the merge (apart, nothing to undo).
    fireEvent.click(screen.getByTestId("undo-grouping"));
    await waitFor(() =>
      expect(screen.getByTestId("also-reported").textContent).toBe("also reported by pagerduty Q2L0G1N"),
    );
    fireEvent.click(screen.getByTestId("undo-grouping"));
    await waitFor(() => expect(screen.queryByTestId("undo-grouping")).toBeNull());
    expect(screen.queryByTestId("also-reported")).toBeNull();
    expect(screen.queryByTestId("grouping-decision")).toBeNull();
  });

  it("labels a split with what, why, who and when", () => {
    expect(groupingLabel({ action: "split", incident_id: 4, other_id: null, reason: "r", reviewer: "bo", at: "t" })).toBe(
      'Split #4 off: "r" (bo, t)',
    );
  });
});

describe("incident list grouping", () => {
  it("shows merged records under their primary after a merge", async () => {
    const host = new MockHost(demoData());
    await host.mergeIncidents(1, 3, "same outage");
    const incidents = await host.listIncidents();
    renderWithHost(
      <IncidentList incidents={incidents} selectedId={null} openId={null} onSelect={() => {}} onOpen={() => {}} />,
      host,
    );
    expect(screen.getByTestId("row-also-reported").textContent).toBe("also reported by pagerduty Q2L0G1N");
    expect(screen.getByTestId("row-merged-into").textContent).toBe("counted under #1");
  });
});
