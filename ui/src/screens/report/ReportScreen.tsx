import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import {
  toHostError,
  useHost,
  useStoreRefresh,
  type HostError,
  type ReportFormat,
  type ReportScope,
} from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";

const FORMATS: ReadonlyArray<{ format: ReportFormat; label: string }> = [
  { format: "md", label: "Save as Markdown…" },
  { format: "html", label: "Save as HTML…" },
  { format: "json", label: "Save as JSON…" },
  { format: "pdf", label: "Save as PDF…" },
];

const COHORTS = ["ai", "human", "automation", "unknown"] as const;

/** What the scope controls hold: text as typed, cohorts as ticked. */
interface ScopeForm {
  from: string;
  to: string;
  services: string;
  teams: string;
  severities: string;
  incidents: string;
  cohorts: string[];
}

const EMPTY_FORM: ScopeForm = { from: "", to: "", services: "", teams: "", severities: "", incidents: "", cohorts: [] };

/** `a, b ,,c` -> `["a", "b", "c"]`. */
function list(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** The scope a form asks for, or `undefined` when it filters nothing. */
export function scopeOf(form: ScopeForm): ReportScope | undefined {
  const scope: ReportScope = {
    from: form.from.trim() === "" ? null : form.from.trim(),
    to: form.to.trim() === "" ? null : form.to.trim(),
    services: list(form.services),
    teams: list(form.teams),
    severities: list(form.severities),
    cohorts: [...form.cohorts].sort(),
    incidents: list(form.incidents),
  };
  const empty =
    scope.from === null &&
    scope.to === null &&
    [scope.services, scope.teams, scope.severities, scope.cohorts, scope.incidents].every((l) => l.length === 0);
  return empty ? undefined : scope;
}

type SaveState =
  | { status: "idle" }
  | { status: "busy"; format: ReportFormat | "all" }
  | { status: "saved"; path: string }
  | { status: "saved-folder"; dir: string; files: number }
  | { status: "cancelled" }
  | { status: "error"; error: HostError };

export function ReportScreen() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const [form, setForm] = useState<ScopeForm>(EMPTY_FORM);
  const [scope, setScope] = useState<ReportScope | undefined>(undefined);
  const preview = useAsync(() => host.reportPreview(scope), [host, version, scope]);
  const [save, setSave] = useState<SaveState>({ status: "idle" });

  const field = (key: Exclude<keyof ScopeForm, "cohorts">, label: string, placeholder: string, type = "text") => (
    <label className="scope-field">
      {label}
      <input
        type={type}
        data-testid={`report-scope-${key}`}
        value={form[key]}
        placeholder={placeholder}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
    </label>
  );

  const toggleCohort = (cohort: string) =>
    setForm({
      ...form,
      cohorts: form.cohorts.includes(cohort) ? form.cohorts.filter((c) => c !== cohort) : [...form.cohorts, cohort],
    });

  const saveAs = async (format: ReportFormat) => {
    setSave({ status: "busy", format });
    try {
      const path = await host.saveReport(format, scope);
      setSave(path === null ? { status: "cancelled" } : { status: "saved", path });
    } catch (e) {
      setSave({ status: "error", error: toHostError(e) });
    }
  };

  const saveFolder = async () => {
    setSave({ status: "busy", format: "all" });
    try {
      const saved = await host.saveReportFolder(scope);
      setSave(saved === null ? { status: "cancelled" } : { status: "saved-folder", dir: saved.dir, files: saved.files.length });
    } catch (e) {
      setSave({ status: "error", error: toHostError(e) });
    }
  };

  return (
    <div className="pane page">
      <h1 className="pane-title">Report</h1>
      <form
        className="report-scope"
        aria-label="Report scope"
        onSubmit={(e) => {
          e.preventDefault();
          setScope(scopeOf(form));
        }}
      >
        {field("from", "From", "2026-11-16", "date")}
        {field("to", "To (through)", "2026-11-20", "date")}
        {field("services", "Services", "checkout, payments")}
        {field("teams", "Teams", "commerce")}
        {field("severities", "Severities", "P1, P2")}
        {field("incidents", "Incidents in full", "PT4KHLK")}
        <fieldset className="scope-cohorts">
          <legend>Cohorts</legend>
          {COHORTS.map((cohort) => (
            <label key={cohort}>
              <input
                type="checkbox"
                data-testid={`report-scope-cohort-${cohort}`}
                checked={form.cohorts.includes(cohort)}
                onChange={() => toggleCohort(cohort)}
              />
              {cohort}
            </label>
          ))}
        </fieldset>
        <button type="submit" data-testid="report-scope-apply">
          Apply filters
        </button>
        <button
          type="button"
          data-testid="report-scope-clear"
          onClick={() => {
            setForm(EMPTY_FORM);
            setScope(undefined);
          }}
        >
          Clear
        </button>
      </form>
      <p className="muted" data-testid="report-scope-summary">
        {scope === undefined ? "Everything in the store." : describe(scope)}
      </p>
      <div className="toolbar">
        {FORMATS.map(({ format, label }) => (
          <button
            key={format}
            type="button"
            data-testid={`report-save-${format}`}
            disabled={save.status === "busy"}
            onClick={() => void saveAs(format)}
          >
            {label}
          </button>
        ))}
        <button
          type="button"
          data-testid="report-save-all"
          disabled={save.status === "busy"}
          onClick={() => void saveFolder()}
          title="Markdown, HTML, JSON and PDF, with every table as CSV and Parquet, from one build of the report"
        >
          Save every format to a folder…
        </button>
      </div>
      <div aria-live="polite">
        {save.status === "busy" ? <p className="muted">Saving…</p> : null}
        {save.status === "saved" ? (
          <p data-testid="report-saved">
            Saved to <code>{save.path}</code>
          </p>
        ) : null}
        {save.status === "saved-folder" ? (
          <p data-testid="report-saved">
            Saved {save.files} files to <code>{save.dir}</code>: report.md, .html, .json and .pdf, and every table
            under csv/ and parquet/
          </p>
        ) : null}
        {save.status === "cancelled" ? <p className="muted">Not saved: no file or folder chosen.</p> : null}
        {save.status === "error" ? <ErrorMessage error={save.error} context="Could not save the report" /> : null}
      </div>
      <h3>Preview</h3>
      {preview.status === "loading" ? <p className="muted">Rendering report…</p> : null}
      {preview.status === "error" ? <ErrorMessage error={preview.error} context="Could not render the report" /> : null}
      {preview.status === "ok" ? (
        <pre className="report-preview" data-testid="report-preview" tabIndex={0} aria-label="Report preview (Markdown)">
          {preview.data}
        </pre>
      ) : null}
    </div>
  );
}

/** `Services: checkout; Cohorts: ai` for the scope in force. */
function describe(scope: ReportScope): string {
  const parts: string[] = [];
  if (scope.from !== null || scope.to !== null) {
    parts.push(`From ${scope.from ?? "the start"} to ${scope.to ?? "the end"}`);
  }
  const named: Array<[string, string[]]> = [
    ["Services", scope.services],
    ["Teams", scope.teams],
    ["Severities", scope.severities],
    ["Cohorts", scope.cohorts],
    ["Incidents in full", scope.incidents],
  ];
  for (const [label, values] of named) {
    if (values.length > 0) parts.push(`${label}: ${values.join(", ")}`);
  }
  return `${parts.join("; ")}.`;
}
