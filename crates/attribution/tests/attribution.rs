//! Attribution over the git-ai corpus (`../shared/corpora/git-ai`, see its README section 1):
//! the reference counts of `counts.json` and the tools named in the 183 git-ai notes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use hindsight_attribution::{parse_git_ai_note, Rules};
use hindsight_model::{Attribution, AttributionClass, Change, ChangeKind, Person, SourceRef};

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/git-ai");
    if dir.join("commits.log").exists() {
        Some(dir)
    } else {
        eprintln!("git-ai corpus not found at {}; skipping", dir.display());
        None
    }
}

struct Record {
    change: Change,
    merge: bool,
    note: Option<String>,
}

fn person(value: &str) -> Option<Person> {
    let value = value.trim();
    let open = value.rfind('<')?;
    let close = value[open..].find('>')? + open;
    Some(Person {
        name: value[..open].trim().to_owned(),
        email: value[open + 1..close].to_owned(),
    })
}

/// Parses `git log --format=fuller` output, with `Notes (ai):` blocks when present.
fn parse_log(text: &str, file: &str) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    let mut message: Vec<&str> = Vec::new();
    let mut note: Vec<&str> = Vec::new();
    let mut in_note = false;
    let finish = |out: &mut Vec<Record>, message: &mut Vec<&str>, note: &mut Vec<&str>| {
        if let Some(last) = out.last_mut() {
            while message.last().is_some_and(|l| l.trim().is_empty()) {
                message.pop();
            }
            last.change.message = message.join("\n");
            last.change.title = message.first().copied().unwrap_or_default().to_owned();
            if !note.is_empty() {
                last.note = Some(note.join("\n"));
            }
        }
        message.clear();
        note.clear();
    };
    for (index, line) in text.lines().enumerate() {
        if let Some(sha) = line.strip_prefix("commit ") {
            let sha = sha.split_whitespace().next().unwrap_or_default();
            if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                finish(&mut out, &mut message, &mut note);
                in_note = false;
                out.push(Record {
                    change: Change::new(ChangeKind::Commit, sha, SourceRef::line(file, index + 1)),
                    merge: false,
                    note: None,
                });
                continue;
            }
        }
        let Some(record) = out.last_mut() else {
            continue;
        };
        if in_note {
            if let Some(rest) = line.strip_prefix("    ") {
                note.push(rest);
                continue;
            }
            in_note = false;
        }
        if let Some(rest) = line.strip_prefix("    ") {
            message.push(rest);
        } else if line == "Notes (ai):" {
            in_note = true;
        } else if let Some(rest) = line.strip_prefix("Merge:") {
            record.merge = rest.split_whitespace().count() >= 2;
            record.change.parents = rest.split_whitespace().map(str::to_owned).collect();
        } else if let Some(rest) = line.strip_prefix("Author:") {
            record.change.author = person(rest);
        } else if let Some(rest) = line.strip_prefix("Commit:") {
            record.change.committer = person(rest);
        }
    }
    finish(&mut out, &mut message, &mut note);
    out
}

