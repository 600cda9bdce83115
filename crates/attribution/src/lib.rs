//! Decides whether a change was made by an AI tool, a human, an automation bot, or cannot be
//! told, and keeps the evidence that decided it.
//!
//! The markers are data: `rules/builtin.toml` ships inside the binary and a user's TOML file
//! can add to or replace its entries without recompiling.

use std::collections::HashMap;

use hindsight_model::{Attribution, AttributionClass, Change, Evidence};
use serde::Deserialize;

/// The rule file compiled into Hindsight.
pub const BUILTIN_RULES: &str = include_str!("../rules/builtin.toml");

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
    coauthor_emails: Vec<String>,
    #[serde(default)]
    author_emails: Vec<String>,
    #[serde(default)]
    footers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutomationRule {
    id: String,
    #[serde(default)]
    author_emails: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    ai_tool: Vec<AiToolRule>,
    #[serde(default)]
    automation: Vec<AutomationRule>,
}

#[derive(Debug, Clone)]
struct AiMarker {
    tool: String,
    involvement: Option<String>,
}

/// The compiled attribution rules.
#[derive(Debug, Clone)]
pub struct Rules {
    coauthor: HashMap<String, AiMarker>,
    ai_author: HashMap<String, AiMarker>,
    footers: Vec<(String, AiMarker)>,
    automation_author: HashMap<String, String>,
}

impl Rules {
    /// The built-in rules alone.
    pub fn builtin() -> Self {
        // The built-in file is tested; failing here would be a build defect.
        Self::from_sources(&[("built-in", BUILTIN_RULES)])
            .unwrap_or_else(|e| unreachable!("built-in attribution rules are invalid: {e}"))
    }

    /// The built-in rules, then each `(origin, toml)` in order; a later tool with the same id
    /// replaces an earlier one.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, RulesError> {
        let mut tools: Vec<AiToolRule> = Vec::new();
        let mut bots: Vec<AutomationRule> = Vec::new();
        for (origin, text) in sources {
            let file: RuleFile = toml::from_str(text).map_err(|e| RulesError::Parse {
                origin: (*origin).to_owned(),
                message: e.to_string(),
            })?;
            for tool in file.ai_tool {
                tools.retain(|t| t.id != tool.id);
                tools.push(tool);
            }
            for bot in file.automation {
                bots.retain(|b| b.id != bot.id);
                bots.push(bot);
            }
        }
        let mut rules = Self {
            coauthor: HashMap::new(),
            ai_author: HashMap::new(),
            footers: Vec::new(),
            automation_author: HashMap::new(),
        };
        for tool in tools {
            let marker = AiMarker {
                tool: tool.id.clone(),
                involvement: tool.involvement.clone(),
            };
            for email in &tool.coauthor_emails {
                rules
                    .coauthor
                    .insert(email.to_ascii_lowercase(), marker.clone());
            }
            for email in &tool.author_emails {
                rules
                    .ai_author
                    .insert(email.to_ascii_lowercase(), marker.clone());
            }
            for footer in &tool.footers {
                rules.footers.push((footer.clone(), marker.clone()));
            }
        }
        for bot in bots {
            for email in &bot.author_emails {
                rules
                    .automation_author
                    .insert(email.to_ascii_lowercase(), bot.id.clone());
            }
        }
        Ok(rules)
    }

    /// Classifies one change. Every AI marker found becomes evidence; the first decides the tool.
    pub fn classify(&self, change: &Change) -> Attribution {
        let mut evidence = Vec::new();
        let mut decided: Option<(String, String)> = None;

        if let Some(author) = &change.author {
            let email = author.email.to_ascii_lowercase();
            if let Some(marker) = self.ai_author.get(&email) {
                evidence.push(Evidence {
                    signal: "ai_author".to_owned(),
                    location: "author".to_owned(),
                    matched_text: format!("{} <{}>", author.name, author.email),
                    tool: Some(marker.tool.clone()),
                });
                let involvement = marker
                    .involvement
                    .clone()
                    .unwrap_or_else(|| "authored".into());
                decided.get_or_insert((marker.tool.clone(), involvement));
            }
        }
        for (index, line) in change.message.lines().enumerate() {
            for (footer, marker) in &self.footers {
                if line.contains(footer.as_str()) {
                    evidence.push(Evidence {
                        signal: "footer".to_owned(),
                        location: format!("message line {}", index + 1),
                        matched_text: line.trim().to_owned(),
                        tool: Some(marker.tool.clone()),
                    });
                    let involvement = marker
                        .involvement
                        .clone()
                        .unwrap_or_else(|| "coauthored".into());
                    decided.get_or_insert((marker.tool.clone(), involvement));
                }
            }
            let Some(email) = coauthor_email(line) else {
                continue;
            };
            if let Some(marker) = self.coauthor.get(&email.to_ascii_lowercase()) {
                evidence.push(Evidence {
                    signal: "co_authored_by".to_owned(),
                    location: format!("message line {}", index + 1),
                    matched_text: line.trim().to_owned(),
                    tool: Some(marker.tool.clone()),
                });
                let involvement = marker
                    .involvement
                    .clone()
                    .unwrap_or_else(|| "coauthored".into());
                decided.get_or_insert((marker.tool.clone(), involvement));
            }
        }
        if let Some((tool, involvement)) = decided {
            return Attribution {
                class: AttributionClass::Ai,
                tool: Some(tool),
                involvement: Some(involvement),
                confidence: 0.95,
                evidence,
            };
        }

        let Some(author) = &change.author else {
            return Attribution {
                class: AttributionClass::Unknown,
                tool: None,
                involvement: None,
                confidence: 0.0,
                evidence: vec![Evidence {
                    signal: "no_authorship_data".to_owned(),
                    location: change.source.location.clone(),
                    matched_text: String::new(),
                    tool: None,
                }],
            };
        };
        if let Some(bot) = self
            .automation_author
            .get(&author.email.to_ascii_lowercase())
        {
            return Attribution {
                class: AttributionClass::Automation,
                tool: Some(bot.clone()),
                involvement: None,
                confidence: 0.95,
                evidence: vec![Evidence {
                    signal: "automation_author".to_owned(),
                    location: "author".to_owned(),
                    matched_text: format!("{} <{}>", author.name, author.email),
                    tool: Some(bot.clone()),
                }],
            };
        }
        Attribution {
            class: AttributionClass::Human,
            tool: None,
            involvement: None,
            // Absence of a marker: an undisclosed AI session would look the same.
            confidence: 0.7,
            evidence: vec![Evidence {
                signal: "no_ai_marker".to_owned(),
                location: "author and message".to_owned(),
                matched_text: format!("{} <{}>", author.name, author.email),
                tool: None,
            }],
        }
    }
}

