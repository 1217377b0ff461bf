//! What can be wrong with a plan, one type per kind of mistake, each a miette
//! diagnostic pointing at the text.

use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Serialize;
use thiserror::Error;

use super::check::Fault;
use super::{Source, suggest};

/// Why a plan could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum PlanError {
    /// The file could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadError),
    /// The text is not TOML, or a value has the wrong type.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),
    /// A key the plan format does not have.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownKey(Box<UnknownKeyError>),
    /// Well-formed, but inconsistent or out of range.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] InvalidPlan),
}

impl PlanError {
    /// Where each mistake is, with what was expected, for `--json` output.
    pub fn locations(&self) -> Vec<Location> {
        match self {
            Self::Read(e) => vec![Location {
                file: e.path.clone(),
                line: 0,
                column: 0,
                message: e.to_string(),
                help: None,
            }],
            Self::Syntax(e) => vec![e.location.clone()],
            Self::UnknownKey(e) => vec![e.location.clone()],
            Self::Invalid(e) => e.problems.iter().map(|p| p.location.clone()).collect(),
        }
    }
}

/// A mistake's place in the plan file and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The plan file as named on the command line.
    pub file: String,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What was expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Location {
    fn new(source: &Source, offset: usize, message: &str, help: Option<&str>) -> Self {
        let before = source.text.get(..offset).unwrap_or(&source.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self {
            file: source.name.clone(),
            line,
            column,
            message: message.to_owned(),
            help: help.map(str::to_owned),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// The plan file could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read plan `{path}`")]
#[diagnostic(
    code(vouch::plan::read),
    help("pass the plan with `-p PATH`, or create one with `vouch init`")
)]
pub struct ReadError {
    /// The path as given.
    pub path: String,
    /// What the file system said.
    #[source]
    pub source: std::io::Error,
}

/// Not TOML, or a value of the wrong type or format.
#[derive(Debug, Error, Diagnostic)]
#[error("{}", location)]
#[diagnostic(code(vouch::plan::syntax))]
pub struct SyntaxError {
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label]
    span: SourceSpan,
    #[help]
    help: Option<String>,
    location: Location,
}

/// A key the plan format does not have, with the nearest valid one.
#[derive(Debug, Error, Diagnostic)]
#[error("{}", location)]
#[diagnostic(code(vouch::plan::unknown_key))]
pub struct UnknownKeyError {
    /// The key as written.
    pub key: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("{label}")]
    span: SourceSpan,
    label: &'static str,
    #[help]
    help: Option<String>,
    location: Location,
}

/// One or more checks failed.
#[derive(Debug, Error, Diagnostic)]
#[error("plan `{file}` has {} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })]
#[diagnostic(code(vouch::plan::invalid))]
pub struct InvalidPlan {
    file: String,
    /// Each problem, in the order of the plan.
    #[related]
    pub problems: Vec<Problem>,
}

impl InvalidPlan {
    pub(super) fn new(source: &Source, mut problems: Vec<Problem>) -> Self {
        problems.sort_by_key(|p| (p.location.line, p.location.column));
        Self {
            file: source.name.clone(),
            problems,
        }
    }
}

/// One failed check, pointing at the value at fault.
#[derive(Debug, Error, Diagnostic)]
#[error("{}", location)]
#[diagnostic(code(vouch::plan::check))]
pub struct Problem {
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label]
    span: SourceSpan,
    #[help]
    help: Option<String>,
    /// Where, what and how to fix it.
    pub location: Location,
}

impl Problem {
    pub(super) fn new(source: &Source, span: Range<usize>, fault: Fault) -> Self {
        let location = Location::new(source, span.start, &fault.message, fault.help.as_deref());
        Self {
            src: source.named(),
            span: span.into(),
            help: fault.help,
            location,
        }
    }
}

/// Sorts a TOML error into an unknown key (with a suggestion) or a syntax error.
pub(super) fn from_toml(source: &Source, error: &toml::de::Error) -> PlanError {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim_end().to_owned();
    if let Some((key, expected)) = unknown_name(&message) {
        let help = match suggest::nearest(key, expected.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if expected.is_empty() => "remove it".to_owned(),
            None => format!(
                "expected one of {}",
                expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let (what, label) = if message.starts_with("unknown variant") {
            ("value", "not one of the accepted values")
        } else {
            ("key", "not a key here")
        };
        let location = Location::new(
            source,
            span.start,
            &format!("unknown {what} `{key}`"),
            Some(&help),
        );
        return PlanError::UnknownKey(Box::new(UnknownKeyError {
            key: key.to_owned(),
            src: source.named(),
            span: span.into(),
            label,
            help: Some(help),
            location,
        }));
    }
    let mut message = message;
    let help = syntax_help(&message);
    if help.as_deref() == Some(DATE_HELP) {
        // chrono says only "input is out of range": name the value too.
        let written = source.text.get(span.clone()).unwrap_or_default();
        message = format!("{written} is not a valid date: {message}");
    }
    let location = Location::new(source, span.start, &message, help.as_deref());
    PlanError::Syntax(Box::new(SyntaxError {
        src: source.named(),
        span: span.into(),
        help,
        location,
    }))
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown
/// variant") into the name and the names it could have been.
fn unknown_name(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).collect();
    Some((name, expected))
}

const DATE_HELP: &str = "write the date as a quoted ISO date, e.g. `\"2026-01-31\"`";

/// A hint for the type errors people make most in hand-written TOML.
fn syntax_help(message: &str) -> Option<String> {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        return Some(format!(
            "add `{field} = ...` to this table (see docs/plan-reference.md)"
        ));
    }
    if let Some((_, expected)) = message.split_once(", expected ") {
        return Some(format!("expected {expected}"));
    }
    if message.contains("is not a duration") {
        return Some(crate::duration::DURATION_HELP.to_owned());
    }
    // chrono's date errors, and TOML's bare dates, which are refused so every
    // date has one spelling.
    let date_errors = [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "datetime",
    ];
    if date_errors.iter().any(|e| message.contains(e)) {
        return Some(DATE_HELP.to_owned());
    }
    None
}
