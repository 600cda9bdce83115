import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { HostProvider } from "./lib/ipc";
import { createTauriHost } from "./lib/ipc/tauri";
import "./styles.css";
import "./theme.css";

const root = document.getElementById("root");
if (root === null) {
  throw new Error("missing #root element");
}

const host = createTauriHost();

createRoot(root).render(
  <StrictMode>
    <HostProvider host={host}>
      <App />
    </HostProvider>
  </StrictMode>,
);
