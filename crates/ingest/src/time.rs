//! Timestamp parsing: every instant Hindsight stores is UTC.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// Parses the timestamp spellings deploy tools and incident tools write:
/// RFC 3339 (`Z`, `+01:00`), offsets without a colon (`+0100`), a space instead of `T`,
/// and epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude.
/// A time without a zone is read as UTC.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    parse_timestamp_in(text, utc_offset()).map(|(t, _)| t)
}

/// [`parse_timestamp`] with `zone` as the zone of times that state none. The flag is true
/// when the zone was assumed rather than read from the text (epochs and times with an offset
/// or `Z` give false).
pub fn parse_timestamp_in(text: &str, zone: FixedOffset) -> Option<(DateTime<Utc>, bool)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(epoch) = parse_epoch(text) {
        return Some((epoch, false));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some((t.with_timezone(&Utc), false));
    }
    let normalised = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalised) {
        return Some((t.with_timezone(&Utc), false));
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(&normalised, pattern) {
            return Some((t.with_timezone(&Utc), false));
        }
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normalised, pattern) {
            return in_zone(&t, zone).map(|t| (t, true));
        }
    }
    None
}

/// Parses a syslog (RFC 3164) timestamp, which has no year: `Nov 19 10:42:07`, `Nov  9
/// 10:42:07`, optionally with fractional seconds. The time is read as UTC.
///
/// The year is taken from `now`: the caller passes the file's modification time, or the time
/// of the run when it has none. A date that would lie in the future relative to `now` (by more
/// than a day, to allow for zone differences and clock skew) is from the year before — a
/// December line read in January.
pub fn parse_syslog(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    parse_syslog_in(text, now, utc_offset())
}

/// [`parse_syslog`] with the wall-clock time read in `zone`.
pub fn parse_syslog_in(text: &str, now: DateTime<Utc>, zone: FixedOffset) -> Option<DateTime<Utc>> {
    let mut parts = text.split_whitespace();
    let (month, day, clock) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || month.len() != 3
        || !month.bytes().all(|b| b.is_ascii_alphabetic())
        || day.is_empty()
        || day.len() > 2
        || !day.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let at_year = |year: i32| {
        NaiveDateTime::parse_from_str(
            &format!("{year} {month} {day} {clock}"),
            "%Y %b %d %H:%M:%S%.f",
        )
        .ok()
        .and_then(|t| in_zone(&t, zone))
    };
    let latest = now + Duration::days(1);
    let year = now.year();
    // Feb 29 does not exist in every year: the year before may still hold it.
    match at_year(year) {
        Some(t) if t <= latest => Some(t),
        _ => at_year(year - 1).filter(|t| *t <= latest),
    }
}

/// Parses a fixed UTC offset as a mapping or a command line states it: `UTC`, `Z`, `+01:00`,
/// `-0500`, `+01`.
pub fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") || text == "GMT" {
        return Some(utc_offset());
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || !matches!(digits.len(), 2 | 4)
        || (rest.contains(':') && rest.len() != 5)
    {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Ok(0), str::parse)
        .ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The zone zone-less times are read in: a fixed offset (`UTC`, `+01:00`) or an IANA zone
/// (`Europe/Berlin`), whose offset follows daylight saving time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Default for Zone {
    fn default() -> Self {
        Self::Fixed(utc_offset())
    }
}

impl Zone {
    /// Reads `UTC`, `+01:00`, `-0500` or an IANA name such as `Europe/Berlin`.
    pub fn parse(text: &str) -> Option<Self> {
        parse_offset(text)
            .map(Self::Fixed)
            .or_else(|| text.trim().parse::<chrono_tz::Tz>().ok().map(Self::Named))
    }

    /// The name records are marked with (`assumed_zone`): `UTC`, `+01:00`, `Europe/Berlin`.
    pub fn name(&self) -> String {
        match self {
            Self::Fixed(offset) if offset.local_minus_utc() == 0 => "UTC".to_owned(),
            Self::Fixed(offset) => offset.to_string(),
            Self::Named(tz) => tz.name().to_owned(),
        }
    }

    /// The instant a wall-clock time in this zone names. A time that daylight saving skips is
    /// read with the offset in force just before the gap; an ambiguous one as the earlier.
    pub fn to_utc(&self, local: &NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Self::Fixed(offset) => in_zone(local, *offset),
            Self::Named(tz) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .or_else(|| {
                    let before = *local - Duration::hours(3);
                    let offset = tz.offset_from_local_datetime(&before).earliest()?.fix();
                    Some((*local - Duration::seconds(offset.local_minus_utc().into())).and_utc())
                }),
        }
    }
}

/// [`parse_timestamp`] with `zone` for times that state none; the flag is true when the zone
/// was assumed.
pub fn parse_timestamp_zoned(text: &str, zone: &Zone) -> Option<(DateTime<Utc>, bool)> {
    let (read_as_utc, assumed) = parse_timestamp_in(text, utc_offset())?;
    if !assumed {
        return Some((read_as_utc, false));
    }
    zone.to_utc(&read_as_utc.naive_utc()).map(|t| (t, true))
}

/// [`parse_syslog`] with the wall-clock time read in `zone`.
pub fn parse_syslog_zoned(text: &str, now: DateTime<Utc>, zone: &Zone) -> Option<DateTime<Utc>> {
    let read_as_utc = parse_syslog(text, now)?;
    zone.to_utc(&read_as_utc.naive_utc())
}

fn utc_offset() -> FixedOffset {
    Utc.fix()
}

