import type { IncidentDetailDto } from "../bindings/IncidentDetailDto";
import type { IngestReportDto } from "../bindings/IngestReportDto";
import type { MockHostData } from "./mock";
import type { ChangeDto } from "../bindings/ChangeDto";
import type { IngestRunDto } from "../bindings/IngestRunDto";
import type { EventDto } from "../bindings/EventDto";

/** A small, realistic data set for the mock host (tests, previews). */
const checkoutOutage: IncidentDetailDto = {
  incident: {
    id: 1,
    source_system: "pagerduty",
    source_id: "Q1CHK0UT",
    title: "Checkout 5xx spike",
    service: "checkout",
    severity: "SEV1",
    status: "resolved",
    started_at: "2026-11-17T14:05:00Z",
    resolved_at: "2026-11-17T15:32:00Z",
    duration_minutes: 87,
    suspect_count: 2,
    top_suspect_classes: ["ai", "human"],
    team: null,
    link_status: "suspected",
    group_primary: 1,
    merged: [],
    grouping: [],
    cause: null,
  },
  url: "https://example.pagerduty.com/incidents/Q1CHK0UT",
  events: [
    {
      at: "2026-11-17T14:05:00Z",
      kind: "triggered",
      text: "High error rate on checkout-api",
      source: { file: "pagerduty.json", location: "$.incidents[0].log[0]" },
    },
    {
      at: "2026-11-17T14:21:00Z",
      kind: "acknowledged",
      text: "Acknowledged by alice",
      source: { file: "pagerduty.json", location: "$.incidents[0].log[1]" },
    },
    {
      at: "2026-11-17T15:32:00Z",
      kind: "resolved",
      text: "Rolled back to v2.14.0",
      source: { file: "pagerduty.json", location: "$.incidents[0].log[2]" },
    },
  ],
  suspects: [
    {
      link_id: 11,
      review: null,
      rank: 1,
      score: 0.87,
      status: "suspected",
      evidence: [
        "Deployed checkout 42 minutes before impact.",
        "Same service as the incident.",
      ],
      deployment: {
        id: 101,
        natural_key: "gha:run/9912",
        service: "checkout",
        environment: "production",
        version: "v2.15.0",
        sha: "4f9c2a7be13d5e8f0a1b2c3d4e5f60718293a4b5",
        status: "success",
        actor: "deploy-bot",
        actor_type: "bot",

        actor_class: "unknown",

        actor_tool: null,

        actor_evidence: [],
        action: "deploy",
        at: "2026-11-17T13:23:00Z",
        source: { file: "deploys.json", location: "$[3]" },
      },
      changes: [
        {
          id: 1001,
          kind: "commit",
          natural_key: "4f9c2a7be13d5e8f0a1b2c3d4e5f60718293a4b5",
          repo: "acme/checkout",
          title: "Retry payment capture on timeout",
          author: "bob",
          committed_at: "2026-11-17T11:02:00Z",
          class: "ai",
          tool: "claude-code",
          involvement: "co-authored",
          model: null,
          line_share: null,
          override_reason: null,
          confidence: 0.95,
          evidence: [
            {
              signal: "co_authored_by_trailer",
              location: "commit message",
              matched_text: "Co-Authored-By: Claude <noreply@anthropic.com>",
              tool: "claude-code",
            },
          ],
          source: { file: "git.json", location: "$[17]" },
        },
        {
          id: 1002,
          kind: "pull_request",
          natural_key: "acme/checkout#482",
          repo: "acme/checkout",
          title: "Bump timeout for card network <script>alert(1)</script>",
          author: "carol",
          committed_at: "2026-11-16T18:40:00Z",
          class: "human",
          tool: null,
          involvement: null,
          model: null,
          line_share: null,
          override_reason: null,
          confidence: 0.6,
          evidence: [],
          source: { file: "github.json", location: "$.pulls[4]" },
        },
      ],
    },
    {
      link_id: 12,
      review: null,
      rank: 2,
      score: 0.31,
      status: "rejected",
      evidence: ["Config change to a shared dependency 3 hours before impact."],
      deployment: {
        id: 102,
        natural_key: "argo:payments/77",
        service: "payments",
        environment: "production",
        version: null,
        sha: null,
        status: "success",
        actor: null,
        actor_type: null,

        actor_class: "unknown",

        actor_tool: null,

        actor_evidence: [],
        action: "config_change",
        at: "2026-11-17T11:00:00Z",
        source: { file: "argo.json", location: "$[0]" },
      },
      changes: [
        {
          id: 1003,
          kind: "commit",
          natural_key: "aa11bb22cc33dd44ee55ff6677889900aabbccdd",
          repo: "acme/payments",
          title: "chore(deps): bump tls lib",
          author: "renovate[bot]",
          committed_at: "2026-11-17T09:00:00Z",
          class: "automation",
          tool: null,
          involvement: null,
          model: null,
          line_share: null,
          override_reason: null,
          confidence: 0.9,
          evidence: [
            {
              signal: "bot_author",
              location: "author",
              matched_text: "renovate[bot]",
              tool: null,
            },
          ],
          source: { file: "git.json", location: "$[2]" },
        },
      ],
    },
  ],
};

