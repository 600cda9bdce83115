import { useRef, useState } from "react";
import type { IngestProgressDto } from "../../lib/bindings/IngestProgressDto";
import type { IngestReportDto } from "../../lib/bindings/IngestReportDto";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatUtc } from "../../lib/format";
import { toHostError, useHost, useStoreRefresh, type HostError, type IngestRunDto } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ImportStaging, type StartImport } from "./ImportStaging";

const STATUS_LABEL: Record<string, string> = {
  stored: "stored",
  already_ingested: "already ingested",
  failed: "failed",
  cancelled: "cancelled",
};

type ImportState =
  | { status: "idle" }
  | { status: "busy"; progress: IngestProgressDto | null; cancelling: boolean; cancelError: HostError | null }
  | { status: "cancelled" }
  | { status: "done"; report: IngestReportDto }
  | { status: "error"; error: HostError };

/** Newest first. */
function byNewest(runs: readonly IngestRunDto[]): IngestRunDto[] {
  return [...runs].sort((a, b) => b.ingested_at.localeCompare(a.ingested_at) || b.id - a.id);
}

export function ImportScreen() {
  const host = useHost();
  const { version, refresh } = useStoreRefresh();
  const runs = useAsync(() => host.listRuns(), [host, version]);
  const [state, setState] = useState<ImportState>({ status: "idle" });
  // Identifies the import under way, so late progress messages of an earlier one are ignored.
  const importId = useRef(0);

  const choose = () => run((onProgress) => host.pickAndIngest(onProgress));

  const run: StartImport = async (start) => {
    const id = ++importId.current;
    setState({ status: "busy", progress: null, cancelling: false, cancelError: null });
    const onProgress = (progress: IngestProgressDto) => {
      if (importId.current !== id) return;
      setState((s) => (s.status === "busy" ? { ...s, progress } : s));
    };
    try {
      const report = await start(onProgress);
      importId.current += 1;
      if (report === null) {
        setState({ status: "cancelled" });
        return;
      }
      setState({ status: "done", report });
      refresh();
    } catch (e) {
      importId.current += 1;
      setState({ status: "error", error: toHostError(e) });
    }
  };

  const cancel = async () => {
    const id = importId.current;
    setState((s) => (s.status === "busy" ? { ...s, cancelling: true, cancelError: null } : s));
    try {
      await host.cancelIngest();
    } catch (e) {
      if (importId.current !== id) return;
      const cancelError = toHostError(e);
      setState((s) => (s.status === "busy" ? { ...s, cancelling: false, cancelError } : s));
    }
  };

  return (
    <div className="pane page">
      <h1 className="pane-title">Import</h1>
      <p className="muted">
        Choose exported files (git logs, pull requests, deployments, incidents). Files already imported are recognised and
        skipped.
      </p>
      <button type="button" data-testid="import-choose" disabled={state.status === "busy"} onClick={() => void choose()}>
        {state.status === "busy" ? "Importing…" : "Choose files…"}
      </button>
      <ImportStaging busy={state.status === "busy"} onImport={(start) => void run(start)} />

      {state.status === "busy" && state.progress !== null ? (
        <ImportProgress
          progress={state.progress}
          cancelling={state.cancelling}
          cancelError={state.cancelError}
          onCancel={() => void cancel()}
        />
      ) : null}

      <div aria-live="polite">
        {state.status === "cancelled" ? (
          <p className="muted" data-testid="import-cancelled">
            No files chosen.
          </p>
        ) : null}
        {state.status === "error" ? <ErrorMessage error={state.error} context="Import failed" /> : null}
        {state.status === "done" ? <ImportReport report={state.report} /> : null}
      </div>

      <h3>Import history</h3>
      {runs.status === "loading" ? <p className="muted">Loading history…</p> : null}
      {runs.status === "error" ? <ErrorMessage error={runs.error} context="Could not load the import history" /> : null}
      {runs.status === "ok" && runs.data.length === 0 ? (
        <p className="empty" data-testid="runs-empty">
          Nothing imported yet. Use “Choose files…” above.
        </p>
      ) : null}
      {runs.status === "ok" && runs.data.length > 0 ? (
        <table className="data-table" data-testid="run-list">
          <thead>
            <tr>
              <th scope="col">Imported</th>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col" className="num">
                Seen
              </th>
              <th scope="col" className="num">
                Stored
              </th>
              <th scope="col" className="num">
                Rejected
              </th>
              <th scope="col" className="num">
                Skipped
              </th>
              <th scope="col">Content hash</th>
            </tr>
          </thead>
          <tbody>
            {byNewest(runs.data).map((run) => (
              <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
                <td className="nowrap">{formatUtc(run.ingested_at)}</td>
                <td className="path-cell">
                  <code>{run.path}</code>
                </td>
                <td>{run.format}</td>
                <td className="num">{run.records_seen}</td>
                <td className="num">{run.records_stored}</td>
                <td className="num">{run.records_rejected}</td>
                <td className="num">{run.records_skipped}</td>
                <td>
                  <code title={run.content_hash}>{run.content_hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The last part of a path (either separator). */
function fileName(path: string): string {
  return path.split(/[/\\]/).filter((part) => part !== "").pop() ?? path;
}

/** What each step of the update after an import does (`IngestProgressDto.step`). */
const UPDATE_STEPS: Record<string, string> = {
  links: "Step 1 of 2: what each deployment shipped and the suspect links",
  timeline: "Step 2 of 2: the timeline and its search index",
};

function ImportProgress({
  progress,
  cancelling,
  cancelError,
  onCancel,
}: {
  progress: IngestProgressDto;
  cancelling: boolean;
  cancelError: HostError | null;
  onCancel: () => void;
}) {
  if (progress.phase === "updating") {
    return (
      <section className="import-progress" data-testid="import-progress">
        <p data-testid="import-progress-file">
          {progress.files === 1 ? "The file is stored" : `All ${progress.files} files are stored`}. Updating what
          each deployment shipped, the suspect links and the timeline…
        </p>
        <p data-testid="import-progress-step">{UPDATE_STEPS[progress.step] ?? UPDATE_STEPS["links"]}</p>
        <progress data-testid="import-progress-bar" aria-label="Updating links and timeline" />
      </section>
    );
  }
  const known = progress.bytes_total > 0;
  return (
    <section className="import-progress" data-testid="import-progress">
      <p data-testid="import-progress-file" title={progress.path}>
        File {progress.file_index + 1} of {progress.files}: {fileName(progress.path)}
      </p>
      <progress
        data-testid="import-progress-bar"
        aria-label={`Reading ${fileName(progress.path)}`}
        {...(known ? { value: Math.min(progress.bytes_read, progress.bytes_total), max: progress.bytes_total } : {})}
      />
      <button type="button" data-testid="import-cancel" disabled={cancelling} onClick={onCancel}>
        {cancelling ? "Cancelling…" : "Cancel"}
      </button>
      {cancelError !== null ? <ErrorMessage error={cancelError} context="Could not cancel the import" /> : null}
    </section>
  );
}

const KEPT_SKIPPED = "kept: the record describes nothing to store";
const KEPT_REJECTED = "kept: the record could not be read";

function ImportReport({ report }: { report: IngestReportDto }) {
  if (report.files.length === 0) {
    return <p className="muted">No files were imported.</p>;
  }
  const rejections = report.files.flatMap((file) => file.rejections.map((r) => ({ file: file.path, ...r })));
  const rejected = rejections.filter((r) => !r.skipped).length;
  const skipped = rejections.length - rejected;
  const failed = report.files.filter((f) => f.status === "failed").length;
  const cancelled = report.files.filter((f) => f.status === "cancelled").length;
  return (
    <section data-testid="import-report">
      <h3>Result</h3>
      <p data-testid="import-summary">
        {report.files.length} {report.files.length === 1 ? "file" : "files"}
        {failed > 0 ? `, ${failed} failed` : ""}
        {cancelled > 0 ? `, ${cancelled} cancelled` : ""}
        {rejected > 0 ? `, ${rejected} rejected ${rejected === 1 ? "record" : "records"}` : ""}
        {skipped > 0 ? `, ${skipped} skipped ${skipped === 1 ? "record" : "records"} (nothing to store)` : ""}
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Format</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Seen
            </th>
            <th scope="col" className="num">
              Stored
            </th>
            <th scope="col" className="num">
              Rejected
            </th>
            <th scope="col" className="num">
              Skipped
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {report.files.map((file, i) => (
            <tr key={i} data-testid="import-file" data-status={file.status}>
              <td className="path-cell">
                <code>{file.path}</code>
              </td>
              <td>{file.format ?? "unrecognised"}</td>
              <td className={`ingest-status ingest-${file.status}`}>{STATUS_LABEL[file.status] ?? file.status}</td>
              <td className="num">{file.records_seen}</td>
              <td className="num">{file.records_stored}</td>
              <td className="num">{file.records_rejected}</td>
              <td className="num">{file.records_skipped}</td>
              <td className="error-cell">{file.error ? file.error.message : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Rejected and skipped records</h3>
      {rejections.length === 0 ? (
        <p className="muted" data-testid="no-rejections">
          Every record that was read was stored.
        </p>
      ) : (
        <table className="data-table" data-testid="rejections">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Location</th>
              <th scope="col">Kind</th>
              <th scope="col">Field</th>
              <th scope="col">Reason</th>
              <th scope="col">Raw</th>
            </tr>
          </thead>
          <tbody>
            {rejections.map((r, i) => (
              <tr key={i} data-testid="rejection-row" data-skipped={r.skipped ? "true" : "false"}>
                <td className="path-cell">
                  <code>{r.file}</code>
                </td>
                <td>
                  <code>{r.location}</code>
                </td>
                <td title={r.skipped ? KEPT_SKIPPED : KEPT_REJECTED}>{r.skipped ? "skipped" : "rejected"}</td>
                <td>{r.field ?? "—"}</td>
                <td>{r.reason}</td>
                <td>
                  <code className="matched">{r.raw}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
