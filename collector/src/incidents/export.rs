//! Generic incident exports — CSV, JSON (an array) or JSONL — with the plan's
//! `fields` naming which column holds what. Rows are streamed from the raw
//! copy (so what is parsed is exactly what is stored), each bad row becomes a
//! gap naming `file:line`, and the rest still count.

mod csv;
mod json;
mod object;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

use vouch_sdk::evidence::FollowUp;
use vouch_sdk::plan::{IncidentSource, Plan};

use self::object::Object;
use super::{Draft, Normaliser};
use crate::problem::Problem;
use crate::set::{SourceWriter, StageError};
use crate::time::{Day, Stamp, TimeFormat};

/// The keys `fields` may have; each names the column holding that value.
pub const KEYS: [&str; 11] = [
    "id",
    "title",
    "service",
    "severity",
    "started",
    "acknowledged",
    "resolved",
    "first_update",
    "postmortem",
    "follow_ups",
    "time_format",
];

/// Which column holds what; a key left out reads the column of its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    columns: BTreeMap<&'static str, String>,
    time: TimeFormat,
}

impl Mapping {
    /// The mapping a source's `fields` describe.
    pub fn new(fields: &BTreeMap<String, String>) -> Result<Self, Problem> {
        let mut columns = BTreeMap::new();
        for key in KEYS {
            columns.insert(
                key,
                fields.get(key).cloned().unwrap_or_else(|| key.to_owned()),
            );
        }
        if let Some(unknown) = fields.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(Problem::new(
                format!("`fields.{unknown}`"),
                format!("`{unknown}` is not a field Vouch reads"),
            )
            .help(format!(
                "expected one of {}",
                KEYS.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let time = fields
            .get("time_format")
            .map(|f| TimeFormat::named(f))
            .unwrap_or_default();
        Ok(Self { columns, time })
    }

    fn column(&self, key: &'static str) -> &str {
        self.columns.get(key).map_or(key, String::as_str)
    }

    /// Builds a draft from one row; the error names the column and what was expected.
    pub fn draft(&self, row: &dyn Row) -> Result<Draft, String> {
        let id = self.required(row, "id")?;
        let started = self
            .stamp(row, "started", Day::Start)?
            .ok_or_else(|| self.missing("started"))?;
        let mut draft = Draft::new(id, started);
        draft.title = row
            .text(self.column("title"))
            .map(Cow::into_owned)
            .unwrap_or_default();
        draft.services = row
            .text(self.column("service"))
            .map(Cow::into_owned)
            .into_iter()
            .collect();
        draft.severities = vec![self.required(row, "severity")?];
        for (key, slot) in [
            ("acknowledged", &mut draft.acknowledged),
            ("resolved", &mut draft.resolved),
            ("first_update", &mut draft.first_update),
            ("postmortem", &mut draft.postmortem),
        ] {
            if let Some(stamp) = self.stamp(row, key, Day::Start)? {
                draft.assumed_utc |= stamp.assumed_utc;
                *slot = Some(stamp.at);
            }
        }
        let follow_ups = &mut draft.follow_ups;
        row.objects(self.column("follow_ups"), &mut |item| {
            follow_ups.push(self.follow_up(item)?);
            Ok(())
        })?;
        Ok(draft)
    }

    fn required(&self, row: &dyn Row, key: &'static str) -> Result<String, String> {
        row.text(self.column(key))
            .map(Cow::into_owned)
            .ok_or_else(|| self.missing(key))
    }

    fn missing(&self, key: &'static str) -> String {
        let column = self.column(key);
        if column == key {
            format!("no `{column}` value; map the column that holds it with `fields.{key}`")
        } else {
            format!("no `{column}` value (the `{key}` of `fields`)")
        }
    }

    fn stamp(&self, row: &dyn Row, key: &'static str, day: Day) -> Result<Option<Stamp>, String> {
        let column = self.column(key);
        row.text(column)
            .map(|text| {
                self.time
                    .parse(&text, day)
                    .map_err(|e| format!("`{column}`: {e}"))
            })
            .transpose()
    }

    fn follow_up(&self, item: &Object<'_>) -> Result<FollowUp, String> {
        let title = item.text("title").ok_or("no `title`")?.into_owned();
        let when = |keys: &[&str], day| -> Result<Option<_>, String> {
            keys.iter()
                .find_map(|k| item.text(k).map(|t| (k, t)))
                .map(|(k, t)| {
                    self.time
                        .parse(&t, day)
                        .map(|s| s.at)
                        .map_err(|e| format!("`{k}`: {e}"))
                })
                .transpose()
        };
        Ok(FollowUp {
            title,
            owner: item.text("owner").map(Cow::into_owned),
            due: when(&["due"], Day::End)?,
            closed: when(&["closed", "closed_at", "completed_at"], Day::Start)?,
        })
    }
}

/// One row of an export, whatever the file format.
pub trait Row {
    /// The value of `column` as text; `None` when absent, null or blank.
    fn text(&self, column: &str) -> Option<Cow<'_, str>>;
    /// Calls `each` on every object of the list in `column` (JSON in a CSV
    /// cell); nothing when absent. The error names the column and the item.
    fn objects(
        &self,
        column: &str,
        each: &mut dyn FnMut(&Object<'_>) -> Result<(), String>,
    ) -> Result<(), String>;
}

/// File formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
    Jsonl,
}

impl Format {
    fn of(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }

    fn read(self, copy: &Path, name: &str, mapping: &Mapping, row: &mut OnRow<'_>) -> Read {
        match self {
            Self::Jsonl => json::lines(copy, name, mapping, row),
            Self::Json => json::array(copy, name, mapping, row),
            Self::Csv => csv::rows(copy, name, mapping, row),
        }
    }
}

/// Reads the export file `copy` row by row, in the format `name`'s extension
/// says (`None` when it says none). Public so the fuzz targets reach every reader.
pub fn rows(copy: &Path, name: &str, mapping: &Mapping, row: &mut OnRow<'_>) -> Option<Read> {
    Some(Format::of(name)?.read(copy, name, mapping, row))
}

/// Collects an export source into `out`.
pub fn collect(
    source: &IncidentSource,
    plan: &Plan,
    plan_dir: &Path,
    out: &mut SourceWriter,
) -> Result<(), StageError> {
    let Some(path) = source.path.as_deref() else {
        out.fail(&Problem::new(
            format!("source `{}`", source.id),
            "an export needs `path`",
        ));
        return Ok(());
    };
    let mapping = match Mapping::new(&source.fields) {
        Ok(m) => m,
        Err(problem) => {
            out.fail(&problem);
            return Ok(());
        }
    };
    let Some(format) = Format::of(path) else {
        out.fail(
            &Problem::new(
                format!("`{path}`"),
                "an export must be `.csv`, `.json` or `.jsonl`",
            )
            .help("rename the file to say which it is"),
        );
        return Ok(());
    };
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_owned());
    let (copy, origin) = match out.put_file(&name, &plan_dir.join(path))? {
        Ok(stored) => stored,
        Err(problem) => {
            out.fail(&problem.help("check `path` of the incident source"));
            return Ok(());
        }
    };
    let mut normaliser = Normaliser::new(plan, source);
    // Two cores' worth: one thread reads and parses rows, this one normalises
    // and writes them, with batches in between to keep the channel cheap.
    let (batches, received) = mpsc::sync_channel::<Vec<ReadRow>>(BATCHES_IN_FLIGHT);
    let read = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("export-reader".to_owned())
            .spawn_scoped(scope, move || {
                let mut batch = Vec::with_capacity(BATCH);
                let mut row = |at: String, result: Result<Draft, String>| {
                    batch.push((at, result));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        batches.send(full).map_err(|_| StageError::Crashed {
                            message: "the export writer stopped".to_owned(),
                        })?;
                    }
                    Ok(())
                };
                let read = format.read(&copy, path, &mapping, &mut row);
                // What was read before a problem still counts.
                let _ = batches.send(batch);
                read
            })
            .map_err(|e| StageError::Crashed {
                message: format!("cannot start the export reader: {e}"),
            })?;
        let mut written = Ok(());
        for (at, result) in received.iter().flatten() {
            written = match result {
                Ok(draft) => normaliser.emit(out, draft, &origin, &at),
                Err(message) => {
                    out.gap(&Problem::new(at, message));
                    Ok(())
                }
            };
            if written.is_err() {
                break;
            }
        }
        // Hanging up stops the reader at its next batch.
        drop(received);
        let read = reader.join().map_err(|_| StageError::Crashed {
            message: "the export reader stopped unexpectedly".to_owned(),
        });
        written?;
        read?
    })?;
    if let Err(problem) = read {
        out.fail(&problem);
    }
    normaliser.close(out);
    Ok(())
}

