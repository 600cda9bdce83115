//! git-ai notes (`refs/notes/ai`, schema `authorship/3.0.0`).
//!
//! A note has an attestation section (a file path per line, then indented
//! `<key> <ranges>` lines, e.g. `s_11c3e1cdda522c::t_e99b144ead241a 7417-7435,7437`), a `---`
//! line and a JSON object whose `sessions` and `prompts` map keys to entries with an
//! `agent_id` `{tool, id, model}`. An `s_…` key (before `::`) names a session; a bare key names
//! a prompt. The JSON is read with `serde_json`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// What one agent tool contributed to a note.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteTool {
    /// The tool as the note names it (`claude`, `codex` ...).
    pub tool: String,
    /// The first model named for this tool.
    pub model: Option<String>,
    /// Attested AI lines of sessions/prompts of this tool.
    pub lines: u64,
}

/// A parsed git-ai note.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitAiNote {
    pub schema_version: Option<String>,
    /// Every tool named by a session or prompt, in order of first appearance.
    pub tools: Vec<NoteTool>,
    /// All attested AI lines.
    pub ai_lines: u64,
    /// Attested lines whose key names no session or prompt.
    pub unattributed_lines: u64,
    /// Whether the JSON part had a `sessions` object.
    pub has_sessions: bool,
}

impl GitAiNote {
    /// Whether the note says anything about AI: attested lines or a named session/prompt.
    pub fn is_ai_signal(&self) -> bool {
        self.ai_lines > 0 || !self.tools.is_empty()
    }
}

/// Parses a git-ai note. Lines may carry a common indentation (as `git log --notes` prints
/// them). Returns `None` when the text has no `---` separator or its JSON part is not an
/// object.
pub fn parse_git_ai_note(text: &str) -> Option<GitAiNote> {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut per_key: BTreeMap<String, u64> = BTreeMap::new();
    let mut json_text = String::new();
    let mut in_json = false;
    for raw in text.lines() {
        let line = raw.get(indent..).unwrap_or(raw.trim_start());
        if in_json {
            json_text.push_str(line);
            json_text.push('\n');
            continue;
        }
        if line.trim_end() == "---" {
            in_json = true;
            continue;
        }
        if !line.starts_with(' ') {
            continue; // a file path (or blank)
        }
        let mut parts = line.split_whitespace();
        let (Some(key), Some(ranges)) = (parts.next(), parts.next()) else {
            continue;
        };
        *per_key.entry(key.to_owned()).or_default() += count_ranges(ranges);
    }
    if !in_json {
        return None;
    }
    let root: Members<NoteMember> = serde_json::from_str(&json_text).ok()?;
    let mut note = GitAiNote {
        schema_version: match root.get("schema_version") {
            Some(NoteMember::Other(Value::String(s))) => Some(s.clone()),
            _ => None,
        },
        has_sessions: matches!(root.get("sessions"), Some(NoteMember::Object(_))),
        ..GitAiNote::default()
    };
    // key -> index into note.tools
    let mut key_tool: BTreeMap<&str, usize> = BTreeMap::new();
    for section in ["sessions", "prompts"] {
        let Some(NoteMember::Object(entries)) = root.get(section) else {
            continue;
        };
        for (key, entry) in &entries.0 {
            let Some(agent) = entry.get("agent_id").and_then(Value::as_object) else {
                continue;
            };
            let Some(tool) = agent.get("tool").and_then(Value::as_str) else {
                continue;
            };
            let model = agent
                .get("model")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty() && *m != "unknown");
            let index = match note.tools.iter().position(|t| t.tool == tool) {
                Some(i) => i,
                None => {
                    note.tools.push(NoteTool {
                        tool: tool.to_owned(),
                        model: None,
                        lines: 0,
                    });
                    note.tools.len() - 1
                }
            };
            if note.tools[index].model.is_none() {
                note.tools[index].model = model.map(str::to_owned);
            }
            key_tool.insert(key.as_str(), index);
        }
    }
    for (key, lines) in &per_key {
        note.ai_lines += lines;
        let owner = key.split("::").next().unwrap_or(key);
        match key_tool.get(owner) {
            Some(&i) => note.tools[i].lines += lines,
            None => note.unattributed_lines += lines,
        }
    }
    Some(note)
}

