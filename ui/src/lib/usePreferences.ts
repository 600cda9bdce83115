import { useEffect } from "react";
import { setDisplayZone } from "./format";
import { useHost } from "./ipc";
import { applyTheme } from "./theme";

/**
 * Applies the stored theme and display zone once the window opens. A store that cannot
 * answer leaves the defaults (system theme, UTC); the screens report their own errors.
 */
export function usePreferences(): void {
  const host = useHost();
  useEffect(() => {
    let current = true;
    host.getSettings().then(
      (settings) => {
        if (!current) return;
        applyTheme(settings.theme);
        setDisplayZone(settings.display_time_zone);
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, [host]);
}
