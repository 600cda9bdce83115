//! Generic CSV and JSON with a TOML column mapping, for everything else; and plain-text
//! deploy logs parsed with a user-supplied regex with named groups.
//!
//! A [`Mapping`] says which record a file holds (`deployment`, `incident`, `change`), how to
//! read it (`csv`, `json`, `regex`) and where each Hindsight field comes from:
//!
//! ```toml
//! record = "deployment"            # deployment | incident | change
//! format = "csv"                   # csv | json | regex
//! records = "/data"                # json: pointer to the array of records ("" = the document)
//! pattern = '^(?P<ts>\S+) (?P<service>\S+)$'   # regex: named groups, one match per line
//! timezone = "+01:00"              # zone of zone-less times (default UTC)
//! source_system = "inhouse"        # incidents: the tool's name (default "generic")
//! delimiter = ";"                  # csv: the field separator (default ",")
//! [fields]                         # hindsight field = column / JSON pointer / regex group
//! at = "Deploy Time"
//! service = "App"
//! ```
//!
//! A field left out of `[fields]` is looked for under the same names the deploy-log parsers
//! accept (`ts`, `time`, `timestamp` ...; `service`, `app` ...), compared without regard to
//! case, spaces or dashes. Columns no field takes are kept as attributes of the record. A
//! record whose time had no zone and was read in `timezone` gets the attribute
//! `assumed_zone`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use hindsight_model::{
    normalise_service_name, Change, ChangeKind, DeployStatus, Deployment, Incident, Person, Record,
    Rejection, SourceRef, TimelineEvent,
};
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::time::{parse_offset, parse_syslog_in, parse_timestamp_in};
use crate::{excerpt, numbered_lines, IngestError, Parsed};

/// The kind of record a mapped file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Deployment,
    Incident,
    Change,
}

impl RecordKind {
    fn name(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::Incident => "incident",
            Self::Change => "change",
        }
    }

    /// Every field of this record kind with its built-in aliases, in the order they are read.
    fn fields(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Self::Deployment => DEPLOYMENT_FIELDS,
            Self::Incident => INCIDENT_FIELDS,
            Self::Change => CHANGE_FIELDS,
        }
    }

    /// The fields a record cannot do without.
    fn required(self) -> &'static [&'static str] {
        match self {
            Self::Deployment => &["at", "service"],
            Self::Incident => &["id", "started_at"],
            Self::Change => &["id"],
        }
    }
}

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

const DEPLOYMENT_FIELDS: &[(&str, &[&str])] = &[
    ("at", TIME),
    ("service", SERVICE),
    ("environment", &["environment", "env", "stage"]),
    ("version", &["version", "release", "tag", "image_tag"]),
    (
        "sha",
        &["sha", "commit", "revision", "git_sha", "commit_sha"],
    ),
    ("status", &["status", "result", "outcome", "state"]),
    (
        "actor",
        &["actor", "user", "triggered_by", "initiator", "deployer"],
    ),
    ("actor_type", &["actor_type", "actor_kind"]),
    ("action", &["action", "event", "operation", "op"]),
    ("id", &["id", "deployment_id", "deploy_id", "event_id"]),
];

const INCIDENT_FIELDS: &[(&str, &[&str])] = &[
    ("id", &["id", "incident_id", "key", "number", "ref"]),
    ("title", &["title", "name", "summary", "subject"]),
    (
        "started_at",
        &[
            "started_at",
            "start",
            "created_at",
            "opened_at",
            "triggered_at",
            "ts",
            "time",
            "timestamp",
            "date",
        ],
    ),
    (
        "resolved_at",
        &["resolved_at", "resolved", "closed_at", "ended_at", "end"],
    ),
    ("status", &["status", "state"]),
    ("severity", &["severity", "sev", "priority", "urgency"]),
    ("service", SERVICE),
    ("url", &["url", "html_url", "link", "permalink"]),
];

