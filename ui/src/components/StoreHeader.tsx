import { useHost, useStoreRefresh } from "../lib/ipc";
import { useAsync } from "../lib/useAsync";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Top bar: which store is open and what it holds. */
export function StoreHeader() {
  const host = useHost();
  const { version } = useStoreRefresh();
  const overview = useAsync(() => host.storeOverview(), [host, version]);

  return (
    <header className="app-header" data-testid="store-header">
      <span className="app-title">Hindsight</span>
      {overview.status === "loading" ? <span className="muted">Opening store…</span> : null}
      {overview.status === "error" ? (
        <span className="header-error" role="alert">
          Store unavailable: {overview.error.message}
        </span>
      ) : null}
      {overview.status === "ok" ? (
        <>
          <code className="db-path" title={overview.data.db_path}>
            {overview.data.db_path}
          </code>
          <span className="counts">
            {plural(overview.data.incidents, "incident", "incidents")} ·{" "}
            {plural(overview.data.deployments, "deployment", "deployments")} ·{" "}
            {plural(overview.data.changes, "change", "changes")} ·{" "}
            {plural(overview.data.ingest_runs, "ingest run", "ingest runs")}
          </span>
          <span className="muted version">v{overview.data.version}</span>
        </>
      ) : null}
    </header>
  );
}
