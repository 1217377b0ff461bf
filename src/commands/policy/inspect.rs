//! `vouch policy inspect`: what a policy component is, read without running
//! or compiling it.

use std::path::PathBuf;

use clap::Args;
use miette::Diagnostic;
use vouch_engine::Inspection;

use crate::output::{Exit, Output};

/// Arguments of `vouch policy inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The policy component (`.wasm`) to read.
    #[arg(value_name = "FILE.wasm")]
    pub file: PathBuf,
}

/// Why a component could not be inspected.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum InspectError {
    #[error("cannot read `{}`", path.display())]
    #[diagnostic(code(vouch::policy::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot inspect `{}`", path.display())]
    #[diagnostic(code(vouch::policy::inspect))]
    Inspect {
        path: PathBuf,
        #[source]
        #[diagnostic_source]
        source: vouch_engine::Error,
    },
}

/// Runs `vouch policy inspect`.
pub fn run(args: &InspectArgs, out: &Output) -> miette::Result<Exit> {
    let bytes = std::fs::read(&args.file).map_err(|source| InspectError::Read {
        path: args.file.clone(),
        source,
    })?;
    let inspection = vouch_engine::inspect(&bytes).map_err(|source| InspectError::Inspect {
        path: args.file.clone(),
        source,
    })?;
    for line in describe(&inspection) {
        out.say(line);
    }
    out.json(&inspection)?;
    Ok(Exit::Ok)
}

/// The inspection as lines for a person.
fn describe(inspection: &Inspection) -> Vec<String> {
    let mut lines = Vec::new();
    match &inspection.metadata {
        Some(m) => {
            lines.push(format!("{} {} ({} severity)", m.id, m.version, m.severity));
            lines.push(format!("  {}", m.title));
            lines.push(format!("  {}", m.description));
            lines.push(format!("  reads:     {}", list(&m.evidence)));
            lines.push(format!("  controls:  {}", list(&m.controls)));
            lines.push(format!("  params:    {}", m.params_schema));
        }
        None => lines
            .push("no `vouch:metadata` section (not built by `vouch policy build`?)".to_owned()),
    }
    lines.push(format!("size:        {} bytes", inspection.bytes));
    lines.push(format!("sha256:      {}", inspection.sha256));
    for (heading, items) in [
        ("imports", &inspection.imports),
        ("exports", &inspection.exports),
    ] {
        lines.push(format!("{heading}:"));
        if items.is_empty() {
            lines.push("  (none)".to_owned());
        }
        lines.extend(
            items
                .iter()
                .map(|item| format!("  {} {}", item.kind, item.name)),
        );
    }
    lines
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
