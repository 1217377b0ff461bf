//! Canonical JSON for every file Vouch writes into a bundle: object keys
//! sorted by their UTF-8 bytes, no insignificant whitespace, serde_json's
//! shortest number forms. Written by hand rather than relying on the key order
//! of `serde_json::Map`, which a `preserve_order` feature anywhere in the
//! build would silently change.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

/// The canonical bytes of `value`.
pub fn to_vec(value: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    write(&serde_json::to_value(value)?, &mut out).map_err(serde_json::Error::io)?;
    Ok(out)
}

/// A JSON document to write canonically, whose large arrays are produced
/// item by item as they are written: a document of a large assessment runs
/// to gigabytes as a [`Value`].
pub enum Part<'a> {
    /// A value held whole.
    Value(Value),
    /// An object, written in canonical key order.
    Object(BTreeMap<String, Part<'a>>),
    /// An array whose items are handed to the sink as they are made.
    Array(Items<'a>),
}

/// Makes an array's items, handing each to the sink in order.
pub type Items<'a> = Box<dyn FnOnce(&mut Sink<'_, 'a>) -> io::Result<()> + 'a>;

/// Where an array's items go.
pub type Sink<'s, 'a> = dyn FnMut(Part<'a>) -> io::Result<()> + 's;

impl<'a> Part<'a> {
    /// An object of these members.
    pub fn object(members: impl IntoIterator<Item = (&'a str, Part<'a>)>) -> Self {
        Self::Object(
            members
                .into_iter()
                .map(|(key, part)| (key.to_owned(), part))
                .collect(),
        )
    }

    /// An array whose items `items` makes when it is written.
    pub fn array(items: impl FnOnce(&mut Sink<'_, 'a>) -> io::Result<()> + 'a) -> Self {
        Self::Array(Box::new(items))
    }
}

impl From<Value> for Part<'_> {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// Writes `part` canonically, byte for byte what [`to_vec`] gives for the
/// same document held whole.
pub fn write_part(part: Part<'_>, out: &mut dyn Write) -> io::Result<()> {
    match part {
        Part::Value(value) => write(&value, out),
        Part::Object(members) => {
            out.write_all(b"{")?;
            // A `BTreeMap<String, _>` iterates in byte order of its keys.
            for (i, (key, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, &key)?;
                out.write_all(b":")?;
                write_part(member, out)?;
            }
            out.write_all(b"}")
        }
        Part::Array(items) => {
            out.write_all(b"[")?;
            let mut first = true;
            items(&mut |item| {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                write_part(item, out)
            })?;
            out.write_all(b"]")
        }
    }
}

fn write<W: Write + ?Sized>(value: &Value, out: &mut W) -> io::Result<()> {
    match value {
        Value::Array(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write(item, out)?;
            }
            out.write_all(b"]")?;
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.write_all(b"{")?;
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, key)?;
                out.write_all(b":")?;
                write(item, out)?;
            }
            out.write_all(b"}")?;
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Part;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let value = json!({"b": [1, {"z": null, "a": "x y"}], "a": 1.5, "é": true});
        let bytes = super::to_vec(&value).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            r#"{"a":1.5,"b":[1,{"a":"x y","z":null}],"é":true}"#
        );
    }

    #[test]
    fn parts_write_as_the_whole_value_would() {
        let whole =
            json!({"é": [], "b": [{"y": [1, 2], "x": "s"}, {"y": [], "x": 0}], "a": {"q": 1}});
        let part = Part::object([
            ("é", Part::array(|_| Ok(()))),
            (
                "b",
                Part::array(|sink| {
                    for (x, n) in [(json!("s"), 2), (json!(0), 0)] {
                        sink(Part::object([
                            ("x", x.into()),
                            (
                                "y",
                                Part::array(move |sink| {
                                    (1..=n).try_for_each(|i| sink(json!(i).into()))
                                }),
                            ),
                        ]))?;
                    }
                    Ok(())
                }),
            ),
            ("a", json!({"q": 1}).into()),
        ]);
        let mut streamed = Vec::new();
        let written = super::write_part(part, &mut streamed);
        assert!(written.is_ok());
        assert_eq!(streamed, super::to_vec(&whole).unwrap_or_default());
    }
}
