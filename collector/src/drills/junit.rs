//! JUnit XML from game-day suites: one drill per test case. A case has no
//! start time of its own, so the suite's `timestamp` dates it (and the record
//! says so); a case that failed, errored or was skipped did not pass.
//! `<property name="capability|kind|tags" value="..."/>` on the suite or the
//! case names the capability, the drill kind and extra tags.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use vouch_sdk::evidence::{Drill, DrillKind, Outcome};

use super::{DrillFile, Parsed, assume, instant};
use crate::problem::{Problem, line_col};
use crate::time::Day;

const SUITE_TIME: &str =
    "junit: a test case has no start time of its own; its suite's `timestamp` was used";
const SKIPPED: &str = "junit: the test case was skipped, so it counts as a failed drill";

#[derive(Debug, Clone, Default)]
struct Props {
    capability: Option<String>,
    kind: Option<String>,
    tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Suite {
    name: String,
    timestamp: Option<String>,
    props: Props,
}

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    seconds: f64,
    failed: bool,
    skipped: bool,
    props: Props,
    at: String,
}

/// Reads every test case of a JUnit file.
pub fn parse(file: &DrillFile<'_>) -> Result<Vec<Parsed>, Problem> {
    let text = std::str::from_utf8(file.bytes)
        .map_err(|e| Problem::new(file.path, format!("not UTF-8 text: {e}")))?;
    let mut reader = Reader::from_str(text);
    let mut suites: Vec<Suite> = Vec::new();
    let mut case: Option<Case> = None;
    let mut drills = Vec::new();
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let at = || {
            let (line, col) = line_col(file.bytes, offset);
            format!("{}:{line}:{col}", file.path)
        };
        let event = reader.read_event().map_err(|e| {
            Problem::new(at(), format!("malformed XML: {e}")).help("expected JUnit XML")
        })?;
        let (element, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    b"testsuite" => {
                        suites.pop();
                    }
                    b"testcase" => {
                        if let Some(done) = case.take() {
                            drills.push(finish(file, &suites, done)?);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(element) = element else { continue };
        match element.local_name().as_ref() {
            b"testsuite" if !empty => {
                let parent = suites.last().cloned().unwrap_or_default();
                let timestamp = attr(element, "timestamp", &at)?.or(parent.timestamp);
                suites.push(Suite {
                    name: attr(element, "name", &at)?.unwrap_or_default(),
                    timestamp,
                    props: parent.props,
                });
            }
            b"testcase" => {
                let seconds = match attr(element, "time", &at)? {
                    Some(t) => t.trim().replace(',', "").parse::<f64>().map_err(|_| {
                        Problem::new(
                            at(),
                            format!("test case `time` is `{t}`, not a number of seconds"),
                        )
                    })?,
                    None => 0.0,
                };
                let opened = Case {
                    name: attr(element, "name", &at)?.unwrap_or_default(),
                    classname: attr(element, "classname", &at)?.unwrap_or_default(),
                    seconds,
                    at: at(),
                    ..Case::default()
                };
                if empty {
                    drills.push(finish(file, &suites, opened)?);
                } else {
                    case = Some(opened);
                }
            }
            b"failure" | b"error" => {
                if let Some(case) = case.as_mut() {
                    case.failed = true;
                }
            }
            b"skipped" => {
                if let Some(case) = case.as_mut() {
                    case.skipped = true;
                }
            }
            b"property" => {
                let name = attr(element, "name", &at)?.unwrap_or_default();
                let value = attr(element, "value", &at)?.unwrap_or_default();
                let props = match (case.as_mut(), suites.last_mut()) {
                    (Some(case), _) => &mut case.props,
                    (None, Some(suite)) => &mut suite.props,
                    (None, None) => continue,
                };
                match name.as_str() {
                    "capability" => props.capability = Some(value),
                    "kind" => props.kind = Some(value),
                    "tags" => props.tags.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(drills)
}

fn attr(
    element: &BytesStart<'_>,
    name: &str,
    at: &dyn Fn() -> String,
) -> Result<Option<String>, Problem> {
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| Problem::new(at(), format!("malformed attribute: {e}")))?;
        if attribute.key.local_name().as_ref() == name.as_bytes() {
            let value = attribute
                .unescape_value()
                .map_err(|e| Problem::new(at(), format!("malformed `{name}`: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn finish(file: &DrillFile<'_>, suites: &[Suite], case: Case) -> Result<Parsed, Problem> {
    let suite = suites.last().cloned().unwrap_or_default();
    let Some(timestamp) = &suite.timestamp else {
        return Err(Problem::new(
            &case.at,
            format!("test case `{}` has no suite `timestamp`, so Vouch cannot date the drill", case.name),
        )
        .help("have the reporter write `timestamp` on `<testsuite>`, or record the drill as a Vouch drill record"));
    };
    let mut assumptions = vec![SUITE_TIME.to_owned()];
    let started = instant(
        &case.at,
        "timestamp",
        timestamp,
        Day::Start,
        &mut assumptions,
    )?;
    let millis = (case.seconds.max(0.0) * 1000.0).round();
    // Saturating float → int: a nonsense `time` cannot overflow the clock.
    let ended = started + chrono::Duration::milliseconds(millis as i64);
    if case.skipped {
        assume(&mut assumptions, SKIPPED);
    }
    let kind_text = case.props.kind.or(suite.props.kind);
    let kind = match kind_text.as_deref() {
        None => DrillKind::Technical,
        Some(text) => {
            serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
                Problem::new(&case.at, format!("property `kind` is `{text}`"))
                    .help("expected `technical`, `tabletop`, `restore` or `failover`")
            })?
        }
    };
    let mut tags = suite.props.tags;
    tags.extend(case.props.tags);
    tags.extend(
        [suite.name.clone(), case.classname.clone()]
            .into_iter()
            .filter(|t| !t.is_empty()),
    );
    let case_id = if suite.name.is_empty() {
        case.name.clone()
    } else {
        format!("{}/{}", suite.name, case.name)
    };
    Ok(Parsed {
        drill: Drill {
            id: format!("{}#{case_id}", file.path),
            capability: case.props.capability.or(suite.props.capability),
            kind,
            title: case.name,
            started,
            ended,
            outcome: if case.failed || case.skipped {
                Outcome::Fail
            } else {
                Outcome::Pass
            },
            recovery_seconds: None,
            data_loss_seconds: None,
            integrity_check: None,
            dependency: None,
            assumptions,
            origin: file.origin.clone(),
        },
        tags,
    })
}
