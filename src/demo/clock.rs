//! Instants in the scenario. Tables write them as UTC text (`2026-10-12 14:03`);
//! files show them the way each tool does: RFC 3339 with `Z`, with the local
//! offset of the person who acted, or (old Chaos Toolkit) with no zone at all.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::DemoError;

/// A UTC instant.
pub type Instant = NaiveDateTime;

/// Parses `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DD` (midnight) as UTC.
pub fn at(text: &str) -> Result<Instant, DemoError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| day(text).map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| DemoError::scenario(format!("bad instant `{text}` in a scenario table")))
}

/// Parses `YYYY-MM-DD`.
pub fn day(text: &str) -> Result<NaiveDate, DemoError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| DemoError::scenario(format!("bad date `{text}` in a scenario table")))
}

/// RFC 3339 in UTC with whole seconds: `2026-10-12T14:03:00Z`.
pub fn utc(t: Instant) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 with the zone's offset at that instant: `2026-06-18T15:00:00+01:00`.
pub fn local(t: Instant, zone: Zone) -> String {
    let offset = zone.offset_minutes(t);
    let shown = t + Duration::minutes(i64::from(offset));
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    format!(
        "{}{sign}{:02}:{:02}",
        shown.format("%Y-%m-%dT%H:%M:%S"),
        abs / 60,
        abs % 60
    )
}

/// Seconds since the Unix epoch.
pub fn epoch(t: Instant) -> i64 {
    t.and_utc().timestamp()
}

/// Where someone works, for the offsets their commits and records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// Bots and GitHub itself.
    Utc,
    /// Europe/London (and Dublin): GMT, BST in summer.
    London,
    /// Europe/Madrid, Berlin, Warsaw: CET, CEST in summer.
    Central,
    /// America/Toronto: EST, EDT in summer.
    Toronto,
}

impl Zone {
    /// Offset from UTC in minutes at the UTC instant `t`.
    pub fn offset_minutes(self, t: Instant) -> i32 {
        match self {
            Self::Utc => 0,
            Self::London => 60 * i32::from(eu_summer(t)),
            Self::Central => 60 + 60 * i32::from(eu_summer(t)),
            Self::Toronto => -300 + 60 * i32::from(na_summer(t)),
        }
    }
}

/// EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
fn eu_summer(t: Instant) -> bool {
    let year = t.year();
    match (last_sunday(year, 3), last_sunday(year, 10)) {
        (Some(start), Some(end)) => t >= start + hours(1) && t < end + hours(1),
        _ => false,
    }
}

/// North American daylight time: second Sunday of March 02:00 EST to first
/// Sunday of November 02:00 EDT (07:00 and 06:00 UTC).
fn na_summer(t: Instant) -> bool {
    let year = t.year();
    let start = NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sun, 2);
    let end = NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Sun, 1);
    match (start, end) {
        (Some(start), Some(end)) => t >= midnight(start) + hours(7) && t < midnight(end) + hours(6),
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<Instant> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 4))
        .map(midnight)
}

fn midnight(d: NaiveDate) -> Instant {
    d.and_time(chrono::NaiveTime::MIN)
}

fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_summer_time() {
        let winter = at("2026-01-15 12:00").unwrap();
        let summer = at("2026-07-15 12:00").unwrap();
        assert_eq!(local(winter, Zone::London), "2026-01-15T12:00:00+00:00");
        assert_eq!(local(summer, Zone::London), "2026-07-15T13:00:00+01:00");
        assert_eq!(local(summer, Zone::Central), "2026-07-15T14:00:00+02:00");
        assert_eq!(local(winter, Zone::Toronto), "2026-01-15T07:00:00-05:00");
        assert_eq!(local(summer, Zone::Toronto), "2026-07-15T08:00:00-04:00");
        // 2026 switches: EU 29 March / 25 October, North America 8 March / 1 November.
        assert_eq!(
            Zone::London.offset_minutes(at("2026-03-29 00:59").unwrap()),
            0
        );
        assert_eq!(
            Zone::London.offset_minutes(at("2026-03-29 01:00").unwrap()),
            60
        );
        assert_eq!(
            Zone::Toronto.offset_minutes(at("2026-03-08 07:00").unwrap()),
            -240
        );
        assert_eq!(
            Zone::Toronto.offset_minutes(at("2026-11-01 06:00").unwrap()),
            -300
        );
    }

    #[test]
    fn parses_table_text() {
        assert_eq!(utc(at("2026-10-12 14:03").unwrap()), "2026-10-12T14:03:00Z");
        assert_eq!(utc(at("2026-10-12").unwrap()), "2026-10-12T00:00:00Z");
        assert!(at("12/10/2026").is_err());
    }
}
