//! Human durations as plans write them: `15m`, `4h`, `90d`, `1h30m`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole number of seconds, written and read as `90d`, `4h`, `1h30m`, `45s`.
///
/// Units are `w`, `d`, `h`, `m` and `s`; printing uses `d`, `h`, `m`, `s` from
/// the largest down, so parsing what was printed gives the same duration back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    seconds: u64,
}

const UNITS: [(char, u64); 5] = [
    ('w', 7 * 86_400),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

impl Duration {
    /// A duration of `seconds` seconds.
    pub const fn from_seconds(seconds: u64) -> Self {
        Self { seconds }
    }

    /// A duration of `days` days.
    pub const fn from_days(days: u64) -> Self {
        Self {
            seconds: days * 86_400,
        }
    }

    /// The whole seconds.
    pub const fn as_seconds(self) -> u64 {
        self.seconds
    }

    /// The duration in (fractional) days, as drift ages are reported.
    #[allow(clippy::cast_precision_loss)] // exact below 2^53 s, far beyond any plan
    pub fn as_days(self) -> f64 {
        self.seconds as f64 / 86_400.0
    }
}

/// How to write a duration, for error help.
pub const DURATION_HELP: &str =
    "write a number and a unit (w, d, h, m, s), largest first, e.g. `15m`, `4h`, `90d` or `1h30m`";

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a duration: {}", self.input, self.reason)
    }
}

impl std::error::Error for ParseDurationError {}

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason| ParseDurationError {
            input: input.to_owned(),
            reason,
        };
        if input.is_empty() {
            return Err(fail("it is empty"));
        }
        let mut seconds: u64 = 0;
        let mut number: Option<u64> = None;
        // Units must come largest first and at most once, so `4h` has one spelling.
        let mut smallest_seen = u64::MAX;
        for c in input.chars() {
            if let Some(digit) = c.to_digit(10) {
                let n = number.unwrap_or(0);
                number = Some(
                    n.checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(digit)))
                        .ok_or_else(|| fail("it is too large"))?,
                );
                continue;
            }
            let &(_, unit) = UNITS
                .iter()
                .find(|(name, _)| *name == c)
                .ok_or_else(|| fail("it has a character that is neither a digit nor a unit"))?;
            let n = number
                .take()
                .ok_or_else(|| fail("a unit has no number before it"))?;
            if unit >= smallest_seen {
                return Err(fail("units must go from largest to smallest, each once"));
            }
            smallest_seen = unit;
            seconds = n
                .checked_mul(unit)
                .and_then(|s| s.checked_add(seconds))
                .ok_or_else(|| fail("it is too large"))?;
        }
        if number.is_some() {
            return Err(fail("the last number has no unit"));
        }
        Ok(Self { seconds })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.seconds == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.seconds;
        // Weeks are accepted on input but days read better in reports.
        for &(name, unit) in &UNITS[1..] {
            if rest >= unit {
                write!(f, "{}{name}", rest / unit)?;
                rest %= unit;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string such as \"15m\", \"4h\" or \"90d\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plan_spellings() {
        for (text, seconds) in [
            ("15m", 900),
            ("4h", 14_400),
            ("90d", 7_776_000),
            ("1h30m", 5_400),
            ("2w", 1_209_600),
            ("0s", 0),
        ] {
            assert_eq!(
                text.parse::<Duration>().unwrap().as_seconds(),
                seconds,
                "{text}"
            );
        }
    }

    #[test]
    fn prints_canonically_and_round_trips() {
        for seconds in [0, 1, 59, 60, 3_599, 3_600, 5_400, 86_400, 90 * 86_400 + 61] {
            let d = Duration::from_seconds(seconds);
            assert_eq!(d.to_string().parse::<Duration>().unwrap(), d);
        }
        assert_eq!(Duration::from_seconds(5_400).to_string(), "1h30m");
        assert_eq!("2w".parse::<Duration>().unwrap().to_string(), "14d");
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in [
            "",
            "4",
            "h",
            "4x",
            "30m1h",
            "1h1h",
            "4 h",
            "-4h",
            "99999999999999999999d",
        ] {
            let err = bad.parse::<Duration>().unwrap_err();
            assert!(
                err.to_string().contains("is not a duration"),
                "{bad}: {err}"
            );
        }
    }
}
