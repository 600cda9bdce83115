//! `git log --format=fuller --date=iso-strict` output (also with `--parents`, `--numstat`
//! and `--notes`), one commit at a time.

use std::collections::BTreeMap;

use hindsight_model::{Change, ChangeKind, Person, Record, Rejection, SourceRef};

use crate::time::parse_timestamp;
use crate::{excerpt, IngestError, Line, Parsed};

/// True for `commit <40 or 64 hex>` optionally followed by parents or decorations.
pub(crate) fn looks_like_commit_line(line: &str) -> bool {
    line.strip_prefix("commit ")
        .and_then(|rest| rest.split_whitespace().next())
        .is_some_and(is_full_sha)
}

fn is_full_sha(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(PartialEq)]
enum Section {
    Header,
    Message,
    /// After the message: `--numstat` lines, notes, blank lines.
    Trailing,
    Notes,
}

struct Pending {
    line: usize,
    sha: String,
    parents: Vec<String>,
    author: Option<Person>,
    author_date: Option<String>,
    committer: Option<Person>,
    commit_date: Option<String>,
    message: Vec<String>,
    /// Summed `--numstat` lines (binary files, shown as `-`, count as 0).
    numstat: Option<(i64, i64)>,
    /// `Notes (NAMESPACE):` blocks, unindented.
    notes: BTreeMap<String, String>,
    /// The namespace of the notes block being read.
    current_note: Option<String>,
}

pub(crate) fn parse_lines(
    file: &str,
    repo: String,
    lines: &mut dyn Iterator<Item = Line<'_>>,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let mut pending: Option<Pending> = None;
    let mut section = Section::Header;
    for (number, line) in lines {
        // Commit messages may hold any bytes; a lossy copy keeps the commit.
        let line: std::borrow::Cow<'_, str> = match line {
            Ok(text) => text,
            Err(lossy) => lossy.into(),
        };
        let line = line.as_ref();
        if looks_like_commit_line(line) {
            if let Some(done) = pending.take() {
                sink(finish(file, &repo, done));
            }
            let mut words = line["commit ".len()..].split_whitespace();
            let sha = words.next().unwrap_or_default().to_ascii_lowercase();
            let parents = words
                .take_while(|w| !w.starts_with('('))
                .filter(|w| is_full_sha(w))
                .map(str::to_ascii_lowercase)
                .collect();
            pending = Some(Pending {
                line: number,
                sha,
                parents,
                author: None,
                author_date: None,
                committer: None,
                commit_date: None,
                message: Vec::new(),
                numstat: None,
                notes: BTreeMap::new(),
                current_note: None,
            });
            section = Section::Header;
            continue;
        }
        let Some(commit) = pending.as_mut() else {
            if !line.trim().is_empty() {
                sink(Parsed::Rejected(Rejection {
                    location: format!("line {number}"),
                    field: None,
                    reason: "text before the first `commit <sha>` line".to_owned(),
                    raw: excerpt(line),
                }));
            }
            continue;
        };
        match section {
            Section::Header => {
                if line.is_empty() {
                    section = Section::Message;
                } else if let Some((key, value)) = line.split_once(':') {
                    let value = value.trim();
                    match key {
                        "Author" => commit.author = parse_person(value),
                        "AuthorDate" => commit.author_date = Some(value.to_owned()),
                        "Commit" => commit.committer = parse_person(value),
                        "CommitDate" => commit.commit_date = Some(value.to_owned()),
                        // `Merge:` lists abbreviated parents; `--parents` gives full ones.
                        _ => {}
                    }
                }
            }
            Section::Message => {
                if let Some(text) = line.strip_prefix("    ") {
                    commit.message.push(text.to_owned());
                } else if line.is_empty() {
                    section = Section::Trailing;
                } else {
                    section = trailing_line(commit, line);
                }
            }
            Section::Trailing | Section::Notes => {
                if section == Section::Notes {
                    if let Some(text) = line.strip_prefix("    ") {
                        if let Some(namespace) = &commit.current_note {
                            let note = commit.notes.entry(namespace.clone()).or_default();
                            if !note.is_empty() {
                                note.push('\n');
                            }
                            note.push_str(text);
                        }
                        continue;
                    }
                }
                section = trailing_line(commit, line);
            }
        }
    }
    if let Some(done) = pending.take() {
        sink(finish(file, &repo, done));
    }
    Ok(())
}

/// A line after a commit's message: a `Notes (ns):` header starts a notes block, `--numstat`
/// lines add to the commit's size, blank lines are skipped.
fn trailing_line(commit: &mut Pending, line: &str) -> Section {
    if let Some(header) = line
        .strip_prefix("Notes")
        .and_then(|rest| rest.strip_suffix(':'))
    {
        let namespace = header
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        commit.current_note = Some(if namespace.is_empty() {
            "commits".to_owned()
        } else {
            namespace.to_owned()
        });
        return Section::Notes;
    }
    let mut fields = line.split('\t');
    if let (Some(added), Some(deleted), Some(_path)) = (fields.next(), fields.next(), fields.next())
    {
        let count = |text: &str| {
            if text == "-" {
                Some(0)
            } else {
                text.parse::<i64>().ok()
            }
        };
        if let (Some(added), Some(deleted)) = (count(added), count(deleted)) {
            let (a, d) = commit.numstat.unwrap_or((0, 0));
            commit.numstat = Some((a + added, d + deleted));
        }
    }
    Section::Trailing
}

fn parse_person(value: &str) -> Option<Person> {
    let open = value.rfind('<')?;
    let close = value[open..].find('>')? + open;
    Some(Person {
        name: value[..open].trim().to_owned(),
        email: value[open + 1..close].trim().to_owned(),
    })
}

