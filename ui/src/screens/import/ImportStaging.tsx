import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { IngestReportDto } from "../../lib/bindings/IngestReportDto";
import { toHostError, useHost, type DetectedFileDto, type HostError, type IngestProgressDto } from "../../lib/ipc";

/** Starts an import and reports its progress; the import screen tracks it like any other. */
export type StartImport = (run: (onProgress: (p: IngestProgressDto) => void) => Promise<IngestReportDto | null>) => void;

/** 1536 → `1.5 KB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Adds newly detected files to those already listed, each path once, in the order found. */
export function mergeDetected(listed: DetectedFileDto[], found: DetectedFileDto[]): DetectedFileDto[] {
  const seen = new Set(listed.map((f) => f.path));
  return [...listed, ...found.filter((f) => !seen.has(f.path) && seen.add(f.path))];
}

/**
 * Files dropped on the window or chosen for checking: each with the format detected from its
 * first bytes, before anything is imported. Files no format recognises can be read through a
 * TOML column mapping.
 */
export function ImportStaging({ busy, onImport }: { busy: boolean; onImport: StartImport }) {
  const host = useHost();
  const [files, setFiles] = useState<DetectedFileDto[]>([]);
  const [dragging, setDragging] = useState(false);
  const [detecting, setDetecting] = useState(false);
  const [error, setError] = useState<HostError | null>(null);
  const [mapping, setMapping] = useState<string | null>(null);

  const detect = async (paths: string[]) => {
    setDetecting(true);
    setError(null);
    try {
      const found = await host.detectFiles(paths);
      setFiles((listed) => mergeDetected(listed, found));
    } catch (e) {
      setError(toHostError(e));
    } finally {
      setDetecting(false);
    }
  };

  useEffect(() => {
    let stop: (() => void) | null = null;
    let active = true;
    host
      .onFileDrop((event) => {
        if (event.type === "over") setDragging(true);
        else if (event.type === "leave") setDragging(false);
        else {
          setDragging(false);
          if (event.paths.length > 0) void detect(event.paths);
        }
      })
      .then(
        (unlisten) => {
          if (active) stop = unlisten;
          else unlisten();
        },
        (e: unknown) => {
          if (active) setError(toHostError(e));
        },
      );
    return () => {
      active = false;
      stop?.();
    };
    // `detect` only closes over `host`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [host]);

  const check = async () => {
    try {
      const paths = await host.pickPaths();
      if (paths !== null) await detect(paths);
    } catch (e) {
      setError(toHostError(e));
    }
  };

  const chooseMapping = async () => {
    try {
      const path = await host.pickFile("mapping");
      if (path !== null) setMapping(path);
    } catch (e) {
      setError(toHostError(e));
    }
  };

  const readable = files.filter((f) => f.error === null);
  const recognised = readable.filter((f) => f.format !== null).map((f) => f.path);
  const unrecognised = readable.filter((f) => f.format === null).map((f) => f.path);
  const mapped = mapping !== null ? unrecognised : [];
  const count = recognised.length + mapped.length;

  const start = () => {
    const paths = { recognised, mapped, mapping };
    onImport(async (onProgress) => {
      const out: IngestReportDto = { files: [] };
      if (paths.recognised.length > 0) {
        out.files.push(...(await host.ingestPaths(paths.recognised, null, onProgress)).files);
      }
      // A cancelled first half stops the import: the second would start afresh.
      if (paths.mapped.length > 0 && !out.files.some((f) => f.status === "cancelled")) {
        out.files.push(...(await host.ingestPaths(paths.mapped, paths.mapping, onProgress)).files);
      }
      return out;
    });
    setFiles([]);
    setMapping(null);
  };

  return (
    <section aria-labelledby="staging-heading">
      <div className={dragging ? "drop-zone dragging" : "drop-zone"} data-testid="drop-zone" data-dragging={dragging}>
        {dragging ? "Drop to check these files" : "Drop files or folders anywhere on the window to check their formats first"}
        {" · "}
        <button type="button" data-testid="import-check" disabled={busy || detecting} onClick={() => void check()}>
          Check files…
        </button>
      </div>
      <h2 id="staging-heading" className="visually-hidden">
        Files to import
      </h2>
      {detecting ? <p className="muted">Detecting formats…</p> : null}
      {error !== null ? <ErrorMessage error={error} context="Could not check the files" /> : null}
      {files.length > 0 ? (
        <>
          <table className="data-table" data-testid="staged-files">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Detected format</th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => (
                <tr key={f.path} data-testid="staged-file" data-format={f.format ?? ""}>
                  <td className="path-cell">
                    <code>{f.path}</code>
                  </td>
                  <td className={f.format === null ? "unrecognised" : undefined}>
                    {f.error !== null
                      ? f.error.message
                      : f.format ?? (mapping !== null ? "read through the column mapping" : "unrecognised: needs a column mapping")}
                  </td>
                  <td className="num">{formatSize(f.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {unrecognised.length > 0 ? (
            <p data-testid="mapping-choice">
              {unrecognised.length} {unrecognised.length === 1 ? "file is" : "files are"} in no known format.{" "}
              {mapping === null ? (
                "Choose a TOML column mapping to read them, or they are left out."
              ) : (
                <>
                  Mapping: <code data-testid="mapping-path">{mapping}</code>{" "}
                </>
              )}{" "}
              <button type="button" data-testid="mapping-choose" onClick={() => void chooseMapping()}>
                {mapping === null ? "Choose a mapping…" : "Change…"}
              </button>
            </p>
          ) : null}
          <button type="button" data-testid="import-staged" disabled={busy || count === 0} onClick={start}>
            Import {count} {count === 1 ? "file" : "files"}
          </button>{" "}
          <button
            type="button"
            data-testid="staged-clear"
            onClick={() => {
              setFiles([]);
              setMapping(null);
            }}
          >
            Clear
          </button>
        </>
      ) : null}
    </section>
  );
}
