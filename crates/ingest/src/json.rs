//! Helpers shared by the parsers of whole JSON documents.

use serde_json::Value;

use crate::IngestError;

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