/// `"key": number` pairs of the JSON object that follows `"section"` in counts.json.
fn json_counts(text: &str, section: &str) -> BTreeMap<String, usize> {
    let start = text.find(&format!("\"{section}\"")).expect("section");
    let body = &text[start..];
    let open = body.find('{').expect("object");
    let close = body[open..].find('}').expect("end") + open;
    let pair = regex::Regex::new(r#""([^"]+)":\s*(\d+)"#).expect("regex");
    pair.captures_iter(&body[open..close])
        .map(|c| (c[1].to_owned(), c[2].parse().expect("number")))
        .collect()
}

fn json_number(text: &str, key: &str) -> usize {
    let re = regex::Regex::new(&format!(r#""{}":\s*(\d+)"#, regex::escape(key))).expect("regex");
    re.captures(text).expect(key)[1].parse().expect("number")
}

fn email_in(text: &str) -> Option<String> {
    let open = text.rfind('<')?;
    let close = text[open..].find('>')? + open;
    Some(text[open + 1..close].trim().to_ascii_lowercase())
}

fn has(a: &Attribution, signal: &str) -> bool {
    a.evidence.iter().any(|e| e.signal == signal)
}

#[test]
fn git_ai_commits_reproduce_the_reference_counts() {
    let Some(dir) = corpus_dir() else { return };
    let log = std::fs::read_to_string(dir.join("commits.log")).expect("commits.log");
    let counts = std::fs::read_to_string(dir.join("counts.json")).expect("counts.json");
    let records = parse_log(&log, "commits.log");
    assert_eq!(records.len(), json_number(&counts, "total_commits"));
    assert_eq!(
        records.iter().filter(|r| r.merge).count(),
        json_number(&counts, "merge_commits")
    );

    let rules = Rules::builtin();
    let changes: Vec<Change> = records.into_iter().map(|r| r.change).collect();
    let attributions = rules.classify_all(&changes);

    let co_reference = json_counts(&counts, "co_authored_by");
    let author_reference = json_counts(&counts, "ai_author_email");
    let listed_co: BTreeSet<String> = co_reference
        .keys()
        .map(|e| e.to_ascii_lowercase())
        .collect();
    let listed_author: BTreeSet<String> = author_reference
        .keys()
        .map(|e| e.to_ascii_lowercase())
        .collect();

    let mut co_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut author_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut footer = 0;
    let mut reference_union = 0;
    let mut extra: Vec<(&Change, &Attribution)> = Vec::new();
    for (change, a) in changes.iter().zip(&attributions) {
        let co: BTreeSet<String> = a
            .evidence
            .iter()
            .filter(|e| e.signal == "co_authored_by")
            .filter_map(|e| email_in(&e.matched_text))
            .filter(|e| listed_co.contains(e))
            .collect();
        for e in &co {
            *co_counts.entry(e.clone()).or_default() += 1;
        }
        let author: Option<String> = a
            .evidence
            .iter()
            .filter(|e| e.signal == "ai_author")
            .filter_map(|e| email_in(&e.matched_text))
            .find(|e| listed_author.contains(e));
        if let Some(e) = &author {
            *author_counts.entry(e.clone()).or_default() += 1;
        }
        let claude_footer = a.evidence.iter().any(|e| {
            e.signal == "footer" && e.matched_text.contains("Generated with [Claude Code]")
        });
        footer += usize::from(claude_footer);
        let in_reference = !co.is_empty() || author.is_some() || claude_footer;
        reference_union += usize::from(in_reference);
        if in_reference {
            assert_eq!(a.class, AttributionClass::Ai, "{}", change.natural_key);
        } else if a.class == AttributionClass::Ai {
            extra.push((change, a));
        }
    }
    for (email, expected) in &co_reference {
        if email == "commits_with_any_listed_email" {
            continue;
        }
        let got = co_counts
            .get(&email.to_ascii_lowercase())
            .copied()
            .unwrap_or(0);
        assert_eq!(got, *expected, "Co-authored-by {email}");
    }
    for (email, expected) in &author_reference {
        if email == "commits_with_any_listed_email" {
            continue;
        }
        let got = author_counts
            .get(&email.to_ascii_lowercase())
            .copied()
            .unwrap_or(0);
        assert_eq!(got, *expected, "author {email}");
    }
    assert_eq!(author_counts["codex@openai.com"], 9);
    assert_eq!(
        author_counts["198982749+copilot@users.noreply.github.com"],
        25
    );
    assert_eq!(
        author_counts["158243242+devin-ai-integration[bot]@users.noreply.github.com"],
        165
    );
    assert_eq!(author_counts["noreply@anthropic.com"], 1);
    assert_eq!(footer, json_number(&counts, "claude_code_footer_commits"));
    assert_eq!(
        reference_union,
        json_number(&counts, "commits_with_any_ai_signal")
    );
    assert_eq!(reference_union, 1622);

    // Signals beyond the reference definition. Each family, with an example commit:
    let family = |signal: &str| extra.iter().filter(|(_, a)| has(a, signal)).count();
    // ai_committer (8): an agent account committed a commit a human authored, e.g.
    //   d6e61e21c543: Author Sasha Varlamov, Commit: Codex <codex@openai.com> (5 such), and
    //   d3f15dd67b10: Commit: Devin AI <158243242+devin-ai-integration[bot]@...> (3 such).
    let committer_only = family("ai_committer");
    assert_eq!(committer_only, 8);
    // co_authored_by (1) of an agent not on the reference list, matched by its GitHub id:
    //   82e515439601: `Co-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>`.
    let coauthor_by_id = family("co_authored_by");
    assert_eq!(coauthor_by_id, 1);
    let total_ai = attributions
        .iter()
        .filter(|a| a.class == AttributionClass::Ai)
        .count();
    eprintln!(
        "AI {total_ai} = reference {reference_union} + extra {} (ai_committer {committer_only}, co_authored_by by id/login {coauthor_by_id})",
        extra.len()
    );
    assert_eq!(total_ai, reference_union + extra.len());
    assert_eq!(
        EXTRA_AI,
        extra.len(),
        "extra AI commits beyond the reference union"
    );

    // Bots are automation, never AI.
    for (bot, expected) in [("dependabot[bot]", 198), ("github-actions[bot]", 115)] {
        let bot_commits: Vec<&Attribution> = changes
            .iter()
            .zip(&attributions)
            .filter(|(c, _)| c.author.as_ref().is_some_and(|p| p.name == bot))
            .map(|(_, a)| a)
            .collect();
        assert_eq!(bot_commits.len(), expected, "{bot}");
        assert!(
            bot_commits
                .iter()
                .all(|a| a.class == AttributionClass::Automation),
            "{bot}"
        );
    }
    assert_eq!(
        attributions
            .iter()
            .filter(|a| a.class == AttributionClass::Automation)
            .count(),
        313
    );
    // Every commit has an author: nothing is unknown.
    assert!(attributions
        .iter()
        .all(|a| a.class != AttributionClass::Unknown));
}

/// Commits that are AI by signals the reference union does not count (see the comments in the
/// test for each family).
const EXTRA_AI: usize = 9;

#[test]
fn git_ai_notes_name_the_reference_tools() {
    let Some(dir) = corpus_dir() else { return };
    let log = std::fs::read_to_string(dir.join("notes.log")).expect("notes.log");
    let records = parse_log(&log, "notes.log");
    assert_eq!(records.len(), 300);
    let with_note: Vec<&Record> = records.iter().filter(|r| r.note.is_some()).collect();
    assert_eq!(with_note.len(), 183);

    let mut by_tools: BTreeMap<&str, usize> = BTreeMap::new();
    let mut signals = 0;
    let rules = Rules::builtin();
    for record in &with_note {
        let text = record.note.as_deref().unwrap_or_default();
        let note = parse_git_ai_note(text).expect("note parses");
        assert_eq!(note.schema_version.as_deref(), Some("authorship/3.0.0"));
        let tools: BTreeSet<&str> = note.tools.iter().map(|t| t.tool.as_str()).collect();
        let key = match (tools.contains("codex"), tools.contains("claude")) {
            (true, true) => "both",
            (true, false) => "codex",
            (false, true) => "claude",
            (false, false) => "none",
        };
        assert!(
            tools.iter().all(|t| *t == "codex" || *t == "claude"),
            "{tools:?}"
        );
        *by_tools.entry(key).or_default() += 1;

        let mut change = record.change.clone();
        change.notes.insert("ai".into(), text.to_owned());
        let a = rules.classify(&change);
        if note.is_ai_signal() {
            signals += 1;
            assert_eq!(a.class, AttributionClass::Ai);
            assert!(has(&a, "git_ai_note"));
        } else {
            assert!(!has(&a, "git_ai_note"));
        }
    }
    assert_eq!(by_tools["codex"], 130);
    assert_eq!(by_tools["claude"], 28);
    assert_eq!(by_tools["both"], 23);
    assert_eq!(by_tools["none"], 2);
    assert_eq!(signals, 181);
}
