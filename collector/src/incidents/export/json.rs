//! JSONL (one object per line) and JSON (one array of objects), streamed.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{self, Deserializer as _, SeqAccess, Visitor};

use super::object::Object;
use super::{Mapping, OnRow, Read};
use crate::problem::{self, Problem};
use crate::set::StageError;

/// Reads a JSONL export line by line.
pub fn lines(copy: &Path, name: &str, mapping: &Mapping, row: &mut OnRow<'_>) -> Read {
    let file = File::open(copy).map_err(|e| StageError::io(copy, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    let mut number = 0usize;
    loop {
        line.clear();
        number += 1;
        match reader.read_line(&mut line) {
            Ok(0) => return Ok(Ok(())),
            Ok(_) => {}
            Err(e) => {
                return Ok(Err(Problem::new(
                    format!("{name}:{number}"),
                    format!("cannot read: {e}"),
                )));
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{number}");
        let result = serde_json::from_str::<Object<'_>>(&line)
            .map_err(|e| problem::json(name, &e, "one JSON object per line").message)
            .and_then(|object| mapping.draft(&object));
        row(at, result)?;
    }
}

/// Reads a JSON export holding one array of objects, an element at a time.
pub fn array(copy: &Path, name: &str, mapping: &Mapping, row: &mut OnRow<'_>) -> Read {
    let file = File::open(copy).map_err(|e| StageError::io(copy, e))?;
    let stopped = RefCell::new(None);
    let visitor = Rows {
        name,
        mapping,
        row,
        stopped: &stopped,
    };
    let mut deserializer =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
    let result = deserializer
        .deserialize_seq(visitor)
        .and_then(|()| deserializer.end());
    if let Some(error) = stopped.into_inner() {
        return Err(error);
    }
    Ok(result.map_err(|e| problem::json(name, &e, "a JSON array of incident objects")))
}

struct Rows<'a, 'r> {
    name: &'a str,
    mapping: &'a Mapping,
    row: &'a mut OnRow<'r>,
    stopped: &'a RefCell<Option<StageError>>,
}

impl<'de> Visitor<'de> for Rows<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of incident objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(object) = seq.next_element::<Object<'de>>()? {
            index += 1;
            let at = format!("{} element {index}", self.name);
            if let Err(error) = (self.row)(at, self.mapping.draft(&object)) {
                *self.stopped.borrow_mut() = Some(error);
                return Err(de::Error::custom(
                    "stopped: the evidence set could not be written",
                ));
            }
        }
        Ok(())
    }
}