const CHANGE_FIELDS: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "id",
            "key",
            "number",
            "change_id",
            "ticket",
            "sha",
            "commit",
        ],
    ),
    ("kind", &["kind", "record_kind"]),
    (
        "title",
        &["title", "summary", "subject", "short_description"],
    ),
    ("message", &["message", "description", "body"]),
    (
        "author",
        &["author", "author_name", "user", "requested_by", "opened_by"],
    ),
    ("author_email", &["author_email", "email"]),
    (
        "committed_at",
        &[
            "committed_at",
            "created_at",
            "opened_at",
            "date",
            "ts",
            "time",
            "timestamp",
        ],
    ),
    ("repo", &["repo", "repository", "project"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceFormat {
    Csv,
    Json,
    Regex,
}

/// Why a mapping file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("{origin}: not a valid mapping file: {message}")]
    Toml { origin: String, message: String },
    #[error("{origin}: unknown record type {value:?} (expected deployment, incident or change)")]
    UnknownRecord { origin: String, value: String },
    #[error("{origin}: unknown format {value:?} (expected csv, json or regex)")]
    UnknownFormat { origin: String, value: String },
    #[error("{origin}: format = \"regex\" needs a `pattern`: one regex with named groups such as (?P<ts>\\S+)")]
    MissingPattern { origin: String },
    #[error("{origin}: `pattern` is not a valid regex: {message}")]
    BadPattern { origin: String, message: String },
    #[error("{origin}: unknown field `{field}` in [fields] for {record} records (known: {known})")]
    UnknownField {
        origin: String,
        record: String,
        field: String,
        known: String,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    record: String,
    format: String,
    records: Option<String>,
    pattern: Option<String>,
    timezone: Option<String>,
    source_system: Option<String>,
    delimiter: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

/// How to read one file of records Hindsight has no built-in parser for.
#[derive(Debug, Clone)]
pub struct Mapping {
    record: RecordKind,
    format: SourceFormat,
    records: String,
    pattern: Option<Regex>,
    zone: FixedOffset,
    zone_name: String,
    source_system: String,
    delimiter: u8,
    fields: BTreeMap<String, String>,
    now: Option<DateTime<Utc>>,
}

impl Mapping {
    /// Reads a mapping from TOML; `origin` (the mapping file's path) prefixes every error.
    pub fn from_toml(text: &str, origin: &str) -> Result<Mapping, MappingError> {
        let raw: RawMapping = toml::from_str(text).map_err(|e| MappingError::Toml {
            origin: origin.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
        let invalid = |message: String| MappingError::Invalid {
            origin: origin.to_owned(),
            message,
        };
        let record = match raw.record.trim().to_ascii_lowercase().as_str() {
            "deployment" | "deployments" => RecordKind::Deployment,
            "incident" | "incidents" => RecordKind::Incident,
            "change" | "changes" => RecordKind::Change,
            _ => {
                return Err(MappingError::UnknownRecord {
                    origin: origin.to_owned(),
                    value: raw.record,
                })
            }
        };
        let format = match raw.format.trim().to_ascii_lowercase().as_str() {
            "csv" => SourceFormat::Csv,
            "json" => SourceFormat::Json,
            "regex" => SourceFormat::Regex,
            _ => {
                return Err(MappingError::UnknownFormat {
                    origin: origin.to_owned(),
                    value: raw.format,
                })
            }
        };
        for field in raw.fields.keys() {
            if !record.fields().iter().any(|(name, _)| name == field) {
                return Err(MappingError::UnknownField {
                    origin: origin.to_owned(),
                    record: record.name().to_owned(),
                    field: field.clone(),
                    known: record
                        .fields()
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        if let Some((field, _)) = raw
            .fields
            .iter()
            .find(|(_, source)| source.trim().is_empty())
        {
            return Err(invalid(format!("fields.{field} names no column")));
        }
        let records = match (&raw.records, format) {
            (None, _) => String::new(),
            (Some(pointer), SourceFormat::Json) => {
                if !pointer.is_empty() && !pointer.starts_with('/') {
                    return Err(invalid(format!(
                        "`records` must be a JSON pointer starting with `/` (or \"\" for the whole document), not {pointer:?}"
                    )));
                }
                pointer.clone()
            }
            (Some(_), _) => {
                return Err(invalid(
                    "`records` only applies to format = \"json\"".to_owned(),
                ))
            }
        };
        let pattern = match (&raw.pattern, format) {
            (Some(pattern), SourceFormat::Regex) => {
                let regex = Regex::new(pattern).map_err(|e| MappingError::BadPattern {
                    origin: origin.to_owned(),
                    message: e.to_string(),
                })?;
                Some(regex)
            }
            (None, SourceFormat::Regex) => {
                return Err(MappingError::MissingPattern {
                    origin: origin.to_owned(),
                })
            }
            (Some(_), _) => {
                return Err(invalid(
                    "`pattern` only applies to format = \"regex\"".to_owned(),
                ))
            }
            (None, _) => None,
        };
        if let Some(regex) = &pattern {
            let groups: Vec<&str> = regex.capture_names().flatten().collect();
            if groups.is_empty() {
                return Err(MappingError::BadPattern {
                    origin: origin.to_owned(),
                    message: "the pattern has no named groups such as (?P<ts>\\S+)".to_owned(),
                });
            }
            for (field, group) in &raw.fields {
                if !groups.contains(&group.as_str()) {
                    return Err(invalid(format!(
                        "fields.{field} names group {group:?}, which the pattern does not define (groups: {})",
                        groups.join(", ")
                    )));
                }
            }
            for required in record.required() {
                let found = raw.fields.contains_key(*required)
                    || aliases(record, required)
                        .iter()
                        .any(|alias| groups.iter().any(|g| key_matches(g, alias)));
                if !found {
                    return Err(invalid(format!(
                        "{} records need `{required}`: the pattern has no group for it and [fields] maps none",
                        record.name()
                    )));
                }
            }
        }
        let zone_name = raw.timezone.unwrap_or_else(|| "UTC".to_owned());
        let zone = parse_offset(&zone_name).ok_or_else(|| {
            invalid(format!(
                "timezone {zone_name:?} is not a fixed offset such as +01:00, -0500 or UTC"
            ))
        })?;
        let delimiter = match (raw.delimiter.as_deref(), format) {
            (None, _) => b',',
            (Some(d), SourceFormat::Csv) => match d.as_bytes() {
                [b] if *b != b'"' && *b != b'\n' && *b != b'\r' => *b,
                _ if d == "\\t" => b'\t',
                _ => {
                    return Err(invalid(format!(
                        "`delimiter` must be one ASCII character other than a quote, not {d:?}"
                    )))
                }
            },
            (Some(_), _) => {
                return Err(invalid(
                    "`delimiter` only applies to format = \"csv\"".to_owned(),
                ))
            }
        };
        let source_system = raw
            .source_system
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "generic".to_owned());
        Ok(Mapping {
            record,
            format,
            records,
            pattern,
            zone,
            zone_name: zone_name.trim().to_owned(),
            source_system,
            delimiter,
            fields: raw.fields,
            now: None,
        })
    }

    /// `deployment`, `incident` or `change`.
    pub fn record_type(&self) -> &'static str {
        self.record.name()
    }

    /// `csv`, `json` or `regex`.
    pub fn format_name(&self) -> &'static str {
        match self.format {
            SourceFormat::Csv => "csv",
            SourceFormat::Json => "json",
            SourceFormat::Regex => "regex",
        }
    }

    /// The time syslog timestamps without a year (`Nov 19 10:42:07`) are resolved against:
    /// the file's modification time. Without it, the time of the run is used.
    pub fn with_reference_time(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }
}

fn aliases(record: RecordKind, field: &str) -> &'static [&'static str] {
    record
        .fields()
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(&[], |(_, aliases)| aliases)
}

/// Compares a column name with an alias ignoring case, and spaces and dashes against `_`.
fn key_matches(column: &str, alias: &str) -> bool {
    let normal = |c: char| match c {
        ' ' | '-' => '_',
        c => c.to_ascii_lowercase(),
    };
    let column = column.trim();
    column.chars().count() == alias.chars().count()
        && column.chars().map(normal).eq(alias.chars().map(normal))
}

/// Parses `bytes` (named `file` in locations) as `mapping` describes.
pub fn parse_mapped(
    mapping: &Mapping,
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let sink = &mut crate::located(sink);
    match mapping.format {
        SourceFormat::Csv => parse_csv(mapping, file, bytes, sink),
        SourceFormat::Json => parse_json(mapping, file, bytes, sink),
        SourceFormat::Regex => {
            parse_regex(mapping, file, bytes, sink);
            Ok(())
        }
    }
}

// --- the three readers ---

fn parse_regex(mapping: &Mapping, file: &str, bytes: &[u8], sink: &mut dyn FnMut(Parsed)) {
    let Some(pattern) = &mapping.pattern else {
        return;
    };
    for (number, line) in numbered_lines(bytes) {
        let location = format!("line {number}");
        let line = match line {
            Ok(line) => line,
            Err(lossy) => {
                sink(reject(&location, None, "not valid UTF-8", &lossy));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let Some(captures) = pattern.captures(&line) else {
            sink(reject(&location, None, "does not match the pattern", &line));
            continue;
        };
        let columns = pattern
            .capture_names()
            .flatten()
            .filter_map(|name| {
                captures
                    .name(name)
                    .map(|m| (name.to_owned(), m.as_str().to_owned()))
            })
            .collect();
        let source = Source {
            columns,
            json: None,
        };
        sink(build(mapping, file, &location, source, &line));
    }
}

fn parse_json(
    mapping: &Mapping,
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let Some(found) = document.pointer(&mapping.records) else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: format!(
                "the mapping's records pointer {:?} is not in the document",
                mapping.records
            ),
        });
    };
    let Value::Array(items) = found else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: format!(
                "the mapping's records pointer {:?} names {}, not an array of records",
                mapping.records,
                kind_of(found)
            ),
        });
    };
    for (index, item) in items.iter().enumerate() {
        let location = format!("{}/{index}", mapping.records);
        let raw = item.to_string();
        let Value::Object(object) = item else {
            sink(reject(
                &location,
                None,
                &format!("{} where a record object was expected", kind_of(item)),
                &raw,
            ));
            continue;
        };
        let columns = object
            .iter()
            .filter_map(|(key, value)| {
                let text = match value {
                    Value::Null => return None,
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((key.clone(), text))
            })
            .collect();
        let source = Source {
            columns,
            json: Some(item),
        };
        sink(build(mapping, file, &location, source, &raw));
    }
    Ok(())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_csv(
    mapping: &Mapping,
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut rows = CsvReader {
        bytes,
        at: 0,
        line: 1,
        delimiter: mapping.delimiter,
    };
    let header = loop {
        match rows.next() {
            None => {
                return Err(IngestError::Invalid {
                    file: file.to_owned(),
                    message: "the CSV file has no header line".to_owned(),
                })
            }
            Some(row) if row.is_blank() => continue,
            Some(row) => {
                if let Some(problem) = &row.problem {
                    return Err(IngestError::Malformed {
                        file: file.to_owned(),
                        line: row.line,
                        column: 1,
                        message: format!("the CSV header cannot be read: {problem}"),
                    });
                }
                break row;
            }
        }
    };
    let mut names: Vec<String> = Vec::with_capacity(header.fields.len());
    for (index, field) in header.fields.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(field) else {
            return Err(IngestError::Malformed {
                file: file.to_owned(),
                line: header.line,
                column: 1,
                message: "the CSV header is not valid UTF-8".to_owned(),
            });
        };
        let name = name.trim();
        let mut name = if name.is_empty() {
            format!("column_{}", index + 1)
        } else {
            name.to_owned()
        };
        if names.contains(&name) {
            let base = name.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
        }
        names.push(name);
    }
    let missing: Vec<String> = mapping
        .record
        .fields()
        .iter()
        .filter_map(|(field, _)| {
            let column = mapping.fields.get(*field)?;
            (!names.contains(column)).then(|| format!("{field} = {column:?}"))
        })
        .collect();
    if !missing.is_empty() {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: format!(
                "the header lacks the columns the mapping names: {} (columns: {})",
                missing.join(", "),
                names.join(", ")
            ),
        });
    }
    for row in rows {
        if row.is_blank() {
            continue;
        }
        let location = format!("line {}", row.line);
        let raw = String::from_utf8_lossy(row.raw).into_owned();
        let raw = raw.trim_end_matches(['\r', '\n']);
        if let Some(problem) = &row.problem {
            sink(reject(&location, None, problem, raw));
            continue;
        }
        if row.fields.len() != names.len() {
            sink(reject(
                &location,
                None,
                &format!(
                    "{} fields where the header has {}",
                    row.fields.len(),
                    names.len()
                ),
                raw,
            ));
            continue;
        }
        let mut columns = BTreeMap::new();
        let mut bad_column = None;
        for (name, value) in names.iter().zip(row.fields) {
            match String::from_utf8(value) {
                Ok(value) => {
                    columns.insert(name.clone(), value);
                }
                Err(_) => {
                    bad_column = Some(name);
                    break;
                }
            }
        }
        if let Some(name) = bad_column {
            sink(reject(
                &location,
                None,
                &format!("column {name:?} is not valid UTF-8"),
                raw,
            ));
            continue;
        }
        let source = Source {
            columns,
            json: None,
        };
        sink(build(mapping, file, &location, source, raw));
    }
    Ok(())
}