/// An Agent Trace record (<https://agent-trace.dev>, version 0.1): which line ranges of which
/// files a conversation's contributor (`ai`, `human`, `mixed`, `unknown`) produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentTrace {
    /// `tool.name`, when stated.
    pub tool: Option<String>,
    /// `vcs.revision`, when stated.
    pub revision: Option<String>,
    /// Lines of ranges whose contributor is `ai`.
    pub ai_lines: u64,
    /// Lines of ranges whose contributor is `mixed`.
    pub mixed_lines: u64,
    /// The first `model_id` of an `ai` or `mixed` contributor.
    pub model: Option<String>,
}

impl AgentTrace {
    /// Whether the record attributes any line to AI (alone or mixed).
    pub fn is_ai_signal(&self) -> bool {
        self.ai_lines + self.mixed_lines > 0
    }
}

/// Parses an Agent Trace record (JSON). `None` when the text is not a JSON object with `files`.
pub fn parse_agent_trace(text: &str) -> Option<AgentTrace> {
    let root: Value = serde_json::from_str(text.trim()).ok()?;
    let root = root.as_object()?;
    let files = root.get("files")?.as_array()?;
    let text_at =
        |object: &Value, key: &str| object.as_object()?.get(key)?.as_str().map(str::to_owned);
    let mut trace = AgentTrace {
        tool: root.get("tool").and_then(|tool| text_at(tool, "name")),
        revision: root.get("vcs").and_then(|vcs| text_at(vcs, "revision")),
        ..AgentTrace::default()
    };
    let contributor = |value: Option<&Value>| -> Option<(String, Option<String>)> {
        let c = value?.as_object()?;
        let kind = c.get("type")?.as_str()?.to_ascii_lowercase();
        let model = c.get("model_id").and_then(Value::as_str).map(|m| {
            // models.dev form `provider/model`: keep the model.
            m.rsplit('/').next().unwrap_or(m).to_owned()
        });
        Some((kind, model))
    };
    for file in files {
        let Some(conversations) = file.get("conversations").and_then(Value::as_array) else {
            continue;
        };
        for conversation in conversations {
            let Some(conversation) = conversation.as_object() else {
                continue;
            };
            let outer = contributor(conversation.get("contributor"));
            let Some(ranges) = conversation.get("ranges").and_then(Value::as_array) else {
                continue;
            };
            for range in ranges {
                let Some(range) = range.as_object() else {
                    continue;
                };
                // As f64, then truncated and saturated, like any JSON number reader.
                let line = |key: &str| {
                    let n = range.get(key)?.as_f64()?;
                    (n >= 0.0).then_some(n as u64)
                };
                let (Some(start), Some(end)) = (line("start_line"), line("end_line")) else {
                    continue;
                };
                let lines = end.saturating_sub(start) + 1;
                let Some((kind, model)) = contributor(range.get("contributor")).or(outer.clone())
                else {
                    continue;
                };
                match kind.as_str() {
                    "ai" => trace.ai_lines += lines,
                    "mixed" => trace.mixed_lines += lines,
                    _ => continue,
                }
                if trace.model.is_none() {
                    trace.model = model;
                }
            }
        }
    }
    Some(trace)
}

/// `1-41`, `877-879,1519-1521,1524` ... -> the number of lines.
fn count_ranges(ranges: &str) -> u64 {
    ranges
        .split(',')
        .filter_map(|r| match r.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
                Some(b.saturating_sub(a) + 1)
            }
            None => r.trim().parse::<u64>().ok().map(|_| 1),
        })
        .sum()
}

/// A JSON object's members in document order (serde_json's `Map` sorts its keys, but a
/// note's tools are listed in order of first appearance).
struct Members<T>(Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Members<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for MembersVisitor<T> {
            type Value = Members<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(member) = map.next_entry()? {
                    out.push(member);
                }
                Ok(Members(out))
            }
        }
        deserializer.deserialize_map(MembersVisitor(PhantomData))
    }
}

