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
    await driver?.stop();
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

/** Member ids of every group, as the store counts them (each sorted, groups sorted). */
function grouping() {
  return cli("incident", "groups")
    .map((g) => g.members.map((m) => m.id).sort((a, b) => a - b))
    .sort((a, b) => a[0] - b[0]);
}

function groupOf(id) {
  return cli("incident", "groups").find((g) => g.members.some((m) => m.id === id));
}

test("a reviewer merges two incidents with a reason, splits them apart, and undoes both", async () => {
  const original = grouping();
  assert.ok(
    cli("incident", "groups").every((g) => g.decisions.length === 0),
    "no reviewer grouping decision yet",
  );
  // Its own incident (row 1), not the one the cause test uses (row 0).
  const { incidentId: a } = await openIncident(session, 1);
  const pane = `[data-testid="incident-detail"][data-incident-id="${a}"]`;
  await session.click((await session.waitFor(`${pane} [data-testid="merge-open"]`))[0]);
  const [target] = await session.waitFor(`${pane} [data-testid="merge-target"]`);
  // The first offered incident: the same service first, then nearest in time.
  const options = await session.within(target, "option");
  assert.ok(options.length > 1, "some incident is offered to merge with");
  const b = Number(await session.attribute(options[1], "value"));
  assert.notEqual(b, a);
  await session.click(options[1]);
  await session.type((await session.waitFor(`${pane} [data-testid="group-cause-reason"]`))[0], "the same outage, reported twice");
  await session.click((await session.waitFor(`${pane} [data-testid="group-cause-submit"]`))[0]);

  // The store counts the two records as one incident, with who, when and why.
  await until(() => groupOf(a).members.some((m) => m.id === b), "the merge to reach the store");
  const merged = groupOf(a);
  assert.deepEqual(merged.members.map((m) => m.id).sort((x, y) => x - y), [a, b].sort((x, y) => x - y));
  assert.equal(merged.reasons.at(-1), "merged by a reviewer");
  assert.equal(merged.decisions.length, 1);
  const [decision] = merged.decisions;
  assert.equal(decision.action, "merge");
  assert.equal(decision.incident_id, a);
  assert.equal(decision.other_id, b);
  assert.equal(decision.reason, "the same outage, reported twice");
  assert.ok(decision.reviewer.length > 0, "who is kept");
  assert.match(decision.at, /^\d{4}-\d{2}-\d{2}T/);
  assert.equal(grouping().length, original.length - 1, "one incident fewer is counted");

  // The window shows it: on the primary, the other tool's record; on the other, where it counts.
  const primary = merged.primary;
  const other = merged.members.find((m) => m.id !== primary);
  if (primary === a) {
    const [also] = await session.waitFor(`${pane} [data-testid="also-reported"]`);
    assert.equal(await session.text(also), `also reported by ${other.source_system} ${other.source_id}`);
  } else {
    const [into] = await session.waitFor(`${pane} [data-testid="merged-into"]`);
    assert.equal(await session.text(into), `Counted under incident #${primary}`);
  }
  const [row] = await session.waitFor(
    `[data-testid="incident-row"][data-incident-id="${other.id}"] [data-testid="row-merged-into"]`,
  );
  assert.equal(await session.text(row), `counted under #${primary}`);
  const [shown] = await session.waitFor(`${pane} [data-testid="grouping-decision"]`);
  assert.match(await session.text(shown), new RegExp(`^Merged #${a} with #${b}: "the same outage, reported twice" \\(.+, \\d{4}-`));
  writeFileSync(join(artifacts, "incident-merge.png"), Buffer.from(await session.screenshot(), "base64"));

  // Split: the store is back to the original grouping; both decisions stay on record.
  await session.click((await session.waitFor(`${pane} [data-testid="split-open"]`))[0]);
  await session.type((await session.waitFor(`${pane} [data-testid="group-cause-reason"]`))[0], "two causes after all");
  await session.click((await session.waitFor(`${pane} [data-testid="group-cause-submit"]`))[0]);
  await until(() => grouping().length === original.length, "the split to reach the store");
  assert.deepEqual(grouping(), original);
  assert.deepEqual(
    groupOf(a).decisions.map((d) => [d.action, d.reason]),
    [
      ["merge", "the same outage, reported twice"],
      ["split", "two causes after all"],
    ],
  );
  await session.waitFor(`${pane} [data-testid="grouping-decision"]`, { exact: 2 });
  assert.equal((await session.findAll(`${pane} [data-testid="also-reported"]`)).length, 0);
  assert.equal((await session.findAll(`${pane} [data-testid="merged-into"]`)).length, 0);
  writeFileSync(join(artifacts, "incident-split.png"), Buffer.from(await session.screenshot(), "base64"));

  // Undo takes back the split (one incident again), then the merge (as found).
  await session.click((await session.waitFor(`${pane} [data-testid="undo-grouping"]`))[0]);
  await until(() => grouping().length === original.length - 1, "the split's undo to reach the store");
  await session.waitFor(`${pane} [data-testid="grouping-decision"]`, { exact: 1 });
  await session.click((await session.waitFor(`${pane} [data-testid="undo-grouping"]`))[0]);
  await until(() => grouping().length === original.length, "the merge's undo to reach the store");
  assert.deepEqual(grouping(), original);
  assert.ok(cli("incident", "groups").every((g) => g.decisions.length === 0), "no decision left in force");
  await session.waitFor(`${pane} [data-testid="undo-grouping"]`, { exact: 0 });
  assert.equal((await session.findAll(`${pane} [data-testid="grouping-decision"]`)).length, 0);
});
