//! ServiceNow change requests: the Table API (`GET /api/now/table/change_request`, a
//! `{"result": [...]}` document, or `{"result": {...}}` for one record) and list CSV exports
//! (a header row of field names, or of the list's column labels, then one row per change).
//!
//! Table API values are plain strings, or `{"display_value", "value", "link"}` objects with
//! `sysparm_display_value=all` (references without it are `{"link", "value"}`). Names come from
//! the display value; times from the value, which ServiceNow writes in UTC as
//! `2026-11-18 09:00:00`. Display values (an object with only `display_value`) and CSV times
//! follow the exporting user's time zone and state none: they are read in the configured zone
//! (UTC unless `--zone` says otherwise) and the change is marked `assumed_zone`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_model::{Change, ChangeKind, Person, Record, Rejection, SourceRef};
use serde_json::Value;

use crate::time::{parse_timestamp, parse_timestamp_zoned, Zone};
use crate::{excerpt, IngestError, Parsed};

/// Fields that mark a change request rather than another ServiceNow table.
const CHANGE_FIELDS: [&str; 8] = [
    "cab_required",
    "backout_plan",
    "change_plan",
    "implementation_plan",
    "chg_model",
    "start_date",
    "work_start",
    "conflict_status",
];

/// List column labels a UI export may use instead of field names.
const LABELS: [(&str, &str); 22] = [
    ("number", "number"),
    ("short description", "short_description"),
    ("description", "description"),
    ("type", "type"),
    ("risk", "risk"),
    ("impact", "impact"),
    ("approval", "approval"),
    ("cab required", "cab_required"),
    ("planned start date", "start_date"),
    ("planned end date", "end_date"),
    ("actual start", "work_start"),
    ("actual end", "work_end"),
    ("close code", "close_code"),
    ("close notes", "close_notes"),
    ("state", "state"),
    ("assignment group", "assignment_group"),
    ("assigned to", "assigned_to"),
    ("configuration item", "cmdb_ci"),
    ("requested by", "requested_by"),
    ("created", "sys_created_on"),
    ("updated", "sys_updated_on"),
    ("category", "category"),
];

/// True when the head is a change request Table API document or a change request CSV export.
pub(crate) fn looks_like(head: &str) -> bool {
    if head.starts_with('{') {
        return (head.contains("\"result\"") || head.contains("\"records\""))
            && head.contains("\"sys_id\"")
            && (head.contains("\"CHG")
                || CHANGE_FIELDS
                    .iter()
                    .any(|f| head.contains(&format!("\"{f}\""))));
    }
    let Some(first) = head.lines().next() else {
        return false;
    };
    let columns: Vec<String> = match read_csv(first.as_bytes()) {
        Ok(rows) => rows
            .into_iter()
            .next()
            .map(|(_, fields)| fields.iter().map(|f| column_name(f)).collect())
            .unwrap_or_default(),
        Err(_) => return false,
    };
    let has = |name: &str| columns.iter().any(|c| c == name);
    has("number")
        && has("short_description")
        && CHANGE_FIELDS
            .iter()
            .chain(&["end_date", "work_end", "cab_required", "close_code"])
            .any(|f| has(f))
}

fn column_name(header: &str) -> String {
    let lower = header.trim().to_lowercase();
    LABELS
        .iter()
        .find(|(label, _)| *label == lower)
        .map_or(lower.clone(), |(_, field)| (*field).to_owned())
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') || first == Some(&b'[') {
        parse_json(file, bytes, zone, sink)
    } else {
        parse_csv(file, bytes, zone, sink)
    }
}

fn parse_json(
    file: &str,
    bytes: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let document = crate::json::parse_document(file, bytes)?;
    let (items, base): (Vec<&Value>, &str) = match (&document, &document["result"]) {
        (_, Value::Array(items)) => (items.iter().collect(), "/result/"),
        (_, one @ Value::Object(_)) => (vec![one], "/result"),
        (Value::Array(items), _) => (items.iter().collect(), "/"),
        _ => match &document["records"] {
            Value::Array(items) => (items.iter().collect(), "/records/"),
            _ => {
                return Err(IngestError::Invalid {
                    file: file.to_owned(),
                    message: "expected a ServiceNow Table API document with a `result` array"
                        .to_owned(),
                })
            }
        },
    };
    for (index, item) in items.into_iter().enumerate() {
        let pointer = if base.ends_with('/') {
            format!("{base}{index}")
        } else {
            base.to_owned()
        };
        let raw = excerpt(&item.to_string());
        let Value::Object(map) = item else {
            sink(rejection(
                &pointer,
                None,
                "a change request must be a JSON object",
                raw,
            ));
            continue;
        };
        let fields: BTreeMap<String, Field> = map
            .iter()
            .filter_map(|(key, value)| Field::from_json(value).map(|f| (key.clone(), f)))
            .collect();
        sink(to_change(
            SourceRef::pointer(file, pointer),
            &fields,
            zone,
            raw,
        ));
    }
    Ok(())
}

