//! Escaping of input text for each output format.

use std::fmt;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    html(text).to_string()
}

/// Escapes text for one line of Markdown, including table cells: every character that could
/// start emphasis, code, a link, an HTML tag or a table column is backslash-escaped, and line
/// breaks become spaces.
pub fn escape_markdown(text: &str) -> String {
    markdown(text).to_string()
}

/// [`escape_html`] written straight into the output, without a string of its own.
pub(crate) fn html(text: &str) -> Html<'_> {
    Html(text)
}

/// [`escape_markdown`] written straight into the output, without a string of its own.
pub(crate) fn markdown(text: &str) -> Markdown<'_> {
    Markdown(text)
}

pub(crate) struct Html<'a>(&'a str);

pub(crate) struct Markdown<'a>(&'a str);

/// Writes `text` with every ASCII byte that `replace` maps to something replaced by it; runs
/// of other text are written whole.
fn write_escaped(
    f: &mut fmt::Formatter<'_>,
    text: &str,
    replace: impl Fn(u8) -> Option<&'static str>,
) -> fmt::Result {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if let Some(with) = replace(byte) {
            // Replaced bytes are ASCII, so `start..i` lies on character boundaries.
            f.write_str(&text[start..i])?;
            f.write_str(with)?;
            start = i + 1;
        }
    }
    f.write_str(&text[start..])
}

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, |byte| match byte {
            b'&' => Some("&amp;"),
            b'<' => Some("&lt;"),
            b'>' => Some("&gt;"),
            b'"' => Some("&quot;"),
            b'\'' => Some("&#39;"),
            _ => None,
        })
    }
}

impl fmt::Display for Markdown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, |byte| match byte {
            b'\\' => Some("\\\\"),
            b'`' => Some("\\`"),
            b'*' => Some("\\*"),
            b'_' => Some("\\_"),
            b'[' => Some("\\["),
            b']' => Some("\\]"),
            b'<' => Some("\\<"),
            b'>' => Some("\\>"),
            b'|' => Some("\\|"),
            b'~' => Some("\\~"),
            b'#' => Some("\\#"),
            b'!' => Some("\\!"),
            b'\r' => Some(""),
            b'\n' | b'\t' => Some(" "),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_inert() {
        assert_eq!(
            escape_html("<img src=x onerror=\"alert(1)\">&'"),
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn markdown_is_inert() {
        assert_eq!(escape_markdown("a|b"), "a\\|b");
        assert_eq!(
            escape_markdown("[x](javascript:y)"),
            "\\[x\\](javascript:y)"
        );
        assert_eq!(
            escape_markdown("<b>*hi*</b>\nnext"),
            "\\<b\\>\\*hi\\*\\</b\\> next"
        );
    }
}
