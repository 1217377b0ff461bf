//! `vouch report`: render a bundle or an assessment as HTML, Markdown,
//! JUnit XML or SARIF.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use crate::output::{Exit, Output};
use crate::report::{Format, Input};

/// Arguments of `vouch report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A bundle directory, its `.tar`, or an assessment JSON file.
    #[arg(value_name = "BUNDLE|ASSESSMENT")]
    pub input: PathBuf,
    /// The format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: Format,
    /// Where to write the report; stdout when left out.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the report to `{}`", path.display())]
#[diagnostic(
    code(vouch::report::write),
    help("check the directory exists and is writable")
)]
pub struct WriteError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Renders the report; exit 0, or 2 when the input cannot be read.
pub fn run(args: &ReportArgs, out: &Output) -> miette::Result<Exit> {
    let mut input = Input::read(&args.input)?;
    let base = args.out.as_deref().filter(|_| args.input.is_dir());
    if let Some(base) = base.and_then(|out| link_base(out, &args.input)) {
        input.link_from(base);
    }
    let text = input.render(args.format)?;
    match &args.out {
        Some(path) => {
            crate::atomic::write(path, text.as_bytes()).map_err(|source| WriteError {
                path: path.clone(),
                source,
            })?;
            out.json(
                &json!({ "report": path, "format": format!("{:?}", args.format).to_lowercase() }),
            )?;
            out.say(format!("report written to `{}`", path.display()));
        }
        None => print!("{text}"),
    }
    Ok(Exit::Ok)
}

/// How a report written to `out` reaches the files of the bundle directory
/// `bundle`: its path relative to the report's directory, when the bundle is
/// below it (`vouch demo` writes `.vouch/report.html` beside `.vouch/bundle`).
fn link_base(out: &Path, bundle: &Path) -> Option<String> {
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let below = bundle
        .canonicalize()
        .ok()?
        .strip_prefix(dir.canonicalize().ok()?)
        .ok()?
        .to_str()?
        .to_owned();
    Some(if below.is_empty() {
        below
    } else {
        format!("{below}/")
    })
}
