//! Guardrails as data, and what-if replays of them over the recorded history.
//!
//! A rule is replayed over past changes and environment operations: the items it would have
//! gated are listed, with the incidents they were linked to. "Incidents prevented" assumes a
//! gated item would not have shipped as it did; it is an upper bound on what the rule could have
//! prevented, not a causal estimate (a reviewer may have approved the item anyway, and the
//! incident may have had other causes).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc, Weekday};
use serde::Deserialize;

/// A guardrail, deserialisable from TOML or JSON with a `kind` tag, e.g.
/// `{ "kind": "freeze", "weekday": "Fri", "after_hour": 15, "timezone_offset_minutes": 60 }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// AI changes deployed to one of `environments` need an approval by a reviewer in the
    /// `seniors` list; a gated change waits `review_delay_hours` for that review.
    SeniorApprovalForAi {
        environments: Vec<String>,
        review_delay_hours: f64,
    },
    /// Agents may not act with operator or admin permissions; a gated operation is blocked (a
    /// human performs it instead), which adds no modelled delay.
    NoAgentOperatorDeploys,
    /// Destructive operations (delete, recreate, destroy, drop, force, purge; see
    /// [`is_destructive`]) need at least two
    /// approvals; a gated operation waits `review_delay_hours` for the missing review.
    SecondApprovalForDestructive { review_delay_hours: f64 },
    /// No deployments or operations on `weekday` from `after_hour` (local time, UTC offset
    /// `timezone_offset_minutes`) until local midnight; gated items wait until the freeze lifts.
    Freeze {
        weekday: Weekday,
        after_hour: u32,
        timezone_offset_minutes: i32,
    },
}

impl Rule {
    /// The rule's kind, as written in the configuration.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::SeniorApprovalForAi { .. } => "senior_approval_for_ai",
            Rule::NoAgentOperatorDeploys => "no_agent_operator_deploys",
            Rule::SecondApprovalForDestructive { .. } => "second_approval_for_destructive",
            Rule::Freeze { .. } => "freeze",
        }
    }
}

/// A deployed change, as the replay sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyChange {
    pub key: String,
    /// Attribution class: `ai`, `human`, `automation`, `unknown`.
    pub class: String,
    pub team: String,
    pub environment: String,
    /// Names of the reviewers who approved it.
    pub approvals: Vec<String>,
    pub deployed_at: DateTime<Utc>,
    /// Incidents it was linked to.
    pub incident_keys: Vec<String>,
}

/// An operation on an environment (deploy, delete, recreate, scale ...).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOperation {
    pub key: String,
    /// `human`, `automation`, `agent` ... as the log states it.
    pub actor_type: String,
    /// The permissions the actor held, e.g. `operator`, `admin`, `read,write`.
    pub permissions: String,
    pub action: String,
    pub approvals: u32,
    pub at: DateTime<Utc>,
    pub environment: String,
    pub incident_keys: Vec<String>,
}

/// The replay of one rule over the history.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub rule_name: String,
    /// Keys of the changes the rule would have gated, in input order.
    pub gated_changes: Vec<String>,
    /// Keys of the operations the rule would have gated, in input order.
    pub gated_operations: Vec<String>,
    /// Incidents any gated item was linked to, deduplicated and sorted.
    pub incidents_prevented: Vec<String>,
    /// Gated items per ISO week (`2025-W10`, of the UTC time), sorted.
    pub gated_per_week: Vec<(String, usize)>,
    /// Gated changes per team, sorted; gated operations count under `(operations)`.
    pub gated_per_team: Vec<(String, usize)>,
    /// Lead time the rule would have added across all gated items, in hours.
    pub added_lead_time_hours_total: f64,
    /// How the replay was done and how to read it.
    pub method: String,
}

/// Words of `text` split on anything that is not a letter or digit, lowercased.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
}

fn is_agent(actor_type: &str) -> bool {
    matches!(
        actor_type.trim().to_ascii_lowercase().as_str(),
        "agent" | "ai" | "ai_agent" | "bot_agent"
    )
}

fn has_operator_permissions(permissions: &str) -> bool {
    words(permissions).any(|w| {
        matches!(
            w.as_str(),
            "operator" | "operators" | "admin" | "administrator" | "owner" | "root"
        )
    })
}

/// Whether an action is destructive: a word of it starts with delete, recreate, destroy, drop,
/// force or purge (so `force_push`, `delete-environment`, `dropped` all count).
pub fn is_destructive(action: &str) -> bool {
    const STEMS: [&str; 6] = ["delet", "recreat", "destroy", "drop", "force", "purg"];
    words(action).any(|w| STEMS.iter().any(|s| w.starts_with(s)))
}

