import { useEffect, useRef, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { toHostError, useHost, type HostError, type PolicyRuleDto, type WhatIfDto } from "../../lib/ipc";

/** How long the form waits after the last keystroke before replaying the rules. */
export const SIMULATE_DEBOUNCE_MS = 250;

type Kind = PolicyRuleDto["kind"];

export const RULE_LABELS: Record<Kind, string> = {
  senior_approval_for_ai: "Senior approval for AI changes",
  no_agent_operator_deploys: "No agent deploys with operator rights",
  second_approval_for_destructive: "Second approval for destructive operations",
  freeze: "Deploy freeze",
};

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** A new rule of `kind` with the report's defaults. */
export function newRule(kind: Kind): PolicyRuleDto {
  switch (kind) {
    case "senior_approval_for_ai":
      return { kind, environments: ["production"], review_delay_hours: 4 };
    case "no_agent_operator_deploys":
      return { kind };
    case "second_approval_for_destructive":
      return { kind, review_delay_hours: 2 };
    case "freeze":
      return { kind, weekday: "Fri", after_hour: 16, timezone_offset_minutes: 0 };
  }
}

/** The first field of a rule that is not a usable number, if any. */
export function invalidField(rule: PolicyRuleDto): string | null {
  const bad = (v: number) => !Number.isFinite(v);
  switch (rule.kind) {
    case "senior_approval_for_ai":
    case "second_approval_for_destructive":
      return bad(rule.review_delay_hours) ? "review delay" : null;
    case "freeze":
      if (bad(rule.after_hour)) return "hour";
      return bad(rule.timezone_offset_minutes) ? "UTC offset" : null;
    case "no_agent_operator_deploys":
      return null;
  }
}

type Outcome = { status: "idle" } | { status: "ok"; results: WhatIfDto[] } | { status: "error"; error: HostError };

/**
 * The policy what-if simulator: the user edits guardrails as data and the backend replays them
 * over the stored history after every edit (debounced; late answers of older edits dropped).
 */
export function PolicySimulator({ defaults, initial }: { defaults: PolicyRuleDto[]; initial: WhatIfDto[] }) {
  const host = useHost();
  const [rules, setRules] = useState<PolicyRuleDto[]>(defaults);
  const [outcome, setOutcome] = useState<Outcome>({ status: "ok", results: initial });
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState<Kind>("freeze");
  const request = useRef(0);
  const first = useRef(true);

  const invalid = rules.map(invalidField).find((f) => f !== null) ?? null;

  useEffect(() => {
    // The defaults' results came with the analytics; replay only after an edit.
    if (first.current) {
      first.current = false;
      return;
    }
    if (invalid !== null) return;
    const id = ++request.current;
    setBusy(true);
    const timer = setTimeout(() => {
      host.simulatePolicy(rules).then(
        (results) => {
          if (request.current !== id) return;
          setOutcome({ status: "ok", results });
          setBusy(false);
        },
        (e: unknown) => {
          if (request.current !== id) return;
          setOutcome({ status: "error", error: toHostError(e) });
          setBusy(false);
        },
      );
    }, SIMULATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [host, rules, invalid]);

  const update = (index: number, rule: PolicyRuleDto) => setRules((rs) => rs.map((r, i) => (i === index ? rule : r)));
  const remove = (index: number) => setRules((rs) => rs.filter((_, i) => i !== index));

  return (
    <section className="policy" data-testid="policy-simulator" aria-busy={busy}>
      <div className="policy-rules">
        {rules.length === 0 ? (
          <p className="empty" data-testid="policy-no-rules">
            No guardrails. Add one below to see what it would have changed.
          </p>
        ) : null}
        {rules.map((rule, index) => (
          <fieldset key={index} className="policy-rule" data-testid="policy-rule" data-kind={rule.kind}>
            <legend>
              {index + 1}. {RULE_LABELS[rule.kind]}
            </legend>
            <RuleFields rule={rule} index={index} onChange={(r) => update(index, r)} />
            <button type="button" className="link-button" onClick={() => remove(index)} aria-label={`Remove rule ${index + 1}`}>
              Remove
            </button>
          </fieldset>
        ))}
        <div className="policy-add">
          <label>
            Add a rule{" "}
            <select data-testid="policy-add-kind" value={adding} onChange={(e) => setAdding(e.target.value as Kind)}>
              {(Object.keys(RULE_LABELS) as Kind[]).map((k) => (
                <option key={k} value={k}>
                  {RULE_LABELS[k]}
                </option>
              ))}
            </select>
          </label>{" "}
          <button type="button" data-testid="policy-add" onClick={() => setRules((rs) => [...rs, newRule(adding)])}>
            Add
          </button>{" "}
          <button type="button" data-testid="policy-reset" onClick={() => setRules(defaults)}>
            Reset to the report's guardrails
          </button>
        </div>
      </div>

      <div aria-live="polite">
        {invalid !== null ? (
          <div className="error" role="alert" data-testid="policy-invalid">
            Enter a number for the {invalid} to replay the rules.
          </div>
        ) : null}
        {outcome.status === "error" ? <ErrorMessage error={outcome.error} context="The rules could not be replayed" /> : null}
        {outcome.status === "ok" ? <WhatIfTable results={outcome.results} stale={busy} /> : null}
      </div>
    </section>
  );
}

function RuleFields({ rule, index, onChange }: { rule: PolicyRuleDto; index: number; onChange: (r: PolicyRuleDto) => void }) {
  const id = (field: string) => `rule-${index}-${field}`;
  switch (rule.kind) {
    case "senior_approval_for_ai":
      return (
        <div className="policy-fields">
          <label htmlFor={id("envs")}>Environments</label>
          <input
            id={id("envs")}
            data-testid="rule-environments"
            value={rule.environments.join(", ")}
            onChange={(e) => onChange({ ...rule, environments: e.target.value.split(",").map((s) => s.trim()) })}
          />
          <ReviewDelay id={id("delay")} hours={rule.review_delay_hours} onChange={(h) => onChange({ ...rule, review_delay_hours: h })} />
        </div>
      );
    case "second_approval_for_destructive":
      return (
        <div className="policy-fields">
          <ReviewDelay id={id("delay")} hours={rule.review_delay_hours} onChange={(h) => onChange({ ...rule, review_delay_hours: h })} />
        </div>
      );
    case "freeze":
      return (
        <div className="policy-fields">
          <label htmlFor={id("day")}>Weekday</label>
          <select id={id("day")} data-testid="rule-weekday" value={rule.weekday} onChange={(e) => onChange({ ...rule, weekday: e.target.value })}>
            {WEEKDAYS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
          <NumberField
            id={id("hour")}
            label="From hour"
            testId="rule-hour"
            value={rule.after_hour}
            bounds={{ min: 0, max: 23 }}
            onChange={(hour) => onChange({ ...rule, after_hour: hour })}
          />
          <NumberField
            id={id("offset")}
            label="UTC offset (min)"
            testId="rule-offset"
            value={rule.timezone_offset_minutes}
            bounds={{ step: 15 }}
            onChange={(offset) => onChange({ ...rule, timezone_offset_minutes: offset })}
          />
        </div>
      );
    case "no_agent_operator_deploys":
      return <p className="muted">Agents acting with operator or admin permissions are blocked; a human performs the operation.</p>;
  }
}

function ReviewDelay({ id, hours, onChange }: { id: string; hours: number; onChange: (hours: number) => void }) {
  return (
    <NumberField id={id} label="Review delay (h)" testId="rule-delay" value={hours} bounds={{ min: 0, step: 0.5 }} onChange={onChange} />
  );
}

/** A labelled number input; an empty or unreadable entry is `NaN`, which `invalidField` reports. */
function NumberField({
  id,
  label,
  testId,
  value,
  bounds,
  onChange,
}: {
  id: string;
  label: string;
  testId: string;
  value: number;
  bounds: { min?: number; max?: number; step?: number };
  onChange: (value: number) => void;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        type="number"
        {...bounds}
        value={Number.isFinite(value) ? value : ""}
        onChange={(e) => onChange(e.target.value.trim() === "" ? Number.NaN : Number(e.target.value))}
      />
    </>
  );
}

function WhatIfTable({ results, stale }: { results: WhatIfDto[]; stale: boolean }) {
  if (results.length === 0) return null;
  return (
    <table className={stale ? "data-table stale" : "data-table"} data-testid="what-if-table">
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col" className="num">
            Gated changes
          </th>
          <th scope="col" className="num">
            Gated operations
          </th>
          <th scope="col">Incidents prevented</th>
          <th scope="col" className="num">
            Added lead time (h)
          </th>
        </tr>
      </thead>
      <tbody>
        {results.map((w, i) => (
          <tr key={i} data-testid="what-if-row">
            <td title={w.method}>{w.rule}</td>
            <td className="num" data-testid="what-if-gated">
              {w.gated_changes.length}
            </td>
            <td className="num">{w.gated_operations.length}</td>
            <td>{w.incidents_prevented.length === 0 ? "none" : w.incidents_prevented.join(", ")}</td>
            <td className="num" data-testid="what-if-hours">
              {w.added_lead_time_hours.toFixed(1)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
