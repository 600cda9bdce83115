// End-to-end: the Analytics and Settings screens of the real window on the bundled demo data.
// A new link window is saved, survives a reload and steers the links the CLI reads from the
// same database; an edited what-if rule is replayed by the backend.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const application = join(targetDir, "debug/hindsight-desktop");
const artifacts = join(root, "test-artifacts");

let driver;
let session;
let demoDb;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application} is missing`);
  mkdirSync(artifacts, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), "hindsight-e2e-settings-"));
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

async function eventually(read, accept, what) {
  let last;
  for (let i = 0; i < 100; i++) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: last seen ${JSON.stringify(last)}`);
}

async function replaceValue(element, text) {
  await session.cmd("POST", `/element/${element}/clear`, {});
  await session.type(element, text);
}

/** Every suspect of every incident, as the CLI reads them from the window's database. */
function suspectCount() {
  return cli("incidents").reduce((n, i) => n + cli("incident", String(i.id)).suspects.length, 0);
}

test("a new link window is saved, survives a reload and narrows the suspects", async () => {
  await session.waitFor('[data-testid="incident-row"]');
  const before = suspectCount();
  assert.ok(before > 0, "the demo has suspects");

  await session.click((await session.waitFor('[data-testid="nav-settings"]'))[0]);
  const [window] = await session.waitFor('[data-testid="link-window"]');
  assert.equal(await session.property(window, "value"), "72");
  await replaceValue(window, "1");
  await session.click((await session.waitFor('[data-testid="settings-save"]'))[0]);
  const [saved] = await session.waitFor('[data-testid="settings-saved"]');
  assert.match(await session.text(saved), /recomputed/);
  await shoot("settings");

  const after = suspectCount();
  assert.ok(after < before, `a 1-hour window leaves fewer suspects than 72 hours (${after} < ${before})`);

  await session.cmd("POST", "/refresh", {});
  await session.click((await session.waitFor('[data-testid="nav-settings"]'))[0]);
  const [reloaded] = await session.waitFor('[data-testid="link-window"]');
  await eventually(() => session.property(reloaded, "value"), (v) => v === "1", "the link window after a reload");

  // Back to the default, so the analytics below see the demo's usual links.
  await replaceValue(reloaded, "72");
  await session.click((await session.waitFor('[data-testid="settings-save"]'))[0]);
  await session.waitFor('[data-testid="settings-saved"]');
  assert.equal(suspectCount(), before);
});

test("the analytics screen draws the cohorts and replays an edited what-if rule", async () => {
  await session.click((await session.waitFor('[data-testid="nav-analytics"]'))[0]);
  const bars = await session.waitFor('[data-testid="cohort-chart-row"]', { min: 2 });
  const cohorts = await Promise.all(bars.map((b) => session.attribute(b, "data-cohort")));
  assert.ok(cohorts.includes("ai") && cohorts.includes("human"), `cohorts: ${cohorts}`);
  await session.waitFor('[data-testid="cohort-chart-interval"]');
  await session.waitFor('[data-testid="dora-cfr"]');
  await session.waitFor('[data-testid="recovery-row"]');
  await shoot("analytics");

  const [hours] = await session.waitFor('[data-testid="what-if-hours"]');
  const first = Number(await session.text(hours));
  assert.ok(first > 0, "the senior-approval guardrail adds review time on the demo");
  const [delay] = await session.waitFor('[data-testid="policy-rule"] [data-testid="rule-delay"]');
  assert.equal(await session.property(delay, "value"), "4");
  await replaceValue(delay, "8");
  const doubled = await eventually(
    async () => Number(await session.text((await session.findAll('[data-testid="what-if-hours"]'))[0])),
    (v) => Math.abs(v - 2 * first) < 0.11,
    "the replayed review time with an 8-hour delay",
  );
  assert.ok(doubled > first);
  await session.waitFor('[data-testid="what-if-table"]');
  await session.cmd("POST", "/execute/sync", {
    script: "document.querySelector('[data-testid=\"what-if-table\"]').scrollIntoView({ block: 'center' });",
    args: [],
  });
  await shoot("analytics-what-if");
});

test("the import screen listens for dropped files without an error", async () => {
  await session.click((await session.waitFor('[data-testid="nav-import"]'))[0]);
  await session.waitFor('[data-testid="drop-zone"]');
  // Subscribing to the window's drag-and-drop events needs the event permission.
  await new Promise((r) => setTimeout(r, 500));
  const alerts = await session.findAll('[role="alert"]');
  const texts = await Promise.all(alerts.map((a) => session.text(a)));
  assert.deepEqual(texts, []);
  await shoot("import");
});

test("the dark theme is stored and applied again after a reload", async () => {
  const theme = () => session.cmd("POST", "/execute/sync", { script: "return document.documentElement.dataset.theme ?? null;", args: [] });
  await session.click((await session.waitFor('[data-testid="nav-settings"]'))[0]);
  await session.waitFor('[data-testid="service-list"]');
  await session.click((await session.waitFor('[data-testid="theme-dark"]'))[0]);
  await eventually(theme, (t) => t === "dark", "the theme after choosing dark");
  await session.cmd("POST", "/refresh", {});
  await session.waitFor('[data-testid="incident-row"]');
  await eventually(theme, (t) => t === "dark", "the theme after a reload");
  // The real WebKit picks the dark colour of each light-dark() pair.
  const background = () =>
    session.cmd("POST", "/execute/sync", { script: "return getComputedStyle(document.body).backgroundColor;", args: [] });
  await eventually(background, (c) => c === "rgb(22, 25, 29)", "the dark background");
  await shoot("incidents-dark");
  await session.click((await session.waitFor('[data-testid="nav-settings"]'))[0]);
  // The service list loads after the form and moves the theme buttons down: click once it is in.
  await session.waitFor('[data-testid="service-list"]');
  await session.click((await session.waitFor('[data-testid="theme-system"]'))[0]);
  await eventually(theme, (t) => t === null, "the theme back on the system's");
  await eventually(background, (c) => c === "rgb(255, 255, 255)", "the light background of a light system");
});
