//! Record arrays written a record at a time: each source spools its records
//! as ready-formatted array elements, and the final file is their
//! concatenation in plan order. The bytes equal `serde_json::to_string_pretty`
//! of the whole array, without holding the array in memory.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::Serialize;

/// Appends `value` to `out` as an element of a pretty array: `,` newline, then
/// the value pretty-printed one level deep. The first element's comma is
/// dropped when the array is assembled.
pub fn element(
    value: &impl Serialize,
    scratch: &mut Vec<u8>,
    out: &mut impl Write,
) -> io::Result<()> {
    scratch.clear();
    serde_json::to_writer_pretty(&mut *scratch, value).map_err(io::Error::other)?;
    out.write_all(b",\n  ")?;
    // JSON strings never hold a raw newline, so every newline is layout.
    for chunk in scratch.split_inclusive(|&b| b == b'\n') {
        out.write_all(chunk)?;
        if chunk.ends_with(b"\n") {
            out.write_all(b"  ")?;
        }
    }
    Ok(())
}

/// Writes `[`, the spooled elements of `parts` in order, and `]` to `path`.
pub fn assemble<'a>(path: &Path, parts: impl IntoIterator<Item = &'a Path>) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"[")?;
    let mut first = true;
    for part in parts {
        let mut input = BufReader::new(File::open(part)?);
        if first {
            let mut comma = [0u8; 1];
            if input.read(&mut comma)? == 0 {
                continue;
            }
            first = false;
        }
        io::copy(&mut input, &mut out)?;
    }
    out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_serde_pretty() {
        let dir = tempfile::tempdir().unwrap();
        let values = [
            serde_json::json!({"a": 1, "b": ["x\ny", {"c": null}], "d": {}}),
            serde_json::json!({"e": []}),
            serde_json::json!(3),
        ];
        let (one, two, empty) = (
            dir.path().join("1"),
            dir.path().join("2"),
            dir.path().join("3"),
        );
        let mut scratch = Vec::new();
        let mut f = File::create(&one).unwrap();
        element(&values[0], &mut scratch, &mut f).unwrap();
        let mut f = File::create(&two).unwrap();
        element(&values[1], &mut scratch, &mut f).unwrap();
        element(&values[2], &mut scratch, &mut f).unwrap();
        File::create(&empty).unwrap();
        let out = dir.path().join("out.json");
        assemble(&out, [empty.as_path(), one.as_path(), two.as_path()]).unwrap();
        let expected = serde_json::to_string_pretty(&values).unwrap() + "\n";
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
        assemble(&out, [empty.as_path()]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "[]\n");
    }
}
