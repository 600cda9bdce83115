//! Decides whether a change was made by an AI tool, a human, an automation bot, or cannot be
//! told, and keeps the evidence that decided it.
//!
//! The markers are data: `rules/builtin.toml` ships inside the binary and a user's TOML file
//! can add to or replace its entries without recompiling. Everything is compiled into hash
//! maps (keys lower-cased once) when the rules are loaded, so [`Rules::classify`] only scans
//! each message line once.
//!
//! # Classes
//!
//! * `ai`: at least one AI signal. The strongest signal (highest confidence, first found on a
//!   tie) decides the tool and the involvement: `authored` (an agent account is the author or
//!   committer, an agent branch, a Replit agent trailer, a field rule), `coauthored` (a
//!   `Co-authored-by` trailer, a footer, a session trailer, `Generated-by`, aider, a git-ai
//!   note, an Agent Trace record in `notes`/`attributes` under `agent-trace` or `agent_trace`), `assisted` (`Assisted-by`, a label, a checked disclosure box) or `suggested` (the
//!   Copilot suggestion identity). A tool's `involvement` in the rules overrides the default.
//! * `automation`: no AI signal and a non-AI bot is the author (or a field rule says so).
//! * `human`: an author or committer is known and no AI marker was found (`no_ai_marker`).
//! * `unknown`: there was no authorship data to look at (`no_authorship_data`).
//!
//! # Confidence scale
//!
//! | signal | confidence |
//! | --- | ---: |
//! | exact e-mail / GitHub id / `[bot]` login of an agent (`ai_author`, `co_authored_by`), git-ai note or Agent Trace record with attested AI lines, automation author | 0.95 |
//! | agent as committer only (`ai_committer`), footer, session/Replit trailer, `Assisted-by`, `Generated-by`, aider, field rule | 0.9 |
//! | a pull request whose commit is AI (`commit_of_pr`) | the commit's, at most 0.9 |
//! | pull request label, checked disclosure box | 0.8 |
//! | agent branch prefix | 0.7 |
//! | human by absence of any marker | 0.7 |
//! | unknown | 0.0 |

use std::collections::{BTreeMap, HashMap};

use hindsight_model::{
    normalise_service_name, Attribution, AttributionClass, Change, ChangeKind, Evidence, Person,
};
use serde::Deserialize;

mod note;

pub use note::{parse_agent_trace, parse_git_ai_note, AgentTrace, GitAiNote, NoteTool};

/// The rule file compiled into Hindsight.
pub const BUILTIN_RULES: &str = include_str!("../rules/builtin.toml");

const C_ACCOUNT: f64 = 0.95;
const C_STRONG: f64 = 0.9;
const C_LABEL: f64 = 0.8;
const C_BRANCH: f64 = 0.7;
const C_HUMAN: f64 = 0.7;
const C_PR_FROM_COMMIT_MAX: f64 = 0.9;

/// Where an Agent Trace record may be attached: a note namespace or an attribute.
const AGENT_TRACE_KEYS: [&str; 2] = ["agent-trace", "agent_trace"];

const NOREPLY: &str = "@users.noreply.github.com";