/// The e-mail of a `Co-authored-by:` trailer line (key compared case-insensitively).
fn coauthor_email(line: &str) -> Option<&str> {
    let line = line.trim();
    let (key, value) = line.split_once(':')?;
    if !key.trim().eq_ignore_ascii_case("co-authored-by") {
        return None;
    }
    let open = value.rfind('<')?;
    let close = value[open..].find('>')? + open;
    Some(value[open + 1..close].trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_model::{ChangeKind, Person, SourceRef};

    fn commit(author: Option<(&str, &str)>, message: &str) -> Change {
        Change {
            kind: ChangeKind::Commit,
            natural_key: "abc".into(),
            repo: None,
            title: message.lines().next().unwrap_or_default().into(),
            message: message.into(),
            author: author.map(|(name, email)| Person {
                name: name.into(),
                email: email.into(),
            }),
            committer: None,
            authored_at: None,
            committed_at: None,
            parents: vec![],
            source: SourceRef::line("x", 1),
        }
    }

    fn classify(author: Option<(&str, &str)>, message: &str) -> Attribution {
        Rules::builtin().classify(&commit(author, message))
    }

    const ADA: Option<(&str, &str)> = Some(("Ada", "ada@shop.example"));

    #[test]
    fn each_known_coauthor_email_makes_a_change_ai_with_its_tool() {
        let cases = [
            ("Claude <noreply@anthropic.com>", "claude-code"),
            ("Copilot <198982749+Copilot@users.noreply.github.com>", "copilot-agent"),
            ("Copilot <223556219+Copilot@users.noreply.github.com>", "copilot-agent"),
            ("Cursor Agent <cursoragent@cursor.com>", "cursor"),
            ("Codex <noreply@openai.com>", "codex"),
            (
                "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
                "devin",
            ),
        ];
        for (who, tool) in cases {
            let a = classify(ADA, &format!("fix\n\nCo-authored-by: {who}"));
            assert_eq!(a.class, AttributionClass::Ai, "{who}");
            assert_eq!(a.tool.as_deref(), Some(tool), "{who}");
            assert_eq!(a.involvement.as_deref(), Some("coauthored"));
            assert_eq!(a.evidence[0].signal, "co_authored_by");
            assert_eq!(a.evidence[0].location, "message line 3");
            assert_eq!(a.evidence[0].matched_text, format!("Co-authored-by: {who}"));
        }
    }

    #[test]
    fn claude_code_footer_is_a_signal() {
        let a = classify(
            ADA,
            "fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        );
        assert_eq!(a.class, AttributionClass::Ai);
        assert_eq!(a.evidence[0].signal, "footer");
    }

    #[test]
    fn trailer_key_case_and_email_case_do_not_matter() {
        let a = classify(ADA, "fix\n\nCO-AUTHORED-BY: Claude <NoReply@Anthropic.com>");
        assert_eq!(a.class, AttributionClass::Ai);
    }

    #[test]
    fn prose_mentions_and_vendor_domain_humans_are_human() {
        let prose = classify(
            ADA,
            "fix cursor pagination\n\nClaude suggested nothing here.",
        );
        assert_eq!(prose.class, AttributionClass::Human);
        let vendor = classify(Some(("Jane", "jane.doe@anthropic.com")), "tune retries");
        assert_eq!(vendor.class, AttributionClass::Human);
        let name_only = classify(ADA, "fix\n\nCo-authored-by: Claude <claude@shop.example>");
        assert_eq!(name_only.class, AttributionClass::Human);
        assert_eq!(prose.evidence[0].signal, "no_ai_marker");
    }

    #[test]
    fn bots_are_automation_and_missing_authors_unknown() {
        let bot = classify(
            Some((
                "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com",
            )),
            "build(deps): bump serde",
        );
        assert_eq!(bot.class, AttributionClass::Automation);
        assert_eq!(bot.tool.as_deref(), Some("dependabot"));
        assert_eq!(classify(None, "something").class, AttributionClass::Unknown);
    }

    #[test]
    fn user_rules_add_tools() {
        let rules = Rules::from_sources(&[
            ("built-in", BUILTIN_RULES),
            (
                "mine.toml",
                "[[ai_tool]]\nid = \"inhouse-bot\"\ncoauthor_emails = [\"bot@shop.example\"]\n",
            ),
        ])
        .expect("rules");
        let a = rules.classify(&commit(ADA, "x\n\nCo-authored-by: Bot <bot@shop.example>"));
        assert_eq!(a.tool.as_deref(), Some("inhouse-bot"));
        let bad = Rules::from_sources(&[("bad.toml", "[[ai_tool]]\nname = 1")]);
        assert!(bad.is_err());
    }
}
