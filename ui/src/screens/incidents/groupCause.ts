import type { IncidentCauseStateDto } from "../../lib/bindings/IncidentCauseStateDto";
import type { IncidentGroupDecisionDto } from "../../lib/bindings/IncidentGroupDecisionDto";
import type { IncidentSummaryDto } from "../../lib/bindings/IncidentSummaryDto";
import type { CauseCategory } from "../../lib/ipc";

/** "also reported by statuspage abc, postmortem pm-1"; null when nothing is merged in. */
export function alsoReportedBy(incident: IncidentSummaryDto): string | null {
  if (incident.merged.length === 0) return null;
  return `also reported by ${incident.merged.map((m) => `${m.source_system} ${m.source_id}`).join(", ")}`;
}

/** True when the record is counted under another incident. */
export function isMergedAway(incident: IncidentSummaryDto): boolean {
  return incident.group_primary !== incident.id;
}

/**
 * Incidents the reviewer can merge `incident` with: primaries of other groups, the same
 * service first, then nearest in time.
 */
export function mergeCandidates(all: IncidentSummaryDto[], incident: IncidentSummaryDto): IncidentSummaryDto[] {
  const start = Date.parse(incident.started_at);
  const distance = (i: IncidentSummaryDto) => Math.abs(Date.parse(i.started_at) - start);
  return all
    .filter((i) => i.group_primary === i.id && i.id !== incident.group_primary)
    .sort((a, b) => {
      const sa = a.service === incident.service ? 0 : 1;
      const sb = b.service === incident.service ? 0 : 1;
      return sa - sb || distance(a) - distance(b) || a.id - b.id;
    });
}

/** One line for a reviewer's merge or split in force: what, why, who and when. */
export function groupingLabel(d: IncidentGroupDecisionDto): string {
  const what = d.other_id === null ? `Split #${d.incident_id} off` : `Merged #${d.incident_id} with #${d.other_id}`;
  return `${what}: "${d.reason}" (${d.reviewer}, ${d.at})`;
}

/** One line for the cause in force: what, why and who. */
export function causeLabel(cause: IncidentCauseStateDto | null): string {
  if (cause === null) return "Counts as change-caused when a link says so (no cause recorded)";
  const what = cause.not_change_caused
    ? `Not caused by a change: ${cause.category ?? "other"}`
    : "Caused by a change";
  if (cause.review !== null) {
    return `${what}: "${cause.why}" (${cause.review.reviewer}, ${cause.review.at})`;
  }
  return `${what} (text classifier: ${cause.why})`;
}

/** A reviewer's cause form: the reason is required. */
export function causeFormError(category: CauseCategory | null, reason: string): string | null {
  if (category === null) return "Choose a category";
  if (reason.trim() === "") return "A reason is required";
  return null;
}