fn in_zone(t: &NaiveDateTime, zone: FixedOffset) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(t)
        .single()
        .map(|t| t.with_timezone(&Utc))
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
    fn zone_less_times_are_read_in_the_configured_zone() {
        let plus_one = parse_offset("+01:00").expect("offset");
        let read = |text: &str| {
            parse_timestamp_in(text, plus_one).map(|(t, assumed)| (t.to_rfc3339(), assumed))
        };
        assert_eq!(
            read("2026-11-16 10:00:00"),
            Some(("2026-11-16T09:00:00+00:00".to_owned(), true))
        );
        assert_eq!(
            read("2026-11-16T10:00"),
            Some(("2026-11-16T09:00:00+00:00".to_owned(), true))
        );
        // A stated zone wins over the configured one, and is not an assumption.
        assert_eq!(
            read("2026-11-16T10:00:00Z"),
            Some(("2026-11-16T10:00:00+00:00".to_owned(), false))
        );
        assert_eq!(
            read("2026-11-16T10:00:00-0500"),
            Some(("2026-11-16T15:00:00+00:00".to_owned(), false))
        );
        assert_eq!(read("1794823200").map(|(_, a)| a), Some(false));
        assert_eq!(read("tomorrow"), None);
        // The plain parser keeps UTC as its assumed zone.
        assert_eq!(
            parse_timestamp_in("2026-11-16 10:00:00", utc_offset()),
            parse_timestamp("2026-11-16T10:00:00Z").map(|t| (t, true))
        );
    }

    #[test]
    fn offsets() {
        let secs = |text: &str| parse_offset(text).map(|o| o.local_minus_utc());
        assert_eq!(secs("UTC"), Some(0));
        assert_eq!(secs("Z"), Some(0));
        assert_eq!(secs("+01:00"), Some(3600));
        assert_eq!(secs("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(secs("+02"), Some(7200));
        assert_eq!(secs("Europe/Berlin"), None);
        assert_eq!(secs("+25:00"), None);
        assert_eq!(secs("+1:00"), None);
        assert_eq!(secs(""), None);
    }

    #[test]
    fn syslog_times_take_the_year_of_now() {
        let now = parse_timestamp("2026-11-20T08:00:00Z").expect("now");
        let read = |text: &str, now| parse_syslog(text, now).map(|t| t.to_rfc3339());
        assert_eq!(
            read("Nov 19 10:42:07", now).as_deref(),
            Some("2026-11-19T10:42:07+00:00")
        );
        assert_eq!(
            read("Nov  9 10:42:07.250", now).as_deref(),
            Some("2026-11-09T10:42:07.250+00:00")
        );
        // Later today is still this year; a date next month is last year's.
        assert_eq!(
            read("Nov 20 23:59:59", now).as_deref(),
            Some("2026-11-20T23:59:59+00:00")
        );
        assert_eq!(
            read("Dec 31 23:00:00", now).as_deref(),
            Some("2025-12-31T23:00:00+00:00")
        );
        // Read in January, December lines are from the year before.
        let january = parse_timestamp("2027-01-02T00:00:00Z").expect("january");
        assert_eq!(
            read("Dec 30 22:10:00", january).as_deref(),
            Some("2026-12-30T22:10:00+00:00")
        );
        // Feb 29 only exists in leap years: 2029 reads it as 2028.
        let leap_after = parse_timestamp("2029-03-10T00:00:00Z").expect("2029");
        assert_eq!(
            read("Feb 29 12:00:00", leap_after).as_deref(),
            Some("2028-02-29T12:00:00+00:00")
        );
        let zoned = parse_syslog_in("Nov 19 10:42:07", now, parse_offset("+01:00").expect("+1"));
        assert_eq!(
            zoned.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-19T09:42:07+00:00")
        );
        assert_eq!(read("Nov 19", now), None);
        assert_eq!(read("Foo 19 10:42:07", now), None);
        assert_eq!(read("Nov 32 10:42:07", now), None);
        assert_eq!(read("2026-11-19T10:42:07Z", now), None);
        assert_eq!(read("Nov 19 10:42:07 extra", now), None);
    }

    #[test]
    fn garbage_is_not_a_time() {
        assert_eq!(utc("yesterday"), "none");
        assert_eq!(utc(""), "none");
        assert_eq!(utc("12abc"), "none");
    }

    #[test]
    fn named_zones_follow_daylight_saving() {
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        assert_eq!(berlin.name(), "Europe/Berlin");
        let winter = parse_timestamp_zoned("2026-11-18 09:00:00", &berlin).expect("time");
        assert_eq!(winter.0.to_rfc3339(), "2026-11-18T08:00:00+00:00");
        assert!(winter.1);
        let summer = parse_timestamp_zoned("2026-07-01 09:00", &berlin).expect("time");
        assert_eq!(summer.0.to_rfc3339(), "2026-07-01T07:00:00+00:00");
        // Skipped by the spring change: read with the winter offset.
        let gap = parse_timestamp_zoned("2026-03-29 02:30:00", &berlin).expect("time");
        assert_eq!(gap.0.to_rfc3339(), "2026-03-29T01:30:00+00:00");
        // A stated zone is never replaced.
        let stated = parse_timestamp_zoned("2026-07-01T09:00:00Z", &berlin).expect("time");
        assert_eq!(
            stated,
            (parse_timestamp("2026-07-01T09:00:00Z").expect("t"), false)
        );
        assert_eq!(
            Zone::parse("+01:00").map(|z| z.name()).as_deref(),
            Some("+01:00")
        );
        assert_eq!(Zone::default().name(), "UTC");
        assert_eq!(Zone::parse("Mars/Olympus"), None);
        let now = parse_timestamp("2026-11-20T00:00:00Z").expect("now");
        let syslog = parse_syslog_zoned("Nov 19 10:42:07", now, &berlin).expect("syslog");
        assert_eq!(syslog.to_rfc3339(), "2026-11-19T09:42:07+00:00");
    }
}
