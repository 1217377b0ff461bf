//! `vouch verify`: check a bundle's signature, every digest, and that no file
//! is missing or extra.

use std::path::PathBuf;

use clap::Args;
use miette::Diagnostic;
use vouch_evidence::verify::Outcome;
use vouch_evidence::{VerifyOptions, keys};

use crate::output::{Exit, Output};

/// Arguments of `vouch verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle: the directory `vouch seal` wrote, or its `.tar`.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// The vendor's public key (SPKI PEM, as `vouch keygen` writes NAME.pub).
    #[arg(long, value_name = "PUB")]
    pub key: PathBuf,
}

/// A bundle that failed verification: every problem, one per line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("bundle `{}` failed verification:\n{}", bundle.display(), failures.join("\n"))]
#[diagnostic(
    code(vouch::verify::failed),
    help("do not trust this bundle: it is not exactly what the key's owner sealed")
)]
struct VerificationFailed {
    bundle: PathBuf,
    failures: Vec<String>,
}

/// Runs `vouch verify`.
pub fn run(args: &VerifyArgs, out: &Output) -> miette::Result<Exit> {
    let key = keys::read_verifying_key(&args.key)?;
    let report = vouch_evidence::verify(&args.bundle, &key, VerifyOptions::default())?;
    for step in &report.steps {
        let mark = match step.outcome {
            Outcome::Passed => "ok  ",
            Outcome::Failed => "FAIL",
            Outcome::Skipped => "skip",
        };
        out.say(format!("{mark} {:<12} {}", step.name, step.summary));
    }
    out.json(&serde_json::json!({
        "verified": report.passed(),
        "report": report,
        "failures": report.failures.iter().map(ToString::to_string).collect::<Vec<_>>(),
    }))?;
    if report.passed() {
        out.say(format!("bundle `{}` verified", args.bundle.display()));
        return Ok(Exit::Ok);
    }
    out.diagnostic(&miette::Report::new(VerificationFailed {
        bundle: args.bundle.clone(),
        failures: report.failures.iter().map(|f| format!("  - {f}")).collect(),
    }));
    Ok(Exit::Verification)
}
