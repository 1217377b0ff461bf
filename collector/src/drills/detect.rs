//! Which parser a file needs: by the source's `format`, or, under `auto`, by
//! its extension and the keys it carries.

use serde::Deserialize;
use serde::de::IgnoredAny;
use vouch_sdk::plan::DrillFormat;

use crate::problem::{self, Problem};

/// A recognised drill format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// A Chaos Toolkit journal.
    Chaostoolkit,
    /// JUnit XML.
    Junit,
    /// A LitmusChaos `ChaosResult`.
    Litmus,
    /// A Vouch drill record.
    Vouch,
}

/// Whether a file with this path is read at all under `format`; others are
/// skipped with a note (a README beside the journals is no error).
pub fn wanted(format: DrillFormat, path: &str) -> bool {
    let ext = extension(path);
    let json = ext == "json";
    let yaml = ext == "yaml" || ext == "yml";
    let xml = ext == "xml";
    match format {
        DrillFormat::Auto => json || yaml || xml,
        DrillFormat::Chaostoolkit => json,
        DrillFormat::Junit => xml,
        DrillFormat::Litmus => yaml,
        DrillFormat::Vouch => json || yaml,
    }
}

/// The keys that tell formats apart.
#[derive(Deserialize)]
struct Probe {
    vouch_drill: Option<IgnoredAny>,
    #[serde(rename = "chaoslib-version")]
    chaoslib_version: Option<IgnoredAny>,
    steady_states: Option<IgnoredAny>,
    kind: Option<String>,
}

/// Picks the parser for a file.
pub fn detect(format: DrillFormat, path: &str, bytes: &[u8]) -> Result<Detected, Problem> {
    match format {
        DrillFormat::Chaostoolkit => return Ok(Detected::Chaostoolkit),
        DrillFormat::Junit => return Ok(Detected::Junit),
        DrillFormat::Litmus => return Ok(Detected::Litmus),
        DrillFormat::Vouch => return Ok(Detected::Vouch),
        DrillFormat::Auto => {}
    }
    let ext = extension(path);
    if ext == "xml" {
        return Ok(Detected::Junit);
    }
    let probe: Probe = if ext == "json" {
        serde_json::from_slice(bytes).map_err(|e| {
            problem::json(path, &e, "a Chaos Toolkit journal or a Vouch drill record")
        })?
    } else {
        first_yaml_document(path, bytes)?
    };
    if probe.vouch_drill.is_some() {
        Ok(Detected::Vouch)
    } else if probe.chaoslib_version.is_some() || probe.steady_states.is_some() {
        Ok(Detected::Chaostoolkit)
    } else if probe.kind.as_deref() == Some("ChaosResult") {
        Ok(Detected::Litmus)
    } else {
        Err(Problem::new(path, "not a drill result Vouch recognises").help(
            "expected a Chaos Toolkit journal (`chaoslib-version`), a Vouch drill record \
             (`vouch_drill: 1`) or a Litmus `ChaosResult`; set the source's `format` or move the file",
        ))
    }
}

fn first_yaml_document(path: &str, bytes: &[u8]) -> Result<Probe, Problem> {
    use serde::de::Deserialize as _;
    let mut documents = serde_norway::Deserializer::from_slice(bytes);
    let Some(first) = documents.next() else {
        return Err(Problem::new(path, "the YAML file is empty"));
    };
    Probe::deserialize(first).map_err(|e| yaml(path, &e))
}

/// A YAML error as a problem at its line and column.
pub fn yaml(path: &str, error: &serde_norway::Error) -> Problem {
    let at = match error.location() {
        Some(l) => format!("{path}:{}:{}", l.line(), l.column()),
        None => path.to_owned(),
    };
    // The location is in `at`; serde_norway repeats it in its message.
    let text = error.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text).to_owned();
    Problem::new(at, what)
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_by_content() {
        let auto = DrillFormat::Auto;
        assert_eq!(
            detect(auto, "a.json", br#"{"vouch_drill": 1}"#).unwrap(),
            Detected::Vouch
        );
        assert_eq!(
            detect(auto, "a.json", br#"{"chaoslib-version": "1.44.0"}"#).unwrap(),
            Detected::Chaostoolkit
        );
        assert_eq!(
            detect(auto, "r.yaml", b"kind: ChaosResult\n").unwrap(),
            Detected::Litmus
        );
        assert_eq!(
            detect(auto, "r.yml", b"vouch_drill: 1\n").unwrap(),
            Detected::Vouch
        );
        assert_eq!(
            detect(auto, "t.xml", b"<testsuites/>").unwrap(),
            Detected::Junit
        );
    }

    #[test]
    fn unknown_json_is_a_problem_with_advice() {
        let err = detect(DrillFormat::Auto, "x/notes.json", b"{\"a\": 1}").unwrap_err();
        assert_eq!(err.at, "x/notes.json");
        assert!(err.help.unwrap().contains("set the source's `format`"));
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let err = detect(DrillFormat::Auto, "a.json", b"{\n  \"a\": }").unwrap_err();
        assert_eq!(err.at, "a.json:2:8");
    }

    #[test]
    fn extensions_decide_what_is_read() {
        assert!(wanted(DrillFormat::Auto, "a/b.JSON"));
        assert!(!wanted(DrillFormat::Auto, "README.md"));
        assert!(!wanted(DrillFormat::Junit, "a.json"));
    }
}
