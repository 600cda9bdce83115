use super::*;
use hindsight_model::{ChangeKind, Person, SourceRef};

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.into(),
        email: email.into(),
    }
}

fn commit(author: Option<(&str, &str)>, message: &str) -> Change {
    let mut c = Change::new(ChangeKind::Commit, "abc", SourceRef::line("x", 1));
    c.title = message.lines().next().unwrap_or_default().into();
    c.message = message.into();
    c.author = author.map(|(name, email)| person(name, email));
    c
}

fn pr(body: &str) -> Change {
    let mut c = Change::new(
        ChangeKind::PullRequest,
        "shop/app#7",
        SourceRef::line("x", 2),
    );
    c.title = "Add retries".into();
    c.author = Some(person("ada", ""));
    c.attributes.insert("body".into(), body.into());
    c
}

fn classify(author: Option<(&str, &str)>, message: &str) -> Attribution {
    Rules::builtin().classify(&commit(author, message))
}

const ADA: Option<(&str, &str)> = Some(("Ada", "ada@shop.example"));

fn signals(a: &Attribution) -> Vec<&str> {
    a.evidence.iter().map(|e| e.signal.as_str()).collect()
}

#[test]
fn each_known_coauthor_email_makes_a_change_ai_with_its_tool() {
    let cases = [
        ("Claude <noreply@anthropic.com>", "claude-code"),
        ("Copilot <198982749+Copilot@users.noreply.github.com>", "copilot-agent"),
        ("Copilot <223556219+Copilot@users.noreply.github.com>", "copilot-agent"),
        ("Cursor Agent <cursoragent@cursor.com>", "cursor"),
        ("Codex <noreply@openai.com>", "codex"),
        ("Firebender <help@firebender.com>", "firebender"),
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
        assert!((a.confidence - 0.95).abs() < 1e-9);
    }
}

#[test]
fn coauthor_matches_github_numeric_id_and_bot_login() {
    // Same numeric id, different login spelling.
    let a = classify(
        ADA,
        "fix\n\nCo-authored-by: x <198982749+copilot-swe-agent[bot]@users.noreply.github.com>",
    );
    assert_eq!(a.tool.as_deref(), Some("copilot-agent"));
    // A [bot] login with an id not in the rules.
    let b = classify(
        ADA,
        "fix\n\nCo-authored-by: Jules <99999+google-labs-jules[bot]@users.noreply.github.com>",
    );
    assert_eq!(b.tool.as_deref(), Some("jules"));
    // A human whose login happens to be "copilot": no id match, no [bot] login.
    let c = classify(
        ADA,
        "fix\n\nCo-authored-by: Copilot Fan <12345+Copilot@users.noreply.github.com>",
    );
    assert_eq!(c.class, AttributionClass::Human);
}

#[test]
fn coauthor_in_squash_body_counts_and_copilot_suggestion_is_suggested() {
    let a = classify(
        ADA,
        "Add retries (#12)\n\n* first\n\n* apply suggestion\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\nCo-authored-by: Bob <bob@shop.example>",
    );
    assert_eq!(a.class, AttributionClass::Ai);
    assert_eq!(a.tool.as_deref(), Some("copilot"));
    assert_eq!(a.involvement.as_deref(), Some("suggested"));
}

#[test]
fn claude_code_footer_old_and_new_forms_and_cursor_footer() {
    for footer in [
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        "🤖 Generated with [Claude Code](https://claude.ai/code)",
    ] {
        let a = classify(ADA, &format!("fix\n\n{footer}"));
        assert_eq!(a.class, AttributionClass::Ai);
        assert_eq!(a.tool.as_deref(), Some("claude-code"));
        assert_eq!(a.evidence[0].signal, "footer");
        assert_eq!(a.evidence[0].location, "message line 3");
    }
    let c = classify(ADA, "fix\n\nMade-with: Cursor");
    assert_eq!(c.tool.as_deref(), Some("cursor"));
    assert_eq!(signals(&c), ["footer"]);
}

