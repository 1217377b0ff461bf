//! `vouch policy test [DIR]`: build the policy, then run every fixture case
//! against the built component in the real engine — the same sandbox, limits
//! and control check as `vouch evaluate` — and show a diff where the findings
//! differ from the expected ones.
//!
//! A case is a directory `fixtures/CASE/` holding `request.json` (a whole
//! request: `plan`, `evidence`, `params`, `now`) and `expected.json` (the
//! findings, in order). Findings are compared as values, so `29` and `29.0`
//! are the same measurement and `evidence`/`measurements` may be left out
//! when empty.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use vouch_engine::controls::Catalogs;
use vouch_engine::request::as_sent;
use vouch_engine::{Config, Engine, Policy};
use vouch_sdk::{Finding, Request};

use super::build::{self, BuildArgs};
use crate::cli::GlobalArgs;
use crate::output::{Exit, Output};

/// Arguments of `vouch policy test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The policy crate, with its cases in `fixtures/`.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// Why the cases could not be run at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TestError {
    #[error("no fixture cases in `{}`", dir.display())]
    #[diagnostic(
        code(vouch::policy::test::no_fixtures),
        help(
            "add a directory per case under `fixtures/`, each with `request.json` and \
             `expected.json` (`vouch policy new` writes examples)"
        )
    )]
    NoFixtures { dir: PathBuf },

    #[error("cannot read `{}`", path.display())]
    #[diagnostic(code(vouch::policy::test::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{}` is malformed: {source}", path.display())]
    #[diagnostic(
        code(vouch::policy::test::malformed),
        help(
            "`request.json` is a request (`plan`, `evidence`, `params`, `now`); \
             `expected.json` an array of findings (`subject`, `status`, `message`, ...)"
        )
    )]
    Malformed {
        path: PathBuf,
        source: serde_json::Error,
    },

    #[error("cannot make a scratch directory for the component")]
    #[diagnostic(code(vouch::policy::test::scratch))]
    Scratch(#[source] std::io::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Controls(#[from] vouch_engine::controls::ControlError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] vouch_engine::Error),
}

/// One case's outcome.
struct Outcome {
    name: String,
    /// `None` when it passed; else the diff or the error.
    failure: Option<String>,
}

/// Builds and runs every case; exit 1 when any case fails.
pub fn run(args: &TestArgs, out: &Output) -> miette::Result<Exit> {
    let cases = cases(&args.dir)?;
    let scratch = tempfile::tempdir().map_err(TestError::Scratch)?;
    let component = scratch.path().join("policy.wasm");
    // The build's own line is useful to a person, noise in JSON.
    let quiet = Output::new(&GlobalArgs {
        json: false,
        quiet: true,
        verbose: false,
    });
    let build_args = BuildArgs {
        dir: args.dir.clone(),
        out: Some(component.clone()),
    };
    let status = build::run(&build_args, if out.json { &quiet } else { out })?;
    if status != Exit::Ok {
        return Ok(status);
    }
    let bytes = std::fs::read(&component).map_err(|source| TestError::Read {
        path: component.clone(),
        source,
    })?;
    let engine = Engine::new(&Config::default()).map_err(TestError::from)?;
    let policy = engine.load(&bytes).map_err(TestError::from)?;
    Catalogs::standard()
        .and_then(|c| c.check(policy.metadata()))
        .map_err(TestError::from)?;

    let mut outcomes = Vec::new();
    for case in cases {
        let outcome = run_case(&policy, &case)?;
        match &outcome.failure {
            None => out.say(format!("ok      {}", outcome.name)),
            Some(failure) => out.say(format!("FAILED  {}\n{}", outcome.name, failure.trim_end())),
        }
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    out.say(format!(
        "\n{} passed, {failed} failed ({})",
        outcomes.len() - failed,
        policy.metadata().id
    ));
    out.json(&json!({
        "policy": policy.metadata().id,
        "passed": failed == 0,
        "cases": outcomes
            .iter()
            .map(|o| json!({ "name": o.name, "passed": o.failure.is_none(), "failure": o.failure }))
            .collect::<Vec<_>>(),
    }))?;
    Ok(if failed == 0 { Exit::Ok } else { Exit::Failing })
}

/// The case directories under `DIR/fixtures`, sorted by name.
fn cases(dir: &Path) -> Result<Vec<PathBuf>, TestError> {
    let fixtures = dir.join("fixtures");
    let no_fixtures = || TestError::NoFixtures {
        dir: fixtures.clone(),
    };
    let entries = std::fs::read_dir(&fixtures).map_err(|_| no_fixtures())?;
    let mut cases: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("request.json").is_file())
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(no_fixtures());
    }
    Ok(cases)
}

/// Runs one case. Unreadable case files stop the run (the suite is broken);
/// a policy error or different findings fail only the case.
fn run_case(policy: &Policy, case: &Path) -> Result<Outcome, TestError> {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let request: Request = read_json(&case.join("request.json"))?;
    let expected: Vec<Finding> = read_json(&case.join("expected.json"))?;
    let failure = match as_sent(policy.metadata(), &request).map(|sent| policy.evaluate(&sent)) {
        Err(error) => Some(format!(
            "  the request is not one `vouch evaluate` could send: {error}"
        )),
        Ok(Err(error)) => Some(format!(
            "  the policy could not evaluate the request: {error}"
        )),
        Ok(Ok(evaluation)) if evaluation.findings == expected => None,
        Ok(Ok(evaluation)) => Some(diff(&expected, &evaluation.findings)),
    };
    Ok(Outcome { name, failure })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TestError> {
    let text = std::fs::read(path).map_err(|source| TestError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| TestError::Malformed {
        path: path.to_owned(),
        source,
    })
}

/// A unified diff of the findings as pretty JSON: `-` expected, `+` actual.
fn diff(expected: &[Finding], actual: &[Finding]) -> String {
    let pretty =
        |findings: &[Finding]| serde_json::to_string_pretty(findings).unwrap_or_default() + "\n";
    let (expected, actual) = (pretty(expected), pretty(actual));
    similar::TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header("expected.json", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_marks_expected_and_actual_lines() {
        let expected = [Finding::pass("payments", "fine")];
        let actual = [Finding::fail("payments", "fine")];
        insta::assert_snapshot!(diff(&expected, &actual));
    }
}
