//! `vouch init`: a commented starter plan that passes `vouch plan check`.

use std::path::{Path, PathBuf};

use clap::Args;
use miette::{Context, IntoDiagnostic};
use serde_json::json;

use crate::output::{Exit, Output};

/// The starter plan, commented for a first-time reader.
const STARTER: &str = include_str!("init/starter.toml");

/// Arguments of `vouch init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write `vouch.toml` into (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Writes the starter plan, refusing to replace an existing one.
pub fn run(args: &InitArgs, out: &Output) -> miette::Result<Exit> {
    let path = args.dir.join("vouch.toml");
    std::fs::create_dir_all(&args.dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create directory `{}`", args.dir.display()))?;
    write_new(&path, STARTER)?;
    out.say(format!("wrote `{}`", path.display()));
    out.say("next: edit it, then run `vouch plan check`");
    out.json(&json!({ "plan": path }))?;
    Ok(Exit::Ok)
}

/// Creates `path` with `text`; an existing file is never overwritten.
fn write_new(path: &Path, text: &str) -> miette::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => miette::miette!(
                help = "edit it, or run `vouch init` in another directory",
                "`{}` already exists; `vouch init` never overwrites a plan",
                path.display()
            ),
            _ => miette::miette!("cannot create `{}`: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{}`", path.display()))
}
