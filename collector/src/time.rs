//! Timestamps as the tools write them: RFC 3339 with `Z` or an offset, the
//! same with a space for `T`, local times with no zone at all (old Chaos
//! Toolkit, JUnit, spreadsheets), bare dates, Unix epochs, or a pattern the
//! plan gives. A time without a zone is read as UTC and the record says so.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// What a record says when a time had no zone.
pub const ASSUMED_UTC: &str = "a timestamp without an offset was read as UTC";

/// A parsed instant, and whether its zone was assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The instant, in UTC.
    pub at: DateTime<Utc>,
    /// True when the text carried no offset and UTC was assumed.
    pub assumed_utc: bool,
}

/// Which end of the day a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    /// Midnight at its start: for when something began.
    Start,
    /// The last second: for deadlines (`due`), so a task closed that day is on time.
    End,
}

/// How a source writes its times.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// RFC 3339 and the common variants (see the module doc).
    #[default]
    Auto,
    /// Seconds since the Unix epoch.
    Unix,
    /// Milliseconds since the Unix epoch.
    UnixMillis,
    /// A chrono `strftime` pattern; with `%z` or `%:z` the text carries its zone.
    Pattern(String),
}

impl TimeFormat {
    /// The format a plan names: `rfc3339`, `unix`, `unix_ms` or a pattern.
    pub fn named(name: &str) -> Self {
        match name {
            "rfc3339" | "auto" => Self::Auto,
            "unix" => Self::Unix,
            "unix_ms" => Self::UnixMillis,
            pattern => Self::Pattern(pattern.to_owned()),
        }
    }

    /// Reads `text` in this format; the error says what was expected.
    pub fn parse(&self, text: &str, day: Day) -> Result<Stamp, String> {
        let text = text.trim();
        match self {
            Self::Auto => parse(text, day),
            Self::Unix | Self::UnixMillis => {
                let n: i64 = text.parse().map_err(|_| {
                    format!("expected a Unix time in {}, found `{text}`", self.unit())
                })?;
                let at = match self {
                    Self::Unix => Utc.timestamp_opt(n, 0).single(),
                    _ => Utc.timestamp_millis_opt(n).single(),
                };
                at.map(|at| Stamp {
                    at,
                    assumed_utc: false,
                })
                .ok_or_else(|| format!("`{text}` is out of range for a Unix time"))
            }
            Self::Pattern(pattern) => DateTime::parse_from_str(text, pattern)
                .map(|t| Stamp {
                    at: t.with_timezone(&Utc),
                    assumed_utc: false,
                })
                .or_else(|_| {
                    NaiveDateTime::parse_from_str(text, pattern).map(|t| Stamp {
                        at: t.and_utc(),
                        assumed_utc: true,
                    })
                })
                .map_err(|e| format!("`{text}` does not match the time format `{pattern}` ({e})")),
        }
    }

    fn unit(&self) -> &'static str {
        match self {
            Self::UnixMillis => "milliseconds",
            _ => "seconds",
        }
    }
}

/// Reads an RFC 3339 timestamp or one of its common variants.
pub fn parse(text: &str, day: Day) -> Result<Stamp, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Stamp {
            at: t.with_timezone(&Utc),
            assumed_utc: false,
        });
    }
    for pattern in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, pattern) {
            return Ok(Stamp {
                at: t.with_timezone(&Utc),
                assumed_utc: false,
            });
        }
    }
    for pattern in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, pattern) {
            return Ok(Stamp {
                at: t.and_utc(),
                assumed_utc: true,
            });
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = match day {
            Day::Start => NaiveTime::MIN,
            Day::End => NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        };
        return Ok(Stamp {
            at: date.and_time(time).and_utc(),
            assumed_utc: true,
        });
    }
    Err(format!(
        "expected an RFC 3339 timestamp such as `2026-01-08T02:47:00Z`, found `{text}`"
    ))
}

/// Whole seconds from `from` to `to`; `None` when `to` is earlier.
pub fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<u64> {
    u64::try_from((to - from).num_seconds()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn offsets_are_honoured() {
        let s = parse("2026-02-12T15:00:00+01:00", Day::Start).unwrap();
        assert_eq!(s.at, utc("2026-02-12T14:00:00Z"));
        assert!(!s.assumed_utc);
        let s = parse("2025-04-26T00:12:46.036684+00:00", Day::Start).unwrap();
        assert_eq!(s.at.timestamp_subsec_micros(), 36684);
        let s = parse("2026-02-12 15:00:00+0100", Day::Start).unwrap();
        assert_eq!(s.at, utc("2026-02-12T14:00:00Z"));
    }

    #[test]
    fn no_zone_means_assumed_utc() {
        let s = parse("2023-11-30T04:18:01.567673", Day::Start).unwrap();
        assert_eq!(s.at, utc("2023-11-30T04:18:01.567673Z"));
        assert!(s.assumed_utc);
        assert!(parse("2026-01-05 08:00", Day::Start).unwrap().assumed_utc);
    }

    #[test]
    fn bare_dates_pick_an_end_of_the_day() {
        assert_eq!(
            parse("2026-03-31", Day::Start).unwrap().at,
            utc("2026-03-31T00:00:00Z")
        );
        assert_eq!(
            parse("2026-03-31", Day::End).unwrap().at,
            utc("2026-03-31T23:59:59Z")
        );
    }

    #[test]
    fn formats_from_the_plan() {
        let unix = TimeFormat::named("unix")
            .parse("1767225600", Day::Start)
            .unwrap();
        assert_eq!(unix.at, utc("2026-01-01T00:00:00Z"));
        let ms = TimeFormat::named("unix_ms")
            .parse("1767225600000", Day::Start)
            .unwrap();
        assert_eq!(ms.at, unix.at);
        let uk = TimeFormat::named("%d/%m/%Y %H:%M")
            .parse("08/01/2026 02:47", Day::Start)
            .unwrap();
        assert_eq!(uk.at, utc("2026-01-08T02:47:00Z"));
        assert!(uk.assumed_utc);
        let err = TimeFormat::named("unix")
            .parse("soon", Day::Start)
            .unwrap_err();
        assert_eq!(err, "expected a Unix time in seconds, found `soon`");
    }

    #[test]
    fn rubbish_says_what_was_expected() {
        let err = parse("last tuesday", Day::Start).unwrap_err();
        assert!(err.contains("expected an RFC 3339 timestamp"), "{err}");
    }
}
