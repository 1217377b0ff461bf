//! Durations, for any value: printing then parsing gives it back, the printed
//! form is the one canonical spelling, any spelling a plan may use parses to
//! the seconds it says, and no input makes the parser panic.

use proptest::prelude::*;
use vouch_sdk::Duration;

/// Seconds per unit, as plans write them.
const UNITS: [(char, u64); 5] = [
    ('w', 7 * 86_400),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// A spelling a plan may use: some of the units, largest first, each with a
/// number small enough that the sum cannot overflow.
fn spelling() -> impl Strategy<Value = (String, u64)> {
    prop::collection::vec(prop::option::of(0u64..1_000_000), UNITS.len())
        .prop_filter("at least one unit", |parts| {
            parts.iter().any(Option::is_some)
        })
        .prop_map(|parts| {
            let mut text = String::new();
            let mut seconds = 0;
            for (part, (unit, size)) in parts.into_iter().zip(UNITS) {
                if let Some(n) = part {
                    text.push_str(&format!("{n}{unit}"));
                    seconds += n * size;
                }
            }
            (text, seconds)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn printing_then_parsing_gives_it_back(seconds in any::<u64>()) {
        let duration = Duration::from_seconds(seconds);
        let printed = duration.to_string();
        prop_assert_eq!(printed.parse::<Duration>(), Ok(duration), "{}", printed);
    }

    #[test]
    fn prints_one_canonical_spelling(seconds in any::<u64>()) {
        let printed = Duration::from_seconds(seconds).to_string();
        // Days, hours, minutes, seconds from the largest down, none zero
        // (except `0s`), and none that could carry into the next unit.
        let mut rest = printed.as_str();
        let mut previous = u64::MAX;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            let n: u64 = rest[..digits].parse().map_err(|_| TestCaseError::fail(printed.clone()))?;
            let unit = rest[digits..].chars().next().ok_or_else(|| TestCaseError::fail(printed.clone()))?;
            let size = match unit {
                'd' => 86_400,
                'h' => 3_600,
                'm' => 60,
                's' => 1,
                _ => return Err(TestCaseError::fail(format!("unit `{unit}` in `{printed}`"))),
            };
            prop_assert!(size < previous, "`{}`: units out of order", printed);
            prop_assert!(n > 0 || seconds == 0, "`{}`: a zero part", printed);
            prop_assert!(size == 86_400 || n * size < previous, "`{}`: a part that carries", printed);
            previous = size;
            rest = &rest[digits + unit.len_utf8()..];
        }
        prop_assert!(seconds != 0 || printed == "0s", "`{}`", printed);
    }

    #[test]
    fn any_plan_spelling_parses_to_its_seconds((text, seconds) in spelling()) {
        let parsed = text.parse::<Duration>();
        prop_assert_eq!(parsed.clone(), Ok(Duration::from_seconds(seconds)), "{}", text);
        let reprinted = parsed.map(|d| d.to_string()).unwrap_or_default();
        prop_assert_eq!(reprinted.parse::<Duration>(), Ok(Duration::from_seconds(seconds)));
    }

    #[test]
    fn any_text_parses_or_says_why(text in prop_oneof![any::<String>(), "[0-9wdhms]{0,12}"]) {
        match text.parse::<Duration>() {
            Ok(duration) => {
                let printed = duration.to_string();
                prop_assert_eq!(printed.parse::<Duration>(), Ok(duration));
            }
            Err(error) => prop_assert!(error.to_string().contains("is not a duration"), "{}", error),
        }
    }

    #[test]
    fn round_trips_through_serde(seconds in any::<u64>()) {
        let duration = Duration::from_seconds(seconds);
        let json = serde_json::to_string(&duration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Duration = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, duration);
    }
}