#[test]
fn session_trailers() {
    let a = classify(
        ADA,
        "fix\n\nClaude-Session: https://claude.ai/code/session_01abc",
    );
    assert_eq!(a.tool.as_deref(), Some("claude-code"));
    assert_eq!(signals(&a), ["session_trailer"]);
    let b = classify(
        ADA,
        "fix\n\nAgent-Logs-Url: https://github.com/o/r/sessions/123",
    );
    assert_eq!(b.tool.as_deref(), Some("copilot-agent"));
    assert_eq!(signals(&b), ["session_trailer"]);
}

#[test]
fn assisted_by_gives_tool_and_model() {
    let a = classify(
        ADA,
        "mm: fix leak\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse\nSigned-off-by: Ada <ada@shop.example>",
    );
    assert_eq!(a.class, AttributionClass::Ai);
    assert_eq!(a.tool.as_deref(), Some("claude-code"));
    assert_eq!(a.model.as_deref(), Some("claude-3-opus"));
    assert_eq!(a.involvement.as_deref(), Some("assisted"));
    assert_eq!(signals(&a), ["assisted_by"]);
    // An agent not in the rules still declares AI use.
    let b = classify(ADA, "fix\n\nAssisted-by: SomeAgent:some-model-1");
    assert_eq!(b.tool.as_deref(), Some("someagent"));
    assert_eq!(b.model.as_deref(), Some("some-model-1"));
    // A person credited with Assisted-by is not a signal.
    let c = classify(ADA, "fix\n\nAssisted-by: Jane Doe <jane@anthropic.com>");
    assert_eq!(c.class, AttributionClass::Human);
    let d = classify(ADA, "fix\n\nAssisted-by: Jane Doe");
    assert_eq!(d.class, AttributionClass::Human);
    let e = classify(ADA, "fix\n\nAssisted-by: GitHub Copilot:gpt-4o");
    assert_eq!(e.tool.as_deref(), Some("copilot"));
    assert_eq!(e.model.as_deref(), Some("gpt-4o"));
    let f = classify(ADA, "fix\n\nGenerated-by: Cursor (agent mode)");
    assert_eq!(f.tool.as_deref(), Some("cursor"));
}

#[test]
fn generated_by_needs_a_known_agent() {
    let a = classify(ADA, "fix\n\nGenerated-by: Claude Code 2.0");
    assert_eq!(a.tool.as_deref(), Some("claude-code"));
    assert_eq!(signals(&a), ["generated_by"]);
    let b = classify(ADA, "regen\n\nGenerated-by: protoc 3.21");
    assert_eq!(b.class, AttributionClass::Human);
}

#[test]
fn replit_trailers() {
    let a = classify(
        ADA,
        "Update page\n\nReplit-Commit-Author: Agent\nReplit-Commit-Session-Id: 1f2e3d",
    );
    assert_eq!(a.tool.as_deref(), Some("replit"));
    assert_eq!(a.involvement.as_deref(), Some("authored"));
    assert_eq!(signals(&a), ["replit_trailer", "replit_trailer"]);
    let human = classify(ADA, "Update page\n\nReplit-Commit-Author: User");
    assert_eq!(human.class, AttributionClass::Human);
}

#[test]
fn agent_accounts_as_author_or_committer() {
    let cases = [
        (
            "Devin AI",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
            "devin",
        ),
        (
            "copilot-swe-agent[bot]",
            "198982749+Copilot@users.noreply.github.com",
            "copilot-agent",
        ),
        ("Codex", "codex@openai.com", "codex"),
        (
            "google-labs-jules[bot]",
            "161369871+google-labs-jules[bot]@users.noreply.github.com",
            "jules",
        ),
        (
            "amazon-q-developer[bot]",
            "208079219+amazon-q-developer[bot]@users.noreply.github.com",
            "amazon-q",
        ),
        (
            "chatgpt-codex-connector[bot]",
            "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
            "codex",
        ),
        (
            "cursor[bot]",
            "206951365+cursor[bot]@users.noreply.github.com",
            "cursor",
        ),
        (
            "claude[bot]",
            "209825114+claude[bot]@users.noreply.github.com",
            "claude-code",
        ),
        // Login as name only (a PR author from the API).
        ("app/copilot-swe-agent", "", "copilot-agent"),
    ];
    for (name, email, tool) in cases {
        let a = classify(Some((name, email)), "Fix the thing");
        assert_eq!(a.class, AttributionClass::Ai, "{name}");
        assert_eq!(a.tool.as_deref(), Some(tool), "{name}");
        assert_eq!(a.involvement.as_deref(), Some("authored"));
        assert_eq!(signals(&a), ["ai_author"], "{name}");
    }
    let mut c = commit(ADA, "Fix");
    c.committer = Some(person("Codex", "codex@openai.com"));
    let a = Rules::builtin().classify(&c);
    assert_eq!(a.tool.as_deref(), Some("codex"));
    assert_eq!(signals(&a), ["ai_committer"]);
}

