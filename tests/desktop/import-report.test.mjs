// End-to-end on an EMPTY store: import the demo data through the Import screen, annotate an
// incident's deep-dive (star, key moment, note, undo), and export an HTML report to a file.
// Native GTK dialogs cannot be driven over WebDriver, so the test answers them through the
// Tauri host's test seam, `window.__HINDSIGHT_E2E__` (see ARCHITECTURE.md).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { Session, openIncident, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const application = join(targetDir, "debug/hindsight-desktop");
const artifacts = join(root, "test-artifacts");
const demoDir = join(root, "fixtures/demo");
const truth = JSON.parse(readFileSync(join(root, "fixtures/demo-truth.json"), "utf8"));

let driver;
let session;
let home;
let db;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application} is missing`);
  mkdirSync(artifacts, { recursive: true });
  home = mkdtempSync(join(tmpdir(), "hindsight-e2e-import-"));
  db = join(home, "empty.sqlite");
  // Its own ports: node --test runs the desktop test files side by side.
  driver = await startDriver({
    port: 4450,
    nativePort: 4451,
    env: { ...process.env, HINDSIGHT_DB: db, XDG_DATA_HOME: join(home, "data") },
  });
  session = await Session.create(driver.base, application);
});

after(async () => {
  try {
    if (session) await session.delete();
  } finally {
    await driver?.stop();
  }
});

async function shoot(name) {
  writeFileSync(join(artifacts, `${name}.png`), Buffer.from(await session.screenshot(), "base64"));
}

/** Answers the next native dialogs with these values instead of opening them. */
function planDialogs(answers) {
  return session.execute("window.__HINDSIGHT_E2E__ = arguments[0]; return true;", [answers]);
}

/** Scrolls the first element matching `css` into the middle of its scroll container. */
async function reveal(css, block = "center") {
  await session.execute(
    "document.querySelector(arguments[0]).scrollIntoView({block: arguments[1]}); return true;",
    [css, block],
  );
  return (await session.waitFor(css))[0];
}

/** Scrolls to the first element matching `css` and clicks it. */
async function press(css) {
  await session.click(await reveal(css));
}

async function until(what, check, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

/** Reads the window's database with sqlite3 (the app keeps it open in WAL mode). */
function sql(query) {
  return execFileSync("sqlite3", ["-json", db, query], { encoding: "utf8" }).trim();
}

test("an empty store: the demo data is imported through the Import screen", async () => {
  const empty = await session.waitFor('[data-testid="incidents-empty"], [data-testid="incident-row"]');
  assert.equal(await session.attribute(empty[0], "data-testid"), "incidents-empty", "the store starts empty");

  await session.click((await session.waitFor('[data-testid="nav-import"]'))[0]);
  const files = readdirSync(demoDir)
    .sort()
    .map((name) => join(demoDir, name));
  await planDialogs({ open: files });
  await session.click((await session.waitFor('[data-testid="import-choose"]'))[0]);
  const rows = await session.waitFor('[data-testid="import-file"]', { exact: files.length, timeoutMs: 120000 });
  for (const row of rows) {
    assert.equal(await session.attribute(row, "data-status"), "stored", await session.text(row));
  }
  assert.match(await session.text((await session.waitFor('[data-testid="import-summary"]'))[0]), new RegExp(`^${files.length} files`));
  await session.waitFor('[data-testid="run-row"]', { exact: files.length });
  await shoot("import-done");

  await session.click((await session.waitFor('[data-testid="nav-incidents"]'))[0]);
  const incidents = await session.waitFor('[data-testid="incident-row"]', { exact: truth.incidents.length });
  assert.equal(incidents.length, truth.incidents.length);
});

test("an incident's deep-dive: star, key moment, note and undo are stored with who and when", async () => {
  const { incidentId } = await openIncident(session, 0);
  await session.waitFor('[data-testid="impact-band"]');
  const events = await session.waitFor('[data-testid="deep-dive-event"]');
  const sources = await Promise.all(events.map((e) => session.attribute(e, "data-source")));
  assert.ok(sources.includes("deployment"), `a deployment is on the merged timeline: ${sources}`);

  // Star the first deployment.
  const deployment = events[sources.indexOf("deployment")];
  const deploymentKey = await session.attribute(deployment, "data-event-key");
  await press(`[data-event-key="${deploymentKey}"] [data-testid="event-star"]`);
  await until("the star", async () => {
    const [row] = await session.findAll(`[data-event-key="${deploymentKey}"][data-starred="true"]`);
    return row;
  });

  // Mark the first event as the detection.
  const [first] = await session.waitFor('[data-testid="deep-dive-event"]');
  const firstKey = await session.attribute(first, "data-event-key");
  await reveal(`[data-event-key="${firstKey}"] [data-testid="event-moment"]`);
  await session.click(
    (await session.waitFor(`[data-event-key="${firstKey}"] [data-testid="event-moment"] option[value="detection"]`))[0],
  );
  const [moment] = await session.waitFor('[data-testid="key-moments"] [data-moment="detection"]');
  await until("the key moment", async () => !(await session.text(moment)).includes("not marked"));

  // A note on the incident, then undo it.
  await session.type(await reveal('[data-testid="incident-note-input"]'), "paged 20 minutes after the first alert");
  await press('[data-testid="incident-note-add"]');
  const [notes] = await session.waitFor('[data-testid="incident-notes"]');
  await until("the note", async () => (await session.text(notes)).includes("paged 20 minutes"));
  await reveal('[data-testid="deep-dive"]', "start");
  await sleep(500); // the next frame is painted before the screenshot
  await shoot("incident-deep-dive");
  await press('[data-testid="annotation-undo"]');
  await until("the undo", async () => !(await session.text(notes)).includes("paged 20 minutes"));

  const stored = JSON.parse(
    sql(
      "SELECT a.event_key, a.kind, a.value, a.author, a.created_at, a.undone_at, a.undone_by " +
        "FROM incident_annotations a JOIN incidents i ON i.source_system = a.incident_source_system " +
        `AND i.source_id = a.incident_source_id WHERE i.id = ${incidentId} ORDER BY a.id`,
    ),
  );
  assert.deepEqual(
    stored.map((r) => [r.kind, r.event_key, r.value, r.undone_at === null]),
    [
      ["star", deploymentKey, "on", true],
      ["moment", firstKey, "detection", true],
      ["note", null, "paged 20 minutes after the first alert", false],
    ],
  );
  for (const row of stored) {
    assert.ok(row.author.length > 0, "every edit names who made it");
    assert.match(row.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(stored[2].undone_by, stored[2].author, "the undo names who undid it");
});

test("the report is exported as HTML to the chosen file", async () => {
  const out = join(home, "exports", "hindsight-report.html");
  mkdirSync(join(home, "exports"), { recursive: true });
  await planDialogs({ save: out });
  await session.click((await session.waitFor('[data-testid="nav-report"]'))[0]);
  await session.waitFor('[data-testid="report-preview"]');
  await session.click((await session.waitFor('[data-testid="report-save-html"]'))[0]);
  const [saved] = await session.waitFor('[data-testid="report-saved"]', { timeoutMs: 60000 });
  assert.match(await session.text(saved), /hindsight-report\.html/);
  await shoot("report-saved");
  const html = readFileSync(out, "utf8");
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.match(html, /<\/html>\s*$/);
  for (const incident of truth.incidents) {
    assert.ok(html.includes(incident.incident_id), `the report names incident ${incident.incident_id}`);
  }
  assert.ok(!/<script/i.test(html), "the report carries no script");
  assert.match(html, /Key moments: <strong>detection<\/strong>/, "the key moment marked above is reported");
});

test("every format is saved into the chosen folder from one build of the report", async () => {
  const dir = join(home, "meeting");
  mkdirSync(dir, { recursive: true });
  await planDialogs({ open: [dir] });
  await session.click((await session.waitFor('[data-testid="nav-report"]'))[0]);
  await session.waitFor('[data-testid="report-preview"]');
  await session.click((await session.waitFor('[data-testid="report-save-all"]'))[0]);
  // The HTML test's "Saved to" line gives way to the folder's once every file is written.
  let said = "";
  for (const deadline = Date.now() + 60000; !/files to/.test(said) && Date.now() < deadline; await sleep(200)) {
    const found = await session.findAll('[data-testid="report-saved"]').catch(() => []);
    said = found.length > 0 ? await session.text(found[0]).catch(() => "") : "";
  }
  assert.match(said, /^Saved 20 files to .*meeting/);
  assert.deepEqual(readdirSync(dir).sort(), ["csv", "parquet", "report.html", "report.json", "report.md", "report.pdf"]);
  assert.equal(readdirSync(join(dir, "csv")).length, 8);
  assert.ok(readFileSync(join(dir, "report.pdf")).subarray(0, 5).equals(Buffer.from("%PDF-")));
  assert.ok(readFileSync(join(dir, "parquet", "cohorts.parquet")).subarray(0, 4).equals(Buffer.from("PAR1")));
  const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  assert.equal(json.incidents.length, truth.incidents.length);
  assert.match(readFileSync(join(dir, "report.md"), "utf8"), /^# /);
});