/// One CSV record: its fields, the line it starts on, its raw bytes and, when it is broken,
/// why.
struct CsvRow<'a> {
    line: usize,
    fields: Vec<Vec<u8>>,
    raw: &'a [u8],
    problem: Option<String>,
}

impl CsvRow<'_> {
    fn is_blank(&self) -> bool {
        self.problem.is_none()
            && self.fields.len() == 1
            && self.fields[0].iter().all(|b| *b == b' ')
    }
}

/// An RFC 4180 reader: quoted fields may hold delimiters, doubled quotes and line breaks;
/// records end in LF or CRLF.
struct CsvReader<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    delimiter: u8,
}

impl<'a> Iterator for CsvReader<'a> {
    type Item = CsvRow<'a>;

    fn next(&mut self) -> Option<CsvRow<'a>> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = self.at;
        let first_line = self.line;
        let mut fields = Vec::new();
        let mut field = Vec::new();
        let mut problem: Option<String> = None;
        let mut quoted = false;
        let mut after_quote = false;
        let mut in_field_start = true;
        let bytes = self.bytes;
        let mut i = self.at;
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            if quoted {
                match b {
                    b'"' if bytes.get(i) == Some(&b'"') => {
                        field.push(b'"');
                        i += 1;
                    }
                    b'"' => {
                        quoted = false;
                        after_quote = true;
                    }
                    b'\n' => {
                        self.line += 1;
                        field.push(b);
                    }
                    _ => field.push(b),
                }
                continue;
            }
            match b {
                b'\n' => {
                    self.line += 1;
                    break;
                }
                b'\r' if bytes.get(i) == Some(&b'\n') => {}
                b'\r' if i == bytes.len() => {}
                _ if b == self.delimiter => {
                    fields.push(std::mem::take(&mut field));
                    after_quote = false;
                    in_field_start = true;
                    continue;
                }
                b'"' if in_field_start => quoted = true,
                _ if after_quote => {
                    if problem.is_none() && b != b' ' {
                        problem = Some(format!(
                            "text after the closing quote of field {}",
                            fields.len() + 1
                        ));
                    }
                }
                b'"' => {
                    if problem.is_none() {
                        problem = Some(format!(
                            "a quote inside unquoted field {}",
                            fields.len() + 1
                        ));
                    }
                }
                _ => field.push(b),
            }
            in_field_start = false;
        }
        if quoted {
            problem = Some(format!(
                "unterminated quoted field {} runs to the end of the file",
                fields.len() + 1
            ));
        }
        fields.push(field);
        self.at = i;
        Some(CsvRow {
            line: first_line,
            fields,
            raw: &bytes[start..i],
            problem,
        })
    }
}