#[test]
fn aider_suffix_and_prefix_but_not_lookalikes() {
    let a = classify(Some(("Ada Lovelace (aider)", "ada@shop.example")), "Add x");
    assert_eq!(a.tool.as_deref(), Some("aider"));
    assert_eq!(signals(&a), ["aider"]);
    let b = classify(ADA, "aider: Add retry loop");
    assert_eq!(b.tool.as_deref(), Some("aider"));
    let c = classify(Some(("Jo (aider) Smith", "jo@shop.example")), "Add x");
    assert_eq!(c.class, AttributionClass::Human);
    let d = classify(ADA, "Use aider: notes on setup");
    assert_eq!(d.class, AttributionClass::Human);
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
        "fix cursor pagination\n\nClaude suggested nothing here. continue: loop\nNote: Copilot was not used.",
    );
    assert_eq!(prose.class, AttributionClass::Human);
    assert_eq!(prose.evidence[0].signal, "no_ai_marker");
    assert!((prose.confidence - 0.7).abs() < 1e-9);
    let vendor = classify(Some(("Jane", "jane.doe@anthropic.com")), "tune retries");
    assert_eq!(vendor.class, AttributionClass::Human);
    let vendor_coauthor = classify(ADA, "fix\n\nCo-authored-by: Jane <jane@cursor.com>");
    assert_eq!(vendor_coauthor.class, AttributionClass::Human);
    let name_only = classify(ADA, "fix\n\nCo-authored-by: Claude <claude@shop.example>");
    assert_eq!(name_only.class, AttributionClass::Human);
}

#[test]
fn bots_are_automation_and_missing_authors_unknown() {
    for (name, email, id) in [
        (
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
            "dependabot",
        ),
        (
            "github-actions[bot]",
            "github-actions[bot]@users.noreply.github.com",
            "github-actions",
        ),
        (
            "renovate[bot]",
            "29139614+renovate[bot]@users.noreply.github.com",
            "renovate",
        ),
        (
            "pre-commit-ci[bot]",
            "66853113+pre-commit-ci[bot]@users.noreply.github.com",
            "pre-commit-ci",
        ),
        ("app/dependabot", "", "dependabot"),
    ] {
        let bot = classify(Some((name, email)), "build(deps): bump serde");
        assert_eq!(bot.class, AttributionClass::Automation, "{name}");
        assert_eq!(bot.tool.as_deref(), Some(id));
        assert_eq!(bot.evidence[0].signal, "automation_author");
    }
    let unknown = classify(None, "something");
    assert_eq!(unknown.class, AttributionClass::Unknown);
    assert_eq!(unknown.evidence[0].signal, "no_authorship_data");
}

#[test]
fn pull_request_labels_are_normalised() {
    for (label, tool) in [
        ("AI assisted", None),
        ("ai_generated", None),
        ("Claude Code", Some("claude-code")),
        ("copilot", Some("copilot")),
    ] {
        let mut c = pr("Adds retries.");
        c.labels = vec!["bug".into(), label.into()];
        let a = Rules::builtin().classify(&c);
        assert_eq!(a.class, AttributionClass::Ai, "{label}");
        assert_eq!(a.tool.as_deref(), tool, "{label}");
        assert_eq!(signals(&a), ["pr_label"]);
        assert!((a.confidence - 0.8).abs() < 1e-9);
    }
    // Labels about a subject, not about authorship, are not signals.
    for label in ["ai", "claude", "llm", "enhancement"] {
        let mut c = pr("Adds retries.");
        c.labels = vec![label.into()];
        assert_eq!(
            Rules::builtin().classify(&c).class,
            AttributionClass::Human,
            "{label}"
        );
    }
    // Labels only count on pull requests.
    let mut c = commit(ADA, "x");
    c.labels = vec!["ai-assisted".into()];
    assert_eq!(Rules::builtin().classify(&c).class, AttributionClass::Human);
}

