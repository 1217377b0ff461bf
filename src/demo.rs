//! The demo organisation, Acme Payments: its continuity plan, a runbook
//! repository with two years of history, drill results and an incident
//! export — generated, not copied, so every file is byte-identical on every
//! run and every machine (no clock, no randomness beyond a seeded PRNG, git
//! objects written with fixed authors and timestamps).
//!
//! The scenario is data: `files` (what the repository holds), `history` (when
//! each file changes), `drills` and `incidents` (tables of exercises and
//! incidents). It is built so that every continuity check has subjects that
//! pass and subjects that fail at [`DEMO_NOW`]; `docs/demo.md` lists them.

mod clock;
mod drills;
mod error;
mod files;
mod history;
mod incidents;
mod people;
mod repo;
mod rng;
mod staging;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::Serialize;

pub use self::error::DemoError;

/// The evaluation time the demo data is built for: the day after the plan's
/// audit window (2025-11-01..2026-10-31) closes.
pub const DEMO_NOW: &str = "2026-11-01T00:00:00Z";

/// The empty directory of the plan's `gameday` drill source.
const GAMEDAY: &str = "gameday";

/// The demo organisation's plan, written to `DIR/vouch.toml`.
pub const PLAN: &str = include_str!("../examples/acme/vouch.toml");

/// The guide to the demo organisation, written to `DIR/README.md`.
const README: &str = include_str!("../examples/acme/README.md");

/// The file that marks a directory as `vouch demo` output, safe to regenerate.
pub const MARKER: &str = ".vouch-demo";

const MARKER_TEXT: &str = "This directory was written by `vouch demo`. Running `vouch demo --out` on it\n\
    again replaces everything in it with a fresh copy of the demo.\n";

/// What the demo holds, with paths relative to its directory.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The evaluation time the data is built for.
    pub now: &'static str,
    /// The plan file.
    pub plan: &'static str,
    /// The runbook repository.
    pub runbooks: Repository,
    /// Drill results.
    pub drills: Drills,
    /// The incident export.
    pub incidents: Incidents,
}

/// The runbook repository.
#[derive(Debug, Clone, Serialize)]
pub struct Repository {
    /// Its directory.
    pub path: &'static str,
    /// The checked-out branch.
    pub branch: &'static str,
    /// The full commit id the branch points at.
    pub head: String,
    /// Commits reachable from the branch, merges included.
    pub commits: usize,
    /// Merge commits among them.
    pub merges: usize,
    /// Markdown runbooks in the checked-out tree.
    pub runbooks: usize,
}

/// The drill results.
#[derive(Debug, Clone, Serialize)]
pub struct Drills {
    /// Their directory.
    pub path: &'static str,
    /// Chaos Toolkit journals.
    pub chaostoolkit: usize,
    /// Vouch drill records.
    pub vouch: usize,
}

/// The incident export.
#[derive(Debug, Clone, Serialize)]
pub struct Incidents {
    /// The JSONL file.
    pub path: &'static str,
    /// Incidents in it.
    pub incidents: usize,
    /// Incidents still open.
    pub open: usize,
}

/// Writes the demo organisation to `out`, which must be missing, empty, or a
/// previous demo output (then regenerated). Nothing appears at `out` unless
/// all of it was written.
pub fn materialise(out: &Path) -> Result<Summary, DemoError> {
    staging::replace(out, generate)
}

/// Writes the demo organisation into the existing, empty directory `dir`.
fn generate(dir: &Path) -> Result<Summary, DemoError> {
    write_file(&dir.join(MARKER), MARKER_TEXT.as_bytes())?;
    write_file(&dir.join("vouch.toml"), PLAN.as_bytes())?;
    write_file(&dir.join("README.md"), README.as_bytes())?;
    let runbooks = write_repository(&dir.join("runbooks"))?;
    let drills = drills::write(&dir.join("drills"))?;
    // The game-day exports CI was meant to fill and never has: a source the
    // plan names that yields nothing, which evidence-completeness must fail.
    let gameday = dir.join(GAMEDAY);
    std::fs::create_dir(&gameday).map_err(DemoError::io("create", &gameday))?;
    let (incidents, open) = incidents::write(&dir.join("incidents").join("incidents.jsonl"))?;
    Ok(Summary {
        now: DEMO_NOW,
        plan: "vouch.toml",
        runbooks,
        drills: Drills {
            path: "drills",
            chaostoolkit: drills.journals,
            vouch: drills.records,
        },
        incidents: Incidents {
            path: "incidents/incidents.jsonl",
            incidents,
            open,
        },
    })
}

fn write_repository(dir: &Path) -> Result<Repository, DemoError> {
    let mut repo = repo::Repo::init(dir, history::MAIN)?;
    let outcome = history::replay(&mut repo, &history::events()?)?;
    repo.finish(history::MAIN, outcome.head)?;
    let runbooks = outcome
        .files
        .iter()
        .filter(|p| p.starts_with("runbooks/") && p.ends_with(".md") && *p != "runbooks/README.md")
        .count();
    Ok(Repository {
        path: "runbooks",
        branch: history::MAIN,
        head: outcome.head.to_string(),
        commits: outcome.commits,
        merges: outcome.merges,
        runbooks,
    })
}

/// Writes `bytes` to `path`, creating its directory.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), DemoError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(DemoError::io("create", parent))?;
    }
    std::fs::write(path, bytes).map_err(DemoError::io("write", path))
}

/// Writes `value` as pretty JSON with a final newline.
fn write_json(path: &Path, value: &impl Serialize) -> Result<(), DemoError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_file(path, text.as_bytes())
}