/// A rule file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("attribution rules {origin}: {message}")]
    Parse { origin: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AiToolRule {
    id: String,
    #[serde(default)]
    involvement: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    coauthor_emails: Vec<String>,
    #[serde(default)]
    author_emails: Vec<String>,
    #[serde(default)]
    github_ids: Vec<u64>,
    #[serde(default)]
    bot_logins: Vec<String>,
    #[serde(default)]
    footers: Vec<String>,
    #[serde(default)]
    author_name_suffixes: Vec<String>,
    #[serde(default)]
    subject_prefixes: Vec<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    branch_prefixes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutomationRule {
    id: String,
    #[serde(default)]
    author_emails: Vec<String>,
    #[serde(default)]
    github_ids: Vec<u64>,
    #[serde(default)]
    bot_logins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrailerRule {
    key: String,
    signal: String,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    involvement: Option<String>,
    /// `any` (default) or `agent`.
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    known_agents_only: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullRequestRules {
    #[serde(default)]
    ai_labels: Vec<String>,
    #[serde(default)]
    checkbox_phrases: Vec<String>,
    #[serde(default)]
    checkbox_negations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldRule {
    field: String,
    equals: String,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    involvement: Option<String>,
    #[serde(default)]
    model: Option<String>,
    /// `ai` (default), `automation` or `human`.
    #[serde(default)]
    class: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    ai_tool: Vec<AiToolRule>,
    #[serde(default)]
    automation: Vec<AutomationRule>,
    #[serde(default)]
    trailer: Vec<TrailerRule>,
    #[serde(default)]
    pull_request: Option<PullRequestRules>,
    #[serde(default)]
    field_rule: Vec<FieldRule>,
}

#[derive(Debug, Clone)]
struct ToolInfo {
    id: String,
    involvement: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrailerValue {
    Any,
    Agent,
}

#[derive(Debug, Clone)]
struct CompiledTrailer {
    signal: String,
    tool: Option<usize>,
    involvement: Option<String>,
    value: TrailerValue,
    values: Vec<String>,
    known_agents_only: bool,
}

#[derive(Debug, Clone)]
struct CompiledFieldRule {
    field: String,
    equals: String,
    tool: Option<String>,
    involvement: Option<String>,
    model: Option<String>,
    class: AttributionClass,
}

/// The compiled attribution rules.
#[derive(Debug, Clone)]
pub struct Rules {
    tools: Vec<ToolInfo>,
    coauthor: HashMap<String, usize>,
    account_email: HashMap<String, usize>,
    ai_ids: HashMap<u64, usize>,
    ai_logins: HashMap<String, usize>,
    aliases: HashMap<String, usize>,
    footers: Vec<(String, usize)>,
    name_suffixes: Vec<(String, usize)>,
    subject_prefixes: Vec<(String, usize)>,
    labels: HashMap<String, Option<usize>>,
    branch_prefixes: Vec<(String, usize)>,
    trailers: HashMap<String, CompiledTrailer>,
    max_trailer_key: usize,
    checkbox_phrases: Vec<String>,
    checkbox_negations: Vec<String>,
    field_rules: Vec<CompiledFieldRule>,
    bots: Vec<String>,
    bot_email: HashMap<String, usize>,
    bot_ids: HashMap<u64, usize>,
    bot_logins: HashMap<String, usize>,
}

/// One AI observation before it becomes [`Evidence`].
#[derive(Debug, Clone)]
struct Hit {
    signal: &'static str,
    location: String,
    matched_text: String,
    tool: Option<String>,
    involvement: String,
    model: Option<String>,
    confidence: f64,
    line_share: Option<f64>,
}

fn parse_error(origin: &str, message: impl Into<String>) -> RulesError {
    RulesError::Parse {
        origin: origin.to_owned(),
        message: message.into(),
    }
}

/// Lower case with spaces and underscores turned into `-` (labels, agent names).
fn normalise(text: &str) -> String {
    normalise_service_name(text)
}

/// Splits `<id>+<login>@users.noreply.github.com` (lower case) into its id and login.
fn noreply_account(email_lower: &str) -> Option<(Option<u64>, &str)> {
    let local = email_lower.strip_suffix(NOREPLY)?;
    match local.split_once('+') {
        Some((id, login)) => Some((id.parse().ok(), login)),
        None => Some((None, local)),
    }
}

/// A bot login as a person's name or a pull request author: `app/x` means `x[bot]`.
fn login_of_name(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase();
    match name.strip_prefix("app/") {
        Some(app) => format!("{app}[bot]"),
        None => name,
    }
}

/// The value of a `Key: value` trailer, when `line` is one (the key has no spaces).
fn trailer_split(line: &str, max_key: usize) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let colon = bytes.iter().take(max_key + 1).position(|&b| b == b':')?;
    let key = &line[..colon];
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some((key, line[colon + 1..].trim()))
}

/// The e-mail inside `<...>` of a trailer value.
fn angle_email(value: &str) -> Option<&str> {
    let open = value.rfind('<')?;
    let close = value[open..].find('>')? + open;
    Some(value[open + 1..close].trim())
}

impl Rules {
    /// The built-in rules alone.
    pub fn builtin() -> Self {
        // The built-in file is tested; failing here would be a build defect.
        Self::from_sources(&[("built-in", BUILTIN_RULES)])
            .unwrap_or_else(|e| unreachable!("built-in attribution rules are invalid: {e}"))
    }

    /// Each `(origin, toml)` in order (pass [`BUILTIN_RULES`] first to extend the built-in
    /// rules). A later tool or automation with the same id, a trailer with the same key and a
    /// field rule with the same field and value replace the earlier one; pull request lists
    /// are added to.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, RulesError> {
        let mut tools: Vec<AiToolRule> = Vec::new();
        let mut bots: Vec<AutomationRule> = Vec::new();
        let mut trailers: Vec<TrailerRule> = Vec::new();
        let mut field_rules: Vec<FieldRule> = Vec::new();
        let mut pr = PullRequestRules::default();
        for (origin, text) in sources {
            let file: RuleFile =
                toml::from_str(text).map_err(|e| parse_error(origin, e.to_string()))?;
            for tool in file.ai_tool {
                tools.retain(|t| t.id != tool.id);
                tools.push(tool);
            }
            for bot in file.automation {
                bots.retain(|b| b.id != bot.id);
                bots.push(bot);
            }
            for trailer in file.trailer {
                match trailer.value.as_deref() {
                    None | Some("any") | Some("agent") => {}
                    Some(other) => {
                        return Err(parse_error(
                            origin,
                            format!(
                                "trailer {}: value must be \"any\" or \"agent\", not {other:?}",
                                trailer.key
                            ),
                        ))
                    }
                }
                trailers.retain(|t| !t.key.eq_ignore_ascii_case(&trailer.key));
                trailers.push(trailer);
            }
            for rule in file.field_rule {
                match rule.class.as_deref() {
                    None | Some("ai") | Some("automation") | Some("human") => {}
                    Some(other) => {
                        return Err(parse_error(
                            origin,
                            format!(
                            "field_rule {}: class must be ai, automation or human, not {other:?}",
                            rule.field
                        ),
                        ))
                    }
                }
                field_rules.retain(|r| {
                    !(r.field == rule.field && r.equals.eq_ignore_ascii_case(&rule.equals))
                });
                field_rules.push(rule);
            }
            if let Some(p) = file.pull_request {
                pr.ai_labels.extend(p.ai_labels);
                pr.checkbox_phrases.extend(p.checkbox_phrases);
                pr.checkbox_negations.extend(p.checkbox_negations);
            }
        }
        let mut rules = Self {
            tools: Vec::new(),
            coauthor: HashMap::new(),
            account_email: HashMap::new(),
            ai_ids: HashMap::new(),
            ai_logins: HashMap::new(),
            aliases: HashMap::new(),
            footers: Vec::new(),
            name_suffixes: Vec::new(),
            subject_prefixes: Vec::new(),
            labels: HashMap::new(),
            branch_prefixes: Vec::new(),
            trailers: HashMap::new(),
            max_trailer_key: "co-authored-by".len(),
            checkbox_phrases: pr
                .checkbox_phrases
                .iter()
                .map(|p| p.to_lowercase())
                .collect(),
            checkbox_negations: pr
                .checkbox_negations
                .iter()
                .map(|p| p.to_lowercase())
                .collect(),
            field_rules: Vec::new(),
            bots: Vec::new(),
            bot_email: HashMap::new(),
            bot_ids: HashMap::new(),
            bot_logins: HashMap::new(),
        };
        for label in &pr.ai_labels {
            rules.labels.insert(normalise(label), None);
        }
        for (index, tool) in tools.iter().enumerate() {
            rules.tools.push(ToolInfo {
                id: tool.id.clone(),
                involvement: tool.involvement.clone(),
            });
            rules.aliases.insert(normalise(&tool.id), index);
            for alias in &tool.aliases {
                rules.aliases.insert(normalise(alias), index);
            }
            for email in &tool.coauthor_emails {
                rules.coauthor.insert(email.to_ascii_lowercase(), index);
            }
            for email in &tool.author_emails {
                rules
                    .account_email
                    .insert(email.to_ascii_lowercase(), index);
            }
            for id in &tool.github_ids {
                rules.ai_ids.insert(*id, index);
            }
            for login in &tool.bot_logins {
                rules.ai_logins.insert(login.to_ascii_lowercase(), index);
            }
            for footer in &tool.footers {
                rules.footers.push((footer.clone(), index));
            }
            for suffix in &tool.author_name_suffixes {
                rules.name_suffixes.push((suffix.clone(), index));
            }
            for prefix in &tool.subject_prefixes {
                rules.subject_prefixes.push((prefix.clone(), index));
            }
            for label in &tool.labels {
                rules.labels.insert(normalise(label), Some(index));
            }
            for prefix in &tool.branch_prefixes {
                rules
                    .branch_prefixes
                    .push((prefix.to_ascii_lowercase(), index));
            }
        }
        for trailer in trailers {
            let key = trailer.key.trim().to_ascii_lowercase();
            let tool = trailer
                .tool
                .as_deref()
                .map(|id| rules.tool_index_or_add(id));
            rules.max_trailer_key = rules.max_trailer_key.max(key.len());
            rules.trailers.insert(
                key,
                CompiledTrailer {
                    signal: trailer.signal,
                    tool,
                    involvement: trailer.involvement,
                    value: if trailer.value.as_deref() == Some("agent") {
                        TrailerValue::Agent
                    } else {
                        TrailerValue::Any
                    },
                    values: trailer.values.iter().map(|v| v.to_lowercase()).collect(),
                    known_agents_only: trailer.known_agents_only,
                },
            );
        }
        for rule in field_rules {
            rules.field_rules.push(CompiledFieldRule {
                field: rule.field,
                equals: rule.equals.to_lowercase(),
                tool: rule.tool,
                involvement: rule.involvement,
                model: rule.model,
                class: match rule.class.as_deref() {
                    Some("automation") => AttributionClass::Automation,
                    Some("human") => AttributionClass::Human,
                    _ => AttributionClass::Ai,
                },
            });
        }
        for (index, bot) in bots.iter().enumerate() {
            rules.bots.push(bot.id.clone());
            for email in &bot.author_emails {
                rules.bot_email.insert(email.to_ascii_lowercase(), index);
            }
            for id in &bot.github_ids {
                rules.bot_ids.insert(*id, index);
            }
            for login in &bot.bot_logins {
                rules.bot_logins.insert(login.to_ascii_lowercase(), index);
            }
        }
        Ok(rules)
    }

    fn tool_index_or_add(&mut self, id: &str) -> usize {
        if let Some(i) = self.tools.iter().position(|t| t.id == id) {
            return i;
        }
        self.tools.push(ToolInfo {
            id: id.to_owned(),
            involvement: None,
        });
        self.tools.len() - 1
    }

    fn involvement(&self, tool: usize, default: &str) -> String {
        self.tools[tool]
            .involvement
            .clone()
            .unwrap_or_else(|| default.to_owned())
    }

    /// The AI tool whose account a lower-case e-mail address is (exact, GitHub id or login).
    fn ai_email(&self, email_lower: &str, exact: &HashMap<String, usize>) -> Option<usize> {
        if let Some(&tool) = exact.get(email_lower) {
            return Some(tool);
        }
        let (id, login) = noreply_account(email_lower)?;
        id.and_then(|id| self.ai_ids.get(&id).copied())
            .or_else(|| self.ai_logins.get(login).copied())
    }

    /// The AI tool whose account a person is.
    fn ai_account(&self, person: &Person) -> Option<usize> {
        self.ai_email(&person.email.to_ascii_lowercase(), &self.account_email)
            .or_else(|| {
                let login = login_of_name(&person.name);
                login
                    .ends_with("[bot]")
                    .then(|| self.ai_logins.get(&login).copied())
                    .flatten()
            })
    }

    /// The automation bot a person is.
    fn bot_account(&self, person: &Person) -> Option<usize> {
        let email = person.email.to_ascii_lowercase();
        if let Some(&bot) = self.bot_email.get(&email) {
            return Some(bot);
        }
        if let Some((id, login)) = noreply_account(&email) {
            if let Some(&bot) = id.and_then(|id| self.bot_ids.get(&id)) {
                return Some(bot);
            }
            if let Some(&bot) = self.bot_logins.get(login) {
                return Some(bot);
            }
        }
        self.bot_logins.get(&login_of_name(&person.name)).copied()
    }

    /// The tool an agent name from a trailer or note stands for.
    fn tool_of_agent(&self, agent: &str) -> Option<usize> {
        self.aliases.get(&normalise(agent)).copied()
    }

    /// Classifies who performed a deploy-log record or other operation: the configurable
    /// `[[field_rule]]`s apply to its fields (`actor_type = agent` ...) exactly as to a change
    /// ticket's; an actor with no marker is human, a record without an actor unknown.
    pub fn classify_operation(
        &self,
        actor: Option<&str>,
        actor_type: Option<&str>,
        attributes: &BTreeMap<String, String>,
    ) -> Attribution {
        let source = hindsight_model::SourceRef {
            file: String::new(),
            location: "record".into(),
        };
        let mut record = Change::new(ChangeKind::Ticket, "operation", source);
        record.attributes = attributes.clone();
        if let Some(kind) = actor_type {
            record
                .attributes
                .insert("actor_type".to_owned(), kind.to_owned());
        }
        record.author = actor.map(|name| hindsight_model::Person {
            name: name.to_owned(),
            email: String::new(),
        });
        self.classify(&record)
    }

    /// Classifies one change. Every AI marker found becomes evidence; the strongest decides
    /// the tool and the involvement.
    pub fn classify(&self, change: &Change) -> Attribution {
        let mut hits: Vec<Hit> = Vec::new();
        self.account_hits(change, &mut hits);
        self.message_hits(change, &mut hits);
        self.note_hits(change, &mut hits);
        self.agent_trace_hits(change, &mut hits);
        if change.kind == ChangeKind::PullRequest {
            self.pull_request_hits(change, &mut hits);
        }
        let mut field_decision: Option<(AttributionClass, Evidence)> = None;
        for rule in &self.field_rules {
            let Some(value) = change.attributes.get(&rule.field) else {
                continue;
            };
            if value.trim().to_lowercase() != rule.equals {
                continue;
            }
            let location = format!("attributes[{}]", rule.field);
            let matched_text = format!("{} = {}", rule.field, value);
            if rule.class == AttributionClass::Ai {
                hits.push(Hit {
                    signal: "field_rule",
                    location,
                    matched_text,
                    tool: rule.tool.clone(),
                    involvement: rule
                        .involvement
                        .clone()
                        .unwrap_or_else(|| "authored".into()),
                    model: rule.model.clone(),
                    confidence: C_STRONG,
                    line_share: None,
                });
            } else if field_decision.is_none() {
                field_decision = Some((
                    rule.class,
                    Evidence {
                        signal: "field_rule".to_owned(),
                        location,
                        matched_text,
                        tool: rule.tool.clone(),
                    },
                ));
            }
        }
        if !hits.is_empty() {
            return decide_ai(hits);
        }

        if let Some(author) = &change.author {
            if let Some(bot) = self.bot_account(author) {
                let id = self.bots[bot].clone();
                return Attribution {
                    class: AttributionClass::Automation,
                    tool: Some(id.clone()),
                    involvement: None,
                    model: None,
                    line_share: None,
                    confidence: C_ACCOUNT,
                    evidence: vec![Evidence {
                        signal: "automation_author".to_owned(),
                        location: "author".to_owned(),
                        matched_text: format!("{} <{}>", author.name, author.email),
                        tool: Some(id),
                    }],
                };
            }
        }
        if let Some((class, evidence)) = field_decision {
            return Attribution {
                class,
                tool: evidence.tool.clone(),
                involvement: None,
                model: None,
                line_share: None,
                confidence: C_STRONG,
                evidence: vec![evidence],
            };
        }
        let Some(person) = change.author.as_ref().or(change.committer.as_ref()) else {
            return Attribution {
                class: AttributionClass::Unknown,
                tool: None,
                involvement: None,
                model: None,
                line_share: None,
                confidence: 0.0,
                evidence: vec![Evidence {
                    signal: "no_authorship_data".to_owned(),
                    location: change.source.location.clone(),
                    matched_text: String::new(),
                    tool: None,
                }],
            };
        };
        Attribution {
            class: AttributionClass::Human,
            tool: None,
            involvement: None,
            model: None,
            line_share: None,
            // Absence of a marker: an undisclosed AI session would look the same.
            confidence: C_HUMAN,
            evidence: vec![Evidence {
                signal: "no_ai_marker".to_owned(),
                location: if change.author.is_some() {
                    "author and message".to_owned()
                } else {
                    "committer and message".to_owned()
                },
                matched_text: format!("{} <{}>", person.name, person.email),
                tool: None,
            }],
        }
    }

    /// Classifies every change, then marks a pull request AI when one of its commits (a change
    /// whose natural key is in the pull request's `related` list) is AI.
    pub fn classify_all(&self, changes: &[Change]) -> Vec<Attribution> {
        let mut out: Vec<Attribution> = changes.iter().map(|c| self.classify(c)).collect();
        let ai_by_key: BTreeMap<&str, usize> = changes
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                out[*i].class == AttributionClass::Ai && c.kind != ChangeKind::PullRequest
            })
            .map(|(i, c)| (c.natural_key.as_str(), i))
            .collect();
        if ai_by_key.is_empty() {
            return out;
        }
        for (i, change) in changes.iter().enumerate() {
            if change.kind != ChangeKind::PullRequest {
                continue;
            }
            for key in &change.related {
                let j = match ai_by_key.get(key.as_str()) {
                    Some(&j) => j,
                    // An abbreviated commit SHA (7+ hex digits).
                    None if key.len() >= 7 && key.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        match ai_by_key
                            .range(key.as_str()..)
                            .next()
                            .filter(|(full, _)| full.starts_with(key.as_str()))
                        {
                            Some((_, &j)) => j,
                            None => continue,
                        }
                    }
                    None => continue,
                };
                if i == j {
                    continue;
                }
                let commit = out[j].clone();
                let first_signal = commit
                    .evidence
                    .first()
                    .map(|e| e.signal.as_str())
                    .unwrap_or_default();
                let evidence = Evidence {
                    signal: "commit_of_pr".to_owned(),
                    location: "related".to_owned(),
                    matched_text: format!(
                        "commit {key} is AI ({}, {first_signal})",
                        commit.tool.as_deref().unwrap_or("unknown tool")
                    ),
                    tool: commit.tool.clone(),
                };
                let pr = &mut out[i];
                if pr.class != AttributionClass::Ai {
                    pr.class = AttributionClass::Ai;
                    pr.tool = commit.tool.clone();
                    pr.involvement = commit.involvement.clone();
                    pr.model = commit.model.clone();
                    pr.confidence = commit.confidence.min(C_PR_FROM_COMMIT_MAX);
                    pr.evidence
                        .retain(|e| e.signal != "no_ai_marker" && e.signal != "no_authorship_data");
                }
                pr.evidence.push(evidence);
            }
        }
        out
    }

    fn account_hits(&self, change: &Change, hits: &mut Vec<Hit>) {
        for (person, signal, location, confidence) in [
            (&change.author, "ai_author", "author", C_ACCOUNT),
            (&change.committer, "ai_committer", "committer", C_STRONG),
        ] {
            let Some(person) = person else { continue };
            if let Some(tool) = self.ai_account(person) {
                hits.push(Hit {
                    signal,
                    location: location.to_owned(),
                    matched_text: format!("{} <{}>", person.name, person.email),
                    tool: Some(self.tools[tool].id.clone()),
                    involvement: self.involvement(tool, "authored"),
                    model: None,
                    confidence,
                    line_share: None,
                });
            }
            for (suffix, tool) in &self.name_suffixes {
                if person.name.ends_with(suffix.as_str()) && person.name.len() > suffix.len() {
                    hits.push(Hit {
                        signal: "aider",
                        location: format!("{location} name"),
                        matched_text: person.name.clone(),
                        tool: Some(self.tools[*tool].id.clone()),
                        involvement: self.involvement(*tool, "coauthored"),
                        model: None,
                        confidence: C_STRONG,
                        line_share: None,
                    });
                }
            }
        }
        if !self.subject_prefixes.is_empty() {
            let subject = if change.title.is_empty() {
                change.message.lines().next().unwrap_or_default()
            } else {
                change.title.as_str()
            };
            for (prefix, tool) in &self.subject_prefixes {
                if subject.starts_with(prefix.as_str()) {
                    hits.push(Hit {
                        signal: "aider",
                        location: "subject".to_owned(),
                        matched_text: subject.to_owned(),
                        tool: Some(self.tools[*tool].id.clone()),
                        involvement: self.involvement(*tool, "coauthored"),
                        model: None,
                        confidence: C_STRONG,
                        line_share: None,
                    });
                }
            }
        }
    }

    fn message_hits(&self, change: &Change, hits: &mut Vec<Hit>) {
        let message = change.message.as_str();
        for (footer, tool) in &self.footers {
            if !message.contains(footer.as_str()) {
                continue;
            }
            for (index, line) in message.lines().enumerate() {
                if line.contains(footer.as_str()) {
                    hits.push(Hit {
                        signal: "footer",
                        location: format!("message line {}", index + 1),
                        matched_text: line.trim().to_owned(),
                        tool: Some(self.tools[*tool].id.clone()),
                        involvement: self.involvement(*tool, "coauthored"),
                        model: None,
                        confidence: C_STRONG,
                        line_share: None,
                    });
                }
            }
        }
        if !message.contains(':') {
            return;
        }
        let mut key_buf = String::with_capacity(self.max_trailer_key);
        for (index, line) in message.lines().enumerate() {
            let line = line.trim();
            let Some((key, value)) = trailer_split(line, self.max_trailer_key) else {
                continue;
            };
            key_buf.clear();
            key_buf.push_str(key);
            key_buf.make_ascii_lowercase();
            if key_buf == "co-authored-by" {
                let Some(email) = angle_email(value) else {
                    continue;
                };
                let email = email.to_ascii_lowercase();
                if let Some(tool) = self.ai_email(&email, &self.coauthor) {
                    hits.push(Hit {
                        signal: "co_authored_by",
                        location: format!("message line {}", index + 1),
                        matched_text: line.to_owned(),
                        tool: Some(self.tools[tool].id.clone()),
                        involvement: self.involvement(tool, "coauthored"),
                        model: None,
                        confidence: C_ACCOUNT,
                        line_share: None,
                    });
                }
                continue;
            }
            let Some(trailer) = self.trailers.get(key_buf.as_str()) else {
                continue;
            };
            if let Some(hit) = self.trailer_hit(trailer, line, value, index) {
                hits.push(hit);
            }
        }
    }

    fn trailer_hit(
        &self,
        trailer: &CompiledTrailer,
        line: &str,
        value: &str,
        index: usize,
    ) -> Option<Hit> {
        if value.is_empty() {
            return None;
        }
        if !trailer.values.is_empty() && !trailer.values.contains(&value.to_lowercase()) {
            return None;
        }
        let signal = signal_name(&trailer.signal);
        let default_involvement = trailer.involvement.as_deref().unwrap_or("coauthored");
        let mut model = None;
        let tool: Option<String> = match (trailer.value, trailer.tool) {
            (TrailerValue::Any, Some(tool)) => Some(self.tools[tool].id.clone()),
            (TrailerValue::Any, None) => None,
            (TrailerValue::Agent, fixed) => {
                if let Some(email) = angle_email(value) {
                    // `Assisted-by: Jane <jane@example.com>`: a person, unless an agent's account.
                    let tool = self.ai_email(&email.to_ascii_lowercase(), &self.coauthor)?;
                    Some(self.tools[tool].id.clone())
                } else {
                    // `AGENT:MODEL [TOOLS]` (kernel style) or a bare agent name.
                    let colon = value.find(':').filter(|&i| !value[i..].starts_with("://"));
                    let (agent, named_model) = match colon {
                        Some(i) => (value[..i].trim(), value[i + 1..].split_whitespace().next()),
                        None => (value, None),
                    };
                    model = named_model.filter(|m| !m.is_empty()).map(str::to_owned);
                    let known = self.tool_of_agent(agent).or_else(|| {
                        // `Claude Code 2.0`, `Cursor (agent mode)`: the words before a
                        // version, then the first word.
                        let words: Vec<&str> = agent
                            .split_whitespace()
                            .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
                            .collect();
                        self.tool_of_agent(&words.join(" ")).or_else(|| {
                            self.tool_of_agent(words.first().copied().unwrap_or_default())
                        })
                    });
                    match (known, fixed) {
                        (Some(tool), _) | (None, Some(tool)) => Some(self.tools[tool].id.clone()),
                        (None, None) if trailer.known_agents_only => return None,
                        // An unknown agent counts only in the AGENT:MODEL form: a bare name
                        // could be a person (`Assisted-by: Jane Doe`).
                        (None, None) if model.is_none() => return None,
                        (None, None) => Some(normalise(agent)).filter(|a| !a.is_empty()),
                    }
                }
            }
        };
        let involvement = match tool
            .as_deref()
            .and_then(|id| self.tools.iter().find(|t| t.id == id))
            .and_then(|t| t.involvement.clone())
        {
            Some(forced) => forced,
            None => default_involvement.to_owned(),
        };
        Some(Hit {
            signal,
            location: format!("message line {}", index + 1),
            matched_text: line.to_owned(),
            tool,
            involvement,
            model,
            confidence: C_STRONG,
            line_share: None,
        })
    }

    fn note_hits(&self, change: &Change, hits: &mut Vec<Hit>) {
        let Some(text) = change.notes.get("ai") else {
            return;
        };
        let Some(note) = parse_git_ai_note(text) else {
            return;
        };
        if !note.is_ai_signal() {
            return;
        }
        let line_share = change
            .additions
            .filter(|a| *a > 0)
            .map(|a| (note.ai_lines as f64 / a as f64).min(1.0));
        let mut tools = note.tools.clone();
        // The tool with the most attested lines first.
        tools.sort_by_key(|t| std::cmp::Reverse(t.lines));
        let of_additions = match change.additions {
            Some(a) => format!(" of {a} added"),
            None => String::new(),
        };
        if tools.is_empty() {
            hits.push(Hit {
                signal: "git_ai_note",
                location: "notes[ai]".to_owned(),
                matched_text: format!("{} AI lines{of_additions}", note.ai_lines),
                tool: None,
                involvement: "coauthored".to_owned(),
                model: None,
                confidence: C_ACCOUNT,
                line_share,
            });
            return;
        }
        for t in tools {
            let tool = self
                .tool_of_agent(&t.tool)
                .map(|i| self.tools[i].id.clone())
                .unwrap_or_else(|| normalise(&t.tool));
            hits.push(Hit {
                signal: "git_ai_note",
                location: "notes[ai]".to_owned(),
                matched_text: format!(
                    "{} ({}): {} of {} AI lines{of_additions}",
                    t.tool,
                    t.model.as_deref().unwrap_or("model not stated"),
                    t.lines,
                    note.ai_lines
                ),
                tool: Some(tool),
                involvement: "coauthored".to_owned(),
                model: t.model.clone(),
                confidence: if note.ai_lines > 0 {
                    C_ACCOUNT
                } else {
                    C_STRONG
                },
                line_share,
            });
        }
    }

    fn agent_trace_hits(&self, change: &Change, hits: &mut Vec<Hit>) {
        let found = AGENT_TRACE_KEYS.iter().find_map(|key| {
            change
                .notes
                .get(*key)
                .map(|t| (format!("notes[{key}]"), t))
                .or_else(|| {
                    change
                        .attributes
                        .get(*key)
                        .map(|t| (format!("attributes[{key}]"), t))
                })
        });
        let Some((location, text)) = found else {
            return;
        };
        let Some(trace) = parse_agent_trace(text) else {
            return;
        };
        if !trace.is_ai_signal() {
            return;
        }
        let line_share = change
            .additions
            .filter(|a| *a > 0)
            .map(|a| (trace.ai_lines as f64 / a as f64).min(1.0));
        let tool = trace.tool.as_deref().map(|name| {
            self.tool_of_agent(name)
                .map(|i| self.tools[i].id.clone())
                .unwrap_or_else(|| normalise(name))
        });
        let of_additions = match change.additions {
            Some(a) => format!(" of {a} added"),
            None => String::new(),
        };
        hits.push(Hit {
            signal: "agent_trace",
            location,
            matched_text: format!(
                "{} ({}): {} AI lines, {} mixed lines{of_additions}",
                trace.tool.as_deref().unwrap_or("tool not stated"),
                trace.model.as_deref().unwrap_or("model not stated"),
                trace.ai_lines,
                trace.mixed_lines
            ),
            tool,
            involvement: "coauthored".to_owned(),
            model: trace.model.clone(),
            confidence: if trace.ai_lines > 0 {
                C_ACCOUNT
            } else {
                C_STRONG
            },
            line_share,
        });
    }

    fn pull_request_hits(&self, change: &Change, hits: &mut Vec<Hit>) {
        for label in &change.labels {
            if let Some(tool) = self.labels.get(&normalise(label)) {
                hits.push(Hit {
                    signal: "pr_label",
                    location: "labels".to_owned(),
                    matched_text: label.clone(),
                    tool: tool.map(|t| self.tools[t].id.clone()),
                    involvement: tool
                        .map(|t| self.involvement(t, "assisted"))
                        .unwrap_or_else(|| "assisted".into()),
                    model: None,
                    confidence: C_LABEL,
                    line_share: None,
                });
            }
        }
        let body = change
            .attributes
            .get("body")
            .map(String::as_str)
            .unwrap_or(change.message.as_str());
        if !self.checkbox_phrases.is_empty() && body.contains('[') {
            for (index, line) in body.lines().enumerate() {
                let trimmed = line.trim_start();
                let Some(rest) = trimmed
                    .strip_prefix("- ")
                    .or_else(|| trimmed.strip_prefix("* "))
                    .map(str::trim_start)
                else {
                    continue;
                };
                let Some(text) = rest
                    .strip_prefix("[x]")
                    .or_else(|| rest.strip_prefix("[X]"))
                else {
                    continue;
                };
                let text = format!(" {} ", text.trim().to_lowercase());
                if self
                    .checkbox_phrases
                    .iter()
                    .any(|p| text.contains(p.as_str()))
                    && !self
                        .checkbox_negations
                        .iter()
                        .any(|n| text.contains(n.as_str()))
                {
                    hits.push(Hit {
                        signal: "pr_checkbox",
                        location: format!("body line {}", index + 1),
                        matched_text: line.trim().to_owned(),
                        tool: None,
                        involvement: "assisted".to_owned(),
                        model: None,
                        confidence: C_LABEL,
                        line_share: None,
                    });
                }
            }
        }
        for field in ["head_ref", "branch"] {
            let Some(branch) = change.attributes.get(field) else {
                continue;
            };
            let lower = branch.trim().to_ascii_lowercase();
            let lower = lower.strip_prefix("refs/heads/").unwrap_or(&lower);
            if let Some((_, tool)) = self
                .branch_prefixes
                .iter()
                .find(|(prefix, _)| lower.starts_with(prefix.as_str()))
            {
                hits.push(Hit {
                    signal: "pr_branch",
                    location: format!("attributes[{field}]"),
                    matched_text: branch.clone(),
                    tool: Some(self.tools[*tool].id.clone()),
                    involvement: self.involvement(*tool, "authored"),
                    model: None,
                    confidence: C_BRANCH,
                    line_share: None,
                });
                break;
            }
        }
    }
}

/// The evidence signal name of a trailer rule (static for the known names).
fn signal_name(signal: &str) -> &'static str {
    match signal {
        "session_trailer" => "session_trailer",
        "assisted_by" => "assisted_by",
        "generated_by" => "generated_by",
        "replit_trailer" => "replit_trailer",
        "footer" => "footer",
        "co_authored_by" => "co_authored_by",
        _ => "trailer",
    }
}

fn decide_ai(hits: Vec<Hit>) -> Attribution {
    let mut best = 0;
    for (i, hit) in hits.iter().enumerate() {
        if hit.confidence > hits[best].confidence {
            best = i;
        }
    }
    let decider = &hits[best];
    let tool = decider
        .tool
        .clone()
        .or_else(|| hits.iter().find_map(|h| h.tool.clone()));
    let model = decider.model.clone().or_else(|| {
        hits.iter()
            .filter(|h| h.tool == tool || h.tool.is_none())
            .find_map(|h| h.model.clone())
    });
    let line_share = hits.iter().find_map(|h| h.line_share);
    Attribution {
        class: AttributionClass::Ai,
        tool,
        involvement: Some(decider.involvement.clone()),
        model,
        line_share,
        confidence: decider.confidence,
        evidence: hits
            .into_iter()
            .map(|h| Evidence {
                signal: h.signal.to_owned(),
                location: h.location,
                matched_text: h.matched_text,
                tool: h.tool,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
