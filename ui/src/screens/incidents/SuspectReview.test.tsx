import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HostError } from "../../lib/ipc";
import { demoData } from "../../lib/ipc/demoData";
import { MockHost } from "../../lib/ipc/mock";
import { renderWithHost } from "../../test/render";
import { IncidentDetail } from "./IncidentDetail";

async function openCheckout(host = new MockHost(demoData())) {
  renderWithHost(<IncidentDetail id={1} />, host);
  const suspects = await screen.findAllByTestId("suspect");
  return { host, top: suspects[0]!, second: suspects[1]! };
}

const status = (card: HTMLElement) => within(card).getByTestId("suspect-status").textContent;

describe("suspect review", () => {
  it("confirms a suspect with a reason, then undo restores it", async () => {
    const { host, top } = await openCheckout();
    expect(status(top)).toBe("suspected");

    fireEvent.click(within(top).getByTestId("review-confirm"));
    const reason = within(top).getByTestId("review-reason");
    expect(document.activeElement).toBe(reason);
    fireEvent.change(reason, { target: { value: "  retry storm started with this deploy " } });
    fireEvent.click(within(top).getByTestId("review-submit"));

    await within(top).findByText("confirmed");
    expect(top.dataset["status"]).toBe("confirmed");
    expect(within(top).getByTestId("review-outcome").textContent).toContain(
      "Confirmed: retry storm started with this deploy",
    );
    expect(host.calls).toContainEqual({
      method: "reviewLink",
      args: [11, "confirmed", "retry storm started with this deploy"],
    });
    expect(within(top).queryByTestId("review-confirm")).toBeNull();

    fireEvent.click(within(top).getByTestId("review-undo"));
    await within(top).findByTestId("review-confirm");
    expect(status(top)).toBe("suspected");
    expect(host.calls).toContainEqual({ method: "reviewLink", args: [11, "suspected", "undo"] });
    expect(within(top).queryByTestId("review-outcome")).toBeNull();
  });

  it("rejects with Enter in the reason field", async () => {
    const { host, top } = await openCheckout();
    fireEvent.click(within(top).getByTestId("review-reject"));
    const reason = within(top).getByTestId("review-reason");
    fireEvent.change(reason, { target: { value: "payments were healthy" } });
    // Enter in a text field submits its form.
    fireEvent.submit(reason.closest("form")!);
    await within(top).findByText("rejected");
    expect(within(top).getByTestId("review-outcome").textContent).toContain("Rejected: payments were healthy");
    expect(host.calls.filter((c) => c.method === "reviewLink")).toHaveLength(1);
  });

  it("requires a reason", async () => {
    const { host, top } = await openCheckout();
    fireEvent.click(within(top).getByTestId("review-confirm"));
    const reason = within(top).getByTestId("review-reason");
    fireEvent.change(reason, { target: { value: "   " } });
    fireEvent.click(within(top).getByTestId("review-submit"));

    expect(within(top).getByTestId("review-hint").textContent).toBe("A reason is required.");
    expect(reason.getAttribute("aria-invalid")).toBe("true");
    await new Promise((r) => setTimeout(r, 10));
    expect(host.calls.some((c) => c.method === "reviewLink")).toBe(false);
    expect(status(top)).toBe("suspected");
  });

  it("cancels with Escape", async () => {
    const { host, top } = await openCheckout();
    fireEvent.click(within(top).getByTestId("review-reject"));
    fireEvent.change(within(top).getByTestId("review-reason"), { target: { value: "nah" } });
    fireEvent.keyDown(within(top).getByTestId("review-reason"), { key: "Escape" });
    expect(within(top).queryByTestId("review-reason")).toBeNull();
    expect(within(top).getByTestId("review-reject")).toBeTruthy();
    expect(host.calls.some((c) => c.method === "reviewLink")).toBe(false);
  });

  it("offers undo on a decision made earlier", async () => {
    const { second } = await openCheckout();
    expect(status(second)).toBe("rejected");
    fireEvent.click(within(second).getByTestId("review-undo"));
    await within(second).findByTestId("review-confirm");
    expect(status(second)).toBe("suspected");
  });

  it("shows the host error and keeps the reason when the review fails", async () => {
    const host = new MockHost(demoData(), {
      errors: { reviewLink: new HostError("internal", "database is locked") },
    });
    const { top } = await openCheckout(host);
    fireEvent.click(within(top).getByTestId("review-confirm"));
    fireEvent.change(within(top).getByTestId("review-reason"), { target: { value: "because" } });
    fireEvent.click(within(top).getByTestId("review-submit"));
    const alert = await within(top).findByRole("alert");
    expect(alert.textContent).toContain("Could not save the review: database is locked");
    expect((within(top).getByTestId("review-reason") as HTMLInputElement).value).toBe("because");
    expect(status(top)).toBe("suspected");
  });
});

describe("suspect review from the store", () => {
  it("shows the stored reason of an earlier decision", async () => {
    const data = demoData();
    const suspect = data.details[1]!.suspects[1]!;
    Object.assign(suspect, {
      review: { decision: "rejected", reason: "payments deploy was a no-op", reviewer: "alice", at: "2026-11-18T09:00:00Z" },
    });
    renderWithHost(<IncidentDetail id={1} />, new MockHost(data));
    const second = (await screen.findAllByTestId("suspect"))[1]!;
    expect(within(second).getByTestId("review-outcome").textContent).toContain(
      "Rejected: payments deploy was a no-op",
    );
  });
});
