import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The UI lives in ui/; scripts in the root package.json point here with --config.
const uiRoot = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: uiRoot,
  // Relative asset URLs so the bundle loads from Tauri's custom protocol.
  base: "./",
  clearScreen: false,
  // Keep Vite/Vitest caches in the root node_modules, not ui/node_modules.
  cacheDir: "../node_modules/.vite",
  // Tauri exposes TAURI_ENV_* to the frontend build.
  envPrefix: ["VITE_", "TAURI_ENV_"],
  oxc: {
    jsx: { runtime: "automatic" },
  },
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    root: uiRoot,
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