#[test]
fn pull_request_checkboxes_checked_only() {
    let checked = Rules::builtin().classify(&pr(
        "## Checklist\n- [x] Tests added\n- [x] This PR was written with AI assistance\n",
    ));
    assert_eq!(checked.class, AttributionClass::Ai);
    assert_eq!(checked.involvement.as_deref(), Some("assisted"));
    assert_eq!(signals(&checked), ["pr_checkbox"]);
    assert_eq!(checked.evidence[0].location, "body line 3");
    let short = Rules::builtin().classify(&pr("* [X] AI-generated"));
    assert_eq!(short.class, AttributionClass::Ai);
    for body in [
        "- [ ] This PR was written with AI assistance",
        "- [x] No AI was used",
        "- [x] This PR is not AI-generated",
        "We thought about AI assistance but did not use it.",
        "- [x] Tested the LLM endpoint",
    ] {
        let a = Rules::builtin().classify(&pr(body));
        assert_eq!(a.class, AttributionClass::Human, "{body}");
    }
}

#[test]
fn pull_request_branch_prefixes() {
    for (field, branch, tool) in [
        ("head_ref", "copilot/fix-123", "copilot-agent"),
        ("branch", "codex/add-tests", "codex"),
        ("head_ref", "claude/issue-4", "claude-code"),
        ("head_ref", "devin/1700000-x", "devin"),
        ("head_ref", "cursor/fix-bug-a1b2", "cursor"),
    ] {
        let mut c = pr("");
        c.attributes.insert(field.into(), branch.into());
        let a = Rules::builtin().classify(&c);
        assert_eq!(a.tool.as_deref(), Some(tool), "{branch}");
        assert_eq!(signals(&a), ["pr_branch"]);
        assert!((a.confidence - 0.7).abs() < 1e-9);
    }
    let mut c = pr("");
    c.attributes
        .insert("head_ref".into(), "feature/copilot-docs".into());
    assert_eq!(Rules::builtin().classify(&c).class, AttributionClass::Human);
    // Commits do not use branch prefixes.
    let mut k = commit(ADA, "x");
    k.attributes.insert("branch".into(), "codex/x".into());
    assert_eq!(Rules::builtin().classify(&k).class, AttributionClass::Human);
}

#[test]
fn pull_request_bot_author() {
    let mut c = pr("");
    c.author = Some(person("Copilot", ""));
    assert_eq!(Rules::builtin().classify(&c).class, AttributionClass::Human);
    c.author = Some(person("copilot-swe-agent[bot]", ""));
    let a = Rules::builtin().classify(&c);
    assert_eq!(a.tool.as_deref(), Some("copilot-agent"));
    assert_eq!(signals(&a), ["ai_author"]);
    c.author = Some(person("dependabot[bot]", ""));
    assert_eq!(
        Rules::builtin().classify(&c).class,
        AttributionClass::Automation
    );
}

#[test]
fn classify_all_marks_a_pull_request_ai_through_its_commits() {
    let mut pr1 = pr("Adds retries.");
    pr1.related = vec!["c1".into(), "c2".into()];
    let mut pr2 = pr("Other");
    pr2.natural_key = "shop/app#8".into();
    pr2.related = vec!["c3".into()];
    let mut c1 = commit(ADA, "one");
    c1.natural_key = "c1".into();
    let mut c2 = commit(ADA, "two\n\nCo-authored-by: Claude <noreply@anthropic.com>");
    c2.natural_key = "c2".into();
    let mut c3 = commit(ADA, "three");
    c3.natural_key = "c3".into();
    let out = Rules::builtin().classify_all(&[pr1, c1, c2, pr2, c3]);
    assert_eq!(out[0].class, AttributionClass::Ai);
    assert_eq!(out[0].tool.as_deref(), Some("claude-code"));
    assert_eq!(out[0].involvement.as_deref(), Some("coauthored"));
    assert_eq!(signals(&out[0]), ["commit_of_pr"]);
    assert!(out[0].evidence[0].matched_text.contains("c2"));
    assert!((out[0].confidence - 0.9).abs() < 1e-9);
    assert_eq!(out[1].class, AttributionClass::Human);
    assert_eq!(out[2].class, AttributionClass::Ai);
    assert_eq!(out[3].class, AttributionClass::Human);
}

