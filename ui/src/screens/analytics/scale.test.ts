import { describe, expect, it } from "vitest";
import { linearScale, logScale, minuteLabel, MINUTE_TICKS, RATIO_TICKS } from "./scale";

describe("chart scales", () => {
  it("rounds a linear axis up to a nice maximum with even ticks", () => {
    const x = linearScale(0.6873, 400);
    expect(x.domain).toEqual([0, 0.8]);
    expect(x.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(x(0.4)).toBe(200);
    expect(x(2)).toBe(400);
    expect(linearScale(0, 100).domain).toEqual([0, 1]);
  });

  it("widens a log axis to powers of ten and keeps the ticks inside", () => {
    const x = logScale([0.8, 28.1, 1], 300, RATIO_TICKS);
    expect(x.domain).toEqual([0.1, 100]);
    expect(x(1)).toBeCloseTo(100);
    expect(x(10)).toBeCloseTo(200);
    expect(x.ticks).toEqual([0.1, 0.25, 0.5, 1, 2, 4, 10, 100]);
    const minutes = logScale([30, 300], 300, MINUTE_TICKS);
    expect(minutes.domain).toEqual([10, 1000]);
    expect(minutes.ticks.map(minuteLabel)).toEqual(["10 min", "1 h", "6 h"]);
  });
});
