//! Helpers shared by the parsers of whole JSON documents.

use serde_json::Value;

use hindsight_model::Rejection;

use crate::{excerpt, IngestError, Parsed};

/// Parses a whole JSON document (a leading BOM is allowed); a syntax error or a truncated file
/// names its line and column.
pub(crate) fn parse_document(file: &str, bytes: &[u8]) -> Result<Value, IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| IngestError::Malformed {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        message: format!("not valid JSON: {e}"),
    })
}

/// A string (trimmed, non-empty) or a number, as text.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A rejection of the JSON item at `pointer` for `field`, keeping an excerpt of the item.
pub(crate) fn reject_item(pointer: &str, item: &Value, field: &str, reason: &str) -> Parsed {
    reject(pointer, item, Some(field), reason)
}

/// [`reject_item`] where no field may be named (`None`: the item as a whole).
pub(crate) fn reject(pointer: &str, item: &Value, field: Option<&str>, reason: &str) -> Parsed {
    Parsed::Rejected(item_rejection(pointer, item, field, reason))
}

/// The rejection [`reject`] hands over.
pub(crate) fn item_rejection(
    pointer: &str,
    item: &Value,
    field: Option<&str>,
    reason: &str,
) -> Rejection {
    Rejection {
        location: pointer.to_owned(),
        field: field.map(str::to_owned),
        reason: reason.to_owned(),
        raw: excerpt(&item.to_string()),
    }
}
