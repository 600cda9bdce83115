import { attributionLabel, classLabel, normalizeClass } from "../lib/format";

/** A change's attribution: `AI · claude-code`, `Human`, `Automation`, `Unknown`. */
export function AttributionBadge({
  cls,
  tool,
  title,
}: {
  cls: string;
  tool: string | null;
  title?: string;
}) {
  return (
    <span className={`badge badge-${normalizeClass(cls)}`} title={title}>
      {attributionLabel(cls, tool)}
    </span>
  );
}

/** Compact badges for a set of classes (incident list). */
export function ClassBadges({ classes }: { classes: readonly string[] }) {
  if (classes.length === 0) {
    return <span className="muted">—</span>;
  }
  return (
    <span className="badges">
      {classes.map((cls, i) => (
        <span key={`${cls}-${i}`} className={`badge badge-${normalizeClass(cls)}`}>
          {classLabel(cls)}
        </span>
      ))}
    </span>
  );
}
