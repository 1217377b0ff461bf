//! Canonical JSON for every file Vouch writes into a bundle: object keys
//! sorted by their UTF-8 bytes, no insignificant whitespace, serde_json's
//! shortest number forms. Written by hand rather than relying on the key order
//! of `serde_json::Map`, which a `preserve_order` feature anywhere in the
//! build would silently change.

use serde::Serialize;
use serde_json::Value;

/// The canonical bytes of `value`.
pub fn to_vec(value: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    value_to_vec(&serde_json::to_value(value)?)
}

/// [`to_vec`] of a JSON value, without first copying it: an OSCAL document
/// of a large assessment runs to hundreds of megabytes as a value.
pub fn value_to_vec(value: &Value) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)?;
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let value = json!({"b": [1, {"z": null, "a": "x y"}], "a": 1.5, "é": true});
        let bytes = super::to_vec(&value).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            r#"{"a":1.5,"b":[1,{"a":"x y","z":null}],"é":true}"#
        );
    }
}