const searchLatency: IncidentDetailDto = {
  incident: {
    id: 2,
    source_system: "opsgenie",
    source_id: "OG-7731",
    title: "Search latency above SLO",
    service: "search",
    severity: "SEV3",
    status: "open",
    started_at: "2026-11-18T02:40:00Z",
    resolved_at: null,
    duration_minutes: null,
    suspect_count: 0,
    top_suspect_classes: [],
    team: null,
    link_status: "none",
    group_primary: 2,
    merged: [],
    grouping: [],
    cause: null,
  },
  url: null,
  events: [],
  suspects: [],
};

const loginErrors: IncidentDetailDto = {
  incident: {
    id: 3,
    source_system: "pagerduty",
    source_id: "Q2L0G1N",
    title: "Login errors for SSO users",
    service: "auth",
    severity: "SEV2",
    status: "resolved",
    started_at: "2026-11-19T09:15:00Z",
    resolved_at: "2026-11-19T09:48:00Z",
    duration_minutes: 33,
    suspect_count: 1,
    top_suspect_classes: ["unknown"],
    team: null,
    link_status: "suspected",
    group_primary: 3,
    merged: [],
    grouping: [],
    cause: null,
  },
  url: null,
  events: [
    {
      at: "2026-11-19T09:15:00Z",
      kind: "triggered",
      text: "SSO callback failures",
      source: { file: "pagerduty.json", location: "$.incidents[1].log[0]" },
    },
  ],
  suspects: [
    {
      link_id: 31,
      review: null,
      rank: 1,
      score: 0.5,
      status: "confirmed",
      evidence: ["Deployed auth 20 minutes before impact."],
      deployment: {
        id: 301,
        natural_key: "gha:run/10001",
        service: "auth",
        environment: "production",
        version: "2026.11.19-1",
        sha: "0123456789abcdef0123",
        status: "success",
        actor: "dave",
        actor_type: "human",

        actor_class: "human",

        actor_tool: null,

        actor_evidence: [],
        action: "deploy",
        at: "2026-11-19T08:55:00Z",
        source: { file: "deploys.json", location: "$[9]" },
      },
      changes: [
        {
          id: 3001,
          kind: "ticket",
          natural_key: "AUTH-1234",
          repo: null,
          title: "Rotate SAML certificate",
          author: null,
          committed_at: null,
          class: "unknown",
          tool: null,
          involvement: null,
          model: null,
          line_share: null,
          override_reason: null,
          confidence: 0,
          evidence: [],
          source: { file: "jira.json", location: "$.issues[0]" },
        },
      ],
    },
  ],
};

const runs: IngestRunDto[] = [
  {
    id: 1,
    path: "/home/demo/exports/git.json",
    format: "git-log-json",
    content_hash: "9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
    ingested_at: "2026-11-20T08:00:00Z",
    records_seen: 3,
    records_stored: 3,
    records_rejected: 0,
    records_skipped: 0,
    rejections: [],
  },
  {
    id: 2,
    path: "/home/demo/exports/pagerduty.json",
    format: "pagerduty",
    content_hash: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988",
    ingested_at: "2026-11-20T08:05:00Z",
    records_seen: 4,
    records_stored: 3,
    records_rejected: 1,
    records_skipped: 0,
    rejections: [
      {
        location: "$.incidents[3]",
        field: "created_at",
        reason: "not a date",
        raw: '{"created_at":"yesterday"}',
        skipped: false,
      },
    ],
  },
];

/** What the demo's "Choose files…" imports: one file stored with one rejection, one that fails. */
const ingestReport: IngestReportDto = {
  files: [
    {
      path: "/home/demo/exports/deploys.json",
      format: "github-deployments",
      status: "stored",
      run_id: 3,
      records_seen: 5,
      records_stored: 4,
      records_rejected: 1,
      records_skipped: 0,
      rejections: [
        {
          location: "$[4]",
          field: "environment",
          reason: "missing required field",
          raw: '{"id":9917,"sha":"deadbeef"}',
          skipped: false,
        },
      ],
      error: null,
    },
    {
      path: "/home/demo/exports/notes.txt",
      format: null,
      status: "failed",
      run_id: null,
      records_seen: 0,
      records_stored: 0,
      records_rejected: 0,
      records_skipped: 0,
      rejections: [],
      error: { kind: "bad_input", message: "unrecognised format: choose a JSON export or a git log" },
    },
  ],
};

