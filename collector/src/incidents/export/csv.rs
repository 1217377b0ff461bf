//! CSV exports with a header row, streamed. A `follow_ups` cell, when
//! present, holds a JSON list of objects.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::object::{Cell, Object, for_each_object};
use super::{Mapping, OnRow, Read, Row};
use crate::problem::Problem;
use crate::set::StageError;

struct CsvRow<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row for CsvRow<'_> {
    fn text(&self, column: &str) -> Option<Cow<'_, str>> {
        let cell = self.record.get(*self.columns.get(column)?)?;
        (!cell.trim().is_empty()).then_some(Cow::Borrowed(cell))
    }

    fn objects(
        &self,
        column: &str,
        each: &mut dyn FnMut(&Object<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(cell) = self.text(column) else {
            return Ok(());
        };
        let list: Cell<'_> = serde_json::from_str(&cell)
            .map_err(|e| format!("`{column}` is not a JSON list: {e}"))?;
        for_each_object(&list, column, each)
    }
}

/// Reads a CSV export row by row.
pub fn rows(copy: &Path, name: &str, mapping: &Mapping, row: &mut OnRow<'_>) -> Read {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(copy)
        .map_err(|e| StageError::io(copy, std::io::Error::other(e)))?;
    let columns: HashMap<String, usize> = match reader.headers() {
        Ok(headers) => headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_owned(), i))
            .collect(),
        Err(e) => {
            return Ok(Err(Problem::new(
                format!("{name}:1"),
                format!("cannot read the header row: {e}"),
            )));
        }
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(Ok(())),
            Ok(true) => {
                let line = record.position().map_or(0, csv::Position::line);
                let at = format!("{name}:{line}");
                let draft = mapping.draft(&CsvRow {
                    columns: &columns,
                    record: &record,
                });
                row(at, draft)?;
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                return Ok(Err(Problem::new(
                    format!("{name}:{line}"),
                    format!("malformed CSV: {e}"),
                )));
            }
        }
    }
}
