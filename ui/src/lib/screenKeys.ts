/**
 * The screen a key press switches to: Alt+1 … Alt+9 pick the n-th screen of the left bar;
 * `null` for any other key.
 */
export function screenForKey(
  event: { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean; code?: string },
  screenIds: readonly string[],
): string | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  // `code` keeps Alt+digit working on layouts where Alt changes the character.
  const digit = /^Digit([1-9])$/.exec(event.code ?? "")?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : null);
  if (digit === null) return null;
  return screenIds[Number(digit) - 1] ?? null;
}

/** ↑/↓/Home/End within the left bar: the screen to focus next, `null` for other keys. */
export function navTarget(key: string, screenIds: readonly string[], current: string): string | null {
  const index = screenIds.indexOf(current);
  switch (key) {
    case "ArrowDown":
      return screenIds[Math.min(index + 1, screenIds.length - 1)] ?? null;
    case "ArrowUp":
      return screenIds[Math.max(index - 1, 0)] ?? null;
    case "Home":
      return screenIds[0] ?? null;
    case "End":
      return screenIds[screenIds.length - 1] ?? null;
    default:
      return null;
  }
}
