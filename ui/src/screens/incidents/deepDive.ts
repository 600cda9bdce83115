import type { AnnotationEditDto } from "../../lib/bindings/AnnotationEditDto";
import { formatDuration } from "../../lib/format";

/** Where `at` falls between `from` and `to`, as 0..1 (clamped; a zero-width axis puts all at 0.5). */
export function axisPosition(at: string, from: string, to: string): number {
  const start = Date.parse(from);
  const span = Date.parse(to) - start;
  if (!Number.isFinite(span) || span <= 0) return 0.5;
  return Math.min(1, Math.max(0, (Date.parse(at) - start) / span));
}

/** `+25 min` after impact start, `-2 h` before it. */
export function offsetFromStart(at: string, start: string): string {
  const minutes = Math.round((Date.parse(at) - Date.parse(start)) / 60000);
  if (!Number.isFinite(minutes)) return "";
  if (minutes === 0) return "at start";
  return minutes > 0 ? `+${formatDuration(minutes)}` : `-${formatDuration(-minutes)}`;
}

/** One line of the audit trail: what an edit did, in words. */
export function describeEdit(edit: AnnotationEditDto): string {
  switch (edit.kind) {
    case "star":
      return edit.value === "on" ? "starred an event" : "removed a star";
    case "moment":
      return edit.value === "" ? "cleared a key moment" : `marked ${edit.value}`;
    case "note":
      return edit.event_key === null ? `noted: ${edit.value}` : `noted on an event: ${edit.value}`;
    default:
      return `${edit.kind} ${edit.value}`;
  }
}
