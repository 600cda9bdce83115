/** Axis arithmetic for the analytics charts: pure, so the drawing stays declarative. */

export interface Scale {
  /** Data value → pixel offset within [0, width]. */
  (value: number): number;
  ticks: number[];
  domain: [number, number];
}

/** A linear scale from 0 to a "nice" maximum covering `max`, with 4–6 ticks. */
export function linearScale(max: number, width: number): Scale {
  const top = niceCeiling(max > 0 && Number.isFinite(max) ? max : 1);
  const step = niceStep(top / 5);
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 1e6; t += step) ticks.push(round(t));
  const scale = ((value: number) => (clamp(value, 0, top) / top) * width) as Scale;
  scale.ticks = ticks;
  scale.domain = [0, top];
  return scale;
}

/**
 * A log scale over [min, max] (both > 0), widened to whole powers of ten around the data;
 * `candidates` are the tick values shown when inside the domain.
 */
export function logScale(values: number[], width: number, candidates: number[]): Scale {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length > 0 ? Math.min(...positive) : 1;
  const hi = positive.length > 0 ? Math.max(...positive) : 10;
  const min = 10 ** Math.floor(Math.log10(lo));
  let max = 10 ** Math.ceil(Math.log10(hi));
  if (max <= min) max = min * 10;
  const domain: [number, number] = [min, max];
  const span = Math.log10(max) - Math.log10(min);
  const scale = ((value: number) => {
    const v = clamp(value > 0 ? value : min, min, max);
    return ((Math.log10(v) - Math.log10(min)) / span) * width;
  }) as Scale;
  scale.ticks = candidates.filter((t) => t >= min && t <= max);
  scale.domain = domain;
  return scale;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function niceCeiling(value: number): number {
  const step = niceStep(value / 5);
  return round(Math.ceil(value / step - 1e-9) * step);
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Ticks for durations in minutes on a log axis. */
export const MINUTE_TICKS = [1, 10, 60, 360, 1440, 10080, 43200];

/** Ticks for ratios on a log axis around 1. */
export const RATIO_TICKS = [0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100];

/** 60 → `1 h`, 1440 → `1 d`, 10080 → `1 w`. */
export function minuteLabel(minutes: number): string {
  if (minutes >= 10080 && minutes % 10080 === 0) return `${minutes / 10080} w`;
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}
