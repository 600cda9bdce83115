#!/usr/bin/env bash
# Measures the desktop app with a large store open: cold start to first paint (from the
# WebDriver session request, which launches the app, to the first screen's content being in
# the DOM) and resident memory (VmRSS from /proc of the app and its WebKit processes).
#
#   scripts/bench-app.sh [STORE.sqlite]
#
# Without a store, one with 1,000,000 events is generated first by the timeline benchmark
# (`cargo bench --bench events`, a release build of the benchmark only). Set
# HINDSIGHT_BENCH_SCALE=0.01 for a quick run. The app is the debug build the tests use
# (`cargo build --workspace`) unless HINDSIGHT_BENCH_APP names another binary, such as the
# release build `npm run bundle` leaves in target/release/hindsight-desktop.
# Targets (issue 7): start under 2 s, memory under 400 MB.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
APP="${HINDSIGHT_BENCH_APP:-$TARGET/debug/hindsight-desktop}"
STORE="${1:-}"
if [ -z "$STORE" ]; then
  STORE="$ROOT/test-artifacts/bench-events.sqlite"
  mkdir -p "$(dirname "$STORE")"
  if [ ! -f "$STORE" ]; then
    log "generating the benchmark store $STORE"
    HINDSIGHT_BENCH_DB="$STORE" cargo bench -p hindsight-tests --bench events
  fi
fi
[ -f "$STORE" ] || { echo "no store at $STORE" >&2; exit 1; }
if [ ! -x "$APP" ]; then
  build_ui
  log "building the desktop app"
  cargo build --workspace
fi
command -v tauri-driver >/dev/null || { echo "tauri-driver is missing: cargo install tauri-driver --locked" >&2; exit 1; }

export HINDSIGHT_BENCH_APP="$APP" HINDSIGHT_DB="$STORE"
xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24" node --input-type=module - <<'JS'
import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Session, startDriver } from "./tests/desktop/webdriver.mjs";

const app = process.env.HINDSIGHT_BENCH_APP;
const driver = await startDriver({ port: 4452, nativePort: 4453 });
let session;
try {
  const started = performance.now();
  session = await Session.create(driver.base, app);
  const created = performance.now();
  const first = '[data-testid="incident-row"], [data-testid="incidents-empty"], [role="alert"]';
  while ((await session.findAll(first)).length === 0) await sleep(10);
  const painted = performance.now();
  await sleep(2000); // let the first screen settle before reading memory
  // VmRSS counts every shared page (GTK, WebKit's libraries) once per process; Pss splits
  // each shared page among the processes that map it, so the sum is what the app costs.
  const kb = (path, field) => {
    try {
      const line = readFileSync(path, "utf8").split("\n").find((l) => l.startsWith(field));
      return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const rss = (pid) => kb(`/proc/${pid}/status`, "VmRSS:");
  const pss = (pid) => kb(`/proc/${pid}/smaps_rollup`, "Pss:");
  const procs = readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
        return { pid, ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "" };
      } catch {
        return { pid, ppid: "", cmd: "" };
      }
    });
  // This run's app (the newest with that path) and the WebKit processes it spawned.
  const appProc = procs.filter((p) => p.cmd === app).sort((a, b) => Number(b.pid) - Number(a.pid)).slice(0, 1);
  const mine = new Set(appProc.map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  const web = procs.filter((p) => mine.has(p.pid) && !appProc.includes(p));
  const appMb = appProc.reduce((sum, p) => sum + rss(p.pid), 0);
  const webMb = web.reduce((sum, p) => sum + rss(p.pid), 0);
  const appPss = appProc.reduce((sum, p) => sum + pss(p.pid), 0);
  const webPss = web.reduce((sum, p) => sum + pss(p.pid), 0);
  const total = await session.execute("return document.querySelectorAll('[data-testid=\"incident-row\"]').length");
  console.log(`store: ${process.env.HINDSIGHT_DB}`);
  console.log(`cold start to first paint: ${((painted - started) / 1000).toFixed(2)} s (session ${((created - started) / 1000).toFixed(2)} s; target under 2 s)`);
  console.log(`resident memory (VmRSS, shared pages counted per process): app ${appMb.toFixed(0)} MB + WebKit ${webMb.toFixed(0)} MB = ${(appMb + webMb).toFixed(0)} MB`);
  console.log(`proportional memory (Pss, shared pages split): app ${appPss.toFixed(0)} MB + WebKit ${webPss.toFixed(0)} MB = ${(appPss + webPss).toFixed(0)} MB (target under 400 MB)`);
  console.log(`incident rows on the first screen: ${total}`);
} finally {
  if (session) await session.delete();
  driver.child.kill();
}
JS