const reportMarkdown = `# Hindsight report

## Checkout 5xx spike (SEV1)

- Top suspect: deploy of checkout v2.15.0, 87%
- Changes shipped: 1 AI (claude-code), 1 human
`;

export function demoData(): MockHostData {
  const details = [checkoutOutage, searchLatency, loginErrors];
  const changes = new Map<number, ChangeDto>();
  for (const detail of details) {
    for (const suspect of detail.suspects) {
      for (const change of suspect.changes) {
        changes.set(change.id, { ...change, override_reason: null });
      }
    }
  }
  return structuredClone({
    overview: {
      db_path: "/home/demo/.local/share/hindsight/hindsight.db",
      version: "0.1.0",
      changes: changes.size,
      deployments: 3,
      incidents: details.length,
      ingest_runs: runs.length,
    },
    incidents: details.map((d) => d.incident),
    details: Object.fromEntries(details.map((d) => [d.incident.id, d])),
    changes: [...changes.values()],
    runs,
    ingestReport,
    reportMarkdown,
    saveDirectory: "/home/demo/Documents",
    events: demoEvents(300),
    // Deep-dives are derived from the details by the mock.
    timelines: {},
  });
}

const SERVICES = ["checkout", "search", "auth", "payments", "catalog"] as const;
const ENVIRONMENTS = ["production", "staging"] as const;
const CLASSES = ["ai", "human", "automation", "unknown"] as const;
const AI_TOOLS = ["claude-code", "copilot", "cursor"] as const;
const SEVERITIES = ["SEV1", "SEV2", "SEV3"] as const;
const AUTHORS = ["alice", "bob", "carol", "dave"] as const;
const RESPONDERS = ["alice", "erin"] as const;
const CHANGE_TITLES = [
  "Retry payment capture on timeout",
  "Bump dependency versions",
  "Add index to orders table",
  "Refactor session cache",
  "Tune search ranking weights",
] as const;
const INCIDENT_TITLES = ["5xx spike", "latency above SLO", "login errors", "queue backlog"] as const;

/**
 * `count` timeline events, deterministic (a fixed-seed generator), one per
 * 4 minutes from 2026-11-01 on: roughly half changes, a third deployments,
 * the rest incidents. The title ends in `#<id>` so every event is distinct.
 */
export function demoEvents(count: number): EventDto[] {
  let seed = 0x2f6feb;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const pick = <T,>(values: readonly T[]): T => values[next() % values.length]!;
  const start = Date.parse("2026-11-01T00:00:00Z");
  const events: EventDto[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = i + 1;
    const at = new Date(start + i * 240_000 + (next() % 120) * 1000).toISOString().replace(".000Z", "Z");
    const service = pick(SERVICES);
    const roll = next() % 12;
    if (roll < 6) {
      const cls = pick(CLASSES);
      events.push({
        id, at, source: "change", kind: "commit", service, environment: null,
        actor: cls === "automation" ? "renovate[bot]" : pick(AUTHORS),
        class: cls, tool: cls === "ai" ? pick(AI_TOOLS) : null, severity: null,
        title: `${pick(CHANGE_TITLES)} #${id}`, ref_id: 10_000 + id,
        approval: next() % 3 === 0 ? "not approved" : "approved",
      });
    } else if (roll < 10) {
      const environment = pick(ENVIRONMENTS);
      const rollback = next() % 10 === 0;
      events.push({
        id, at, source: "deployment", kind: rollback ? "rollback" : "deploy", service, environment,
        actor: "github-actions", class: null, tool: null, severity: null,
        title: `${rollback ? "Rollback" : "Deploy"} ${service} v2.${next() % 40}.0 to ${environment} #${id}`,
        ref_id: 20_000 + id,
        approval: environment === "production" ? "approved" : null,
      });
    } else {
      events.push({
        id, at, source: "incident", kind: "triggered", service, environment: "production",
        actor: pick(RESPONDERS), class: null, tool: null, severity: pick(SEVERITIES),
        title: `${service} ${pick(INCIDENT_TITLES)} #${id}`, ref_id: 30_000 + id, approval: null,
      });
    }
  }
  return events;
}
