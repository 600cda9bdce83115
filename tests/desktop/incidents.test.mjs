// End-to-end: the real Hindsight window on the bundled demo data, driven over WebDriver.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { Session, openIncident, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const application = join(targetDir, "debug/hindsight-desktop");
const artifacts = join(root, "test-artifacts");
const truth = JSON.parse(readFileSync(join(root, "fixtures/demo-truth.json"), "utf8"));

let driver;
let session;
let demoDb;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application} is missing`);
  mkdirSync(artifacts, { recursive: true });
  // A fresh data directory: the app seeds its demo database there on first start.
  const home = mkdtempSync(join(tmpdir(), "hindsight-e2e-"));
  demoDb = join(home, "data/hindsight/demo.sqlite");
  driver = await startDriver({ env: { ...process.env, XDG_DATA_HOME: join(home, "data") } });
  session = await Session.create(driver.base, application);
});

after(async () => {
  try {
    if (session) await session.delete();
  } finally {
    await driver?.stop();
  }
});

test("the window lists the demo incidents", async () => {
  const rows = await session.waitFor('[data-testid="incident-row"]', { min: truth.incidents.length });
  assert.equal(rows.length, truth.incidents.length);
  const texts = await Promise.all(rows.map((r) => session.text(r)));
  const all = texts.join("\n");
  for (const service of new Set(truth.incidents.map((i) => i.service))) {
    assert.match(all, new RegExp(service), `an incident of ${service} is listed`);
  }
  writeFileSync(join(artifacts, "incidents.png"), Buffer.from(await session.screenshot(), "base64"));
});

test("selecting the agent incident shows the operation and AI attribution of suspects", async () => {
  const agentIncident = truth.incidents.find((i) => i.cause === "operation");
  assert.ok(agentIncident, "the demo has an incident caused by an agent operation");
  // Rows are clicked through their first cell: WebKitWebDriver does not click table rows.
  const rows = await session.waitFor('[data-testid="incident-row"]');
  let target;
  for (const [index, row] of rows.entries()) {
    if ((await session.text(row)).includes(agentIncident.service)) {
      const { detail } = await openIncident(session, index);
      if ((await session.text(detail)).includes(agentIncident.incident_id)) {
        target = detail;
        break;
      }
    }
  }
  assert.ok(target, `incident ${agentIncident.incident_id} can be opened`);
  const suspects = await session.waitFor('[data-testid="suspect"]');
  const first = await session.text(suspects[0]);
  assert.match(first, /ops-agent/);
  assert.match(first, /no approval recorded/);
  writeFileSync(join(artifacts, "incident-detail.png"), Buffer.from(await session.screenshot(), "base64"));

  // Some incident's suspect shipped an AI-attributed change, shown with its tool.
  const classes = [];
  for (const index of rows.keys()) {
    await openIncident(session, index);
    for (const change of await session.findAll('[data-testid="change-row"]')) {
      classes.push(await session.attribute(change, "data-class"));
    }
  }
  assert.ok(classes.includes("ai"), `some suspect change is AI: ${classes}`);
  assert.ok(classes.includes("human"), `some suspect change is human: ${classes}`);
});

/** Runs the CLI against the database the window uses. */
function cli(...args) {
  const out = execFileSync(join(targetDir, "debug/hindsight"), ["--db", demoDb, "--json", ...args], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

async function shoot(name) {
  writeFileSync(join(artifacts, `${name}.png`), Buffer.from(await session.screenshot(), "base64"));
}

test("a reviewer confirms a suspect link with a reason, and it is stored", async () => {
  const { incidentId } = await openIncident(session, 0);
  // The suspects sit below the deep-dive timeline: wait until it has loaded (it moves them),
  // then scroll to them, as WebKitWebDriver does not scroll the pane.
  await session.waitFor('[data-testid="deep-dive-event"]');
  const [confirm] = await session.waitFor('[data-testid="suspect"] [data-testid="review-confirm"]');
  await session.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;", [
    '[data-testid="suspect"] [data-testid="review-confirm"]',
  ]);
  // Only the pane scrolled: the window itself never does (a visually hidden label deep in the
  // pane once made it as tall as the pane's content, and this scroll moved the header away).
  const page = await session.execute(
    "const d = document.scrollingElement; return [d.scrollTop, d.scrollHeight - d.clientHeight];",
  );
  assert.deepEqual(page, [0, 0], "the window's own scroll position and overflow");
  await session.click(confirm);
  const [reason] = await session.waitFor('[data-testid="review-reason"]');
  await session.type(reason, "rolled back at 15:32 and the errors stopped");
  await session.click((await session.waitFor('[data-testid="review-submit"]'))[0]);
  const [outcome] = await session.waitFor('[data-testid="review-outcome"]');
  assert.match(await session.text(outcome), /rolled back at 15:32/);
  await shoot("incident-review");

  const stored = cli("incident", String(incidentId));
  const top = stored.suspects.find((s) => s.rank === 1);
  assert.equal(top.status, "confirmed");
  assert.equal(top.review.reason, "rolled back at 15:32 and the errors stopped");
});

test("a reviewer overrides a change's attribution from the Changes screen, then undoes it", async () => {
  await session.click((await session.waitFor('[data-testid="nav-changes"]'))[0]);
  const [filter] = await session.waitFor('[data-testid="changes-filter"]');
  await session.type(filter, "retry idempotent payment capture");
  // The filter narrows 200 changes to the one commit.
  const rows = await session.waitFor('[data-testid="change-list"] [data-testid="change-row"]', { exact: 1 });
  assert.equal(await session.attribute(rows[0], "data-class"), "ai");
  await session.click((await session.within(rows[0], "td"))[0]);
  const [detail] = await session.waitFor('[data-testid="change-detail"]');
  const changeId = await session.attribute(detail, "data-change-id");
  await shoot("changes");

  const [cls] = await session.waitFor('[data-testid="override-class"]');
  await session.click((await session.within(cls, 'option[value="human"]'))[0]);
  await session.type((await session.waitFor('[data-testid="override-reason"]'))[0], "written by hand, the trailer was a template");
  await session.click((await session.waitFor('[data-testid="override-submit"]'))[0]);
  const [note] = await session.waitFor('[data-testid="override-note"]');
  assert.match(await session.text(note), /written by hand/);

  const key = cli("changes").find((c) => String(c.id) === changeId).natural_key;
  const explained = cli("attribution", "explain", key);
  assert.equal(explained.change.class, "human");
  assert.equal(explained.overrides.length, 1);

  await session.click((await session.waitFor('[data-testid="override-undo"]'))[0]);
  await session.waitFor('[data-testid="change-detail"]');
  for (let i = 0; i < 50 && cli("attribution", "explain", key).change.class !== "ai"; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(cli("attribution", "explain", key).change.class, "ai", "undo restores the evidence's class");
});

test("the import and report screens render", async () => {
  await session.click((await session.waitFor('[data-testid="nav-import"]'))[0]);
  await session.waitFor('[data-testid="import-choose"]');
  await shoot("import");
  await session.click((await session.waitFor('[data-testid="nav-report"]'))[0]);
  const [preview] = await session.waitFor('[data-testid="report-preview"]');
  for (let i = 0; i < 50 && !(await session.text(preview)).includes("# Hindsight deep-dive report"); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(await session.text(preview), /Payments authorisation failures above 50% in production/);
  await shoot("report");
});

test("the timeline explorer filters every source's events by search text", async () => {
  await session.click((await session.waitFor('[data-testid="nav-timeline"]'))[0]);
  await session.waitFor('[data-testid="timeline-row"]');
  const [search] = await session.waitFor('[data-testid="timeline-search"]');
  await session.type(search, "recreate");
  // The search is debounced: wait for the answer to the whole word.
  const [status] = await session.waitFor('[data-testid="timeline-status"]');
  for (let i = 0; i < 100 && !/^1 event\b/.test(await session.text(status)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(await session.text(status), /^1 event\b/);
  const rows = await session.waitFor('[data-testid="timeline-row"]', { exact: 1 });
  assert.match(await session.property(rows[0], "textContent"), /recreate/);
  assert.equal(await session.attribute(rows[0], "data-source"), "deployment");
  await shoot("timeline");
});

test("the timeline's time brush narrows the list to a window and clears", async () => {
  await session.click((await session.waitFor('[data-testid="timeline-clear"]'))[0]);
  const [status] = await session.waitFor('[data-testid="timeline-status"]');
  const total = async () => Number((/^([\d,]+)\+? events?\b/.exec(await session.text(status))?.[1] ?? "NaN").replace(/,/g, ""));
  const waitForTotal = async (ok) => {
    for (let i = 0; i < 100 && !ok(await total()); i++) await new Promise((r) => setTimeout(r, 100));
    return total();
  };
  const all = await waitForTotal((n) => n > 1);
  const bars = await session.waitFor('[data-testid="time-brush-bar"]', { min: 2 });
  // The chart has answered for the cleared filters: its total is the list's.
  const [summary] = await session.waitFor('[data-testid="time-brush-summary"]');
  for (let i = 0; i < 100 && !(await session.text(summary)).startsWith(`${all} event`); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const [track] = await session.waitFor('[data-testid="time-brush-track"]');
  // ArrowRight (WebDriver key U+E014) selects the first bucket: the list narrows to it.
  await session.type(track, "\uE014");
  const [from] = await session.waitFor('[data-testid="timeline-from"]');
  for (let i = 0; i < 50 && (await session.property(from, "value")) === ""; i++) await new Promise((r) => setTimeout(r, 100));
  const first = Number(await session.attribute(bars[0], "data-count"));
  assert.ok(first > 0, "the first bucket holds the first event");
  assert.equal(await waitForTotal((n) => n === first), first);
  assert.ok(first < all, `${first} of ${all} events in the first bucket`);
  await session.waitFor('[data-testid="time-brush-selection"]');
  // Escape (U+E00C) clears the window: every event again.
  await session.type(track, "\uE00C");
  assert.equal(await waitForTotal((n) => n === all), all);
  assert.equal(await session.property(from, "value"), "");
});