fn parse_csv(
    file: &str,
    bytes: &[u8],
    zone: &Zone,
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let rows = read_csv(bytes).map_err(|(line, column, message)| IngestError::Malformed {
        file: file.to_owned(),
        line,
        column,
        message,
    })?;
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "empty file: expected a ServiceNow change_request CSV export".to_owned(),
        });
    };
    let columns: Vec<String> = header.iter().map(|h| column_name(h)).collect();
    if !columns.iter().any(|c| c == "number") {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "the CSV header has no `number` column".to_owned(),
        });
    }
    for (line, values) in rows {
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let raw = excerpt(&values.join(","));
        let location = format!("line {line}");
        if values.len() != columns.len() {
            sink(rejection(
                &location,
                None,
                &format!(
                    "expected {} fields as in the header, found {}",
                    columns.len(),
                    values.len()
                ),
                raw,
            ));
            continue;
        }
        let fields = columns
            .iter()
            .zip(values)
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(c, v)| {
                let v = v.trim().to_owned();
                (
                    c.clone(),
                    Field {
                        display: v.clone(),
                        value: v,
                        local: true,
                    },
                )
            })
            .collect();
        sink(to_change(SourceRef::line(file, line), &fields, zone, raw));
    }
    Ok(())
}

/// One field: its display value (names) and its stored value (times, in UTC).
struct Field {
    display: String,
    value: String,
    /// The time is a display value in the exporting user's zone, not the stored UTC value.
    local: bool,
}

impl Field {
    fn from_json(value: &Value) -> Option<Self> {
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match value {
            Value::Object(map) => {
                let stored = map.get("value").and_then(scalar);
                let display = map.get("display_value").and_then(scalar);
                match (display, stored) {
                    (Some(display), Some(value)) => Some(Self {
                        display,
                        value,
                        local: false,
                    }),
                    (Some(one), None) => Some(Self {
                        display: one.clone(),
                        value: one,
                        local: true,
                    }),
                    (None, Some(one)) => Some(Self {
                        display: one.clone(),
                        value: one,
                        local: false,
                    }),
                    (None, None) => None,
                }
            }
            other => scalar(other).map(|v| Self {
                display: v.clone(),
                value: v,
                local: false,
            }),
        }
    }
}

fn rejection(location: &str, field: Option<&str>, reason: &str, raw: String) -> Parsed {
    Parsed::Rejected(Rejection {
        location: location.to_owned(),
        field: field.map(str::to_owned),
        reason: reason.to_owned(),
        raw,
    })
}

fn to_change(
    source: SourceRef,
    fields: &BTreeMap<String, Field>,
    zone: &Zone,
    raw: String,
) -> Parsed {
    let display = |key: &str| fields.get(key).map(|f| f.display.clone());
    let Some(number) = display("number") else {
        return rejection(&source.location, Some("number"), "missing number", raw);
    };
    let mut times: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    let mut zone_assumed = false;
    for key in [
        "sys_created_on",
        "sys_updated_on",
        "start_date",
        "end_date",
        "work_start",
        "work_end",
    ] {
        if let Some(field) = fields.get(key) {
            let read = if field.local {
                parse_timestamp_zoned(&field.display, zone)
            } else {
                parse_timestamp(&field.value)
                    .or_else(|| parse_timestamp(&field.display))
                    .map(|at| (at, false))
            };
            match read {
                Some((at, assumed)) => {
                    zone_assumed |= assumed;
                    times.insert(key, at);
                }
                None => {
                    return rejection(
                        &source.location,
                        Some(key),
                        &format!("not a timestamp: {:?}", field.value),
                        raw,
                    )
                }
            }
        }
    }
    let mut change = Change::new(ChangeKind::Ticket, number, source);
    change.title = display("short_description").unwrap_or_default();
    change.message = fields
        .get("description")
        .map(|f| f.display.clone())
        .unwrap_or_default();
    change.authored_at = times.get("sys_created_on").copied();
    change.committed_at = ["work_end", "end_date", "sys_updated_on"]
        .iter()
        .find_map(|k| times.get(k).copied());
    change.updated_at = times.get("sys_updated_on").copied();
    change.author = display("requested_by").map(|name| Person {
        name,
        email: String::new(),
    });
    for (key, field) in fields {
        if key == "number" || key == "description" {
            continue;
        }
        let value = if times.contains_key(key.as_str()) {
            field.value.clone()
        } else {
            field.display.clone()
        };
        change.attributes.insert(key.clone(), value);
    }
    if zone_assumed {
        change
            .attributes
            .insert("assumed_zone".to_owned(), zone.name());
    }
    Parsed::Record(Record::Change(change))
}