fn finish(file: &str, repo: &str, commit: Pending) -> Parsed {
    let location = format!("line {}", commit.line);
    let reject = |field: &str, reason: String| {
        Parsed::Rejected(Rejection {
            location: location.clone(),
            field: Some(field.to_owned()),
            reason,
            raw: format!("commit {}", commit.sha),
        })
    };
    let Some(author) = commit.author.clone() else {
        return reject("Author", "missing or malformed `Author:` line".to_owned());
    };
    let authored_at = match commit
        .author_date
        .as_deref()
        .map(|d| (d, parse_timestamp(d)))
    {
        Some((_, Some(t))) => Some(t),
        Some((raw, None)) => {
            return reject(
                "AuthorDate",
                format!("not a date: {raw:?} (export with --date=iso-strict)"),
            );
        }
        None => {
            return reject(
                "AuthorDate",
                "missing `AuthorDate:` line (export with --format=fuller)".to_owned(),
            )
        }
    };
    let committed_at = match commit.commit_date.as_deref() {
        Some(raw) => match parse_timestamp(raw) {
            Some(t) => Some(t),
            None => {
                return reject(
                    "CommitDate",
                    format!("not a date: {raw:?} (export with --date=iso-strict)"),
                );
            }
        },
        None => authored_at,
    };
    let mut lines = commit.message;
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let title = lines.first().cloned().unwrap_or_default();
    Parsed::Record(Record::Change(Change {
        kind: ChangeKind::Commit,
        natural_key: commit.sha,
        repo: Some(repo.to_owned()),
        title,
        message: lines.join("\n"),
        author: Some(author),
        committer: commit.committer,
        authored_at,
        committed_at,
        parents: commit.parents,
        additions: commit.numstat.map(|(added, _)| added),
        deletions: commit.numstat.map(|(_, deleted)| deleted),
        labels: Vec::new(),
        reviews: Vec::new(),
        related: Vec::new(),
        notes: commit.notes,
        attributes: BTreeMap::new(),
        updated_at: None,
        source: SourceRef {
            file: file.to_owned(),
            location,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        "commit 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222
Author:     Ada Lovelace <ada@shop.example>
AuthorDate: 2026-11-16T10:00:00+01:00
Commit:     GitHub <noreply@github.com>
CommitDate: 2026-11-16T10:05:00+01:00

    checkout: retry payment capture
    
    Body line.
    
    Co-authored-by: Claude <noreply@anthropic.com>

3\t1\tsrc/lib.rs

Notes (ai):
    src/lib.rs
      s_1::t_1 1-3
    ---
    {}

commit 2222222222222222222222222222222222222222
Author:     Bob <bob@shop.example>
AuthorDate: 2026-11-15T09:00:00Z
Commit:     Bob <bob@shop.example>
CommitDate: 2026-11-15T09:00:00Z

    initial commit
";

    fn parse_all(text: &str) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut lines = crate::numbered_lines(text.as_bytes());
        parse_lines("x.gitlog", "x".into(), &mut lines, &mut |p| out.push(p)).expect("parse");
        out
    }

    #[test]
    fn parses_fuller_commits_with_parents_numstat_and_notes() {
        let out = parse_all(SAMPLE);
        assert_eq!(out.len(), 2);
        let Parsed::Record(Record::Change(first)) = &out[0] else {
            panic!("{:?}", out[0])
        };
        assert_eq!(
            first.natural_key,
            "1111111111111111111111111111111111111111"
        );
        assert_eq!(
            first.parents,
            vec!["2222222222222222222222222222222222222222".to_owned()]
        );
        assert_eq!(first.title, "checkout: retry payment capture");
        assert!(first
            .message
            .ends_with("Co-authored-by: Claude <noreply@anthropic.com>"));
        assert!(
            !first.message.contains("s_1::t_1"),
            "notes are not message text"
        );
        assert_eq!(
            first.notes.get("ai").map(String::as_str),
            Some("src/lib.rs\n  s_1::t_1 1-3\n---\n{}")
        );
        assert_eq!((first.additions, first.deletions), (Some(3), Some(1)));
        assert_eq!(
            first.author.as_ref().map(|p| p.email.as_str()),
            Some("ada@shop.example")
        );
        assert_eq!(
            first.authored_at.map(|t| t.to_rfc3339()),
            Some("2026-11-16T09:00:00+00:00".to_owned())
        );
        assert_eq!(first.source.location, "line 1");
        assert_eq!(first.repo.as_deref(), Some("x"));
        let Parsed::Record(Record::Change(second)) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(second.title, "initial commit");
        assert_eq!(second.source.location, "line 21");
    }

    #[test]
    fn a_commit_with_a_bad_date_is_rejected_and_the_rest_kept() {
        let text = SAMPLE.replace(
            "AuthorDate: 2026-11-15T09:00:00Z",
            "AuthorDate: last tuesday",
        );
        let out = parse_all(&text);
        assert!(matches!(out[0], Parsed::Record(_)));
        let Parsed::Rejected(rejection) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(rejection.location, "line 21");
        assert_eq!(rejection.field.as_deref(), Some("AuthorDate"));
    }

    #[test]
    fn garbage_before_the_first_commit_is_rejected_with_its_line() {
        let out = parse_all(&format!("garbage here\n{SAMPLE}"));
        let Parsed::Rejected(rejection) = &out[0] else {
            panic!("{:?}", out[0])
        };
        assert_eq!(rejection.location, "line 1");
        assert_eq!(out.len(), 3);
    }
}
