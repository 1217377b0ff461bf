//! Reads what a report is drawn from, and only that: at full scale an
//! assessment holds about a million findings and the evidence set a million
//! incidents, far more than a report lists or charts. Both are streamed
//! record by record, so neither file is ever held whole in memory.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use vouch_collector::set::Kind;
use vouch_sdk::Assessment;
use vouch_sdk::assessment::{AssessedFinding, ControlResult, Metrics, PolicyRun};
use vouch_sdk::evidence::Drill;
use vouch_sdk::plan::AuditWindow;

use super::ReportError;
use super::view::Listing;

/// What a report needs of an evidence set: the drills whole, and of the
/// runbooks and incidents what the links and the recovery chart read.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Runbooks, for links to their raw files.
    pub runbooks: Vec<RunbookFile>,
    /// Drills, for the timeline and links.
    pub drills: Vec<Drill>,
    /// Incidents, for the recovery chart and links.
    pub incidents: Vec<IncidentTimes>,
}

/// A runbook's path and its raw artifact.
#[derive(Debug, Clone, Deserialize)]
pub struct RunbookFile {
    /// Path inside its repository.
    pub path: String,
    /// Where it came from.
    pub origin: Artifact,
}

/// An incident's times and its raw artifact (the rest of the record is
/// skipped on reading).
#[derive(Debug, Clone, Deserialize)]
pub struct IncidentTimes {
    /// Id in the incident tool.
    pub id: String,
    /// Its capability, when mapped.
    pub capability: Option<String>,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When it was resolved; `None` while open.
    pub resolved: Option<DateTime<Utc>>,
    /// `resolved - started`; `None` while open.
    pub recovery_seconds: Option<u64>,
    /// Where it came from.
    pub origin: Artifact,
}

/// The raw artifact of a record, relative to the evidence set's `raw/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Artifact {
    /// Its path.
    pub artifact: String,
}

impl Evidence {
    /// Reads the evidence set directory `dir`.
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        let file = |kind: Kind| dir.join(kind.file());
        Ok(Self {
            runbooks: records(&file(Kind::Runbooks))?,
            drills: records(&file(Kind::Drills))?,
            incidents: records(&file(Kind::Incidents))?,
        })
    }
}

/// The records of the JSON array in the file at `path`.
fn records<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, ReportError> {
    const EXPECTED: &str = "an evidence record list";
    let mut records = Vec::new();
    let (rest, found) = split(open(path)?, None, &mut |raw| {
        records.push(serde_json::from_slice(raw)?);
        Ok(())
    })
    .map_err(|reason| json_error(path, EXPECTED, reason))?;
    serde_json::from_slice::<IgnoredAny>(&rest)
        .map_err(|e| json_error(path, EXPECTED, e.to_string()))?;
    if !found {
        return Err(json_error(path, EXPECTED, "not a JSON array".to_owned()));
    }
    Ok(records)
}

/// An assessment as a report keeps it: its findings cut to those
/// [`Listing`] lists in full, plus the own-run findings the capability table
/// and charts read; and how many passing or not-applicable findings each
/// policy has beyond them.
pub fn assessment(path: &Path) -> Result<(Assessment, BTreeMap<String, usize>), ReportError> {
    const EXPECTED: &str = "an assessment";
    let mut listing = Listing::default();
    let mut kept = Vec::new();
    let mut unlisted: BTreeMap<String, usize> = BTreeMap::new();
    let (rest, found) = split(open(path)?, Some("findings"), &mut |raw| {
        let finding: AssessedFinding = serde_json::from_slice(raw)?;
        if listing.lists(&finding) || Listing::charted(&finding) {
            kept.push(finding);
        } else {
            *unlisted.entry(finding.policy).or_default() += 1;
        }
        Ok(())
    })
    .map_err(|reason| json_error(path, EXPECTED, reason))?;
    let cut: Cut =
        serde_json::from_slice(&rest).map_err(|e| json_error(path, EXPECTED, e.to_string()))?;
    if !found {
        return Err(json_error(
            path,
            EXPECTED,
            "missing field `findings`".to_owned(),
        ));
    }
    let assessment = Assessment {
        organisation: cut.organisation,
        window: cut.window,
        now: cut.now,
        policies: cut.policies,
        findings: kept,
        controls: cut.controls,
        warnings: cut.warnings,
        metrics: cut.metrics,
    };
    Ok((assessment, unlisted))
}

/// `assessment.json` but its findings, which are read one by one. The
/// fields and their defaults are [`Assessment`]'s.
#[derive(Deserialize)]
struct Cut {
    organisation: String,
    window: AuditWindow,
    now: DateTime<Utc>,
    policies: Vec<PolicyRun>,
    controls: Vec<ControlResult>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    metrics: Metrics,
}

