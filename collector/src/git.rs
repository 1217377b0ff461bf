//! The runbook collector: runbooks and code changes from a git repository.
//!
//! For one `[[sources.git]]` entry it opens the repository (a local path, or
//! a clone of a `url` kept in a cache and fetched incrementally), resolves the
//! ref, lists the files the capabilities' globs match there, and dates each
//! one with a single walk over history ([`history`]) whose answer for every
//! file is the commit `git log -1 <ref> -- <path>` names.
//!
//! Everything here blocks (libgit2 does); callers on an async runtime run it
//! on a blocking thread.

mod commit;
mod error;
mod fetch;
mod frontmatter;
pub mod history;
pub mod listing;
mod open;
mod records;
mod resolve;
mod select;
mod tree;

use std::path::PathBuf;

use vouch_sdk::Plan;
use vouch_sdk::evidence::{CodeChange, Gap, Runbook};
use vouch_sdk::plan::GitSource;

use crate::Artifact;

pub use self::error::{
    CacheError, EmptyRepositoryError, FetchError, GitError, InvalidSourceError,
    MissingObjectsError, NotARepositoryError, ReadError, ShallowCloneError, UnknownRefError,
};

/// Where a git source's files live on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitContext {
    /// The plan file's directory: a source's `path` is relative to it.
    pub plan_dir: PathBuf,
    /// Where the clone of a `url` source is kept between runs, e.g.
    /// `EVIDENCE_DIR/cache/git/<source-id>`; created when missing.
    pub cache_dir: PathBuf,
}

/// What one git source yielded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitEvidence {
    /// The commit the source was collected at (full id).
    pub commit: String,
    /// The ref that named it, as resolved (e.g. `refs/remotes/origin/main`).
    pub reference: String,
    /// One record per runbook and capability it serves, sorted by path.
    pub runbooks: Vec<Runbook>,
    /// The last change to each capability's code found in this source.
    pub code: Vec<CodeChange>,
    /// Raw artifacts: each runbook's blob at the ref under `SOURCE/<path>`,
    /// and each commit a code record cites under `SOURCE/.commits/<id>`.
    pub artifacts: Vec<Artifact>,
    /// Files or capabilities that could not be collected: each fails closed.
    pub gaps: Vec<Gap>,
    /// Things worth telling the user that lose no evidence: globs that match
    /// nothing, submodules skipped, front matter that could not be read.
    pub unmatched: Vec<String>,
}

/// Collects runbooks and code changes for one git source.
///
/// A fatal problem with the source (not a repository, unknown ref, shallow
/// clone, failed fetch) is an error, which the caller records as a gap; a
/// problem with one file (a missing object) is a gap in the result.
pub fn collect(source: &GitSource, plan: &Plan, ctx: &GitContext) -> Result<GitEvidence, GitError> {
    tree::read_like_git();
    let opened = open::open(source, ctx)?;
    let tip = resolve::tip(&opened, source.reference.as_deref())?;
    let files = listing::files_at(&opened.repo, tip.commit)
        .map_err(|e| opened.read_error(format!("the files of commit `{}`", tip.commit), e))?;
    records::build(&opened, source, plan, &tip, &files)
}
