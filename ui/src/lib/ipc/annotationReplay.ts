import type { AnnotationEditDto } from "../bindings/AnnotationEditDto";
import type { IncidentTimelineDto } from "../bindings/IncidentTimelineDto";
import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { DeepDiveEventDto } from "../bindings/DeepDiveEventDto";
import { KEY_MOMENTS } from "./host";

/**
 * Replays an incident's annotation edit log over its deep-dive, the way the backend does: the
 * newest edit not undone of each star and key moment wins, notes not undone are kept, and the
 * newest edit not undone is what "undo" undoes. Used by the mock host.
 */
export function replayAnnotations(
  base: IncidentTimelineDto,
  history: AnnotationEditDto[],
): IncidentTimelineDto {
  const live = history.filter((e) => e.undone_at === null);
  const stars = new Map<string, boolean>();
  const moments = new Map<string, string>();
  for (const edit of live) {
    if (edit.event_key === null) continue;
    if (edit.kind === "star") stars.set(edit.event_key, edit.value === "on");
    if (edit.kind === "moment") moments.set(edit.event_key, edit.value);
  }
  const events = base.events.map((e) => {
    const moment = moments.get(e.key) ?? "";
    return { ...e, starred: stars.get(e.key) ?? false, moment: moment === "" ? null : moment };
  });
  const key_moments = KEY_MOMENTS.flatMap((moment) => {
    const first = events.find((e) => e.moment === moment);
    return first === undefined
      ? []
      : [{ moment, event_key: first.key, at: first.at, title: first.title }];
  });
  const notes = live
    .filter((e) => e.kind === "note")
    .map((e) => ({ edit_id: e.id, event_key: e.event_key, text: e.value, author: e.author, at: e.at }));
  return {
    ...base,
    events,
    key_moments,
    notes,
    history: history.map((e) => ({ ...e })),
    undoable: live.length === 0 ? null : live[live.length - 1]!.id,
  };
}

/**
 * A deep-dive built from an incident's detail, for mock data that has no timeline of its own:
 * the incident's updates and alerts, its suspects' deployments and the changes they shipped.
 */
export function timelineFromDetail(detail: IncidentDetailDto): IncidentTimelineDto {
  const { incident } = detail;
  const counts = new Map<string, number>();
  const events: DeepDiveEventDto[] = detail.events.map((e) => {
    const id = `${e.at}:${e.kind}`;
    const n = counts.get(id) ?? 0;
    counts.set(id, n + 1);
    const lower = e.kind.toLowerCase();
    const source = lower.includes("alert") || lower.includes("trigger") ? "alert" : "update";
    return plain(`update:${id}:${n}`, e.at, source, e.kind, e.text, null, null);
  });
  const seen = new Set<string>();
  for (const s of detail.suspects.filter((s) => s.status !== "rejected")) {
    const d = s.deployment;
    const version = d.version ?? d.sha?.slice(0, 10) ?? "";
    const env = d.environment === null ? "" : ` ${d.environment}`;
    events.push(
      plain(
        `deployment:${d.natural_key}`,
        d.at,
        "deployment",
        d.action,
        `${d.action} ${version} on ${d.service}${env} (${d.status})`,
        d.actor,
        d.actor_class,
      ),
    );
    for (const c of s.changes) {
      const key = `change:${c.kind}:${c.natural_key}`;
      if (c.committed_at === null || seen.has(key)) continue;
      seen.add(key);
      events.push(plain(key, c.committed_at, "change", c.kind, c.title, c.author, c.class));
    }
  }
  events.sort((a, b) => (a.at === b.at ? a.key.localeCompare(b.key) : a.at < b.at ? -1 : 1));
  const times = [incident.started_at, incident.resolved_at ?? incident.started_at, ...events.map((e) => e.at)];
  return {
    incident_id: incident.id,
    impact_from: incident.started_at,
    impact_to: incident.resolved_at,
    axis_from: times.reduce((a, b) => (b < a ? b : a)),
    axis_to: times.reduce((a, b) => (b > a ? b : a)),
    events,
    key_moments: [],
    notes: [],
    history: [],
    undoable: null,
  };
}

function plain(
  key: string,
  at: string,
  source: string,
  kind: string,
  title: string,
  actor: string | null,
  cls: string | null,
): DeepDiveEventDto {
  return { key, at, source, kind, title, actor, class: cls, starred: false, moment: null };
}
