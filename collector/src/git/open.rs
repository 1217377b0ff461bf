//! Opening a source's repository: a local path as it is, or the cached clone
//! of a URL, brought up to date first.

use std::ffi::OsStr;
use std::path::Path;

use git2::{Repository, RepositoryOpenFlags};
use vouch_sdk::plan::GitSource;

use super::{
    GitContext, GitError, InvalidSourceError, MissingObjectsError, NotARepositoryError, ReadError,
    ShallowCloneError, fetch,
};

/// A repository ready to be read.
pub(super) struct Opened {
    /// The repository.
    pub repo: Repository,
    /// The path or URL, for messages.
    pub location: String,
    /// Whether it is a clone of a URL (branches are then `refs/remotes/origin/*`).
    pub cloned: bool,
}

impl Opened {
    /// The error for a failed read of `what`: a missing object, or another failure.
    pub fn read_error(&self, what: impl Into<String>, source: git2::Error) -> GitError {
        let what = what.into();
        let location = self.location.clone();
        if source.code() == git2::ErrorCode::NotFound {
            MissingObjectsError {
                what,
                location,
                source,
            }
            .into()
        } else {
            ReadError {
                what,
                location,
                source,
            }
            .into()
        }
    }
}

/// Opens the repository `source` names.
pub(super) fn open(source: &GitSource, ctx: &GitContext) -> Result<Opened, GitError> {
    let opened = match (&source.path, &source.url) {
        (Some(path), None) => {
            let path = ctx.plan_dir.join(path);
            Opened {
                repo: open_exactly(&path).map_err(|source| NotARepositoryError {
                    path: path.clone(),
                    source,
                })?,
                location: path.display().to_string(),
                cloned: false,
            }
        }
        (None, Some(url)) => Opened {
            repo: fetch::sync(url, &ctx.cache_dir)?,
            location: url.clone(),
            cloned: true,
        },
        _ => {
            return Err(InvalidSourceError {
                source_id: source.id.clone(),
            }
            .into());
        }
    };
    if opened.repo.is_shallow() {
        return Err(ShallowCloneError {
            location: opened.location,
        }
        .into());
    }
    Ok(opened)
}

/// Opens the repository at `path` itself, never one in a directory above: a
/// mistyped path inside another repository must not date that one's files.
pub(super) fn open_exactly(path: &Path) -> Result<Repository, git2::Error> {
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&OsStr>(),
    )
}