#[test]
fn classify_all_accepts_abbreviated_commit_shas() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let mut p = pr("");
    p.related = vec![sha[..9].to_owned()];
    let mut c = commit(ADA, "x\n\nMade-with: Cursor");
    c.natural_key = sha.into();
    let out = Rules::builtin().classify_all(&[p, c]);
    assert_eq!(out[0].tool.as_deref(), Some("cursor"));
    assert_eq!(signals(&out[0]), ["commit_of_pr"]);
}

#[test]
fn agent_trace_record_is_a_signal() {
    let mut c = commit(ADA, "Add parser");
    c.additions = Some(52);
    c.notes.insert(
        "agent-trace".into(),
        r#"{"version": "0.1.0", "tool": {"name": "cursor"}, "files": [{"path": "a.ts", "conversations": [{"contributor": {"type": "ai", "model_id": "openai/gpt-4o"}, "ranges": [{"start_line": 10, "end_line": 35}]}]}]}"#.into(),
    );
    let a = Rules::builtin().classify(&c);
    assert_eq!(a.class, AttributionClass::Ai);
    assert_eq!(a.tool.as_deref(), Some("cursor"));
    assert_eq!(a.model.as_deref(), Some("gpt-4o"));
    assert_eq!(a.line_share, Some(0.5));
    assert_eq!(signals(&a), ["agent_trace"]);
}

const NOTE: &str = "src/a.rs\n  s_1::t_1 1-30\nsrc/b.rs\n  s_2::t_9 5,7-16\n---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {}, \"sessions\": {\"s_1\": {\"agent_id\": {\"tool\": \"codex\", \"id\": \"a\", \"model\": \"gpt-5-codex\"}}, \"s_2\": {\"agent_id\": {\"tool\": \"claude\", \"id\": \"b\", \"model\": \"claude-opus-4\"}}}}";

#[test]
fn git_ai_note_gives_tool_model_and_line_share() {
    let mut c = commit(ADA, "Add parser");
    c.notes.insert("ai".into(), NOTE.into());
    c.additions = Some(82);
    let a = Rules::builtin().classify(&c);
    assert_eq!(a.class, AttributionClass::Ai);
    assert_eq!(a.tool.as_deref(), Some("codex"));
    assert_eq!(a.model.as_deref(), Some("gpt-5-codex"));
    assert_eq!(a.line_share, Some(41.0 / 82.0));
    assert_eq!(signals(&a), ["git_ai_note", "git_ai_note"]);
    assert_eq!(a.evidence[1].tool.as_deref(), Some("claude-code"));
    // Additions unknown: no share, but the line count is in the evidence.
    c.additions = None;
    let b = Rules::builtin().classify(&c);
    assert_eq!(b.line_share, None);
    assert!(b.evidence[0].matched_text.contains("30 of 41 AI lines"));
    // An empty attestation without sessions is not a signal.
    c.notes.insert(
        "ai".into(),
        "---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {}}".into(),
    );
    assert_eq!(Rules::builtin().classify(&c).class, AttributionClass::Human);
}

#[test]
fn field_rules_for_tickets_and_deploys() {
    let mut t = Change::new(ChangeKind::Ticket, "CHG-1", SourceRef::line("t", 1));
    t.attributes.insert("actor_type".into(), "Agent".into());
    let a = Rules::builtin().classify(&t);
    assert_eq!(a.class, AttributionClass::Ai);
    assert_eq!(a.tool.as_deref(), Some("ops-agent"));
    assert_eq!(a.involvement.as_deref(), Some("authored"));
    assert_eq!(signals(&a), ["field_rule"]);
    t.attributes
        .insert("actor_type".into(), "automation".into());
    assert_eq!(
        Rules::builtin().classify(&t).class,
        AttributionClass::Automation
    );
    t.attributes.insert("actor_type".into(), "someone".into());
    assert_eq!(
        Rules::builtin().classify(&t).class,
        AttributionClass::Unknown
    );
}

