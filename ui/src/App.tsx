import { useEffect, useRef, useState, type ComponentType, type KeyboardEvent } from "react";
import { StoreHeader } from "./components/StoreHeader";
import { ChangesScreen } from "./screens/changes/ChangesScreen";
import { ImportScreen } from "./screens/import/ImportScreen";
import { IncidentsScreen } from "./screens/incidents/IncidentsScreen";
import { ReportScreen } from "./screens/report/ReportScreen";
import { TimelineScreen } from "./screens/timeline/TimelineScreen";
import { AnalyticsScreen } from "./screens/analytics/AnalyticsScreen";
import { SettingsScreen } from "./screens/settings/SettingsScreen";
import { navTarget, screenForKey } from "./lib/screenKeys";
import { usePreferences } from "./lib/usePreferences";

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
  { id: "analytics", label: "Analytics", component: AnalyticsScreen },
  { id: "settings", label: "Settings", component: SettingsScreen },
];

const SCREEN_IDS = SCREENS.map((s) => s.id);

export function App() {
  const [screenId, setScreenId] = useState(SCREENS[0]!.id);
  const screen = SCREENS.find((s) => s.id === screenId) ?? SCREENS[0]!;
  const Current = screen.component;
  usePreferences();
  const navRefs = useRef(new Map<string, HTMLButtonElement>());

  // Alt+1 … Alt+9 switch screens from anywhere in the window.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = screenForKey(event, SCREEN_IDS);
      if (target === null) return;
      event.preventDefault();
      setScreenId(target);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  // ↑/↓/Home/End move along the left bar and open the screen (a roving selection).
  const onNavKey = (event: KeyboardEvent<HTMLElement>) => {
    const target = navTarget(event.key, SCREEN_IDS, screen.id);
    if (target === null) return;
    event.preventDefault();
    setScreenId(target);
    navRefs.current.get(target)?.focus();
  };

  return (
    <div className="app">
      <StoreHeader />
      <div className="app-body">
        <nav className="app-nav" aria-label="Main" onKeyDown={onNavKey}>
          <ul>
            {SCREENS.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={s.id === screen.id ? "nav-item active" : "nav-item"}
                  data-testid={`nav-${s.id}`}
                  ref={(el) => {
                    if (el) navRefs.current.set(s.id, el);
                    else navRefs.current.delete(s.id);
                  }}
                  aria-keyshortcuts={`Alt+${SCREENS.indexOf(s) + 1}`}
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
