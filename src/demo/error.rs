//! What can go wrong while materialising the demo organisation.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Why `vouch demo` could not produce its output.
#[derive(Debug, Error, Diagnostic)]
pub enum DemoError {
    /// The output directory holds something `vouch demo` did not write.
    #[error("`{}` is not empty and is not a previous demo output", path.display())]
    #[diagnostic(
        code(vouch::demo::foreign_directory),
        help(
            "choose a new directory with `--out`, or empty this one; `vouch demo` only \
             replaces directories it wrote itself (they hold a `.vouch-demo` marker)"
        )
    )]
    ForeignDirectory {
        /// The directory given with `--out`.
        path: PathBuf,
    },
    /// The output path exists and is not a directory.
    #[error("`{}` exists and is not a directory", path.display())]
    #[diagnostic(
        code(vouch::demo::not_a_directory),
        help("choose another path with `--out`")
    )]
    NotADirectory {
        /// The path given with `--out`.
        path: PathBuf,
    },
    /// The output directory is (or contains) the current directory, which
    /// cannot be replaced from inside.
    #[error("`{}` is the current directory or contains it", path.display())]
    #[diagnostic(
        code(vouch::demo::current_directory),
        help("run `vouch demo` from another directory, or choose another path with `--out`")
    )]
    CurrentDirectory {
        /// The path given with `--out`.
        path: PathBuf,
    },
    /// A file or directory could not be written, moved or read.
    #[error("cannot {action} `{}`", path.display())]
    #[diagnostic(code(vouch::demo::io))]
    Io {
        /// What was being done, e.g. `write`.
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// libgit2 refused to write part of the runbook repository.
    #[error("cannot write the demo runbook repository")]
    #[diagnostic(code(vouch::demo::git))]
    Git(#[from] git2::Error),
    /// A demo file could not be encoded as JSON.
    #[error("cannot encode a demo file as JSON")]
    #[diagnostic(code(vouch::demo::json))]
    Json(#[from] serde_json::Error),
    /// The built-in scenario contradicts itself: a bug in Vouch, not in the input.
    #[error("the built-in demo scenario is inconsistent: {0}")]
    #[diagnostic(
        code(vouch::demo::scenario),
        help("this is a bug in Vouch; please report it with the message above")
    )]
    Scenario(String),
}

impl DemoError {
    /// An I/O failure while doing `action` to `path`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }

    /// A contradiction in the scenario tables.
    pub fn scenario(message: impl Into<String>) -> Self {
        Self::Scenario(message.into())
    }
}