/// Reads `reader` and hands each element of one JSON array in it to
/// `each`, raw, as soon as it is whole: parsed from a slice, a record reads
/// several times faster than through serde_json's reader, and the file is
/// never held whole. The array is the document when `member` is `None`,
/// else that key's value in the top-level object. Returns the document
/// with the array emptied, and whether the array was found.
fn split(
    mut reader: impl Read,
    member: Option<&str>,
    each: &mut dyn FnMut(&[u8]) -> Result<(), serde_json::Error>,
) -> Result<(Vec<u8>, bool), String> {
    let target = member.map(str::as_bytes);
    // The array opens at depth 0 (the document) or 1 (a member's value).
    let opens_at = usize::from(member.is_some());
    let mut chunk = vec![0; 1 << 20];
    let (mut buf, mut rest) = (Vec::new(), Vec::new());
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut string_start, mut key) = (0, Vec::new());
    let mut armed = member.is_none();
    // Depth inside the array while in it; where the element being read starts.
    let (mut array, mut element): (Option<usize>, Option<usize>) = (None, None);
    let mut found = false;
    let mut i = 0;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.to_string()),
        };
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        while let Some(&b) = buf.get(i) {
            let was_in_array = array.is_some();
            // Runs of string text and of indentation change nothing: skip them whole.
            let run = match b {
                b' ' if !in_string => buf.get(i..).map_or(0, |r| span(r, |c| c == b' ')),
                _ if in_string && !escaped => buf
                    .get(i..)
                    .map_or(0, |r| span(r, |c| c != b'"' && c != b'\\')),
                _ => 0,
            };
            if run > 0 {
                if !was_in_array {
                    rest.extend_from_slice(buf.get(i..i + run).unwrap_or_default());
                }
                i += run;
                continue;
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 1 && !was_in_array {
                        key = buf.get(string_start + 1..i).unwrap_or_default().to_vec();
                    }
                }
            } else {
                if array == Some(depth) {
                    match (element, b) {
                        (Some(start), b',' | b']') => {
                            each(buf.get(start..i).unwrap_or_default())
                                .map_err(|e| e.to_string())?;
                            element = None;
                        }
                        (None, b',' | b']' | b' ' | b'\n' | b'\r' | b'\t') => {}
                        (None, _) => element = Some(i),
                        (Some(_), _) => {}
                    }
                }
                match b {
                    b'"' => (in_string, string_start) = (true, i),
                    b'{' | b'[' => {
                        if b == b'[' && armed && depth == opens_at {
                            (array, armed, found) = (Some(depth + 1), false, true);
                        }
                        depth += 1;
                    }
                    b'}' | b']' => {
                        if array == Some(depth) {
                            array = None;
                        }
                        depth = depth.checked_sub(1).ok_or("unbalanced brackets")?;
                    }
                    b':' if depth == 1 && !was_in_array => {
                        armed = !found && target == Some(key.as_slice());
                    }
                    _ => {}
                }
            }
            if !(was_in_array && array.is_some()) {
                rest.push(b);
            }
            i += 1;
        }
        // Keep only what an element or a key still needs.
        let mut keep = element.unwrap_or(i);
        if in_string {
            keep = keep.min(string_start);
        }
        buf.drain(..keep);
        i -= keep;
        element = element.map(|start| start - keep);
        string_start = string_start.saturating_sub(keep);
    }
    Ok((rest, found))
}

/// How many bytes `bytes` starts with that are `in_run`.
fn span(bytes: &[u8], in_run: impl Fn(u8) -> bool) -> usize {
    bytes
        .iter()
        .position(|&c| !in_run(c))
        .unwrap_or(bytes.len())
}

fn open(path: &Path) -> Result<std::fs::File, ReportError> {
    std::fs::File::open(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A file that does not hold what it should.
pub(super) fn json_error(path: &Path, expected: &'static str, reason: String) -> ReportError {
    ReportError::Json {
        path: path.to_owned(),
        expected,
        reason,
    }
}

/// Reads the (small) JSON file at `path` as a `T`.
pub fn json<T: DeserializeOwned>(path: &Path, expected: &'static str) -> Result<T, ReportError> {
    let bytes = super::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| json_error(path, expected, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte at a time: every element, string
    /// and escape then straddles a read.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn elements(json: &str, member: Option<&str>) -> (Vec<String>, String, bool) {
        let mut seen = Vec::new();
        let (rest, found) = split(Trickle(json.as_bytes()), member, &mut |raw| {
            seen.push(String::from_utf8_lossy(raw).trim().to_owned());
            Ok(())
        })
        .unwrap();
        let whole = split(json.as_bytes(), member, &mut |_| Ok(())).unwrap();
        assert_eq!(whole, (rest.clone(), found), "any read size splits alike");
        (seen, String::from_utf8(rest).unwrap(), found)
    }

    #[test]
    fn an_array_splits_into_its_elements_whatever_they_hold() {
        let json = r#"[ {"a": "x],\"y"}, [1, [2]], "s\\", 3 ,null]"#;
        let (seen, rest, found) = elements(json, None);
        assert_eq!(
            seen,
            [r#"{"a": "x],\"y"}"#, "[1, [2]]", r#""s\\""#, "3", "null"]
        );
        assert_eq!(rest, "[]");
        assert!(found);
        assert_eq!(elements("[]", None), (vec![], "[]".to_owned(), true));
        assert!(!elements("{}", None).2);
    }

    #[test]
    fn a_member_array_splits_and_the_rest_of_the_document_stays() {
        let json = r#"{"name": "findings", "x": [9], "findings": [{"k": [1]}, {}], "y": {"findings": [5]}}"#;
        let (seen, rest, found) = elements(json, Some("findings"));
        assert_eq!(seen, [r#"{"k": [1]}"#, "{}"]);
        assert_eq!(
            rest,
            r#"{"name": "findings", "x": [9], "findings": [], "y": {"findings": [5]}}"#
        );
        assert!(found);
        assert!(!elements(r#"{"findings": null}"#, Some("findings")).2);
    }

    #[test]
    fn unbalanced_json_is_refused() {
        assert!(split("[1]]".as_bytes(), None, &mut |_| Ok(())).is_err());
    }
}
