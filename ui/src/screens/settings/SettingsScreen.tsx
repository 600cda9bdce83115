import { useEffect, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { setDisplayZone } from "../../lib/format";
import {
  toHostError,
  useHost,
  useStoreRefresh,
  type HostError,
  type SettingsDto,
  type SettingsUpdate,
} from "../../lib/ipc";
import type { FileOutcomeDto } from "../../lib/bindings/FileOutcomeDto";
import { applyTheme, THEMES } from "../../lib/theme";
import { useAsync } from "../../lib/useAsync";

type Saving = { status: "idle" } | { status: "saving" } | { status: "saved"; what: string } | { status: "error"; error: HostError };

/** Time zones, linking, attribution rules, service catalog and appearance. */
export function SettingsScreen() {
  const host = useHost();
  const { version, refresh } = useStoreRefresh();
  const loaded = useAsync(() => host.getSettings(), [host]);
  const [settings, setSettings] = useState<SettingsDto | null>(null);

  useEffect(() => {
    if (loaded.status === "ok") setSettings(loaded.data);
  }, [loaded]);

  const [saving, setSaving] = useState<Saving>({ status: "idle" });

  /** Stores a change; `what` says what happened, for the confirmation. */
  const save = async (update: SettingsUpdate, what: string) => {
    setSaving({ status: "saving" });
    try {
      const next = await host.updateSettings(update);
      setSettings(next);
      setDisplayZone(next.display_time_zone);
      applyTheme(next.theme);
      setSaving({ status: "saved", what });
      // Links, classes and times may all have changed: every screen reloads.
      refresh();
    } catch (e) {
      setSaving({ status: "error", error: toHostError(e) });
    }
  };

  return (
    <div className="pane page settings" data-testid="settings-screen">
      <h1 className="pane-title">Settings</h1>
      {loaded.status === "loading" ? <p className="muted">Loading settings…</p> : null}
      {loaded.status === "error" ? <ErrorMessage error={loaded.error} context="Could not load the settings" /> : null}
      <div aria-live="polite">
        {saving.status === "saved" ? (
          <p className="saved" data-testid="settings-saved">
            {saving.what}
          </p>
        ) : null}
        {saving.status === "error" ? <ErrorMessage error={saving.error} context="Not saved" /> : null}
      </div>
      {settings !== null ? (
        <>
          <AnalysisForm settings={settings} busy={saving.status === "saving"} onSave={save} />
          <RulesSection settings={settings} busy={saving.status === "saving"} onSave={save} />
          <CatalogSection version={version} onImported={refresh} />
          <section aria-labelledby="appearance-heading">
            <h2 id="appearance-heading">Appearance</h2>
            <div className="segmented" role="radiogroup" aria-label="Theme">
              {THEMES.map((theme) => (
                <label key={theme}>
                  <input
                    type="radio"
                    name="theme"
                    value={theme}
                    data-testid={`theme-${theme}`}
                    checked={settings.theme === theme}
                    onChange={() => void save({ theme }, `Theme: ${theme}.`)}
                  />{" "}
                  {theme === "system" ? "Follow the system" : theme}
                </label>
              ))}
            </div>
          </section>
          <KeyboardHelp />
        </>
      ) : null}
    </div>
  );
}

function AnalysisForm({
  settings,
  busy,
  onSave,
}: {
  settings: SettingsDto;
  busy: boolean;
  onSave: (update: SettingsUpdate, what: string) => Promise<void>;
}) {
  const [windowHours, setWindowHours] = useState(String(settings.link_window_hours));
  const [threshold, setThreshold] = useState(String(settings.suspect_threshold));
  const [zone, setZone] = useState(settings.time_zone);
  const [display, setDisplay] = useState(settings.display_time_zone);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const hours = Number(windowHours);
    const score = Number(threshold);
    if (windowHours.trim() === "" || !Number.isFinite(hours) || hours <= 0) {
      setProblem("Enter the link window as a number of hours above 0, e.g. 24.");
      return;
    }
    if (threshold.trim() === "" || !Number.isFinite(score) || score < 0 || score > 1) {
      setProblem("Enter the suspect threshold as a score from 0 to 1, e.g. 0.5.");
      return;
    }
    setProblem(null);
    const relinks = hours !== settings.link_window_hours || score !== settings.suspect_threshold;
    void onSave(
      { link_window_hours: hours, suspect_threshold: score, time_zone: zone.trim(), display_time_zone: display.trim() },
      relinks ? "Saved; suspects and failure rates recomputed." : "Saved.",
    );
  };

  return (
    <form onSubmit={submit} noValidate data-testid="analysis-form" aria-labelledby="analysis-heading">
      <h2 id="analysis-heading">Linking and time</h2>
      <div className="settings-form">
        <label htmlFor="link-window">Link window (hours)</label>
        <input
          id="link-window"
          data-testid="link-window"
          type="number"
          min={0.5}
          step={0.5}
          value={windowHours}
          onChange={(e) => setWindowHours(e.target.value)}
        />
        <span className="hint muted">How long before an incident's start a deployment counts as a suspect.</span>
        <label htmlFor="suspect-threshold">Suspect threshold</label>
        <input
          id="suspect-threshold"
          data-testid="suspect-threshold"
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
        <span className="hint muted">A top suspect scoring at least this counts as a failure "including suspected".</span>
        <label htmlFor="time-zone">Zone of zone-less times</label>
        <input id="time-zone" data-testid="time-zone" value={zone} onChange={(e) => setZone(e.target.value)} />
        <span className="hint muted">UTC or an offset such as +01:00; used for mapped files that name no zone.</span>
        <label htmlFor="display-zone">Show times in</label>
        <input id="display-zone" data-testid="display-zone" value={display} onChange={(e) => setDisplay(e.target.value)} list="display-zones" />
        <datalist id="display-zones">
          <option value="UTC" />
          <option value="local" />
        </datalist>
        <span className="hint muted">UTC, local (this computer's zone) or an offset such as -05:00.</span>
      </div>
      {problem !== null ? (
        <div className="error" role="alert" data-testid="settings-problem">
          {problem}
        </div>
      ) : null}
      <button type="submit" data-testid="settings-save" disabled={busy}>
        {busy ? "Saving…" : "Save"}
      </button>
    </form>
  );
}

function RulesSection({
  settings,
  busy,
  onSave,
}: {
  settings: SettingsDto;
  busy: boolean;
  onSave: (update: SettingsUpdate, what: string) => Promise<void>;
}) {
  const host = useHost();
  const [pickError, setPickError] = useState<HostError | null>(null);
  const choose = async () => {
    setPickError(null);
    try {
      const path = await host.pickFile("rules");
      if (path === null) return;
      await onSave({ rules_file: path }, `Rules loaded from ${path}; every change re-classified.`);
    } catch (e) {
      setPickError(toHostError(e));
    }
  };
  return (
    <section aria-labelledby="rules-heading">
      <h2 id="rules-heading">Attribution rules</h2>
      <p>
        In force:{" "}
        <span data-testid="rule-sources">{settings.rule_sources.join(" + ")}</span>
      </p>
      {settings.rules_error !== null ? (
        <div className="error" role="alert" data-testid="rules-error">
          The chosen rules file is not in force: {settings.rules_error}. Fix the file and choose it again, or use the
          built-in rules.
        </div>
      ) : null}
      <button type="button" data-testid="rules-choose" disabled={busy} onClick={() => void choose()}>
        Choose a rules file…
      </button>{" "}
      {settings.rules_file !== null ? (
        <button
          type="button"
          data-testid="rules-builtin"
          disabled={busy}
          onClick={() => void onSave({ rules_file: "" }, "Built-in rules only; every change re-classified.")}
        >
          Use the built-in rules only
        </button>
      ) : null}
      {pickError !== null ? <ErrorMessage error={pickError} context="Could not open the file dialog" /> : null}
    </section>
  );
}

function CatalogSection({ version, onImported }: { version: number; onImported: () => void }) {
  const host = useHost();
  const facets = useAsync(() => host.eventFacets(), [host, version]);
  const [outcome, setOutcome] = useState<FileOutcomeDto | null>(null);
  const [error, setError] = useState<HostError | null>(null);
  const [busy, setBusy] = useState(false);

  const importCatalog = async () => {
    setError(null);
    setOutcome(null);
    try {
      const path = await host.pickFile("catalog");
      if (path === null) return;
      setBusy(true);
      const report = await host.ingestPaths([path], null);
      setOutcome(report.files[0] ?? null);
      onImported();
    } catch (e) {
      setError(toHostError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="catalog-heading">
      <h2 id="catalog-heading">Service catalog</h2>
      <button type="button" data-testid="catalog-import" disabled={busy} onClick={() => void importCatalog()}>
        {busy ? "Importing…" : "Import a Backstage catalog-info.yaml…"}
      </button>
      {error !== null ? <ErrorMessage error={error} context="Catalog import failed" /> : null}
      {outcome !== null ? (
        outcome.status === "failed" ? (
          <div className="error" role="alert" data-testid="catalog-outcome">
            {outcome.path}: {outcome.error?.message ?? "failed"}
          </div>
        ) : (
          <p data-testid="catalog-outcome">
            {outcome.path}: {outcome.status === "already_ingested" ? "already imported" : `${outcome.records_stored} records stored`}
          </p>
        )
      ) : null}
      <h3>Known services</h3>
      {facets.status === "error" ? <ErrorMessage error={facets.error} context="Could not list the services" /> : null}
      {facets.status === "ok" && facets.data.services.length === 0 ? (
        <p className="empty" data-testid="services-empty">
          No services yet: they appear as deployments, incidents or a catalog are imported.
        </p>
      ) : null}
      {facets.status === "ok" && facets.data.services.length > 0 ? (
        <ul className="service-list" data-testid="service-list">
          {facets.data.services.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function KeyboardHelp() {
  return (
    <section aria-labelledby="keys-heading" className="kbd-help">
      <h2 id="keys-heading">Keyboard</h2>
      <ul>
        <li>
          <kbd>Alt</kbd>+<kbd>1</kbd>, <kbd>Alt</kbd>+<kbd>2</kbd>, …: switch to the first, second, … screen of the left bar
        </li>
        <li>
          <kbd>↑</kbd>/<kbd>↓</kbd> in the left bar or a list: move; <kbd>Enter</kbd>: open
        </li>
        <li>
          <kbd>Tab</kbd>: next control
        </li>
      </ul>
    </section>
  );
}
