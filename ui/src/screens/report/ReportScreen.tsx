import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { toHostError, useHost, useStoreRefresh, type HostError, type ReportFormat } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";

const FORMATS: ReadonlyArray<{ format: ReportFormat; label: string }> = [
  { format: "md", label: "Save as Markdown…" },
  { format: "html", label: "Save as HTML…" },
  { format: "json", label: "Save as JSON…" },
  { format: "pdf", label: "Save as PDF…" },
];

type SaveState =
  | { status: "idle" }
  | { status: "busy"; format: ReportFormat }
  | { status: "saved"; path: string }
  | { status: "cancelled" }
  | { status: "error"; error: HostError };

export function ReportScreen() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const preview = useAsync(() => host.reportPreview(), [host, version]);
  const [save, setSave] = useState<SaveState>({ status: "idle" });

  const saveAs = async (format: ReportFormat) => {
    setSave({ status: "busy", format });
    try {
      const path = await host.saveReport(format);
      setSave(path === null ? { status: "cancelled" } : { status: "saved", path });
    } catch (e) {
      setSave({ status: "error", error: toHostError(e) });
    }
  };

  return (
    <div className="pane page">
      <h1 className="pane-title">Report</h1>
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
      </div>
      <div aria-live="polite">
        {save.status === "busy" ? <p className="muted">Saving…</p> : null}
        {save.status === "saved" ? (
          <p data-testid="report-saved">
            Saved to <code>{save.path}</code>
          </p>
        ) : null}
        {save.status === "cancelled" ? <p className="muted">Not saved: no file chosen.</p> : null}
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
