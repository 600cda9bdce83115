// End-to-end: the real Hindsight window on the bundled demo data, driven over WebDriver.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const application = join(targetDir, "debug/hindsight-desktop");
const artifacts = join(root, "test-artifacts");
const truth = JSON.parse(readFileSync(join(root, "fixtures/demo-truth.json"), "utf8"));

let driver;
let session;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application} is missing`);
  mkdirSync(artifacts, { recursive: true });
  // A fresh data directory: the app seeds its demo database there on first start.
  const home = mkdtempSync(join(tmpdir(), "hindsight-e2e-"));
  driver = await startDriver({ env: { ...process.env, XDG_DATA_HOME: join(home, "data") } });
  session = await Session.create(driver.base, application);
});

after(async () => {
  try {
    if (session) await session.delete();
  } finally {
    driver?.child.kill();
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
  const cells = await session.waitFor('[data-testid="incident-row"] td:first-child');
  const rows = await session.findAll('[data-testid="incident-row"]');
  let target;
  for (const [index, row] of rows.entries()) {
    if ((await session.text(row)).includes(agentIncident.service)) {
      await session.click(cells[index]);
      const detail = (await session.waitFor('[data-testid="incident-detail"]'))[0];
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
  assert.match(first, /no approval was recorded/);
  writeFileSync(join(artifacts, "incident-detail.png"), Buffer.from(await session.screenshot(), "base64"));

  // Some incident's suspect shipped an AI-attributed change, shown with its tool.
  const classes = [];
  for (const cell of await session.findAll('[data-testid="incident-row"] td:first-child')) {
    await session.click(cell);
    await session.waitFor('[data-testid="incident-detail"]');
    for (const change of await session.findAll('[data-testid="change-row"]')) {
      classes.push(await session.attribute(change, "data-class"));
    }
  }
  assert.ok(classes.includes("ai"), `some suspect change is AI: ${classes}`);
  assert.ok(classes.includes("human"), `some suspect change is human: ${classes}`);
});
