//! `vouch seal`: the plan, evidence set, assessment and exact policy
//! components, signed into a bundle directory and its tar.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;
use serde_json::json;
use vouch_evidence::{SealRequest, Tool, keys};

use crate::cli::PlanArg;
use crate::output::{Exit, Output};

/// Arguments of `vouch seal`.
#[derive(Debug, Args)]
pub struct SealArgs {
    #[command(flatten)]
    pub plan: PlanArg,
    /// The evidence set directory `vouch collect` wrote [default: .vouch/evidence beside the plan].
    #[arg(short, long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// The assessment `vouch evaluate` wrote [default: .vouch/assessment.json beside the plan].
    #[arg(short, long, value_name = "ASSESSMENT")]
    pub assessment: Option<PathBuf>,
    /// A policy component the assessment ran, when it is neither built in nor
    /// a `[policies.ID] path` of the plan; repeat for each. Matched by sha256.
    #[arg(long = "policy", value_name = "FILE.wasm")]
    pub policies: Vec<PathBuf>,
    /// The private signing key (`vouch keygen` writes one).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The bundle directory; the archive is written beside it as BUNDLE.tar
    /// [default: .vouch/bundle beside the plan].
    #[arg(short, long, value_name = "BUNDLE")]
    pub out: Option<PathBuf>,
    /// An RFC 3161 time-stamp authority to stamp the signature with trusted
    /// time; the token is stored as `statement.dsse.tst`.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
}

/// Runs `vouch seal`.
pub fn run(args: &SealArgs, out: &Output) -> miette::Result<Exit> {
    let (key, warning) = keys::read_signing_key(&args.key)?;
    if let Some(warning) = warning {
        out.diagnostic(&miette::Report::new(warning));
    }
    // Like `collect` and `evaluate`: the working files live in `.vouch/` beside the plan.
    let work = args
        .plan
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(".vouch");
    let evidence = args
        .evidence
        .clone()
        .unwrap_or_else(|| work.join("evidence"));
    let assessment = args
        .assessment
        .clone()
        .unwrap_or_else(|| work.join("assessment.json"));
    let bundle = args.out.clone().unwrap_or_else(|| work.join("bundle"));
    // The HTML report and the history of earlier runs travel in the bundle.
    let report = crate::report::Input::for_seal(
        &args.plan.path,
        &evidence,
        &assessment,
        &args.policies,
        &key,
    )?;
    let extra = match report {
        Some(input) => input.sealed_files()?,
        None => Vec::new(),
    };
    let sealed = vouch_evidence::seal(&SealRequest {
        plan: &args.plan.path,
        evidence: &evidence,
        assessment: &assessment,
        policies: &args.policies,
        builtin: crate::library::by_sha256,
        extra: &extra,
        tsa: args.tsa.as_deref(),
        key: &key,
        out: &bundle,
        sealed: DateTime::<Utc>::from(SystemTime::now()),
        tool: Tool {
            name: "vouch".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        // The engine is linked into this binary and versioned with it.
        engine: Some(Tool {
            name: "vouch-engine".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }),
    })?;
    let bytes: u64 = sealed.sizes.values().sum();
    let predicate = &sealed.statement.predicate;
    out.say(format!(
        "sealed {} files ({bytes} bytes) for {}: policies {}, controls {}",
        sealed.sizes.len(),
        predicate.organisation,
        predicate.policies.len(),
        predicate.controls.len()
    ));
    out.say(format!("bundle  `{}`", sealed.dir.display()));
    out.say(format!("archive `{}`", sealed.archive.display()));
    out.say(format!("signed by key {}", sealed.key_id));
    if let Some(stamp) = &sealed.timestamp {
        out.say(format!(
            "time-stamped {} by TSA `{}`",
            stamp.time.to_rfc3339_opts(SecondsFormat::Secs, true),
            stamp.tsa
        ));
    }
    out.json(&json!({
        "bundle": sealed.dir,
        "archive": sealed.archive,
        "key_id": sealed.key_id,
        "files": sealed.sizes.len(),
        "bytes": bytes,
        "sealed": predicate.sealed,
        "timestamp": sealed.timestamp,
    }))?;
    Ok(Exit::Ok)
}
