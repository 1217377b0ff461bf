//! Record arrays written a record at a time: each source spools its records
//! as ready-formatted array elements, and the final file is their
//! concatenation in plan order (or, from a single source, its spool renamed).
//! The bytes equal `serde_json::to_string_pretty` of the whole array, plus a
//! newline, without ever holding the array in memory.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::ser::Formatter;

/// Appends `value` to `out` as an element of a pretty array: `[` before the
/// first element of a spool and `,` before the others, a newline, then the
/// value pretty-printed one level deep.
pub fn element(value: &impl Serialize, first: bool, out: &mut impl Write) -> io::Result<()> {
    out.write_all(if first { b"[\n  " } else { b",\n  " })?;
    let mut serializer = serde_json::Serializer::with_formatter(out, Nested::default());
    value.serialize(&mut serializer).map_err(io::Error::other)
}

/// `serde_json`'s pretty layout (two spaces), starting one level in — written
/// straight to the spool rather than printed and re-indented.
#[derive(Default)]
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn indent(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..=self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open(&mut self, out: &mut (impl Write + ?Sized), bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close(&mut self, out: &mut (impl Write + ?Sized), bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item(&mut self, out: &mut (impl Write + ?Sized), first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.indent(out)
    }
}

impl Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Makes `path` the array of the spooled elements of `parts`, in order. A
/// single spool becomes the file itself; several are concatenated, each
/// after the first with its `[` turned into `,`.
pub fn assemble(path: &Path, parts: &[&Path]) -> io::Result<()> {
    let tail: &[u8] = if parts.is_empty() { b"[]\n" } else { b"\n]\n" };
    if let [only] = parts {
        let mut file = OpenOptions::new().append(true).open(only)?;
        file.write_all(tail)?;
        file.sync_all()?;
        return std::fs::rename(only, path);
    }
    let mut out = BufWriter::new(File::create(path)?);
    for (i, part) in parts.iter().enumerate() {
        let mut input = BufReader::new(File::open(part)?);
        if i > 0 {
            input.seek_relative(1)?;
            out.write_all(b",")?;
        }
        io::copy(&mut input, &mut out)?;
    }
    out.write_all(tail)?;
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
            serde_json::json!({"a": 1, "b": ["x\ny", {"c": null}, [[]]], "d": {}, "e": [1, [2, {"f": []}]]}),
            serde_json::json!({"e": []}),
            serde_json::json!(3),
        ];
        let spool = |name: &str, items: &[serde_json::Value]| {
            let path = dir.path().join(name);
            let mut f = File::create(&path).unwrap();
            for (i, item) in items.iter().enumerate() {
                element(item, i == 0, &mut f).unwrap();
            }
            path
        };
        let expected = serde_json::to_string_pretty(&values).unwrap() + "\n";
        let out = dir.path().join("out.json");
        let (one, two) = (spool("1", &values[..1]), spool("2", &values[1..]));
        assemble(&out, &[one.as_path(), two.as_path()]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
        let all = spool("3", &values);
        assemble(&out, &[all.as_path()]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
        assert!(!all.exists(), "a single spool is renamed into place");
        assemble(&out, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "[]\n");
    }
}
