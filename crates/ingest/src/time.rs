//! Timestamp parsing: every instant Hindsight stores is UTC.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// Parses the timestamp spellings deploy tools and incident tools write:
/// RFC 3339 (`Z`, `+01:00`), offsets without a colon (`+0100`), a space instead of `T`,
/// and epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude.
/// A time without a zone is read as UTC.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(epoch) = parse_epoch(text) {
        return Some(epoch);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let normalised = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalised) {
        return Some(t.with_timezone(&Utc));
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(&normalised, pattern) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normalised, pattern) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    None
}

fn parse_epoch(text: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let value: i64 = whole.parse().ok()?;
    // Seconds until the year 5138 have at most 11 digits; each longer unit adds three.
    let nanos: i128 = match whole.len() {
        0..=11 => {
            let frac = fraction.map(|f| format!("{f:0<9}")).unwrap_or_default();
            let frac: i128 = frac.get(..9).and_then(|f| f.parse().ok()).unwrap_or(0);
            i128::from(value) * 1_000_000_000 + frac
        }
        12..=14 => i128::from(value) * 1_000_000,
        15..=17 => i128::from(value) * 1_000,
        18..=19 => i128::from(value),
        _ => return None,
    };
    let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse_timestamp(text)
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(
            utc("2026-11-16T10:00:00+01:00"),
            "2026-11-16T09:00:00+00:00"
        );
        assert_eq!(utc("2026-11-16T10:00:00Z"), "2026-11-16T10:00:00+00:00");
        assert_eq!(utc("2026-11-16T10:00:00+0100"), "2026-11-16T09:00:00+00:00");
        assert_eq!(
            utc("2026-11-16 10:00:00-05:00"),
            "2026-11-16T15:00:00+00:00"
        );
        assert_eq!(utc("2026-11-16 10:00:00"), "2026-11-16T10:00:00+00:00");
    }

    #[test]
    fn epochs_are_told_apart_by_magnitude() {
        let expected = "2026-11-16T10:00:00+00:00";
        assert_eq!(utc("1794823200"), expected);
        assert_eq!(utc("1794823200000"), expected);
        assert_eq!(utc("1794823200000000"), expected);
        assert_eq!(utc("1794823200000000000"), expected);
        assert_eq!(utc("1794823200.5"), "2026-11-16T10:00:00.500+00:00");
    }

    #[test]
    fn garbage_is_not_a_time() {
        assert_eq!(utc("yesterday"), "none");
        assert_eq!(utc(""), "none");
        assert_eq!(utc("12abc"), "none");
    }
}