#[test]
fn user_rules_add_and_replace_tools() {
    let rules = Rules::from_sources(&[
        ("built-in", BUILTIN_RULES),
        (
            "mine.toml",
            "[[ai_tool]]\nid = \"inhouse-bot\"\ncoauthor_emails = [\"bot@shop.example\"]\nlabels = [\"Made By Bot\"]\n\n[[ai_tool]]\nid = \"cursor\"\ncoauthor_emails = [\"agent@cursor.example\"]\n\n[[field_rule]]\nfield = \"changed_by\"\nequals = \"release-agent\"\ntool = \"release-agent\"\nmodel = \"gpt-5\"\n",
        ),
    ])
    .expect("rules");
    let a = rules.classify(&commit(ADA, "x\n\nCo-authored-by: Bot <bot@shop.example>"));
    assert_eq!(a.tool.as_deref(), Some("inhouse-bot"));
    // The replaced cursor tool lost its built-in e-mail.
    let old = rules.classify(&commit(
        ADA,
        "x\n\nCo-authored-by: C <cursoragent@cursor.com>",
    ));
    assert_eq!(old.class, AttributionClass::Human);
    let new = rules.classify(&commit(
        ADA,
        "x\n\nCo-authored-by: C <agent@cursor.example>",
    ));
    assert_eq!(new.tool.as_deref(), Some("cursor"));
    let mut p = pr("");
    p.labels = vec!["made_by_bot".into()];
    assert_eq!(rules.classify(&p).tool.as_deref(), Some("inhouse-bot"));
    let mut t = Change::new(ChangeKind::Ticket, "CHG-2", SourceRef::line("t", 1));
    t.attributes
        .insert("changed_by".into(), "release-agent".into());
    let f = rules.classify(&t);
    assert_eq!(f.model.as_deref(), Some("gpt-5"));
    for bad in [
        "[[ai_tool]]\nname = 1",
        "[[trailer]]\nkey = \"X\"\nsignal = \"s\"\nvalue = \"weird\"",
        "[[field_rule]]\nfield = \"a\"\nequals = \"b\"\nclass = \"robot\"",
        "[pull_request]\nlabels = []",
    ] {
        assert!(Rules::from_sources(&[("bad.toml", bad)]).is_err(), "{bad}");
    }
}

#[test]
fn fixture_rule_file_parses() {
    let text = include_str!("../../../fixtures/formats/attribution/user-rules.toml");
    let rules = Rules::from_sources(&[("built-in", BUILTIN_RULES), ("fixture", text)])
        .expect("fixture rules");
    let a = rules.classify(&commit(
        ADA,
        "x\n\nCo-authored-by: Helper <helper-agent@shop.example>",
    ));
    assert_eq!(a.tool.as_deref(), Some("shop-helper"));
}

#[test]
fn deploy_records_are_classified_by_field_rules() {
    let rules = Rules::builtin();
    let none = std::collections::BTreeMap::new();
    let agent = rules.classify_operation(Some("ops-agent"), Some("agent"), &none);
    assert_eq!(agent.class, AttributionClass::Ai);
    assert_eq!(agent.tool.as_deref(), Some("ops-agent"));
    assert_eq!(agent.evidence[0].signal, "field_rule");
    assert_eq!(agent.evidence[0].matched_text, "actor_type = agent");
    let bot = rules.classify_operation(Some("ci-bot"), Some("automation"), &none);
    assert_eq!(bot.class, AttributionClass::Automation);
    let human = rules.classify_operation(Some("hannah.schmidt"), Some("human"), &none);
    assert_eq!(human.class, AttributionClass::Human);
    assert_eq!(
        rules.classify_operation(None, None, &none).class,
        AttributionClass::Unknown
    );
    // A company's own field marks its deploy bot's AI runs.
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("initiated_via".to_owned(), "Copilot Workspace".to_owned());
    let custom = Rules::from_sources(&[
        ("built-in", BUILTIN_RULES),
        ("ours.toml", "[[field_rule]]\nfield = \"initiated_via\"\nequals = \"copilot workspace\"\ntool = \"copilot-agent\"\n"),
    ])
    .expect("rules");
    assert_eq!(
        custom
            .classify_operation(Some("ci-bot"), None, &fields)
            .tool
            .as_deref(),
        Some("copilot-agent")
    );
}