type CsvRows = Vec<(usize, Vec<String>)>;

/// Reads RFC 4180 CSV: comma-separated fields, `"quoted"` fields holding commas, newlines and
/// doubled quotes, LF or CRLF line ends. Each row comes with the line it starts on. An
/// unterminated quote is an error with the line and column of its opening quote.
fn read_csv(bytes: &[u8]) -> Result<CsvRows, (usize, usize, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut column = 0;
    let mut row_line = 1;
    let mut quoted_at: Option<(usize, usize)> = None;
    let mut after_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        column += 1;
        if quoted_at.is_some() {
            match ch {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    column += 1;
                    field.push('"');
                }
                '"' => {
                    quoted_at = None;
                    after_quote = true;
                }
                '\n' => {
                    field.push('\n');
                    line += 1;
                    column = 0;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                other => field.push(other),
            }
            continue;
        }
        match ch {
            '"' if field.is_empty() && !after_quote => quoted_at = Some((line, column)),
            ',' => {
                row.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                after_quote = false;
                line += 1;
                column = 0;
                row_line = line;
            }
            other => field.push(other),
        }
    }
    if let Some((line, column)) = quoted_at {
        return Err((
            line,
            column,
            "unterminated quoted field: the file ends inside quotes (truncated?)".to_owned(),
        ));
    }
    if !field.is_empty() || !row.is_empty() || after_quote {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::change;

    const JSON: &str = r#"{"result": [
  {
    "number": {"display_value": "CHG0030001", "value": "CHG0030001"},
    "sys_id": {"display_value": "a9e30c7dc61122760116894de7bcc7bd", "value": "a9e30c7dc61122760116894de7bcc7bd"},
    "short_description": {"display_value": "Rollback Oracle® version", "value": "Rollback Oracle® version"},
    "description": {"display_value": "Performance of the Siebel SFA software has been severely\ndegraded", "value": "x"},
    "type": {"display_value": "Emergency", "value": "emergency"},
    "risk": {"display_value": "High", "value": "2"},
    "approval": {"display_value": "Approved", "value": "approved"},
    "cab_required": {"display_value": "true", "value": "true"},
    "start_date": {"display_value": "18/11/2026 10:00:00", "value": "2026-11-18 09:00:00"},
    "end_date": {"display_value": "18/11/2026 11:00:00", "value": "2026-11-18 10:00:00"},
    "work_end": {"display_value": "", "value": ""},
    "assignment_group": {"display_value": "CAB Approval", "link": "https://x.service-now.com/api/now/table/sys_user_group/b85d", "value": "b85d"},
    "cmdb_ci": {"display_value": "Oracle FLX", "value": "c1"},
    "requested_by": {"display_value": "Zoë Lind", "value": "62826bf0"},
    "sys_created_on": {"display_value": "17/11/2026 09:00:00", "value": "2026-11-17 08:00:00"},
    "state": {"display_value": "Closed", "value": "3"}
  },
  {"number": "CHG0030002", "short_description": "Patch", "assignment_group": "", "cmdb_ci": {"link": "l", "value": "d2"},
   "sys_updated_on": "2026-11-18 12:00:00", "work_end": "2026-11-18 11:30:00", "requested_by": ""},
  {"number": "CHG0030003", "start_date": "next tuesday"},
  {"short_description": "no number"},
  42
]}"#;

    fn run(text: &str) -> Vec<Parsed> {
        let mut out = Vec::new();
        parse("chg", text.as_bytes(), &Zone::default(), &mut |p| {
            out.push(p)
        })
        .expect("parse");
        out
    }

    fn rejected(parsed: &Parsed) -> (&str, Option<&str>) {
        match parsed {
            Parsed::Rejected(r) => (r.location.as_str(), r.field.as_deref()),
            other => panic!("not a rejection: {other:?}"),
        }
    }

    #[test]
    fn table_api_with_display_values() {
        let out = run(JSON);
        assert_eq!(out.len(), 5);
        let c = change(&out[0]);
        assert_eq!(c.kind, ChangeKind::Ticket);
        assert_eq!(c.natural_key, "CHG0030001");
        assert_eq!(c.title, "Rollback Oracle® version");
        assert!(c.message.contains("\ndegraded"));
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T10:00:00+00:00")
        );
        assert_eq!(
            c.authored_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-17T08:00:00+00:00")
        );
        assert_eq!(c.author.as_ref().map(|p| p.name.as_str()), Some("Zoë Lind"));
        let attr = |k: &str| c.attributes.get(k).map(String::as_str);
        assert_eq!(attr("type"), Some("Emergency"));
        assert_eq!(attr("risk"), Some("High"));
        assert_eq!(attr("approval"), Some("Approved"));
        assert_eq!(attr("cab_required"), Some("true"));
        assert_eq!(attr("start_date"), Some("2026-11-18 09:00:00"));
        assert_eq!(attr("assignment_group"), Some("CAB Approval"));
        assert_eq!(attr("cmdb_ci"), Some("Oracle FLX"));
        assert_eq!(attr("state"), Some("Closed"));
        assert_eq!(attr("work_end"), None);
        assert_eq!(c.source.location, "/result/0");
    }

    #[test]
    fn plain_values_and_rejections() {
        let out = run(JSON);
        let c = change(&out[1]);
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T11:30:00+00:00")
        );
        assert_eq!(c.author, None);
        assert_eq!(c.attributes.get("assignment_group"), None);
        assert_eq!(c.attributes.get("cmdb_ci").map(String::as_str), Some("d2"));
        assert_eq!(rejected(&out[2]), ("/result/2", Some("start_date")));
        assert_eq!(rejected(&out[3]), ("/result/3", Some("number")));
        assert_eq!(rejected(&out[4]), ("/result/4", None));
    }

    const CSV: &str = "\u{feff}\"number\",\"short_description\",\"type\",\"risk\",\"approval\",\"cab_required\",\"start_date\",\"end_date\",\"work_start\",\"work_end\",\"close_code\",\"assignment_group\",\"cmdb_ci\",\"sys_created_on\"\r\n\
\"CHG0040001\",\"Upgrade DB, then \"\"migrate\"\"\nin two steps\",\"normal\",\"Moderate\",\"approved\",\"true\",\"2026-11-18 09:00:00\",\"2026-11-18 10:00:00\",\"2026-11-18 09:05:00\",\"2026-11-18 09:55:00\",\"successful\",\"Database Ops\",\"pg-main\",\"2026-11-16 08:00:00\"\r\n\
CHG0040002,Short row,normal\r\n\
CHG0040003,Café rollout,standard,Low,not requested,false,,,,,,,,2026-11-16 08:00:00\r\n";

    #[test]
    fn csv_export_with_quotes_newlines_and_crlf() {
        assert!(looks_like(CSV.trim_start_matches('\u{feff}')));
        let out = run(CSV);
        assert_eq!(out.len(), 3);
        let c = change(&out[0]);
        assert_eq!(c.natural_key, "CHG0040001");
        assert_eq!(c.title, "Upgrade DB, then \"migrate\"\nin two steps");
        assert_eq!(c.source.location, "line 2");
        assert_eq!(
            c.committed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-18T09:55:00+00:00")
        );
        assert_eq!(
            c.attributes.get("close_code").map(String::as_str),
            Some("successful")
        );
        assert_eq!(rejected(&out[1]), ("line 4", None));
        let c = change(&out[2]);
        assert_eq!(c.title, "Café rollout");
        assert_eq!(c.source.location, "line 5");
        assert_eq!(c.committed_at, None);
    }

    #[test]
    fn truncation_is_malformed_with_a_line() {
        let cut = &CSV[..CSV.find("in two").unwrap_or(0)];
        let err =
            parse("chg.csv", cut.as_bytes(), &Zone::default(), &mut |_| {}).expect_err("truncated");
        assert!(
            matches!(
                err,
                IngestError::Malformed {
                    line: 2,
                    column: 14,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = parse(
            "chg.json",
            &JSON.as_bytes()[..300],
            &Zone::default(),
            &mut |_| {},
        )
        .expect_err("truncated");
        assert!(
            matches!(err, IngestError::Malformed { line: 5, .. }),
            "{err:?}"
        );
        for end in 0..JSON.len() {
            if let Some(prefix) = JSON.get(..end) {
                let _ = parse("c", prefix.as_bytes(), &Zone::default(), &mut |_| {});
            }
        }
        for end in 0..CSV.len() {
            if let Some(prefix) = CSV.get(..end) {
                let _ = parse("c", prefix.as_bytes(), &Zone::default(), &mut |_| {});
            }
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(JSON));
        assert!(looks_like(
            "Number,Short description,Planned start date,State\n"
        ));
        assert!(!looks_like(
            "{\"result\": [{\"number\": \"INC001\", \"sys_id\": \"x\"}]}"
        ));
        assert!(!looks_like("number,title,created_at\n1,a,b\n"));
        assert!(!looks_like("ts=1 service=a action=deploy"));
    }
}
