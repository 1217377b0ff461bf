//! `vouch verify`: check a bundle's signature, every digest, and that no file
//! is missing or extra; with `--replay`, re-run its policies in the engine.

use std::path::{Path, PathBuf};

use clap::Args;
use miette::{Diagnostic, IntoDiagnostic as _};
use vouch_engine::controls::Catalogs;
use vouch_engine::{Config, Engine, assess};
use vouch_evidence::keys::{self, VerifyingKey};
use vouch_evidence::tsa::Trust;
use vouch_evidence::verify::Outcome;
use vouch_evidence::{VerifyOptions, replay};
use vouch_sdk::plan::load;

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
    /// Also re-run the sealed policies on the sealed evidence at the sealed
    /// `now`, and require findings byte-identical to the sealed ones.
    #[arg(long)]
    pub replay: bool,
    /// Trust time-stamps by this TSA: a PEM file with its certificate or the
    /// CA that issued it. The bundle must then carry a time-stamp token
    /// (`vouch seal --tsa`) that verifies under it.
    #[arg(long, value_name = "FILE")]
    pub tsa_cert: Option<PathBuf>,
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
    let options = VerifyOptions {
        tsa: args.tsa_cert.as_deref().map(Trust::read).transpose()?,
        ..VerifyOptions::default()
    };
    let report = vouch_evidence::verify(&args.bundle, &key, options)?;
    for step in &report.steps {
        let mark = match step.outcome {
            Outcome::Passed => "ok  ",
            Outcome::Failed => "FAIL",
            Outcome::Skipped => "skip",
        };
        out.say(format!("{mark} {:<12} {}", step.name, step.summary));
    }
    let mut failures: Vec<(serde_json::Value, String)> = report
        .failures
        .iter()
        .map(|f| (serde_json::to_value(f).unwrap_or_default(), f.to_string()))
        .collect();
    let mut replayed = serde_json::Value::Null;
    if report.passed() && args.replay {
        match replay(&args.bundle, &key)? {
            Ok(count) => {
                out.say(format!(
                    "ok   {:<12} {count} findings re-derived byte for byte by the sealed policies",
                    "replay"
                ));
                replayed = serde_json::json!({ "findings": count, "identical": true });
            }
            Err(differs) => {
                out.say(format!(
                    "FAIL {:<12} findings differ from the sealed ones",
                    "replay"
                ));
                replayed = serde_json::json!({ "identical": false });
                let kind =
                    serde_json::json!({ "failure": "replay-differs", "index": differs.index });
                failures.push((kind, differs.to_string()));
            }
        }
    }
    let verified = failures.is_empty();
    out.json(&serde_json::json!({
        "bundle": report.bundle,
        "format": report.format,
        "key_id": report.key_id,
        "verified": verified,
        "steps": report.steps,
        "timestamp": report.timestamp,
        "replay": replayed,
        "failures": failures.iter().map(|(kind, message)| {
            let mut entry = kind.clone();
            entry["message"] = message.clone().into();
            entry
        }).collect::<Vec<_>>(),
    }))?;
    if verified {
        out.say(format!("bundle `{}` verified", args.bundle.display()));
        return Ok(Exit::Ok);
    }
    out.diagnostic(&miette::Report::new(VerificationFailed {
        bundle: args.bundle.clone(),
        failures: failures.iter().map(|(_, m)| format!("  - {m}")).collect(),
    }));
    Ok(Exit::Verification)
}

/// Re-runs a verified bundle's policies; the number of findings when they
/// match the sealed ones. An archive is unpacked and the unpacked copy
/// verified again, so the bytes replayed are the bytes verified.
fn replay(
    bundle: &Path,
    key: &VerifyingKey,
) -> miette::Result<Result<usize, replay::FindingsDiffer>> {
    let unpacked = tempfile::tempdir().into_diagnostic()?;
    let dir = if bundle.is_dir() {
        bundle.to_path_buf()
    } else {
        replay::unpack(bundle, unpacked.path())?;
        unpacked.path().to_path_buf()
    };
    let report = vouch_evidence::verify(&dir, key, VerifyOptions::default())?;
    let Some(statement) = report.statement.filter(|_| report.failures.is_empty()) else {
        miette::bail!(
            "bundle `{}` changed while it was being verified",
            bundle.display()
        );
    };
    let inputs = replay::inputs(&dir, &statement);
    let plan = load::load(&inputs.plan)?;
    let evidence = vouch_collector::set::read(&inputs.evidence)?;
    let catalogs = Catalogs::standard()?;
    let config = match vouch_engine::default_cache_dir() {
        Some(cache) => Config::default().cache_dir(cache),
        None => Config::default(),
    };
    let engine = Engine::new(&config)?;
    let mut policies = Vec::new();
    for policy in &inputs.policies {
        let bytes = std::fs::read(&policy.path).into_diagnostic()?;
        policies.push(engine.load(&bytes)?);
    }
    let replayed = assess::evaluate(&plan, &evidence, &policies, &catalogs, inputs.now)?;
    let replayed = serde_json::to_value(&replayed).into_diagnostic()?;
    let sealed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&inputs.assessment).into_diagnostic()?)
            .into_diagnostic()?;
    let count = sealed["findings"].as_array().map_or(0, Vec::len);
    Ok(replay::compare_findings(&sealed, &replayed).map(|()| count))
}
