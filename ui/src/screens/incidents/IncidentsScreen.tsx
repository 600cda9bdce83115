import { useState, type ReactNode } from "react";
import { useHost } from "../../lib/ipc";
import { useAsync } from "../../lib/useAsync";
import { ErrorMessage } from "../../components/ErrorMessage";
import { IncidentDetail } from "./IncidentDetail";
import { IncidentList } from "./IncidentList";

export function IncidentsScreen() {
  const host = useHost();
  // Bumped after a grouping or cause decision: the list reloads.
  const [version, setVersion] = useState(0);
  const incidents = useAsync(() => host.listIncidents(), [host, version]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);

  let list: ReactNode;
  if (incidents.status === "loading") {
    list = <p className="muted">Loading incidents…</p>;
  } else if (incidents.status === "error") {
    list = <ErrorMessage error={incidents.error} context="Could not load incidents" />;
  } else if (incidents.data.length === 0) {
    list = (
      <p className="empty" data-testid="incidents-empty">
        No incidents yet. Run <code>hindsight ingest &lt;files&gt;</code> or open the demo data.
      </p>
    );
  } else {
    // Until the user moves, the list selects its first visible row.
    list = (
      <IncidentList
        incidents={incidents.data}
        selectedId={selectedId}
        openId={openId}
        onSelect={setSelectedId}
        onOpen={setOpenId}
      />
    );
  }

  return (
    <div className="split">
      <div className="pane list-pane">
        <h1 className="pane-title">Incidents</h1>
        {list}
      </div>
      <div className="pane detail-pane">
        {openId === null ? (
          <p className="muted placeholder">Select an incident to see which deployments may have triggered it.</p>
        ) : (
          <IncidentDetail key={openId} id={openId} onChanged={() => setVersion((v) => v + 1)} />
        )}
      </div>
    </div>
  );
}