impl<T> Members<T> {
    /// The first member named `key`.
    fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A top-level member of a git-ai note's JSON: an object (members in order) or anything else.
#[derive(Deserialize)]
#[serde(untagged)]
enum NoteMember {
    Object(Members<Value>),
    Other(Value),
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str = "    src/a.rs\n      s_1::t_1 1-41\n      s_1::t_2 50,52-53\n    src/b.rs\n      abc123 7\n    ---\n    {\n      \"schema_version\": \"authorship/3.0.0\",\n      \"prompts\": {\"abc123\": {\"agent_id\": {\"tool\": \"codex\", \"id\": \"x\", \"model\": \"gpt-5-codex\"}}},\n      \"sessions\": {\"s_1\": {\"agent_id\": {\"tool\": \"claude\", \"id\": \"y\", \"model\": \"claude-opus-4\"}, \"human_author\": \"A \\\"q\\\" \\u00e9\"}}\n    }\n";

    #[test]
    fn parses_ranges_sessions_and_prompts() {
        let note = parse_git_ai_note(NOTE).expect("note");
        assert_eq!(note.schema_version.as_deref(), Some("authorship/3.0.0"));
        assert_eq!(note.ai_lines, 45);
        assert_eq!(note.tools.len(), 2);
        let claude = note
            .tools
            .iter()
            .find(|t| t.tool == "claude")
            .expect("claude");
        assert_eq!(
            (claude.lines, claude.model.as_deref()),
            (44, Some("claude-opus-4"))
        );
        let codex = note
            .tools
            .iter()
            .find(|t| t.tool == "codex")
            .expect("codex");
        assert_eq!(codex.lines, 1);
        assert!(note.is_ai_signal());
    }

    #[test]
    fn empty_note_is_not_a_signal() {
        let note =
            parse_git_ai_note("---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {}}")
                .expect("note");
        assert!(!note.is_ai_signal());
        assert!(!note.has_sessions);
        assert!(parse_git_ai_note("just text").is_none());
    }

    #[test]
    fn agent_trace_ranges_and_overrides() {
        let text = r#"{"version": "0.1.0", "id": "x", "vcs": {"type": "git", "revision": "abc"},
          "tool": {"name": "cursor", "version": "2.4.0"},
          "files": [{"path": "a.ts", "conversations": [
            {"contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5-20251101"},
             "ranges": [{"start_line": 42, "end_line": 67},
                        {"start_line": 1, "end_line": 2, "contributor": {"type": "human"}}]},
            {"contributor": {"type": "mixed"}, "ranges": [{"start_line": 5, "end_line": 5}]}]}]}"#;
        let trace = parse_agent_trace(text).expect("trace");
        assert_eq!(trace.tool.as_deref(), Some("cursor"));
        assert_eq!(trace.revision.as_deref(), Some("abc"));
        assert_eq!((trace.ai_lines, trace.mixed_lines), (26, 1));
        assert_eq!(trace.model.as_deref(), Some("claude-opus-4-5-20251101"));
        assert!(trace.is_ai_signal());
        let human = parse_agent_trace(
            r#"{"files": [{"path": "a", "conversations": [{"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": 9}]}]}]}"#,
        )
        .expect("trace");
        assert!(!human.is_ai_signal());
        assert!(parse_agent_trace("[]").is_none());
    }

    #[test]
    fn tools_keep_document_order_and_malformed_json_is_none() {
        let note = parse_git_ai_note(
            "---\n{\"sessions\": {\"s_z\": {\"agent_id\": {\"tool\": \"zed\"}}, \"s_a\": {\"agent_id\": {\"tool\": \"amp\", \"model\": \"unknown\"}}}, \"schema_version\": 3}",
        )
        .expect("note");
        let tools: Vec<_> = note.tools.iter().map(|t| t.tool.as_str()).collect();
        assert_eq!(tools, ["zed", "amp"]);
        assert_eq!(
            (note.schema_version, note.tools[1].model.clone()),
            (None, None)
        );
        assert!(note.has_sessions);
        assert!(parse_git_ai_note("---\n[1]").is_none());
        assert!(parse_git_ai_note("---\n{\"sessions\": {} x").is_none());
        assert!(parse_agent_trace("{\"files\": {}}").is_none());
    }
}
