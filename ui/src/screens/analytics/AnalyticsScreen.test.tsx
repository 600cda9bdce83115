import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError, type PolicyRuleDto } from "../../lib/ipc";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { AnalyticsScreen } from "./AnalyticsScreen";
import { analyticsFixture } from "./fixture";
import { invalidField, newRule } from "./PolicySimulator";

function simulateCalls(host: MockHost): PolicyRuleDto[][] {
  return host.calls.filter((c) => c.method === "simulatePolicy").map((c) => c.args[0] as PolicyRuleDto[]);
}

describe("analytics screen", () => {
  it("draws a bar and a Wilson interval for each deployed cohort, on the chosen basis", async () => {
    renderWithHost(<AnalyticsScreen />, new MockHost({ analytics: analyticsFixture() }));
    const chart = await screen.findByTestId("cohort-chart");
    const rows = within(chart).getAllByTestId("cohort-chart-row");
    // automation has no deployed change: no bar.
    expect(rows.map((r) => r.getAttribute("data-cohort"))).toEqual(["ai", "human"]);
    expect(rows[0]!.textContent).toContain("ai (3/10)");
    expect(rows[0]!.textContent).toContain("30%");
    expect(within(chart).getAllByTestId("cohort-chart-interval")).toHaveLength(2);
    expect(chart.textContent).toContain("small cohort");

    fireEvent.click(screen.getByTestId("basis-including_suspected"));
    expect(within(screen.getByTestId("cohort-chart")).getAllByTestId("cohort-chart-row")[0]!.textContent).toContain(
      "ai (4/10)",
    );
    expect(within(screen.getByTestId("tool-chart")).getByTestId("tool-chart-row").textContent).toContain("claude-code (3/7)");
  });

  it("starts on the suspects basis while no link is confirmed", async () => {
    const analytics = analyticsFixture();
    for (const c of analytics.cohorts) c.failed_confirmed = { ...c.failed_confirmed, numerator: 0, rate: 0 };
    renderWithHost(<AnalyticsScreen />, new MockHost({ analytics }));
    const rows = await screen.findAllByTestId("cohort-chart-row");
    expect(rows[0]!.textContent).toContain("ai (4/10)");
    expect((screen.getByTestId("basis-including_suspected") as HTMLInputElement).checked).toBe(true);
  });

  it("shows the stratified ratios, DORA figures and recovery distribution", async () => {
    renderWithHost(<AnalyticsScreen />, new MockHost({ analytics: analyticsFixture() }));
    const strata = await screen.findByTestId("strata-chart");
    const rows = within(strata).getAllByTestId("strata-chart-row");
    expect(rows).toHaveLength(5);
    expect(rows[1]!.textContent).toContain("Stratified by size");
    expect(rows[1]!.textContent).toContain("4.10 (0.80–21.00)");
    expect(rows[2]!.textContent).toContain("not estimable");

    expect(screen.getByTestId("dora-deploys").textContent).toContain("10.0");
    expect(screen.getByTestId("dora-cfr").textContent).toContain("10.0% (4–23%)");
    expect(screen.getByTestId("dora-recovery").textContent).toContain("1 h 35 min / 10 h");

    const recovery = screen.getAllByTestId("recovery-row");
    expect(recovery.map((r) => r.getAttribute("data-cohort"))).toEqual(["ai", "human"]);
    expect(recovery[0]!.querySelectorAll("circle")).toHaveLength(2);
    expect(recovery[0]!.textContent).toContain("median 2 h, 1 open");
  });

  it("says what to import when the store is empty", async () => {
    renderWithHost(<AnalyticsScreen />, new MockHost());
    expect((await screen.findByTestId("analytics-empty")).textContent).toContain("Import");
  });

  it("reports a failure to compute", async () => {
    const host = new MockHost({}, { errors: { analytics: new HostError("internal", "database is locked") } });
    renderWithHost(<AnalyticsScreen />, host);
    expect((await screen.findByRole("alert")).textContent).toContain("database is locked");
  });

  it("replays the edited rules and shows the new numbers", async () => {
    const host = new MockHost({ analytics: analyticsFixture() });
    renderWithHost(<AnalyticsScreen />, host);
    const table = await screen.findByTestId("what-if-table");
    // The defaults' results come with the analytics: no replay yet.
    expect(within(table).getAllByTestId("what-if-gated")[0]!.textContent).toBe("3");
    expect(simulateCalls(host)).toHaveLength(0);

    fireEvent.change(screen.getByTestId("rule-delay"), { target: { value: "8" } });
    await waitFor(() => expect(screen.getAllByTestId("what-if-gated")[0]!.textContent).toBe("8"));
    expect(screen.getAllByTestId("what-if-hours")[0]!.textContent).toBe("64.0");
    expect(simulateCalls(host).at(-1)).toEqual([
      { kind: "senior_approval_for_ai", environments: ["production"], review_delay_hours: 8 },
      { kind: "no_agent_operator_deploys" },
    ]);
  });

  it("adds, removes and resets rules", async () => {
    const host = new MockHost({ analytics: analyticsFixture() });
    renderWithHost(<AnalyticsScreen />, host);
    await screen.findByTestId("policy-simulator");
    fireEvent.change(screen.getByTestId("policy-add-kind"), { target: { value: "freeze" } });
    fireEvent.click(screen.getByTestId("policy-add"));
    expect(screen.getAllByTestId("policy-rule").map((r) => r.getAttribute("data-kind"))).toEqual([
      "senior_approval_for_ai",
      "no_agent_operator_deploys",
      "freeze",
    ]);
    fireEvent.change(screen.getByTestId("rule-weekday"), { target: { value: "Sat" } });
    await waitFor(() => expect(screen.getAllByTestId("what-if-row")).toHaveLength(3));
    expect(simulateCalls(host).at(-1)?.[2]).toEqual({
      kind: "freeze",
      weekday: "Sat",
      after_hour: 16,
      timezone_offset_minutes: 0,
    });

    fireEvent.click(screen.getByRole("button", { name: "Remove rule 1" }));
    await waitFor(() => expect(screen.getAllByTestId("what-if-row")).toHaveLength(2));
    fireEvent.click(screen.getByTestId("policy-reset"));
    await waitFor(() => expect(screen.getAllByTestId("policy-rule")).toHaveLength(2));
  });

  it("asks for a number instead of replaying an empty field, and shows the backend's refusal", async () => {
    const host = new MockHost(
      { analytics: analyticsFixture() },
      { errors: { simulatePolicy: new HostError("bad_input", "rule 1: review delay 900 h is out of range") } },
    );
    renderWithHost(<AnalyticsScreen />, host);
    await screen.findByTestId("policy-simulator");
    fireEvent.change(screen.getByTestId("rule-delay"), { target: { value: "" } });
    expect(screen.getByTestId("policy-invalid").textContent).toContain("review delay");
    await new Promise((r) => setTimeout(r, 400));
    expect(simulateCalls(host)).toHaveLength(0);

    fireEvent.change(screen.getByTestId("rule-delay"), { target: { value: "900" } });
    expect((await screen.findByText(/out of range/)).textContent).toContain("rule 1: review delay 900 h");
  });

  it("validates rule fields and builds new rules with the report's defaults", () => {
    expect(invalidField({ kind: "freeze", weekday: "Fri", after_hour: Number.NaN, timezone_offset_minutes: 0 })).toBe("hour");
    expect(invalidField(newRule("second_approval_for_destructive"))).toBeNull();
    expect(newRule("senior_approval_for_ai")).toEqual({
      kind: "senior_approval_for_ai",
      environments: ["production"],
      review_delay_hours: 4,
    });
  });
});
