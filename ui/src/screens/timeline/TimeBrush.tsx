import { useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import type { EventHistogramDto } from "../../lib/bindings/EventHistogramDto";

/** The chart's viewBox; it stretches to the element's width. */
export const BRUSH_WIDTH = 1000;
const BRUSH_HEIGHT = 60;
const HANDLE_WIDTH = 6;
const MINUTE = 60_000;

/** A time window as the From/To fields hold it: `datetime-local` values read as UTC; "" is open. */
export interface TimeWindow {
  from: string;
  to: string;
}

const NO_WINDOW: TimeWindow = { from: "", to: "" };

/** A `datetime-local` value (UTC) → the epoch ms its minute starts at; `null` for anything else. */
function minuteStart(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

const toMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** The window of buckets `first..=last`: the first's start to the last minute before the last's end. */
export function windowOfBuckets(histogram: EventHistogramDto, first: number, last: number): TimeWindow {
  const a = histogram.buckets[Math.min(first, last)];
  const b = histogram.buckets[Math.max(first, last)];
  if (a === undefined || b === undefined) return NO_WINDOW;
  return { from: toMinute(Date.parse(a.start)), to: toMinute(Date.parse(b.end) - MINUTE) };
}

/** The selected span in epoch ms, `[start, end)`, or `null` when neither bound is set. */
function selectedSpan(window: TimeWindow, domain: [number, number]): [number, number] | null {
  const from = minuteStart(window.from);
  const to = minuteStart(window.to);
  if (from === null && to === null) return null;
  return [from ?? domain[0], to === null ? domain[1] : to + MINUTE];
}

/** The buckets a span touches, first and last index (clamped to the chart). */
function bucketsOf(span: [number, number], domainStart: number, widthMs: number, count: number): [number, number] {
  const clamp = (i: number) => Math.min(Math.max(i, 0), count - 1);
  const first = clamp(Math.floor((span[0] - domainStart) / widthMs));
  const last = clamp(Math.ceil((span[1] - domainStart) / widthMs) - 1);
  return [first, Math.max(first, last)];
}

/** `2026-11-17T14:05` → `2026-11-17 14:05`. */
const showMinute = (ms: number) => toMinute(ms).replace("T", " ");

/** "10 minutes", "hour", "2 days", "week": the bucket width in words. */
export function widthLabel(seconds: number): string {
  const units: Array<[number, string]> = [
    [7 * 86_400, "week"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${seconds} seconds`;
}

/**
 * The timeline's time brush: events per bucket over the whole stored range (for the current
 * filters), and a window selected on it by dragging or with the keyboard. The window is the
 * From/To fields' value: the brush draws whatever they hold and writes them when it changes.
 */
export function TimeBrush({
  histogram,
  loading,
  value,
  onChange,
}: {
  histogram: EventHistogramDto | null;
  /** A newer histogram is on its way (the one shown is kept meanwhile). */
  loading: boolean;
  value: TimeWindow;
  onChange: (window: TimeWindow) => void;
}) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ anchor: number; current: number } | null>(null);

  if (histogram === null) {
    return (
      <div className="time-brush" data-testid="time-brush">
        <p className="muted time-brush-empty">Loading the time chart…</p>
      </div>
    );
  }
  const buckets = histogram.buckets;
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (first === undefined || last === undefined) {
    return (
      <div className="time-brush" data-testid="time-brush">
        <p className="muted time-brush-empty" data-testid="time-brush-empty">
          No events yet: the time chart appears once data is imported.
        </p>
      </div>
    );
  }

  const count = buckets.length;
  const domain: [number, number] = [Date.parse(first.start), Date.parse(last.end)];
  const widthMs = histogram.bucket_seconds * 1000;
  const barWidth = BRUSH_WIDTH / count;
  const highest = Math.max(1, ...buckets.map((b) => b.count));
  const x = (ms: number) =>
    (Math.min(Math.max(ms, domain[0]), domain[1]) - domain[0]) / (domain[1] - domain[0]) * BRUSH_WIDTH;

  const span = selectedSpan(value, domain);
  // While dragging, the band follows the pointer; the window is written on release.
  const band: [number, number] | null =
    drag !== null
      ? [Math.min(drag.anchor, drag.current) * barWidth, (Math.max(drag.anchor, drag.current) + 1) * barWidth]
      : span === null
        ? null
        : [x(span[0]), x(span[1])];
  const selectedBuckets = span === null ? null : bucketsOf(span, domain[0], widthMs, count);
  const inWindow =
    span === null
      ? null
      : buckets
          .filter((b) => Date.parse(b.start) >= span[0] && Date.parse(b.end) <= span[1])
          .reduce((sum, b) => sum + b.count, 0);

  const bucketAt = (clientX: number) => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (rect === undefined || rect.width <= 0) return 0;
    const index = Math.floor(((clientX - rect.left) / rect.width) * count);
    return Math.min(Math.max(index, 0), count - 1);
  };

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const index = bucketAt(event.clientX);
    // A handle resizes: the window's other end stays put. Anywhere else starts a new window.
    const edge = (event.target as Element).getAttribute("data-edge");
    const anchor =
      selectedBuckets === null || edge === null ? index : edge === "start" ? selectedBuckets[1] : selectedBuckets[0];
    setDrag({ anchor, current: index });
    const target = event.currentTarget;
    if (typeof target.setPointerCapture === "function") {
      try {
        target.setPointerCapture(event.pointerId);
      } catch {
        // A synthetic pointer (tests) cannot be captured; moves still reach the chart.
      }
    }
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (drag === null) return;
    const index = bucketAt(event.clientX);
    if (index !== drag.current) setDrag({ ...drag, current: index });
  };
  const onPointerUp = (event: PointerEvent<SVGSVGElement>) => {
    if (drag === null) return;
    const index = bucketAt(event.clientX);
    setDrag(null);
    onChange(windowOfBuckets(histogram, drag.anchor, index));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      if (span === null) return;
      event.preventDefault();
      onChange(NO_WINDOW);
      return;
    }
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    if (selectedBuckets === null) {
      // Nothing selected yet: the first (or, going left, the last) bucket.
      const index = step > 0 ? 0 : count - 1;
      onChange(windowOfBuckets(histogram, index, index));
      return;
    }
    const [a, b] = selectedBuckets;
    if (event.shiftKey) {
      // Shift resizes: the window's end moves, never before its start.
      onChange(windowOfBuckets(histogram, a, Math.min(Math.max(b + step, a), count - 1)));
      return;
    }
    const shift = step > 0 ? Math.min(step, count - 1 - b) : Math.max(step, -a);
    onChange(windowOfBuckets(histogram, a + shift, b + shift));
  };

  const description =
    span === null
      ? "No time window: every event. Drag across the chart or press an arrow key to select one."
      : `Selected ${showMinute(span[0])} to ${showMinute(span[1])} UTC, ${inWindow ?? 0} ${inWindow === 1 ? "event" : "events"}.`;

  return (
    <div className={loading ? "time-brush loading" : "time-brush"} data-testid="time-brush">
      <div
        className="time-brush-track"
        data-testid="time-brush-track"
        role="group"
        aria-roledescription="time brush"
        aria-label={`Events per ${widthLabel(histogram.bucket_seconds)}, ${showMinute(domain[0])} to ${showMinute(domain[1])} UTC. ${description} Arrow keys move the window, Shift with an arrow resizes it, Escape clears it.`}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <svg
          ref={svgRef}
          className="time-brush-chart"
          data-testid="time-brush-chart"
          viewBox={`0 0 ${BRUSH_WIDTH} ${BRUSH_HEIGHT}`}
          preserveAspectRatio="none"
          aria-hidden="true"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDrag(null)}
        >
          {buckets.map((bucket, i) => {
            const height = bucket.count === 0 ? 0 : Math.max(1, (bucket.count / highest) * (BRUSH_HEIGHT - 2));
            return (
              <rect
                key={bucket.start}
                className="time-brush-bar"
                data-testid="time-brush-bar"
                data-start={bucket.start}
                data-count={bucket.count}
                x={i * barWidth + barWidth * 0.1}
                y={BRUSH_HEIGHT - height}
                width={barWidth * 0.8}
                height={height}
              >
                <title>{`${showMinute(Date.parse(bucket.start))}: ${bucket.count}`}</title>
              </rect>
            );
          })}
          {band !== null && band[1] > band[0] ? (
            <g data-testid="time-brush-selection" data-from={value.from} data-to={value.to}>
              <rect className="time-brush-band" x={band[0]} y={0} width={band[1] - band[0]} height={BRUSH_HEIGHT} />
              <rect
                className="time-brush-handle"
                data-edge="start"
                data-testid="time-brush-handle-start"
                x={band[0] - HANDLE_WIDTH / 2}
                y={0}
                width={HANDLE_WIDTH}
                height={BRUSH_HEIGHT}
              />
              <rect
                className="time-brush-handle"
                data-edge="end"
                data-testid="time-brush-handle-end"
                x={band[1] - HANDLE_WIDTH / 2}
                y={0}
                width={HANDLE_WIDTH}
                height={BRUSH_HEIGHT}
              />
            </g>
          ) : null}
        </svg>
      </div>
      <div className="time-brush-axis muted">
        <span>{showMinute(domain[0])}</span>
        <span data-testid="time-brush-summary" aria-live="polite">
          {span === null ? `${histogram.total} ${histogram.total === 1 ? "event" : "events"} · per ${widthLabel(histogram.bucket_seconds)}` : description}
        </span>
        <span>{showMinute(domain[1])}</span>
      </div>
      <button
        type="button"
        className="time-brush-clear"
        data-testid="time-brush-clear"
        disabled={span === null}
        onClick={() => onChange(NO_WINDOW)}
      >
        Clear time window
      </button>
    </div>
  );
}
