// A minimal W3C WebDriver client over fetch, enough to drive the Tauri window through
// tauri-driver (which forwards to WebKitWebDriver on Linux).
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52f-4a2a9d5a6b0d";

// `command` and `args` pick another driver, e.g. chromedriver with `--port=N`.
export async function startDriver({ port = 4444, nativePort, env = process.env, command = "tauri-driver", args } = {}) {
  // tauri-driver's own WebKitWebDriver listens on --native-port (4445 unless given).
  const driverArgs = args ?? ["--port", String(port)];
  if (args === undefined && nativePort !== undefined) driverArgs.push("--native-port", String(nativePort));
  // A process group of its own: stopping it stops the native driver and the app it started
  // too. An app left running would keep the test runner's output pipe open, and the runner
  // would wait for it for ever after every test passed.
  const child = spawn(command, driverArgs, { env, stdio: ["ignore", "inherit", "inherit"], detached: true });
  const base = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) return { child, base, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`${command} did not start listening`);
}

/** Ends a driver's whole process group: politely, then for good after two seconds. */
async function stopGroup(child) {
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!signal("SIGTERM")) return;
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    if (!signal(0)) return;
  }
  signal("SIGKILL");
}

async function call(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

export class Session {
  static async create(base, application) {
    const value = await call(base, "POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application } } },
    });
    return new Session(base, value.sessionId);
  }

  /** A session with the given W3C capabilities (`alwaysMatch`), for drivers other than Tauri's. */
  static async withCapabilities(base, alwaysMatch) {
    const value = await call(base, "POST", "/session", { capabilities: { alwaysMatch } });
    return new Session(base, value.sessionId);
  }

  navigate(url) {
    return this.cmd("POST", "/url", { url });
  }

  setWindowRect(rect) {
    return this.cmd("POST", "/window/rect", rect);
  }

  /** Log entries of a type (`browser`, `performance`) collected since the last call (chromedriver). */
  logs(type) {
    return this.cmd("POST", "/se/log", { type });
  }

  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async findAll(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.map((e) => e[ELEMENT] ?? e.ELEMENT ?? Object.values(e)[0]);
  }

  /**
   * Waits until at least `min` elements match, then returns them. WebKitWebDriver answers
   * "stale element reference" when the page re-renders while it collects the matches: that
   * poll counts as none found, and the next one looks again.
   */
  async waitFor(css, { min = 1, exact, timeoutMs = 20000 } = {}) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.findAll(css).catch((e) => {
        if (String(e.message).includes("stale element reference")) return null;
        throw e;
      });
      if (found !== null && (exact === undefined ? found.length >= min : found.length === exact)) return found;
      if (Date.now() > until) throw new Error(`timed out waiting for ${exact ?? min} × ${css}`);
      await sleep(200);
    }
  }

  text(element) {
    return this.cmd("GET", `/element/${element}/text`);
  }

  attribute(element, name) {
    return this.cmd("GET", `/element/${element}/attribute/${name}`);
  }

  /** A DOM property, e.g. `textContent` (all text, visible or not). */
  property(element, name) {
    return this.cmd("GET", `/element/${element}/property/${name}`);
  }

  click(element) {
    return this.cmd("POST", `/element/${element}/click`, {});
  }

  /** Types text into an input, textarea or select. */
  type(element, text) {
    return this.cmd("POST", `/element/${element}/value`, { text });
  }

  /** Finds elements below another element. */
  async within(element, css) {
    const found = await this.cmd("POST", `/element/${element}/elements`, { using: "css selector", value: css });
    return found.map((e) => e[ELEMENT] ?? e.ELEMENT ?? Object.values(e)[0]);
  }

  /** Runs a script in the page (W3C Execute Script) and answers its return value. */
  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  screenshot() {
    return this.cmd("GET", "/screenshot");
  }

  /** Ends the session (closing the app); gives up after ten seconds, as the driver's process
   * group is stopped next anyway. */
  delete() {
    return Promise.race([
      call(this.base, "DELETE", `/session/${this.id}`),
      sleep(10000).then(() => {
        throw new Error("the session did not end within 10 s");
      }),
    ]);
  }
}

/**
 * Opens the incident in row `index` of the incident list (through its first cell, as
 * WebKitWebDriver does not click table rows) and waits until the detail pane shows that
 * incident loaded, not the one open before the click. Answers the pane and the incident id.
 */
export async function openIncident(session, index = 0) {
  const rows = await session.waitFor('[data-testid="incident-row"]', { min: index + 1 });
  const id = await session.attribute(rows[index], "data-incident-id");
  const [cell] = await session.within(rows[index], "td:first-child");
  // WebKitWebDriver does not scroll the list: a row below its fold (rows are taller where
  // titles wrap more) is scrolled into view first, or the click is "not interactable".
  await session.execute(
    "document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;",
    [`[data-testid="incident-row"][data-incident-id="${id}"] td:first-child`],
  );
  await session.click(cell);
  const pane = `[data-testid="incident-detail"][data-incident-id="${id}"]`;
  // The header appears once the incident has loaded (before, the pane says "Loading").
  await session.waitFor(`${pane} .detail-header`);
  return { detail: (await session.findAll(pane))[0], incidentId: Number(id) };
}
