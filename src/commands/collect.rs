//! `vouch collect`: read every source the plan names — runbook repositories,
//! drill results, incident tools — into an evidence set directory, all at
//! once, with progress on a terminal and plain lines elsewhere.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::IntoDiagnostic;
use serde_json::json;
use vouch_collector::set::provenance::{SourceReport, Status};
use vouch_collector::{Options, Progress};
use vouch_sdk::plan::load;

use crate::cli::PlanArg;
use crate::output::{Exit, Output};

/// Arguments of `vouch collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub plan: PlanArg,
    /// Where to write the evidence set; replaced whole if it is one already.
    /// Default: `.vouch/evidence` beside the plan file.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The time recorded as `collected_at` (RFC 3339); the clock when left out.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Seconds before one HTTP request to an incident API is abandoned (and retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Requests (retries included) each incident API source may make.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub request_budget: u32,
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as `2026-11-01T00:00:00Z` ({e})"))
}

/// Collects the plan's evidence; exit 1 when anything could not be collected.
pub fn run(args: &CollectArgs, out: &Output) -> miette::Result<Exit> {
    let plan = match load::load(&args.plan.path) {
        Ok(plan) => plan,
        Err(error) => {
            out.json(
                &json!({ "plan": args.plan.path, "valid": false, "errors": error.locations() }),
            )?;
            out.diagnostic(&miette::Report::new(error));
            return Ok(Exit::Input);
        }
    };
    let plan_dir = match args.plan.path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let dest = args
        .out
        .clone()
        .unwrap_or_else(|| plan_dir.join(".vouch").join("evidence"));
    let mut options = Options::new(plan_dir, dest, args.now.unwrap_or_else(Utc::now));
    options.http.timeout = Duration::from_secs(args.timeout.max(1));
    options.http.budget = args.request_budget;
    // Spinners on a terminal; elsewhere the per-source lines come with the summary.
    let progress: Arc<dyn Progress> =
        if std::io::stderr().is_terminal() && !out.json && !out.is_quiet() {
            Arc::new(Bars::new())
        } else {
            Arc::new(vouch_collector::Silent)
        };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .into_diagnostic()?;
    let summary = runtime.block_on(vouch_collector::collect(Arc::new(plan), options, progress))?;

    out.json(&json!({
        "evidence": summary.out,
        "complete": summary.complete(),
        "sources": summary.sources,
        "gaps": summary.gaps,
    }))?;
    if !std::io::stderr().is_terminal() {
        for report in &summary.sources {
            out.say(line(report));
        }
    }
    out.say(format!(
        "Wrote the evidence set to `{}`:",
        summary.out.display()
    ));
    for kind in ["runbooks", "code", "drills", "incidents"] {
        out.say(format!("  {kind:<10} {}", totals(&summary.sources, kind)));
    }
    if summary.complete() {
        return Ok(Exit::Ok);
    }
    let mut listed: Vec<String> = summary
        .gaps
        .iter()
        .take(SHOWN_GAPS)
        .map(|gap| format!("source `{}` ({}): {}", gap.source, gap.kind, gap.error))
        .collect();
    if summary.gaps.len() > SHOWN_GAPS {
        listed.push(format!("... and {} more", summary.gaps.len() - SHOWN_GAPS));
    }
    out.diagnostic(&miette::Report::new(Incomplete {
        count: summary.gaps.len(),
        file: summary
            .out
            .join(vouch_collector::set::GAPS)
            .display()
            .to_string(),
        listed: listed.join("\n"),
    }));
    Ok(Exit::Failing)
}

/// Gaps shown on the terminal; the rest are in `gaps.json`.
const SHOWN_GAPS: usize = 10;

/// The set was written, but with gaps: exit 1.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error(
    "collection is incomplete: {count} gap(s), listed in `{file}`; policies that need the missing evidence will fail"
)]
#[diagnostic(
    code(vouch::collect::incomplete),
    severity(Warning),
    help("{listed}\nfix the sources above and run `vouch collect` again")
)]
struct Incomplete {
    count: usize,
    file: String,
    listed: String,
}

/// `12 from 2 sources (1 still open, 2 match no capability)`.
fn totals(sources: &[SourceReport], kind: &str) -> String {
    let with: Vec<&SourceReport> = sources
        .iter()
        .filter(|s| s.records.contains_key(kind))
        .collect();
    let count: u64 = with
        .iter()
        .map(|s| s.records.get(kind).copied().unwrap_or(0))
        .sum();
    let mut notes = Vec::new();
    if kind == "incidents" {
        let open: u64 = with.iter().map(|s| s.open).sum();
        if open > 0 {
            notes.push(format!("{open} still open"));
        }
    }
    if kind == "drills" || kind == "incidents" {
        let unmatched: u64 = with.iter().map(|s| s.unmatched).sum();
        if unmatched > 0 {
            notes.push(format!("{unmatched} match no capability"));
        }
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    format!("{count}{notes}")
}

/// A spinner per source on a terminal.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<Vec<(String, ProgressBar)>>,
}

impl Bars {
    fn new() -> Self {
        Self {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(Vec::new()),
        }
    }

    fn bar(&self, source: &str) -> Option<ProgressBar> {
        let bars = self.bars.lock().ok()?;
        bars.iter()
            .find(|(id, _)| id == source)
            .map(|(_, bar)| bar.clone())
    }
}

impl Progress for Bars {
    fn started(&self, source: &str, what: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} {msg}") {
            bar.set_style(style);
        }
        bar.set_prefix(format!("`{source}` ({what})"));
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.push((source.to_owned(), bar));
        }
    }

    fn advanced(&self, source: &str, records: u64) {
        if let Some(bar) = self.bar(source) {
            bar.set_message(format!("{records} records"));
        }
    }

    fn finished(&self, report: &SourceReport) {
        match self.bar(&report.id) {
            Some(bar) => {
                bar.set_style(
                    ProgressStyle::default_spinner()
                        .template("{msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(line(report));
            }
            None => eprintln!("{}", line(report)),
        }
    }
}

/// `✓ collected `drills`: 25 drills (2 match no capability)`.
fn line(report: &SourceReport) -> String {
    let records: Vec<String> = report
        .records
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    let records = if records.is_empty() {
        "nothing".to_owned()
    } else {
        records.join(", ")
    };
    let (mark, verb) = match report.status {
        Status::Complete => ("ok", "collected"),
        Status::Partial => ("gaps", "collected part of"),
        Status::Failed => ("FAILED", "could not collect"),
    };
    let gaps = if report.gaps > 0 {
        format!(
            ", {} gap{}",
            report.gaps,
            if report.gaps == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    format!(
        "[{mark}] {verb} `{}` ({}): {records}{gaps}",
        report.id, report.format
    )
}
