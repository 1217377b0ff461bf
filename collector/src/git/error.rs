//! Why a git source could not be collected at all, one type per cause, each
//! saying what to do about it. Problems with single files are gaps instead.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// A git source that could not be collected.
#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    /// The source names neither or both of `path` and `url`.
    #[error(transparent)]
    #[diagnostic(transparent)]
    InvalidSource(#[from] InvalidSourceError),
    /// `path` is not a git repository.
    #[error(transparent)]
    #[diagnostic(transparent)]
    NotARepository(#[from] NotARepositoryError),
    /// The repository has no commits.
    #[error(transparent)]
    #[diagnostic(transparent)]
    EmptyRepository(#[from] EmptyRepositoryError),
    /// A shallow clone: its history is cut off.
    #[error(transparent)]
    #[diagnostic(transparent)]
    ShallowClone(#[from] ShallowCloneError),
    /// The ref names no commit.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRef(#[from] UnknownRefError),
    /// Objects the collection cannot do without are missing.
    #[error(transparent)]
    #[diagnostic(transparent)]
    MissingObjects(#[from] MissingObjectsError),
    /// The clone cache could not be created or used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cache(#[from] CacheError),
    /// Cloning or fetching `url` failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Fetch(#[from] FetchError),
    /// Reading the repository failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadError),
}

/// The source names neither or both of `path` and `url`.
#[derive(Debug, Error, Diagnostic)]
#[error("git source `{source_id}` must have exactly one of `path` and `url`")]
#[diagnostic(
    code(vouch::git::invalid_source),
    help("set `path` to a local repository (relative to the plan) or `url` to one to clone")
)]
pub struct InvalidSourceError {
    /// The plan's id of the source.
    pub source_id: String,
}

/// `path` is not a git repository (or cannot be opened as one).
#[derive(Debug, Error, Diagnostic)]
#[error("`{}` is not a git repository", path.display())]
#[diagnostic(
    code(vouch::git::not_a_repository),
    help(
        "`path` must be the top of a git repository (its work tree or a bare repository), \
         relative to the plan file"
    )
)]
pub struct NotARepositoryError {
    /// The path as resolved against the plan's directory.
    pub path: PathBuf,
    /// What libgit2 said.
    #[source]
    pub source: git2::Error,
}

/// The repository has no commits yet.
#[derive(Debug, Error, Diagnostic)]
#[error("repository `{location}` has no commits")]
#[diagnostic(
    code(vouch::git::empty),
    help("commit the runbooks first, or point the source at the repository that holds them")
)]
pub struct EmptyRepositoryError {
    /// The path or URL.
    pub location: String,
}

/// A shallow clone: history is cut off, so last-change dates would be wrong.
#[derive(Debug, Error, Diagnostic)]
#[error("repository `{location}` is a shallow clone: its history is incomplete")]
#[diagnostic(
    code(vouch::git::shallow),
    help("run `git fetch --unshallow` in it, or clone it again without `--depth`")
)]
pub struct ShallowCloneError {
    /// The path or URL.
    pub location: String,
}

/// The ref names no commit.
#[derive(Debug, Error, Diagnostic)]
#[error("ref `{reference}` names no commit in `{location}`")]
#[diagnostic(code(vouch::git::unknown_ref), help("{}", self.advice()))]
pub struct UnknownRefError {
    /// The ref as written in the plan (or `HEAD` when left out).
    pub reference: String,
    /// The path or URL.
    pub location: String,
    /// The repository's branches, sorted.
    pub branches: Vec<String>,
}

impl UnknownRefError {
    /// Branches shown in the help before the list is cut short.
    const SHOWN: usize = 20;

    fn advice(&self) -> String {
        if self.branches.is_empty() {
            return "the repository has no branches; set `ref` to a tag or commit".to_owned();
        }
        let shown: Vec<String> = self
            .branches
            .iter()
            .take(Self::SHOWN)
            .map(|b| format!("`{b}`"))
            .collect();
        let more = self.branches.len().saturating_sub(Self::SHOWN);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "set `ref` to one of its branches: {}{tail}",
            shown.join(", ")
        )
    }
}

/// An object the collection cannot do without is missing.
#[derive(Debug, Error, Diagnostic)]
#[error("{what} is missing from `{location}`")]
#[diagnostic(
    code(vouch::git::missing_objects),
    help(
        "the repository is a partial clone or damaged; run `git fsck` in it, or clone it again \
         in full (without `--filter`)"
    )
)]
pub struct MissingObjectsError {
    /// What was being read, e.g. "tree `abc…` of commit `def…`".
    pub what: String,
    /// The path or URL.
    pub location: String,
    /// What libgit2 said.
    #[source]
    pub source: git2::Error,
}

/// The clone cache could not be created or opened.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot use `{}` as the clone cache", path.display())]
#[diagnostic(
    code(vouch::git::cache),
    help(
        "delete the directory so that the next run clones afresh, or choose another evidence directory"
    )
)]
pub struct CacheError {
    /// The cache directory.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

/// Cloning or fetching failed.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot fetch `{url}`")]
#[diagnostic(
    code(vouch::git::fetch),
    help(
        "check the URL and the network; Vouch clones public repositories over https — for a \
         private one, clone it yourself and set `path` instead of `url`"
    )
)]
pub struct FetchError {
    /// The URL as written in the plan.
    pub url: String,
    /// What libgit2 said.
    #[source]
    pub source: git2::Error,
}

/// Reading the repository failed for a reason other than a missing object.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read {what} in `{location}`")]
#[diagnostic(code(vouch::git::read), help("run `git fsck` in the repository"))]
pub struct ReadError {
    /// What was being read.
    pub what: String,
    /// The path or URL.
    pub location: String,
    /// What libgit2 said.
    #[source]
    pub source: git2::Error,
}
