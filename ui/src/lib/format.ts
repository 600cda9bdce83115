const pad = (n: number) => String(n).padStart(2, "0");

/** The zone times are shown in (the display zone setting): `UTC`, `local` or `+HH:MM`. */
let displayZone = "UTC";

/** Sets the display zone; an offset that does not parse falls back to UTC. */
export function setDisplayZone(zone: string): void {
  displayZone = zone === "local" || offsetMinutes(zone) !== null ? zone : "UTC";
}

export function getDisplayZone(): string {
  return displayZone;
}

/** `UTC`, `Z`, `+01:00`, `-0530`, `+05` → minutes east of UTC; anything else → null. */
export function offsetMinutes(zone: string): number | null {
  const z = zone.trim();
  if (/^(utc|z)$/i.test(z)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (m === null) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? "0");
  if (Number(m[2]) > 14 || Number(m[3] ?? "0") >= 60) return null;
  return m[1] === "-" ? -minutes : minutes;
}

/**
 * `2026-11-17T14:05:00Z` → `2026-11-17 14:05 UTC` in the display zone (`… 15:05 +01:00`,
 * `… local`); unparsable input is returned as is.
 */
export function formatUtc(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return value;
  }
  if (displayZone === "local") {
    return (
      `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
      `${pad(date.getHours())}:${pad(date.getMinutes())} local`
    );
  }
  const offset = offsetMinutes(displayZone) ?? 0;
  const shifted = new Date(date.getTime() + offset * 60_000);
  const label = offset === 0 ? "UTC" : displayZone;
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ` +
    `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())} ${label}`
  );
}

/** 45 → `45 min`, 87 → `1 h 27 min`, 1500 → `1 d 1 h`. */
export function formatDuration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) {
    return "—";
  }
  const total = Math.round(minutes);
  if (total < 60) {
    return `${total} min`;
  }
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  if (days > 0) {
    return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  }
  return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
}

/** 0.873 → `87%`. */
export function formatPercent(score: number): string {
  if (!Number.isFinite(score)) {
    return "—";
  }
  return `${Math.round(score * 100)}%`;
}

const HEX_SHA = /^[0-9a-f]{11,64}$/i;

/** First 10 characters of a SHA. */
export function shortSha(sha: string | null | undefined): string {
  if (!sha) {
    return "—";
  }
  return sha.slice(0, 10);
}

/**
 * {@link formatUtc} for a narrow column: a line may break between the date and the time, and
 * nowhere else.
 */
export function formatUtcBreakable(value: string | null | undefined): string {
  const text = formatUtc(value);
  const first = text.indexOf(" ");
  return first < 0 ? text : text.slice(0, first + 1) + text.slice(first + 1).replaceAll(" ", "\u00a0");
}

/** Commit SHAs are shortened; `owner/repo#N` and ticket keys are kept whole. */
export function shortKey(naturalKey: string): string {
  return HEX_SHA.test(naturalKey) ? naturalKey.slice(0, 10) : naturalKey;
}

/**
 * An author as shown in a narrow column: the name of `Name <email>` (git's form), the whole
 * text otherwise.
 */
export function authorName(author: string): string {
  const open = author.indexOf(" <");
  return open > 0 && author.endsWith(">") ? author.slice(0, open) : author;
}

export type AttributionClass = "ai" | "human" | "automation" | "unknown";

export function normalizeClass(value: string): AttributionClass {
  const lower = value.toLowerCase();
  return lower === "ai" || lower === "human" || lower === "automation" ? lower : "unknown";
}

/** Short label for a class alone (list badges). */
export function classLabel(value: string): string {
  switch (normalizeClass(value)) {
    case "ai":
      return "AI";
    case "human":
      return "human";
    case "automation":
      return "automation";
    case "unknown":
      return "unknown";
  }
}

/** Label for a change's attribution badge: `AI · claude-code`, `Human`, … */
export function attributionLabel(value: string, tool: string | null): string {
  switch (normalizeClass(value)) {
    case "ai":
      return tool ? `AI · ${tool}` : "AI";
    case "human":
      return "Human";
    case "automation":
      return "Automation";
    case "unknown":
      return "Unknown";
  }
}
