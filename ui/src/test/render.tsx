import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { HostProvider, type Host } from "../lib/ipc";

export function renderWithHost(ui: ReactElement, host: Host) {
  return render(<HostProvider host={host}>{ui}</HostProvider>);
}
