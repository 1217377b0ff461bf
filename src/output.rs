//! Terminal output and exit codes: human text by default, JSON on stdout under
//! `--json`, diagnostics always on stderr.

use std::process::ExitCode;

use crate::cli::GlobalArgs;

/// The exit statuses DESIGN.md promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done and nothing failed.
    Ok = 0,
    /// Controls failed under `--fail-on`.
    Failing = 1,
    /// A usage or input error.
    Input = 2,
    /// A bundle failed verification.
    Verification = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// Where a command writes what it has to say.
pub struct Output {
    /// Machine-readable stdout.
    pub json: bool,
    quiet: bool,
    verbose: bool,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Self {
        Self {
            json: global.json,
            quiet: global.quiet,
            verbose: global.verbose,
        }
    }

    /// Output for the steps of a composite command (`vouch demo`): their lines
    /// as usual, but no JSON of their own, so `--json` prints one document.
    pub fn for_steps(&self) -> Self {
        Self {
            json: false,
            quiet: self.quiet || self.json,
            verbose: self.verbose,
        }
    }

    /// Whether only errors may be printed (`-q`), e.g. to quieten child processes.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A line for a person; silent under `--json` and `-q`.
    pub fn say(&self, line: impl std::fmt::Display) {
        if !self.json && !self.quiet {
            println!("{line}");
        }
    }

    /// Detail shown only under `-v`, on stderr so it never mixes with results.
    pub fn detail(&self, line: impl std::fmt::Display) {
        if self.verbose {
            eprintln!("{line}");
        }
    }

    /// The command's machine-readable result, printed only under `--json`.
    pub fn json(&self, value: &impl serde::Serialize) -> miette::Result<()> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|e| miette::miette!("cannot encode output as JSON: {e}"))?;
            println!("{text}");
        }
        Ok(())
    }

    /// A failure, as a miette report on stderr (with JSON on stdout under `--json`).
    pub fn error(&self, report: &miette::Report) {
        if self.json {
            let value = serde_json::json!({ "error": format!("{report}") });
            println!("{value}");
        }
        self.diagnostic(report);
    }

    /// A diagnostic rendered for people on stderr, whatever the output mode.
    pub fn diagnostic(&self, report: &miette::Report) {
        eprintln!("{report:?}");
    }
}
