// End-to-end: a reviewer classes an incident as not caused by a change in the real window;
// the CLI reads the decision from the same store; undo takes it back.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { Session, openIncident, startDriver } from "./webdriver.mjs";

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
  const home = mkdtempSync(join(tmpdir(), "hindsight-e2e-groups-"));
  demoDb = join(home, "data/hindsight/demo.sqlite");
  // Own ports, so this file can run next to the other desktop tests.
  driver = await startDriver({
    port: 4460,
    nativePort: 4461,
    env: { ...process.env, XDG_DATA_HOME: join(home, "data") },
  });
  session = await Session.create(driver.base, application);
});

after(async () => {
  try {
    if (session) await session.delete();
  } finally {
    driver?.child.kill();
  }
});

function cli(...args) {
  const out = execFileSync(join(targetDir, "debug/hindsight"), ["--db", demoDb, "--json", ...args], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("a reviewer marks an incident not change-caused with a reason, then undoes it", async () => {
  const { incidentId } = await openIncident(session, 0);
  const before = cli("incident", String(incidentId)).incident.cause;
  assert.ok(before === null || before.review === null, "no reviewer decision yet");

  await session.click((await session.waitFor('[data-testid="cause-open"]'))[0]);
  const [category] = await session.waitFor('[data-testid="cause-category"]');
  await session.click((await session.within(category, 'option[value="hardware"]'))[0]);
  await session.type((await session.waitFor('[data-testid="group-cause-reason"]'))[0], "a disk controller failed");
  await session.click((await session.waitFor('[data-testid="group-cause-submit"]'))[0]);
  await session.waitFor('[data-testid="undo-cause"]');
  const [shown] = await session.waitFor('[data-testid="cause"]');
  assert.match(await session.text(shown), /Not caused by a change: hardware: "a disk controller failed"/);
  writeFileSync(join(artifacts, "incident-cause.png"), Buffer.from(await session.screenshot(), "base64"));

  const stored = cli("incident", String(incidentId)).incident.cause;
  assert.equal(stored.not_change_caused, true);
  assert.equal(stored.category, "hardware");
  assert.equal(stored.decided_by, "reviewer");
  assert.equal(stored.review.reason, "a disk controller failed");
  assert.ok(stored.review.reviewer.length > 0, "who is kept");
  assert.match(stored.review.at, /^\d{4}-\d{2}-\d{2}T/);

  await session.click((await session.waitFor('[data-testid="undo-cause"]'))[0]);
  await session.waitFor('[data-testid="cause-open"]');
  await until(() => {
    const cause = cli("incident", String(incidentId)).incident.cause;
    return cause === null || cause.review === null;
  }, "the undo to reach the store");
  assert.deepEqual(cli("incident", String(incidentId)).incident.cause, before);
});