/// Rows per batch handed from the reading thread to the writing one.
const BATCH: usize = 1024;
/// Batches queued between them: enough to ride out a slow write, little memory.
const BATCHES_IN_FLIGHT: usize = 8;

/// A row as read: where it is, and its draft or why there is none.
type ReadRow = (String, Result<Draft, String>);

/// What a reader calls for each row: where it is (`file:line`), and the
/// draft or why there is none.
pub type OnRow<'a> = dyn FnMut(String, Result<Draft, String>) -> Result<(), StageError> + 'a;

/// A reader's result: staging errors stop everything; a problem reading
/// the file stops this source (the rows before it still count).
pub type Read = Result<Result<(), Problem>, StageError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = Mapping::new(&fields(&[("opened", "x")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`fields.opened`: `opened` is not a field Vouch reads"
        );
    }

    #[test]
    fn a_row_becomes_a_draft() {
        let mapping = Mapping::new(&fields(&[
            ("started", "opened_at"),
            ("severity", "priority"),
        ]))
        .unwrap();
        let row: Object<'_> = serde_json::from_str(
            r#"{"id": "INC-1", "priority": "P1", "opened_at": "2026-01-08 02:47", "resolved": null,
                "service": {"name": "ledger"},
                "follow_ups": [{"title": "t", "due": "2026-01-31", "closed_at": "2026-01-22T10:00:00Z"}]}"#,
        )
        .unwrap();
        let draft = mapping.draft(&row).unwrap();
        assert!(draft.assumed_utc);
        assert_eq!(draft.resolved, None);
        assert!(draft.services.is_empty(), "an object is not a service name");
        assert_eq!(
            draft.follow_ups[0].due.unwrap().to_rfc3339(),
            "2026-01-31T23:59:59+00:00"
        );
        let missing: Object<'_> =
            serde_json::from_str(r#"{"id": "INC-2", "priority": "P1"}"#).unwrap();
        assert_eq!(
            mapping.draft(&missing).unwrap_err(),
            "no `opened_at` value (the `started` of `fields`)"
        );
    }

    #[test]
    fn dotted_columns_read_nested_values() {
        let row: Object<'_> = serde_json::from_str(r#"{"service": {"name": "ledger"}}"#).unwrap();
        assert_eq!(row.text("service.name").as_deref(), Some("ledger"));
    }
}
