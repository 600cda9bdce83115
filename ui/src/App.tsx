import { useState, type ComponentType } from "react";
import { StoreHeader } from "./components/StoreHeader";
import { ChangesScreen } from "./screens/changes/ChangesScreen";
import { ImportScreen } from "./screens/import/ImportScreen";
import { IncidentsScreen } from "./screens/incidents/IncidentsScreen";
import { ReportScreen } from "./screens/report/ReportScreen";
import { TimelineScreen } from "./screens/timeline/TimelineScreen";

interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

/** Left-nav entries. New screens are added here. */
export const SCREENS: readonly Screen[] = [
  { id: "incidents", label: "Incidents", component: IncidentsScreen },
  { id: "changes", label: "Changes", component: ChangesScreen },
  { id: "timeline", label: "Timeline", component: TimelineScreen },
  { id: "import", label: "Import", component: ImportScreen },
  { id: "report", label: "Report", component: ReportScreen },
];

export function App() {
  const [screenId, setScreenId] = useState(SCREENS[0]!.id);
  const screen = SCREENS.find((s) => s.id === screenId) ?? SCREENS[0]!;
  const Current = screen.component;

  return (
    <div className="app">
      <StoreHeader />
      <div className="app-body">
        <nav className="app-nav" aria-label="Main">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={s.id === screen.id ? "nav-item active" : "nav-item"}
                  data-testid={`nav-${s.id}`}
                  aria-current={s.id === screen.id ? "page" : undefined}
                  onClick={() => setScreenId(s.id)}
                >
                  {s.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="app-main">
          <Current />
        </main>
      </div>
    </div>
  );
}
