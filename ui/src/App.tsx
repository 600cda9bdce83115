import { useState, type ComponentType } from "react";
import { StoreHeader } from "./components/StoreHeader";
import { IncidentsScreen } from "./screens/incidents/IncidentsScreen";

interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

/** Left-nav entries. New screens are added here. */
export const SCREENS: readonly Screen[] = [{ id: "incidents", label: "Incidents", component: IncidentsScreen }];

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