/// When the freeze lifts for an item at `at`, or `None` when `at` is outside the freeze.
fn freeze_until(
    at: DateTime<Utc>,
    weekday: Weekday,
    after_hour: u32,
    offset_minutes: i32,
) -> Option<DateTime<Utc>> {
    let offset = FixedOffset::east_opt(offset_minutes.checked_mul(60)?)?;
    let local = at.with_timezone(&offset);
    if local.weekday() != weekday || local.hour() < after_hour {
        return None;
    }
    let next_day = local.date_naive().succ_opt()?.and_hms_opt(0, 0, 0)?;
    let lift = next_day.and_local_timezone(offset).single()?;
    Some(lift.with_timezone(&Utc))
}

fn iso_week(at: DateTime<Utc>) -> String {
    let w = at.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn hours(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 3_600_000.0
}

/// Replays `rule` over past changes and operations. `seniors` lists the reviewers whose
/// approval satisfies [`Rule::SeniorApprovalForAi`] (compared case-insensitively).
pub fn simulate(
    rule: &Rule,
    changes: &[PolicyChange],
    operations: &[PolicyOperation],
    seniors: &[String],
) -> WhatIf {
    let mut gated_c: Vec<(&PolicyChange, f64)> = Vec::new();
    let mut gated_o: Vec<(&PolicyOperation, f64)> = Vec::new();
    let method = match rule {
        Rule::SeniorApprovalForAi {
            environments,
            review_delay_hours,
        } => {
            let senior = |name: &String| seniors.iter().any(|s| s.eq_ignore_ascii_case(name));
            for c in changes {
                let env_match = environments
                    .iter()
                    .any(|e| e.trim().eq_ignore_ascii_case(c.environment.trim()));
                if c.class == "ai" && env_match && !c.approvals.iter().any(senior) {
                    gated_c.push((c, *review_delay_hours));
                }
            }
            format!(
                "Gates AI-attributed changes to {} without an approval from a listed senior \
                 reviewer; each gated change adds the configured review delay of \
                 {review_delay_hours} h. Operations are not changes and are not gated.",
                environments.join(", ")
            )
        }
        Rule::NoAgentOperatorDeploys => {
            for o in operations {
                if is_agent(&o.actor_type) && has_operator_permissions(&o.permissions) {
                    gated_o.push((o, 0.0));
                }
            }
            "Gates operations by agents holding operator or admin permissions; the \
                      operation is assumed blocked (a human performs it instead), so no delay \
                      is modelled."
                .to_owned()
        }
        Rule::SecondApprovalForDestructive { review_delay_hours } => {
            for o in operations {
                if is_destructive(&o.action) && o.approvals < 2 {
                    gated_o.push((o, *review_delay_hours));
                }
            }
            format!(
                "Gates destructive operations (delete, recreate, destroy, drop, force, purge) \
                 with fewer than 2 approvals; each adds the configured review delay of \
                 {review_delay_hours} h."
            )
        }
        Rule::Freeze {
            weekday,
            after_hour,
            timezone_offset_minutes,
        } => {
            let wait = |at| {
                freeze_until(at, *weekday, *after_hour, *timezone_offset_minutes)
                    .map(|lift| hours(lift - at))
            };
            for c in changes {
                if let Some(h) = wait(c.deployed_at) {
                    gated_c.push((c, h));
                }
            }
            for o in operations {
                if let Some(h) = wait(o.at) {
                    gated_o.push((o, h));
                }
            }
            format!(
                "Gates changes and operations on {weekday} from {after_hour}:00 local time (UTC \
                 offset {timezone_offset_minutes} min) until local midnight; each waits until \
                 the freeze lifts."
            )
        }
    };

    let mut incidents = BTreeSet::new();
    let mut per_week: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_team: BTreeMap<String, usize> = BTreeMap::new();
    let mut added = 0.0;
    for (c, h) in &gated_c {
        incidents.extend(c.incident_keys.iter().cloned());
        *per_week.entry(iso_week(c.deployed_at)).or_default() += 1;
        *per_team.entry(c.team.clone()).or_default() += 1;
        added += h;
    }
    for (o, h) in &gated_o {
        incidents.extend(o.incident_keys.iter().cloned());
        *per_week.entry(iso_week(o.at)).or_default() += 1;
        *per_team.entry("(operations)".to_owned()).or_default() += 1;
        added += h;
    }
    WhatIf {
        rule_name: rule.name().to_owned(),
        gated_changes: gated_c.iter().map(|(c, _)| c.key.clone()).collect(),
        gated_operations: gated_o.iter().map(|(o, _)| o.key.clone()).collect(),
        incidents_prevented: incidents.into_iter().collect(),
        gated_per_week: per_week.into_iter().collect(),
        gated_per_team: per_team.into_iter().collect(),
        added_lead_time_hours_total: added,
        method: format!(
            "{method} \"Incidents prevented\" lists the incidents linked to gated items, assuming \
             a gated item would not have shipped as it did: an upper bound, not a causal \
             estimate."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
    use serde::de::{Deserializer, IntoDeserializer, Visitor};

    /// A minimal self-describing value, standing in for a TOML/JSON document in tests (the
    /// crate has no JSON or TOML dependency).
    #[derive(Clone)]
    enum V {
        S(&'static str),
        F(f64),
        I(i64),
        L(Vec<&'static str>),
    }

    impl<'de> IntoDeserializer<'de, DeError> for V {
        type Deserializer = Self;
        fn into_deserializer(self) -> Self {
            self
        }
    }

    impl<'de> Deserializer<'de> for V {
        type Error = DeError;
        fn deserialize_any<W: Visitor<'de>>(self, v: W) -> Result<W::Value, DeError> {
            match self {
                V::S(s) => v.visit_str(s),
                V::F(f) => v.visit_f64(f),
                V::I(i) => v.visit_i64(i),
                V::L(l) => v.visit_seq(SeqDeserializer::new(l.into_iter())),
            }
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
            enum identifier ignored_any
        }
    }

    fn parse(entries: Vec<(&'static str, V)>) -> Result<Rule, DeError> {
        Rule::deserialize(MapDeserializer::new(entries.into_iter()))
    }

    #[test]
    fn rules_deserialise_from_tagged_maps() {
        assert_eq!(
            parse(vec![("kind", V::S("no_agent_operator_deploys"))]).expect("parses"),
            Rule::NoAgentOperatorDeploys
        );
        assert_eq!(
            parse(vec![
                ("kind", V::S("senior_approval_for_ai")),
                ("environments", V::L(vec!["production"])),
                ("review_delay_hours", V::F(4.0)),
            ])
            .expect("parses"),
            Rule::SeniorApprovalForAi {
                environments: vec!["production".into()],
                review_delay_hours: 4.0
            }
        );
        assert_eq!(
            parse(vec![
                ("kind", V::S("freeze")),
                ("weekday", V::S("Fri")),
                ("after_hour", V::I(15)),
                ("timezone_offset_minutes", V::I(-300)),
            ])
            .expect("parses"),
            Rule::Freeze {
                weekday: Weekday::Fri,
                after_hour: 15,
                timezone_offset_minutes: -300
            }
        );
        assert!(parse(vec![("kind", V::S("no_such_rule"))]).is_err());
    }

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        // March 2025: the 3rd is a Monday (ISO week 10), the 7th a Friday.
        Utc.with_ymd_and_hms(2025, 3, d, h, m, 0)
            .single()
            .expect("valid time")
    }

    fn change(key: &str, class: &str, team: &str, env: &str, approvals: &[&str]) -> PolicyChange {
        PolicyChange {
            key: key.into(),
            class: class.into(),
            team: team.into(),
            environment: env.into(),
            approvals: approvals.iter().map(|a| (*a).into()).collect(),
            deployed_at: at(4, 10, 0),
            incident_keys: vec![],
        }
    }

    /// The demo's story: an agent with operator permissions deletes and recreates production
    /// with no approval, and the outage follows.
    fn demo_operations() -> Vec<PolicyOperation> {
        vec![
            PolicyOperation {
                key: "op-delete".into(),
                actor_type: "agent".into(),
                permissions: "operator".into(),
                action: "delete_and_recreate_environment".into(),
                approvals: 0,
                at: at(7, 16, 46),
                environment: "production".into(),
                incident_keys: vec!["INC-42".into()],
            },
            PolicyOperation {
                key: "op-deploy".into(),
                actor_type: "automation".into(),
                permissions: "admin".into(),
                action: "deploy".into(),
                approvals: 1,
                at: at(4, 9, 0),
                environment: "production".into(),
                incident_keys: vec![],
            },
            PolicyOperation {
                key: "op-drop-reviewed".into(),
                actor_type: "human".into(),
                permissions: "write".into(),
                action: "drop table".into(),
                approvals: 2,
                at: at(5, 9, 0),
                environment: "production".into(),
                incident_keys: vec!["INC-7".into()],
            },
        ]
    }

    #[test]
    fn agent_operator_delete_is_gated_by_both_rules() {
        let ops = demo_operations();
        let w = simulate(&Rule::NoAgentOperatorDeploys, &[], &ops, &[]);
        assert_eq!(w.rule_name, "no_agent_operator_deploys");
        assert_eq!(w.gated_operations, ["op-delete"]);
        assert_eq!(w.incidents_prevented, ["INC-42"]);
        assert_eq!(w.gated_per_week, vec![("2025-W10".to_owned(), 1)]);
        assert_eq!(w.added_lead_time_hours_total, 0.0);

        let rule = Rule::SecondApprovalForDestructive {
            review_delay_hours: 2.0,
        };
        let w = simulate(&rule, &[], &ops, &[]);
        // The reviewed drop (2 approvals) and the plain deploy pass.
        assert_eq!(w.gated_operations, ["op-delete"]);
        assert_eq!(w.incidents_prevented, ["INC-42"]);
        assert_eq!(w.gated_per_team, vec![("(operations)".to_owned(), 1)]);
        assert_eq!(w.added_lead_time_hours_total, 2.0);
    }

    #[test]
    fn senior_approval_for_ai_changes() {
        let mut a = change("a", "ai", "payments", "production", &["junior"]);
        a.incident_keys = vec!["INC-2".into(), "INC-1".into()];
        let mut b = change("b", "ai", "payments", "Production", &["Alice"]);
        b.incident_keys = vec!["INC-3".into()];
        let mut c = change("c", "ai", "search", "production", &[]);
        c.incident_keys = vec!["INC-1".into()];
        c.deployed_at = at(10, 9, 0); // ISO week 11
        let d = change("d", "human", "search", "production", &[]);
        let e = change("e", "ai", "search", "staging", &[]);
        let rule = Rule::SeniorApprovalForAi {
            environments: vec!["production".into()],
            review_delay_hours: 4.0,
        };
        let w = simulate(&rule, &[a, b, c, d, e], &[], &["alice".into()]);
        // a: AI, production, only a junior approved → gated. b: a senior approved (case
        // ignored). c: AI, production, no approval → gated. d: human. e: staging.
        assert_eq!(w.gated_changes, ["a", "c"]);
        assert!(w.gated_operations.is_empty());
        // INC-1 is linked to both a and c: listed once, sorted.
        assert_eq!(w.incidents_prevented, ["INC-1", "INC-2"]);
        assert_eq!(
            w.gated_per_week,
            vec![("2025-W10".to_owned(), 1), ("2025-W11".to_owned(), 1)]
        );
        assert_eq!(
            w.gated_per_team,
            vec![("payments".to_owned(), 1), ("search".to_owned(), 1)]
        );
        // 2 gated × 4 h.
        assert_eq!(w.added_lead_time_hours_total, 8.0);
    }

    #[test]
    fn friday_freeze_in_local_time() {
        // Freeze Fridays from 15:00 at UTC+1.
        let rule = Rule::Freeze {
            weekday: Weekday::Fri,
            after_hour: 15,
            timezone_offset_minutes: 60,
        };
        let mut early = change("early", "human", "t", "production", &[]);
        early.deployed_at = at(7, 13, 30); // 14:30 local: before the freeze.
        let mut late = change("late", "human", "t", "production", &[]);
        late.deployed_at = at(7, 14, 0); // 15:00 local: frozen until 24:00 local, 9 h.
        let mut sat = change("sat", "ai", "t", "production", &[]);
        sat.deployed_at = at(7, 23, 30); // Saturday 00:30 local: not frozen.
        let ops = demo_operations();
        let w = simulate(&rule, &[early, late, sat], &ops, &[]);
        assert_eq!(w.gated_changes, ["late"]);
        // op-delete at 16:46 UTC = 17:46 local Friday: waits 6 h 14 min.
        assert_eq!(w.gated_operations, ["op-delete"]);
        assert!((w.added_lead_time_hours_total - (9.0 + 6.0 + 14.0 / 60.0)).abs() < 1e-9);
        assert_eq!(w.incidents_prevented, ["INC-42"]);
    }

    #[test]
    fn destructive_words() {
        assert!(is_destructive("delete"));
        assert!(is_destructive("Recreate-Environment"));
        assert!(is_destructive("git push --force"));
        assert!(is_destructive("terraform destroy"));
        assert!(is_destructive("DROP TABLE users"));
        assert!(!is_destructive("deploy"));
        assert!(!is_destructive("scale"));
    }
}
