//! Deploy logs: one record per line, as JSON objects or logfmt pairs.
//!
//! Field names vary between tools; the built-in aliases below map the common spellings
//! onto Hindsight's fields and every other field is kept verbatim as an attribute.

use std::borrow::Cow;
use std::collections::BTreeMap;

use hindsight_model::{
    normalise_service_name, DeployStatus, Deployment, Record, Rejection, SourceRef,
};

use crate::time::{parse_timestamp_zoned, Zone};
use crate::{excerpt, IngestError, Line, Parsed};

const TIME: &[&str] = &[
    "ts",
    "time",
    "timestamp",
    "@timestamp",
    "deployed_at",
    "at",
    "date",
];
const SERVICE: &[&str] = &["service", "app", "application", "component"];
const ENVIRONMENT: &[&str] = &["environment", "env", "stage"];
const VERSION: &[&str] = &["version", "release", "tag", "image_tag"];
const SHA: &[&str] = &["sha", "commit", "revision", "git_sha", "commit_sha"];
const STATUS: &[&str] = &["status", "result", "outcome", "state"];
const ACTOR: &[&str] = &["actor", "user", "triggered_by", "initiator", "deployer"];
const ACTOR_TYPE: &[&str] = &["actor_type", "actor_kind"];
const ACTION: &[&str] = &["action", "event", "operation", "op"];
const ID: &[&str] = &["id", "deployment_id", "deploy_id", "event_id"];

/// True when a line is a run of `key=value` pairs (at least two).
pub(crate) fn looks_like_logfmt(line: &str) -> bool {
    parse_logfmt_pairs(line).is_ok_and(|pairs| pairs.len() >= 2)
}

#[cfg(test)]
pub(crate) fn parse_json_lines(
    file: &str,
    lines: &mut dyn Iterator<Item = Line<'_>>,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    parse_json_lines_in(file, lines, &Zone::default(), sink)
}

/// JSON lines with zone-less times read in `zone`.
pub(crate) fn parse_json_lines_in(
    file: &str,
    lines: &mut dyn Iterator<Item = Line<'_>>,
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    for (number, line) in lines {
        let location = format!("line {number}");
        let text = match line {
            Ok(text) => text,
            Err(lossy) => {
                sink(reject(&location, None, "not valid UTF-8", &lossy));
                continue;
            }
        };
        let line: &str = &text;
        if line.trim().is_empty() {
            continue;
        }
        let fields = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(key, value)| {
                    let text = match value {
                        serde_json::Value::Null => return None,
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    Some((Cow::Owned(key), Cow::Owned(text)))
                })
                .collect::<Vec<_>>(),
            Ok(_) => {
                sink(reject(
                    &location,
                    None,
                    "a JSON value that is not an object",
                    line,
                ));
                continue;
            }
            Err(e) => {
                sink(reject(
                    &location,
                    None,
                    &format!("not valid JSON: {e}"),
                    line,
                ));
                continue;
            }
        };
        sink(to_deployment(file, location, fields, zone, line));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) fn parse_logfmt(
    file: &str,
    lines: &mut dyn Iterator<Item = Line<'_>>,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    parse_logfmt_in(file, lines, &Zone::default(), sink)
}

/// Logfmt lines with zone-less times read in `zone`.
pub(crate) fn parse_logfmt_in(
    file: &str,
    lines: &mut dyn Iterator<Item = Line<'_>>,
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    for (number, line) in lines {
        let location = format!("line {number}");
        let text = match line {
            Ok(text) => text,
            Err(lossy) => {
                sink(reject(&location, None, "not valid UTF-8", &lossy));
                continue;
            }
        };
        let line: &str = &text;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match parse_logfmt_pairs(line) {
            Ok(pairs) if !pairs.is_empty() => {
                sink(to_deployment(file, location, pairs, zone, line));
            }
            Ok(_) => sink(reject(&location, None, "no key=value pairs", line)),
            Err(reason) => sink(reject(
                &location,
                None,
                &format!("not logfmt: {reason}"),
                line,
            )),
        }
    }
    Ok(())
}

/// A line's fields in line order: keys and values borrowed from the line where they can be.
type Fields<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Splits `a=1 b="two words" c=` into pairs. A bare word without `=` is an error. Keys and
/// unquoted values are slices of the line: a copy of each was about a tenth of the parsing
/// thread's time on a million-line log, and most keys are only compared. The line is read
/// byte by byte, decoding only what is not ASCII: any Unicode whitespace ends a key or value.
fn parse_logfmt_pairs(line: &str) -> Result<Fields<'_>, String> {
    let bytes = line.as_bytes();
    // Room for a typical deploy line's pairs, so that the list is not grown pair by pair.
    let mut pairs = Vec::with_capacity(16);
    let mut i = 0;
    loop {
        let start = run(line, i, |_, space| !space);
        if start == bytes.len() {
            break;
        }
        i = run(line, start, |byte, space| {
            space || byte == b'=' || byte == b'"'
        });
        let key = &line[start..i];
        if bytes.get(i) != Some(&b'=') || key.is_empty() {
            return Err(format!("expected key=value at column {}", start + 1));
        }
        i += 1;
        let value = if bytes.get(i) == Some(&b'"') {
            let mut value = String::new();
            let mut closed = false;
            let mut chars = line[i + 1..].char_indices();
            while let Some((offset, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(match escaped {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                        }
                    }
                    '"' => {
                        closed = true;
                        i += 1 + offset + 1;
                        break;
                    }
                    other => value.push(other),
                }
            }
            if !closed {
                return Err(format!("unterminated quote in value of {key:?}"));
            }
            Cow::Owned(value)
        } else {
            let value_start = i;
            i = run(line, i, |_, space| space);
            Cow::Borrowed(&line[value_start..i])
        };
        pairs.push((Cow::Borrowed(key), value));
    }
    Ok(pairs)
}

