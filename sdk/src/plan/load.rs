//! Reading `vouch.toml`: TOML with source spans, then the checks a person can
//! act on. Every error names `file:line:col`, says what was expected, and
//! every problem in the plan is reported at once rather than one per run.

mod check;
mod error;
mod spans;
mod suggest;

use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;
use serde::Deserialize;
use toml::de::DeTable;

pub use self::error::{
    InvalidPlan, Location, PlanError, Problem, ReadError, SyntaxError, UnknownKeyError,
};
use super::Plan;

/// Reads and checks the plan at `path`.
pub fn load(path: &Path) -> Result<Plan, PlanError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError {
        path: path.display().to_string(),
        source,
    })?;
    parse(&path.display().to_string(), &text)
}

/// Parses and checks plan text; `name` is how errors refer to the file.
pub fn parse(name: &str, text: &str) -> Result<Plan, PlanError> {
    let source = Source {
        name: name.to_owned(),
        text: Arc::from(text),
    };
    let document = DeTable::parse(text).map_err(|e| error::from_toml(&source, &e))?;
    let plan = Plan::deserialize(toml::de::Deserializer::from(document.clone()))
        .map_err(|e| error::from_toml(&source, &e))?;
    let problems = check::check(&plan);
    if problems.is_empty() {
        return Ok(plan);
    }
    let index = spans::SpanIndex::new(&document);
    Err(InvalidPlan::new(
        &source,
        problems
            .into_iter()
            .map(|f| Problem::new(&source, index.span_of(&f.path), f))
            .collect(),
    )
    .into())
}

/// The plan text and the name errors call it by.
#[derive(Debug, Clone)]
struct Source {
    name: String,
    text: Arc<str>,
}

impl Source {
    fn named(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(&self.name, Arc::clone(&self.text)).with_language("toml")
    }
}
