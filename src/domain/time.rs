//! Time input for `--since`, `--until` and `--before`: RFC 3339 with an offset, a local date and
//! time without one (`2026-11-21T10:42`, `2026-11-21 10:42:00`) or a bare date (midnight), both
//! read in `--tz ZONE` (UTC by default), a relative age such as `90m`, `2h`, `3d`, `1h30m`
//! (that long before now), or epoch milliseconds.

use jiff::{
    civil::{Date, DateTime},
    tz::TimeZone,
    Span, SpanRelativeTo, Timestamp,
};

/// Parses a time; local dates and times are read in `tz`.
pub(crate) fn parse_time_in(
    input: &str,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Timestamp, String> {
    let s = input.trim();
    let help = "expected RFC 3339 (2026-11-21T10:42:00Z), a local time (2026-11-21T10:42, with --tz ZONE), a date (2026-11-21), a relative age (90m, 2h, 3d) or epoch milliseconds";
    if s.is_empty() {
        return Err(format!("empty time; {help}"));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = s.parse().map_err(|_| format!("'{s}' is out of range"))?;
        return Timestamp::from_millisecond(ms).map_err(|e| format!("'{s}': {e}"));
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return dt
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| format!("'{s}': {e}"));
    }
    if let Ok(d) = s.parse::<Date>() {
        return d
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| format!("'{s}': {e}"));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        if let Ok(span) = s.parse::<Span>() {
            let age = span
                .to_duration(SpanRelativeTo::days_are_24_hours())
                .map_err(|e| format!("'{s}': {e}"))?;
            if age.is_negative() {
                return Err(format!(
                    "'{s}': a relative time counts back from now and cannot be negative"
                ));
            }
            // Brokers keep milliseconds: so does the instant.
            let at = now.checked_sub(age).map_err(|e| format!("'{s}': {e}"))?;
            return Timestamp::from_millisecond(at.as_millisecond())
                .map_err(|e| format!("'{s}': {e}"));
        }
    }
    Err(format!("cannot read '{s}' as a time; {help}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses in UTC.
    fn parse_time(input: &str, now: Timestamp) -> Result<Timestamp, String> {
        parse_time_in(input, now, &TimeZone::UTC)
    }

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn absolute_forms() {
        assert_eq!(
            parse_time("2026-11-21T10:42:00Z", now())
                .unwrap()
                .to_string(),
            "2026-11-21T10:42:00Z"
        );
        assert_eq!(
            parse_time("2026-11-21T10:42:00+02:00", now())
                .unwrap()
                .to_string(),
            "2026-11-21T08:42:00Z"
        );
        assert_eq!(
            parse_time("2026-11-21", now()).unwrap().to_string(),
            "2026-11-21T00:00:00Z"
        );
        assert_eq!(
            parse_time("1763721720000", now()).unwrap().to_string(),
            "2025-11-21T10:42:00Z"
        );
    }

    #[test]
    fn relative_forms_count_back_from_now() {
        assert_eq!(
            parse_time("90m", now()).unwrap().to_string(),
            "2026-11-22T10:30:00Z"
        );
        assert_eq!(
            parse_time("2h", now()).unwrap().to_string(),
            "2026-11-22T10:00:00Z"
        );
        assert_eq!(
            parse_time("3d", now()).unwrap().to_string(),
            "2026-11-19T12:00:00Z"
        );
        assert_eq!(
            parse_time("1h30m", now()).unwrap().to_string(),
            "2026-11-22T10:30:00Z"
        );
        assert_eq!(
            parse_time("45s", now()).unwrap().to_string(),
            "2026-11-22T11:59:15Z"
        );
    }

    #[test]
    fn local_times_are_read_in_the_zone() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let t = |s| parse_time_in(s, now(), &paris).unwrap().to_string();
        assert_eq!(t("2026-11-21T10:42"), "2026-11-21T09:42:00Z");
        assert_eq!(t("2026-11-21 10:42:30"), "2026-11-21T09:42:30Z");
        assert_eq!(t("2026-07-01"), "2026-06-30T22:00:00Z", "summer time");
        assert_eq!(
            t("2026-11-21T10:42:00Z"),
            "2026-11-21T10:42:00Z",
            "an explicit offset wins"
        );
        assert_eq!(
            t("2h"),
            "2026-11-22T10:00:00Z",
            "relative times need no zone"
        );
        assert_eq!(
            parse_time("2026-11-21T10:42", now()).unwrap().to_string(),
            "2026-11-21T10:42:00Z"
        );
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "yesterday", "10:42", "2026-13-01", "-2h", "h2"] {
            assert!(parse_time(bad, now()).is_err(), "{bad} should be rejected");
        }
    }
}