/// The end of the run of characters of `line` from byte `i` that `stop` (given each one's
/// first byte and whether it is whitespace) does not end. ASCII is read as bytes; only the
/// rest is decoded.
fn run(line: &str, mut i: usize, stop: impl Fn(u8, bool) -> bool) -> usize {
    let bytes = line.as_bytes();
    while let Some(&byte) = bytes.get(i) {
        let (space, width) = match byte {
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => (true, 1),
            _ if byte.is_ascii() => (false, 1),
            _ => line[i..]
                .chars()
                .next()
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        if stop(byte, space) {
            break;
        }
        i += width;
    }
    i
}

/// Takes out the value of the first of `aliases` among `fields` (a line's pairs in line
/// order), trimmed, and every pair with that key: a key given twice keeps its last value, as
/// a map of the pairs would. A list rather than a map: building a map of each line's ten or so
/// pairs and removing them again was a third of the parsing thread's time on a million-line
/// log.
fn take(fields: &mut Fields<'_>, aliases: &[&str]) -> Option<String> {
    aliases
        .iter()
        .find_map(|alias| {
            let mut last = None;
            // Backwards, so that the first found is the last copy; `remove` keeps the others'
            // order, which decides which copy of a key kept as an attribute wins.
            for i in (0..fields.len()).rev() {
                if fields[i].0 == *alias {
                    let (_, value) = fields.remove(i);
                    last.get_or_insert(value);
                }
            }
            last
        })
        // Most values are trimmed already: an owned one is then kept as it is.
        .map(|v| match v {
            Cow::Owned(v) if v.trim().len() == v.len() => v,
            v => v.trim().to_owned(),
        })
        .filter(|v| !v.is_empty())
}

/// `value` in ASCII lower case, in place.
fn lower(mut value: String) -> String {
    value.make_ascii_lowercase();
    value
}

fn to_deployment(
    file: &str,
    location: String,
    mut fields: Fields<'_>,
    zone: &Zone,
    raw: &str,
) -> Parsed {
    let Some(time_text) = take(&mut fields, TIME) else {
        return reject(
            &location,
            Some("ts"),
            "no time field (ts, time, timestamp ...)",
            raw,
        );
    };
    let Some((at, zone_assumed)) = parse_timestamp_zoned(&time_text, zone) else {
        return reject(
            &location,
            Some("ts"),
            &format!("not a timestamp: {time_text:?}"),
            raw,
        );
    };
    let Some(service) = take(&mut fields, SERVICE) else {
        return reject(
            &location,
            Some("service"),
            "no service field (service, app ...)",
            raw,
        );
    };
    let service = normalise_service_name(&service);
    let environment = take(&mut fields, ENVIRONMENT).map(lower);
    let version = take(&mut fields, VERSION);
    let sha = take(&mut fields, SHA).map(lower);
    let status =
        take(&mut fields, STATUS).map_or(DeployStatus::Unknown, |s| DeployStatus::parse(&s));
    let actor = take(&mut fields, ACTOR);
    let actor_type = take(&mut fields, ACTOR_TYPE).map(lower);
    let action = take(&mut fields, ACTION).map_or_else(|| "deploy".to_owned(), lower);
    let natural_key = take(&mut fields, ID).unwrap_or_else(|| {
        format!(
            "{service}/{}/{}/{}",
            environment.as_deref().unwrap_or("-"),
            at.to_rfc3339(),
            version.as_deref().or(sha.as_deref()).unwrap_or(&action)
        )
    });
    let mut attributes: BTreeMap<String, String> = fields
        .into_iter()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if zone_assumed {
        attributes.insert("assumed_zone".to_owned(), zone.name());
    }
    Parsed::Record(Record::Deployment(Deployment {
        natural_key,
        service,
        environment,
        version,
        sha,
        status,
        actor,
        actor_type,
        action,
        at,
        attributes,
        updated_at: None,
        source: SourceRef {
            file: file.to_owned(),
            location,
        },
    }))
}

fn reject(location: &str, field: Option<&str>, reason: &str, raw: &str) -> Parsed {
    Parsed::Rejected(Rejection {
        location: location.to_owned(),
        field: field.map(str::to_owned),
        reason: reason.to_owned(),
        raw: excerpt(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::deployment;

    fn run(parser: crate::ParseFn, text: &str) -> Vec<Parsed> {
        let mut out = Vec::new();
        parser(
            "deploys.log",
            &mut crate::numbered_lines(text.as_bytes()),
            &mut |p| out.push(p),
        )
        .expect("parse");
        out
    }

    #[test]
    fn json_lines_map_aliases_and_keep_other_fields() {
        let out = run(
            parse_json_lines,
            "{\"ts\":\"2026-11-16T10:00:00+01:00\",\"id\":\"dep-1\",\"service\":\"Checkout\",\"environment\":\"Production\",\"version\":\"v1\",\"sha\":\"ABC\",\"status\":\"succeeded\",\"actor\":\"ci\",\"actor_type\":\"automation\",\"approvals\":1}\n",
        );
        let d = deployment(&out[0]);
        assert_eq!(d.natural_key, "dep-1");
        assert_eq!(d.service, "checkout");
        assert_eq!(d.environment.as_deref(), Some("production"));
        assert_eq!(d.sha.as_deref(), Some("abc"));
        assert_eq!(d.status, DeployStatus::Succeeded);
        assert_eq!(d.action, "deploy");
        assert_eq!(d.at.to_rfc3339(), "2026-11-16T09:00:00+00:00");
        assert_eq!(d.attributes.get("approvals").map(String::as_str), Some("1"));
        assert_eq!(d.source.location, "line 1");
    }

    #[test]
    fn a_garbage_line_is_rejected_with_its_line_and_the_rest_kept() {
        let out = run(
            parse_json_lines,
            "{\"ts\":\"2026-11-16T10:00:00Z\",\"service\":\"a\"}\n%%% garbage\n\n{\"service\":\"b\"}\n{\"ts\":\"2026-11-16T11:00:00Z\",\"service\":\"c\"}\n",
        );
        assert_eq!(out.len(), 4);
        let Parsed::Rejected(garbage) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(garbage.location, "line 2");
        assert!(
            garbage.reason.starts_with("not valid JSON"),
            "{}",
            garbage.reason
        );
        let Parsed::Rejected(no_time) = &out[2] else {
            panic!("{:?}", out[2])
        };
        assert_eq!(no_time.location, "line 4");
        assert_eq!(no_time.field.as_deref(), Some("ts"));
        assert_eq!(deployment(&out[3]).service, "c");
    }

    #[test]
    fn logfmt_with_quotes_and_escapes() {
        let out = run(
            parse_logfmt,
            "ts=2026-11-19T10:42:07Z service=payments action=delete_environment actor=ops-agent note=\"said \\\"hi\\\" there\"\nnot logfmt at all\n",
        );
        let d = deployment(&out[0]);
        assert_eq!(d.action, "delete_environment");
        assert_eq!(
            d.attributes.get("note").map(String::as_str),
            Some("said \"hi\" there")
        );
        let Parsed::Rejected(r) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(r.location, "line 2");
    }

    #[test]
    fn logfmt_pairs() {
        assert_eq!(
            parse_logfmt_pairs("a=1 b=\"x y\" c=").expect("pairs"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "".into())
            ]
        );
        // Values end at any whitespace, Unicode's included, and keep multi-byte characters.
        assert_eq!(
            parse_logfmt_pairs("svc=caf\u{e9}\u{3000}env=prod\tv=\u{1f680}1 ").expect("pairs"),
            vec![
                ("svc".into(), "caf\u{e9}".into()),
                ("env".into(), "prod".into()),
                ("v".into(), "\u{1f680}1".into())
            ]
        );
        // ASCII's rarer whitespace (vertical tab, form feed) and Unicode's next line too.
        assert_eq!(
            parse_logfmt_pairs("a=1\u{b}b=\"x\"\u{c}c=3\u{85}d=\u{e9}=").expect("pairs"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x".into()),
                ("c".into(), "3".into()),
                ("d".into(), "\u{e9}=".into())
            ]
        );
        assert_eq!(
            parse_logfmt_pairs("a=\"x\"b=2").expect("pairs"),
            vec![("a".into(), "x".into()), ("b".into(), "2".into())]
        );
        assert_eq!(
            parse_logfmt_pairs("a=1 \u{e9}\"b=2"),
            Err("expected key=value at column 5".to_owned())
        );
        assert_eq!(
            parse_logfmt_pairs("a=1 =2"),
            Err("expected key=value at column 5".to_owned())
        );
        assert!(parse_logfmt_pairs("a=\"open").is_err());
        assert!(parse_logfmt_pairs("word").is_err());
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value_and_aliases_go_in_their_order() {
        // `service` comes before `app` among the aliases, whatever the line's order; a key
        // twice keeps its last copy, taken or kept as an attribute; an alias not taken stays
        // an attribute.
        let out = run(
            parse_logfmt,
            "app=web ts=2026-11-19T10:42:07Z team=a service=first env=staging zone=1 service=second team=b env=production\n",
        );
        let d = deployment(&out[0]);
        assert_eq!(d.service, "second");
        assert_eq!(d.environment.as_deref(), Some("production"));
        let attributes: Vec<(&str, &str)> = d
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(attributes, [("app", "web"), ("team", "b"), ("zone", "1")]);
    }
}
