//! Time as Lethe stores it: UTC milliseconds since the Unix epoch, and the
//! ways it is written. Reading the wall clock is the core's business
//! (`lethe_core::clock`); nothing here knows what time it is.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

pub type Millis = i64;

pub const DAY_MS: Millis = 86_400_000;

pub fn to_dt(ms: Millis) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// RFC 3339 with milliseconds and a `Z`, as the platform's JSON writes times.
pub fn format_ms(ms: Millis) -> String {
    to_dt(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses RFC 3339 (any offset) or a bare `YYYY-MM-DD` (midnight UTC).
pub fn parse(text: &str) -> Option<Millis> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// `2024-07-11`, for dense displays.
pub fn date(ms: Millis) -> String {
    to_dt(ms).format("%Y-%m-%d").to_string()
}

/// `2024-07-11 18:52`, for timelines.
pub fn minute(ms: Millis) -> String {
    to_dt(ms).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_platform_times() {
        let ms = parse("2021-07-11T18:52:01.230Z").unwrap();
        assert_eq!(format_ms(ms), "2021-07-11T18:52:01.230Z");
        assert_eq!(parse("2021-07-11"), parse("2021-07-11T00:00:00Z"));
        assert_eq!(parse("July 11"), None);
    }
}
