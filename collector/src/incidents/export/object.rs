//! A JSON object as a row: its keys and values borrowed from the line they
//! were read from wherever JSON allows (no escapes), kept in file order in a
//! plain list — an export row has a dozen fields, and a tree map and an
//! allocation per field cost more than the row's whole parse.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::Row;

/// A JSON value, borrowed where it can be.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(serde_json::Number),
    /// A string.
    Text(Cow<'a, str>),
    /// An array.
    List(Vec<Cell<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// A JSON object: its fields in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Cell<'a>)>);

impl<'a> Object<'a> {
    /// The value of `key`, or of the dotted path `a.b` into nested objects
    /// when no field is literally named so.
    pub fn get(&self, key: &str) -> Option<&Cell<'a>> {
        self.field(key).or_else(|| {
            let mut parts = key.split('.');
            let first = self.field(parts.next()?)?;
            parts.try_fold(first, |cell, part| match cell {
                Cell::Object(object) => object.field(part),
                _ => None,
            })
        })
    }

    fn field(&self, key: &str) -> Option<&Cell<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl Row for Object<'_> {
    fn text(&self, column: &str) -> Option<Cow<'_, str>> {
        match self.get(column)? {
            Cell::Text(s) if s.trim().is_empty() => None,
            Cell::Text(s) => Some(Cow::Borrowed(s.as_ref())),
            Cell::Number(n) => Some(Cow::Owned(n.to_string())),
            Cell::Bool(b) => Some(Cow::Owned(b.to_string())),
            Cell::Null | Cell::List(_) | Cell::Object(_) => None,
        }
    }

    fn objects(
        &self,
        column: &str,
        each: &mut dyn FnMut(&Object<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        match self.get(column) {
            None | Some(Cell::Null) => Ok(()),
            Some(cell) => for_each_object(cell, column, each),
        }
    }
}

/// Calls `each` on every element of `column`'s list of objects; errors name
/// the column and the item (`follow_ups[1]`).
pub fn for_each_object(
    cell: &Cell<'_>,
    column: &str,
    each: &mut dyn FnMut(&Object<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let not_a_list = || format!("`{column}`: expected a list of objects");
    let Cell::List(items) = cell else {
        return Err(not_a_list());
    };
    for (i, item) in items.iter().enumerate() {
        let Cell::Object(object) = item else {
            return Err(not_a_list());
        };
        each(object).map_err(|e| format!("`{column}[{i}]`: {e}"))?;
    }
    Ok(())
}

impl<'de: 'a, 'a> Deserialize<'de> for Cell<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell<'de>, E> {
        serde_json::Number::from_f64(v)
            .map(Cell::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Cell::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell<'de>, A::Error> {
        ObjectVisitor.visit_map(map).map(Cell::Object)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(Key(key)) = map.next_key()? {
            fields.push((key, map.next_value()?));
        }
        Ok(Object(fields))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_reads_nested_paths() {
        let line = r#"{"id": "INC-1", "n": 3, "esc": "a\"b", "service": {"name": "ledger"}, "list": [{"t": 1}]}"#;
        let object: Object<'_> = serde_json::from_str(line).unwrap();
        assert!(matches!(
            object.get("id"),
            Some(Cell::Text(Cow::Borrowed("INC-1")))
        ));
        assert_eq!(object.text("esc").as_deref(), Some("a\"b"));
        assert_eq!(object.text("n").as_deref(), Some("3"));
        assert_eq!(object.text("service.name").as_deref(), Some("ledger"));
        assert_eq!(object.text("service"), None, "an object is not text");
        let mut seen = 0;
        object
            .objects("list", &mut |o| {
                seen += usize::from(o.text("t").is_some());
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, 1);
        assert_eq!(
            object.objects("n", &mut |_| Ok(())).unwrap_err(),
            "`n`: expected a list of objects"
        );
    }
}
