// The HTML report in headless Chromium: it renders its text and charts, logs no console
// error, and fetches nothing but the file itself (inline CSS and SVG, no scripts).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const cli = join(targetDir, "debug/hindsight");
const chromedriver = "/usr/bin/chromedriver";

let driver;
let session;
let htmlUrl;

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

before(async () => {
  assert.ok(existsSync(cli), `build the CLI first: ${cli} is missing`);
  assert.ok(existsSync(chromedriver), "install chromium and chromium-driver (scripts/lib.sh TEST_PACKAGES)");
  const work = mkdtempSync(join(tmpdir(), "hindsight-report-html-"));
  const db = join(work, "h.sqlite");
  const demo = join(root, "fixtures/demo");
  const files = readdirSync(demo).sort().map((f) => join(demo, f));
  execFileSync(cli, ["--db", db, "ingest", ...files], { stdio: "ignore" });
  const html = join(work, "report.html");
  execFileSync(cli, ["--db", db, "report", "html", "--out", html, "--generated-at", "2026-11-26T12:00:00Z"]);
  htmlUrl = pathToFileURL(html).href;

  const port = await freePort();
  driver = await startDriver({ port, command: chromedriver, args: [`--port=${port}`] });
  session = await Session.withCapabilities(driver.base, {
    browserName: "chrome",
    "goog:chromeOptions": {
      binary: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${mkdtempSync(join(work, "profile-"))}`,
      ],
    },
    "goog:loggingPrefs": { browser: "ALL", performance: "ALL" },
  });
});

after(async () => {
  try {
    if (session) await session.delete();
  } finally {
    await driver?.stop();
  }
});

test("the HTML report renders offline with no console errors and no requests", async () => {
  await session.setWindowRect({ width: 1280, height: 2400 });
  // Start from a blank page and drop what the browser logged while starting (its own new-tab
  // page loads chrome:// resources), so the logs below belong to the report alone.
  await session.navigate("about:blank");
  await session.logs("browser");
  await session.logs("performance");
  await session.navigate(htmlUrl);
  const title = await session.execute("return document.title;");
  assert.equal(title, "Hindsight deep-dive report");
  const text = await session.execute("return document.body.innerText;");
  for (const expected of ["Scope", "Sources ingested", "pagerduty-incidents.json", "AI vs human, held fixed", "Recovery by trigger cohort"]) {
    assert.ok(text.includes(expected), `rendered text has ${expected}`);
  }
  // The charts are drawn: failure-rate bars, the forest plot, the recovery strip plot.
  const charts = await session.execute(
    "return ['figure.chart svg rect.bar', 'figure.stratified svg', 'figure.recovery svg circle.dot'].map((s) => document.querySelectorAll(s).length);",
  );
  assert.ok(charts[0] > 0 && charts[1] === 1 && charts[2] > 0, `charts drawn: ${charts}`);
  const bar = await session.execute("const r = document.querySelector('rect.bar').getBoundingClientRect(); return [r.width, r.height];");
  assert.ok(bar[0] > 0, "a bar has a width");
  assert.equal(await session.execute("return document.scripts.length;"), 0, "no scripts");

  const browser = await session.logs("browser");
  const severe = browser.filter((e) => e.level === "SEVERE");
  assert.deepEqual(severe, [], "no console errors");

  const performance = await session.logs("performance");
  const requests = performance
    .map((e) => JSON.parse(e.message).message)
    .filter((m) => m.method === "Network.requestWillBeSent")
    .map((m) => m.params.request.url);
  assert.ok(requests.includes(htmlUrl), `the file itself was loaded: ${requests}`);
  assert.deepEqual(
    requests.filter((url) => url !== htmlUrl),
    [],
    "nothing but the file is requested",
  );

  mkdirSync(join(root, "docs/screenshots"), { recursive: true });
  writeFileSync(join(root, "docs/screenshots/report-html.png"), Buffer.from(await session.screenshot(), "base64"));
});
