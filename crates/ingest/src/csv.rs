//! A small RFC 4180 CSV reader shared by the table formats (DevLake domain tables).
//!
//! Fields are separated by commas, records by CRLF or LF; a field in double quotes may hold
//! commas, line breaks and doubled quotes. A UTF-8 BOM is dropped and invalid UTF-8 is read
//! lossily, so a stray byte costs one character rather than the file.

/// One record of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvRow {
    /// The 1-based line the record starts on.
    pub line: usize,
    pub fields: Vec<String>,
    /// The record's text as written, for rejection listings.
    pub raw: String,
}

/// Where a CSV file stops being CSV: the line and column of a quote never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads every record of `bytes`; blank lines are skipped.
pub(crate) fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvError> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rows = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut raw = String::new();
    let mut quoted_at: Option<(usize, usize)> = None;
    let mut any_quote = false;
    let (mut line, mut column, mut row_line) = (1usize, 0usize, 1usize);
    let mut chars = text.chars().peekable();
    let mut finish = |fields: &mut Vec<String>,
                      field: &mut String,
                      raw: &mut String,
                      any_quote: &mut bool,
                      row_line: usize| {
        let blank = fields.is_empty() && field.is_empty() && !*any_quote;
        fields.push(std::mem::take(field));
        let done = std::mem::take(fields);
        let done_raw = std::mem::take(raw);
        if !blank {
            rows.push(CsvRow {
                line: row_line,
                fields: done,
                raw: done_raw,
            });
        }
        *any_quote = false;
    };
    while let Some(ch) = chars.next() {
        column += 1;
        if quoted_at.is_some() {
            match ch {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    column += 1;
                    field.push('"');
                    raw.push_str("\"\"");
                }
                '"' => {
                    quoted_at = None;
                    raw.push('"');
                }
                '\n' => {
                    line += 1;
                    column = 0;
                    field.push('\n');
                    raw.push('\n');
                }
                _ => {
                    field.push(ch);
                    raw.push(ch);
                }
            }
            continue;
        }
        match ch {
            '"' if field.is_empty() => {
                quoted_at = Some((line, column));
                any_quote = true;
                raw.push('"');
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                raw.push(',');
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                finish(&mut fields, &mut field, &mut raw, &mut any_quote, row_line);
                line += 1;
                column = 0;
                row_line = line;
            }
            _ => {
                field.push(ch);
                raw.push(ch);
            }
        }
    }
    if let Some((line, column)) = quoted_at {
        return Err(CsvError {
            line,
            column,
            message: "quoted field is never closed".to_owned(),
        });
    }
    finish(&mut fields, &mut field, &mut raw, &mut any_quote, row_line);
    Ok(rows)
}

/// The header of a CSV file: its first record's names, trimmed and lower case.
pub(crate) fn header_of(head: &str) -> Option<Vec<String>> {
    let first = head.lines().next()?;
    let rows = read_csv(first.as_bytes()).ok()?;
    let row = rows.into_iter().next()?;
    Some(
        row.fields
            .iter()
            .map(|f| f.trim().to_ascii_lowercase())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        let rows =
            read_csv(b"\xef\xbb\xbfa,b,c\r\n1,\"x, \"\"y\"\"\nz\",3\r\n\r\n4,,\n").expect("csv");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].fields, vec!["a", "b", "c"]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[1].fields, vec!["1", "x, \"y\"\nz", "3"]);
        assert_eq!(rows[2].line, 5);
        assert_eq!(rows[2].fields, vec!["4", "", ""]);
        assert_eq!(rows[2].raw, "4,,");
    }

    #[test]
    fn an_unclosed_quote_is_located() {
        let error = read_csv(b"a,b\n1,\"open\n2,3\n").expect_err("unclosed");
        assert_eq!((error.line, error.column), (2, 3));
    }

    #[test]
    fn a_last_line_without_newline_and_bad_utf8_are_read() {
        let rows = read_csv(b"a,b\nx\xff,y").expect("csv");
        assert_eq!(rows[1].fields, vec!["x\u{fffd}", "y"]);
        assert_eq!(
            header_of("Id,Commit_SHA\n1,2"),
            Some(vec!["id".to_owned(), "commit_sha".to_owned()])
        );
    }
}
