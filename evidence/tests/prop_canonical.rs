//! Canonical JSON, for any JSON value: it parses back to the same value, it is
//! the compact form with every object's keys in UTF-8 byte order, and printing
//! what was printed changes nothing.

use std::fmt;

use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};
use vouch_evidence::canonical;

/// Any JSON value: every scalar form serde_json has, nested a few levels.
fn json() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter_map("JSON has no NaN or infinity", Number::from_f64)
            .prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
    ];
    scalar.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// JSON as written, objects' entries in the order they appear in the text,
/// so the test sees the printer's key order rather than a map's.
#[derive(Debug)]
enum Ordered {
    Scalar(Value),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    /// Whether every object's keys are strictly ascending by their bytes.
    fn keys_sorted(&self) -> bool {
        match self {
            Self::Scalar(_) => true,
            Self::Array(items) => items.iter().all(Self::keys_sorted),
            Self::Object(entries) => {
                entries
                    .windows(2)
                    .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes())
                    && entries.iter().all(|(_, v)| v.keys_sorted())
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(Value::Null))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(
            Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::Scalar(Value::String(v.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ordered::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Ordered::Object(entries))
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Scalar(value) => value.serialize(serializer),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Found by `parses_back_to_the_same_value`: serde_json's default float
/// parser is off by one ulp here, so printing what was read changed the bytes.
#[test]
fn reads_back_the_exact_float_printed() {
    let value = serde_json::json!({ "": -3.509_204_877_966_315_7e-9 });
    let printed = canonical::to_vec(&value).unwrap_or_default();
    let parsed: Value = serde_json::from_slice(&printed).unwrap_or_default();
    assert_eq!(parsed, value, "{}", text(&printed));
}

proptest! {
    // Failures are shrunk and printed; a case worth keeping becomes a #[test] above.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parses_back_to_the_same_value(value in json()) {
        let printed = canonical::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed: Value = serde_json::from_slice(&printed)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", text(&printed))))?;
        prop_assert_eq!(parsed, value);
    }

    #[test]
    fn prints_compact_with_sorted_keys(value in json()) {
        let printed = canonical::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ordered: Ordered = serde_json::from_slice(&printed)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", text(&printed))))?;
        prop_assert!(ordered.keys_sorted(), "keys out of order: {}", text(&printed));
        // serde_json's compact printer, keeping the order read: no whitespace,
        // its escapes and its shortest number forms.
        let compact = serde_json::to_vec(&ordered).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(text(&printed), text(&compact));
    }

    #[test]
    fn printing_is_idempotent(value in json()) {
        let once = canonical::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let reparsed: Value = serde_json::from_slice(&once)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", text(&once))))?;
        let twice = canonical::to_vec(&reparsed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(text(&once), text(&twice));
    }
}
