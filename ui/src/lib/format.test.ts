import { describe, expect, it } from "vitest";
import {
  attributionLabel,
  authorName,
  classLabel,
  formatDuration,
  formatPercent,
  formatUtc,
  formatUtcBreakable,
  shortKey,
  shortSha,
} from "./format";

describe("format", () => {
  it("formats RFC 3339 timestamps in UTC", () => {
    expect(formatUtc("2026-11-17T14:05:00Z")).toBe("2026-11-17 14:05 UTC");
    expect(formatUtc("2026-11-17T16:05:59+02:00")).toBe("2026-11-17 14:05 UTC");
    expect(formatUtc("not a date")).toBe("not a date");
    expect(formatUtc(null)).toBe("—");
  });

  it("formats durations", () => {
    expect(formatDuration(45)).toBe("45 min");
    expect(formatDuration(87)).toBe("1 h 27 min");
    expect(formatDuration(120)).toBe("2 h");
    expect(formatDuration(1500)).toBe("1 d 1 h");
    expect(formatDuration(null)).toBe("—");
  });

  it("formats scores, SHAs and keys", () => {
    expect(formatPercent(0.873)).toBe("87%");
    expect(shortSha("4f9c2a7be13d5e8f0a1b")).toBe("4f9c2a7be1");
    expect(shortSha(null)).toBe("—");
    expect(shortKey("4f9c2a7be13d5e8f0a1b2c3d4e5f60718293a4b5")).toBe("4f9c2a7be1");
    expect(shortKey("acme/checkout#482")).toBe("acme/checkout#482");
    expect(shortKey("AUTH-1234")).toBe("AUTH-1234");
  });

  it("lets a time break only between its date and its time", () => {
    expect(formatUtcBreakable("2026-11-16T10:31:00Z")).toBe("2026-11-16 10:31\u00a0UTC");
    expect(formatUtcBreakable(null)).toBe("—");
  });

  it("shows an author by name, keeping text that is not git's Name <email> whole", () => {
    expect(authorName("Mateo García <mateo.garcia@shop.example>")).toBe("Mateo García");
    expect(authorName("ci-bot")).toBe("ci-bot");
    expect(authorName("<only@mail.example>")).toBe("<only@mail.example>");
    expect(authorName("a <b> trailing")).toBe("a <b> trailing");
  });

  it("labels attribution classes", () => {
    expect(attributionLabel("ai", "claude-code")).toBe("AI · claude-code");
    expect(attributionLabel("ai", null)).toBe("AI");
    expect(attributionLabel("human", null)).toBe("Human");
    expect(attributionLabel("automation", null)).toBe("Automation");
    expect(attributionLabel("something-new", null)).toBe("Unknown");
    expect(classLabel("ai")).toBe("AI");
    expect(classLabel("human")).toBe("human");
  });
});
