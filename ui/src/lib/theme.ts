/** The app's theme: `system` follows prefers-color-scheme; `light`/`dark` override it. */
export type Theme = "system" | "light" | "dark";

export const THEMES: readonly Theme[] = ["system", "light", "dark"];

export function isTheme(value: string): value is Theme {
  return (THEMES as readonly string[]).includes(value);
}

/** Sets `data-theme` on <html> (theme.css), or removes it for `system`. */
export function applyTheme(theme: string, root: HTMLElement = document.documentElement): void {
  if (theme === "light" || theme === "dark") {
    root.dataset["theme"] = theme;
  } else {
    delete root.dataset["theme"];
  }
}