// --- from columns to records ---

/// One source record: its top-level columns as text and, for JSON, the object itself.
struct Source<'a> {
    columns: BTreeMap<String, String>,
    json: Option<&'a Value>,
}

/// Reads the mapped fields of one source record, removing the columns it consumes.
struct Reader<'m, 's> {
    mapping: &'m Mapping,
    source: Source<'s>,
    zone_assumed: bool,
    now: DateTime<Utc>,
}

/// A field that is present but unusable: the field's name and why.
type Bad = (&'static str, String);

impl Reader<'_, '_> {
    /// The trimmed, non-empty value of a field, from the mapping or else an alias.
    fn take(&mut self, field: &str) -> Option<String> {
        let value = match self.mapping.fields.get(field) {
            Some(spec) => self.take_spec(spec),
            None => {
                let aliases = aliases(self.mapping.record, field);
                // A column the mapping gives to another field is never taken by an alias.
                let mapped = |column: &String| self.mapping.fields.values().any(|v| v == column);
                let key = aliases.iter().find_map(|alias| {
                    self.source
                        .columns
                        .keys()
                        .find(|column| key_matches(column, alias) && !mapped(column))
                        .cloned()
                });
                key.and_then(|key| self.source.columns.remove(&key))
            }
        };
        value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn take_spec(&mut self, spec: &str) -> Option<String> {
        if let (Some(json), true) = (self.source.json, spec.starts_with('/')) {
            let top = spec[1..].split('/').next().unwrap_or_default();
            if !spec[1..].contains('/') {
                self.source
                    .columns
                    .remove(&top.replace("~1", "/").replace("~0", "~"));
            }
            return match json.pointer(spec)? {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
        }
        self.source.columns.remove(spec)
    }

    fn time(&mut self, field: &'static str) -> Result<Option<DateTime<Utc>>, Bad> {
        let Some(text) = self.take(field) else {
            return Ok(None);
        };
        if let Some((at, assumed)) = parse_timestamp_in(&text, self.mapping.zone) {
            self.zone_assumed |= assumed;
            return Ok(Some(at));
        }
        if let Some(at) = parse_syslog_in(&text, self.now, self.mapping.zone) {
            self.zone_assumed = true;
            return Ok(Some(at));
        }
        Err((field, format!("not a timestamp: {text:?}")))
    }

    fn required_time(&mut self, field: &'static str) -> Result<DateTime<Utc>, Bad> {
        self.time(field)?
            .ok_or_else(|| (field, self.missing(field)))
    }

    fn missing(&self, field: &str) -> String {
        match self.mapping.fields.get(field) {
            Some(spec) => format!("no value for {field} (mapped to {spec:?})"),
            None => format!(
                "no {field} field ({} ...)",
                aliases(self.mapping.record, field)
                    .iter()
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The columns nothing took, plus `assumed_zone` when a time was read in the mapping's zone.
    fn attributes(self) -> BTreeMap<String, String> {
        let mut attributes: BTreeMap<String, String> = self
            .source
            .columns
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        if self.zone_assumed {
            attributes.insert("assumed_zone".to_owned(), self.mapping.zone_name.clone());
        }
        attributes
    }
}

fn build(mapping: &Mapping, file: &str, location: &str, source: Source<'_>, raw: &str) -> Parsed {
    let mut reader = Reader {
        mapping,
        source,
        zone_assumed: false,
        now: mapping.now.unwrap_or_else(Utc::now),
    };
    let source = SourceRef {
        file: file.to_owned(),
        location: location.to_owned(),
    };
    let built = match mapping.record {
        RecordKind::Deployment => deployment(&mut reader).map(|mut d| {
            d.attributes = reader.attributes();
            d.source = source;
            Record::Deployment(d)
        }),
        RecordKind::Incident => incident(&mut reader, &source).map(|mut i| {
            i.attributes = reader.attributes();
            i.source = source;
            Record::Incident(i)
        }),
        RecordKind::Change => change(&mut reader).map(|mut c| {
            c.attributes = reader.attributes();
            c.source = source;
            Record::Change(c)
        }),
    };
    match built {
        Ok(record) => Parsed::Record(record),
        Err((field, reason)) => reject(location, Some(field), &reason, raw),
    }
}

fn placeholder_source() -> SourceRef {
    SourceRef {
        file: String::new(),
        location: String::new(),
    }
}

fn deployment(r: &mut Reader<'_, '_>) -> Result<Deployment, Bad> {
    let at = r.required_time("at")?;
    let service = r
        .take("service")
        .map(|s| normalise_service_name(&s))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ("service", r.missing("service")))?;
    let environment = r.take("environment").map(|e| e.to_ascii_lowercase());
    let version = r.take("version");
    let sha = r.take("sha").map(|s| s.to_ascii_lowercase());
    let status = r
        .take("status")
        .map_or(DeployStatus::Unknown, |s| DeployStatus::parse(&s));
    let actor = r.take("actor");
    let actor_type = r.take("actor_type").map(|a| a.to_ascii_lowercase());
    let action = r
        .take("action")
        .map_or_else(|| "deploy".to_owned(), |a| a.to_ascii_lowercase());
    let natural_key = r.take("id").unwrap_or_else(|| {
        format!(
            "{service}/{}/{}/{}",
            environment.as_deref().unwrap_or("-"),
            at.to_rfc3339(),
            version.as_deref().or(sha.as_deref()).unwrap_or(&action)
        )
    });
    Ok(Deployment {
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
        attributes: BTreeMap::new(),
        updated_at: None,
        source: placeholder_source(),
    })
}

fn incident(r: &mut Reader<'_, '_>, source: &SourceRef) -> Result<Incident, Bad> {
    let id = r.take("id").ok_or_else(|| ("id", r.missing("id")))?;
    let started_at = r.required_time("started_at")?;
    let resolved_at = r.time("resolved_at")?;
    if resolved_at.is_some_and(|end| end < started_at) {
        return Err(("resolved_at", "resolved before it started".to_owned()));
    }
    let title = r.take("title").unwrap_or_else(|| id.clone());
    let status = r.take("status").map_or_else(
        || {
            if resolved_at.is_some() {
                "resolved".to_owned()
            } else {
                "unknown".to_owned()
            }
        },
        |s| s.to_ascii_lowercase(),
    );
    let severity = r.take("severity");
    let service = r
        .take("service")
        .map(|s| normalise_service_name(&s))
        .filter(|s| !s.is_empty());
    let url = r.take("url");
    let mut events = vec![TimelineEvent {
        at: started_at,
        kind: "triggered".to_owned(),
        text: format!("Started: {title}"),
        source: source.clone(),
    }];
    if let Some(at) = resolved_at {
        events.push(TimelineEvent {
            at,
            kind: "resolved".to_owned(),
            text: "Resolved".to_owned(),
            source: source.clone(),
        });
    }
    Ok(Incident {
        source_system: r.mapping.source_system.clone(),
        number: id.parse().ok(),
        source_id: id,
        title,
        status,
        severity,
        service,
        started_at,
        resolved_at,
        url,
        events,
        attributes: BTreeMap::new(),
        updated_at: None,
        source: placeholder_source(),
    })
}

fn change(r: &mut Reader<'_, '_>) -> Result<Change, Bad> {
    let id = r.take("id").ok_or_else(|| ("id", r.missing("id")))?;
    let kind = match r.take("kind") {
        None => ChangeKind::Ticket,
        Some(text) => {
            let normal = text.to_ascii_lowercase().replace([' ', '-'], "_");
            match normal.as_str() {
                "pr" | "pull" | "merge_request" | "mr" => ChangeKind::PullRequest,
                other => ChangeKind::parse(other).ok_or_else(|| {
                    (
                        "kind",
                        format!("{text:?} is not a change kind (commit, pull_request or ticket)"),
                    )
                })?,
            }
        }
    };
    let committed_at = r.time("committed_at")?;
    let message = r.take("message").unwrap_or_default();
    let title = r.take("title").unwrap_or_else(|| {
        message
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_owned()
    });
    let author_name = r.take("author");
    let author_email = r.take("author_email");
    let author = match (author_name, author_email) {
        (None, None) => None,
        (name, email) => Some(Person {
            name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
        }),
    };
    let repo = r.take("repo");
    let mut change = Change::new(kind, id, placeholder_source());
    change.repo = repo;
    change.title = title;
    change.message = message;
    change.author = author;
    change.committed_at = committed_at;
    Ok(change)
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

    fn rows(text: &str) -> Vec<(usize, Vec<String>, Option<String>)> {
        CsvReader {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            delimiter: b',',
        }
        .map(|row| {
            (
                row.line,
                row.fields
                    .into_iter()
                    .map(|f| String::from_utf8_lossy(&f).into_owned())
                    .collect(),
                row.problem,
            )
        })
        .collect()
    }

    #[test]
    fn csv_quotes_commas_newlines_and_crlf() {
        let out = rows("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nlast,,\n");
        assert_eq!(out.len(), 3);
        assert_eq!(out[0], (1, vec!["a".into(), "b".into(), "c".into()], None));
        assert_eq!(
            out[1],
            (
                2,
                vec!["x, y".into(), "say \"hi\"".into(), "two\r\nlines".into()],
                None
            )
        );
        assert_eq!(
            out[2],
            (4, vec!["last".into(), String::new(), String::new()], None)
        );
    }

    #[test]
    fn csv_problems_are_reported_per_record() {
        let out = rows("a,b\n\"x\"y,1\nok,2\n\"open,3\nmore\n");
        assert!(out[1]
            .2
            .as_deref()
            .is_some_and(|p| p.contains("after the closing quote")));
        assert_eq!(out[2], (3, vec!["ok".into(), "2".into()], None));
        assert_eq!(out[3].0, 4);
        assert!(out[3]
            .2
            .as_deref()
            .is_some_and(|p| p.contains("unterminated")));
    }

    #[test]
    fn mapping_errors_are_clear() {
        let err = |text: &str| {
            Mapping::from_toml(text, "m.toml")
                .map(|_| ())
                .expect_err("must fail")
                .to_string()
        };
        assert!(
            err("record = \"widget\"\nformat = \"csv\"").contains("unknown record type \"widget\"")
        );
        assert!(err("record = \"change\"\nformat = \"xml\"").contains("unknown format"));
        assert!(err("record = \"deployment\"\nformat = \"regex\"").contains("needs a `pattern`"));
        let bad = err("record = \"deployment\"\nformat = \"regex\"\npattern = '(?P<ts>'");
        assert!(
            bad.starts_with("m.toml: `pattern` is not a valid regex"),
            "{bad}"
        );
        assert!(
            err("record = \"deployment\"\nformat = \"csv\"\n[fields]\nwhen = \"x\"")
                .contains("unknown field `when`")
        );
        assert!(
            err("record = \"deployment\"\nformat = \"csv\"\ntimezone = \"Europe/Paris\"")
                .contains("not a fixed offset")
        );
        assert!(
            err("record = \"deployment\"\nformat = \"regex\"\npattern = '^(?P<ts>\\S+)$'")
                .contains("need `service`")
        );
        assert!(err("record = \"deployment\"\nformat = \"regex\"\npattern = '^(?P<ts>\\S+) (?P<app>\\S+)$'\n[fields]\nversion = \"v\"")
            .contains("group \"v\""));
        assert!(
            err("record = \"incident\"\nformat = \"json\"\nrecords = \"data\"")
                .contains("JSON pointer")
        );
        assert!(err("format = \"csv\"").starts_with("m.toml: not a valid mapping file"));
    }

    #[test]
    fn aliases_ignore_case_and_spaces() {
        assert!(key_matches("Deployed At", "deployed_at"));
        assert!(key_matches("SERVICE", "service"));
        assert!(!key_matches("services", "service"));
    }
}
