import type { KeyboardEvent } from "react";

/**
 * Keyboard handling of a selectable list (incident list, change table):
 * ↑/↓/Home/End move the selection, Enter/Space open the selected row.
 */
export function gridKeyHandler(
  ids: readonly number[],
  selectedId: number | null,
  onSelect: (id: number) => void,
  onOpen: (id: number) => void,
) {
  return (event: KeyboardEvent<HTMLElement>) => {
    if (ids.length === 0) return;
    const index = selectedId === null ? -1 : ids.indexOf(selectedId);
    let next: number;
    switch (event.key) {
      case "ArrowDown":
        next = index < 0 ? 0 : Math.min(index + 1, ids.length - 1);
        break;
      case "ArrowUp":
        next = index < 0 ? 0 : Math.max(index - 1, 0);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = ids.length - 1;
        break;
      case "Enter":
      case " ": {
        const current = ids[index];
        if (current !== undefined) {
          event.preventDefault();
          onOpen(current);
        }
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    const target = ids[next];
    if (target !== undefined) onSelect(target);
  };
}

/**
 * Scrolls a list's selected row (DOM id `rowId`) into view by its first cell: a row wider than
 * its pane, scrolled itself, would also scroll the pane sideways to the row's start edge.
 * jsdom has no scrollIntoView.
 */
export function keepRowInView(table: HTMLTableElement | null, rowId: string) {
  table?.querySelector<HTMLElement>(`#${rowId} > td`)?.scrollIntoView?.({ block: "nearest" });
}
